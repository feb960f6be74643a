"""The story budget in the admin: every piece due on a day, with its state, assignee, due time,
priority and length so far. Moderators only; planning fields are theirs (ArticleAdmin)."""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from articles import permissions
from articles.editorial_calendar import MONTH, WEEK, calendar_days, local_bounds
from articles.models import Article, Author, Section

# A day's budget is a newsroom's, not an archive's: a day holding more is cut here, and said so.
BUDGET_LIMIT = 200


def requested_day(request, name="day"):
    """The ?day=YYYY-MM-DD asked for, or today (with an error message when it is no date)."""
    today = timezone.localdate()
    value = request.GET.get(name, "")
    if not value:
        return today
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        messages.error(
            request,
            _("“%(value)s” is not a date (YYYY-MM-DD): today is shown.") % {"value": value[:40]},
        )
        return today


def requested_choice(request, name, queryset):
    """The object whose id ?name= gives, None when not asked for, with a message when unknown."""
    value = request.GET.get(name, "")
    if not value:
        return None
    found = queryset.filter(pk=value).first() if value.isdigit() and len(value) < 19 else None
    if found is None:
        messages.error(
            request,
            _("No such %(what)s: the calendar is not filtered by it.")
            % {"what": queryset.model._meta.verbose_name},
        )
    return found


class PlanningAdminMixin:
    def planning_urls(self):
        view = self.admin_site.admin_view
        return [
            path("budget/", view(self.budget_view), name="articles_article_budget"),
            path("calendar/", view(self.calendar_view), name="articles_article_calendar"),
        ]

    def calendar_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        view = request.GET.get("view", MONTH)
        if view not in (MONTH, WEEK):
            messages.error(request, _("The calendar shows a month or a week: here is the month."))
            view = MONTH
        around = requested_day(request, "date")
        section = requested_choice(request, "section", Section.objects.all())
        author = requested_choice(request, "author", Author.objects.all())
        weeks = calendar_days(
            request.user, view=view, around=around, section=section, author=author
        )
        changelist = reverse("admin:articles_article_changelist")
        for week in weeks:
            for day in week:
                if day.more:
                    # As DateFieldListFilter's own links: aware moments, in the site's zone.
                    start, end = local_bounds(day.day, day.day)
                    day.more_url = (
                        changelist
                        + "?"
                        + urlencode({"published_at__gte": str(start), "published_at__lt": str(end)})
                    )
        step = timedelta(days=7) if view == WEEK else None
        if step is None:
            earlier = (around.replace(day=1) - timedelta(days=1)).replace(day=1)
            later = (around.replace(day=28) + timedelta(days=4)).replace(day=1)
        else:
            earlier, later = around - step, around + step
        url = reverse("admin:articles_article_calendar")
        keep = {
            key: value
            for key, value in {"section": section, "author": author}.items()
            if value is not None
        }

        def link(**changes):
            query = {"view": view, "date": around, **{k: v.pk for k, v in keep.items()}}
            return url + "?" + urlencode({**query, **changes})

        title = (
            _("Week of %(day)s") % {"day": date_format(weeks[0][0].day, "DATE_FORMAT")}
            if view == WEEK
            else date_format(around, "YEAR_MONTH_FORMAT")
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Editorial calendar: %(period)s") % {"period": title},
            "period_title": title,
            "opts": self.opts,
            "view": view,
            "weeks": weeks,
            "weekdays": [day.day for day in weeks[0]],
            "today": timezone.localdate(),
            "section": section,
            "author": author,
            "sections": Section.objects.all(),
            "authors": Author.objects.order_by("name"),
            "earlier_url": link(date=earlier),
            "later_url": link(date=later),
            "today_url": link(date=timezone.localdate()),
            "month_url": link(view=MONTH),
            "week_url": link(view=WEEK),
            "around": around,
            "may_reschedule": permissions.can_publish(request.user),
            "calendar_url": request.get_full_path(),
            "min_datetime": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        }
        return TemplateResponse(request, "admin/articles/article/calendar.html", context)

    def budget_view(self, request):
        if not permissions.can_publish(request.user):
            raise PermissionDenied
        day = requested_day(request)
        start, end = local_bounds(day, day)
        pieces = list(
            Article.objects.filter(deleted_at__isnull=True, due_at__gte=start, due_at__lt=end)
            .select_related("section", "assignee")
            .order_by("due_at", "priority")[: BUDGET_LIMIT + 1]
        )
        url = reverse("admin:articles_article_budget")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Story budget for %(day)s") % {"day": date_format(day, "DATE_FORMAT")},
            "opts": self.opts,
            "day": day,
            "pieces": pieces[:BUDGET_LIMIT],
            "cut": len(pieces) > BUDGET_LIMIT,
            "limit": BUDGET_LIMIT,
            "previous_url": url + "?" + urlencode({"day": day - timedelta(days=1)}),
            "next_url": url + "?" + urlencode({"day": day + timedelta(days=1)}),
            "today_url": url,
        }
        return TemplateResponse(request, "admin/articles/article/budget.html", context)
