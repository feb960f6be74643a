"""The story budget in the admin: every piece due on a day, with its state, assignee, due time,
priority and length so far. Moderators only; planning fields are theirs (ArticleAdmin)."""

from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from articles import permissions
from articles.models import Article

# A day's budget is a newsroom's, not an archive's: a day holding more is cut here, and said so.
BUDGET_LIMIT = 200


def day_bounds(day):
    """The start and end of `day` in the site's time zone, as aware datetimes."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def requested_day(request):
    """The ?day=YYYY-MM-DD asked for, or today (with an error message when it is no date)."""
    today = timezone.localdate()
    value = request.GET.get("day", "")
    if not value:
        return today
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        messages.error(
            request,
            _("“%(value)s” is not a date (YYYY-MM-DD): today’s budget is shown.")
            % {"value": value[:40]},
        )
        return today


class PlanningAdminMixin:
    def planning_urls(self):
        view = self.admin_site.admin_view
        return [path("budget/", view(self.budget_view), name="articles_article_budget")]

    def budget_view(self, request):
        if not permissions.can_publish(request.user):
            raise PermissionDenied
        day = requested_day(request)
        start, end = day_bounds(day)
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
