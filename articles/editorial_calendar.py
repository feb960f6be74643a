"""The editorial calendar: what is published, scheduled and planned, day by day, in the site's
time zone.

A month or a week is read in two queries (pieces going live in it, pieces due in it), each
showing at most PER_DAY_SHOWN pieces a day and counting the rest, whatever the archive holds;
the admin view (articles.admin.planning) draws it.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, Window
from django.db.models.functions import RowNumber, TruncDate
from django.utils import timezone

from articles import permissions
from articles.models import Article, Byline

# A newsroom publishing fifty pieces a day would fill a month with 1,500 links: each day shows
# its first ones and says how many more it holds.
PER_DAY_SHOWN = 12
WEEK = "week"
MONTH = "month"


@dataclass
class Day:
    day: date
    in_range: bool = True
    published: list = field(default_factory=list)
    scheduled: list = field(default_factory=list)
    planned: list = field(default_factory=list)

    # Pieces of the day beyond those shown, and where the admin lists them all.
    more: int = 0
    more_url: str = ""

    @property
    def count(self):
        return len(self.published) + len(self.scheduled) + len(self.planned)


def local_bounds(first, last):
    """[start of `first`, start of the day after `last`) as aware datetimes, in the site's zone."""
    start = timezone.make_aware(datetime.combine(first, time.min))
    return start, timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))


def period(view, around):
    """The days a week (Monday first) or a month view shows, whole weeks, and the days that
    belong to the period itself."""
    if view == WEEK:
        first = around - timedelta(days=around.weekday())
        return first, first + timedelta(days=6), (first, first + timedelta(days=6))
    month_first = around.replace(day=1)
    month_last = month_first.replace(day=calendar.monthrange(around.year, around.month)[1])
    first = month_first - timedelta(days=month_first.weekday())
    last = month_last + timedelta(days=6 - month_last.weekday())
    return first, last, (month_first, month_last)


def filtered(queryset, *, section=None, author=None):
    if section is not None:
        queryset = queryset.filter(section=section)
    if author is not None:
        wrote = Exists(Byline.objects.filter(article=OuterRef("pk"), author=author))
        queryset = queryset.filter(wrote | Q(assignee=author))
    return queryset


def first_of_each_day(queryset, moment):
    """The first PER_DAY_SHOWN rows of each local day of `moment`, each with its day's total."""
    day = TruncDate(moment, tzinfo=timezone.get_current_timezone())
    return queryset.annotate(
        place=Window(RowNumber(), partition_by=day, order_by=[F(moment).asc(), F("pk").asc()]),
        day_total=Window(Count("pk"), partition_by=day),
    ).filter(place__lte=PER_DAY_SHOWN)


def calendar_days(user, *, view, around, section=None, author=None, now=None):
    """Weeks (lists of 7 Days) of the period around `around`."""
    now = now or timezone.now()
    first, last, (own_first, own_last) = period(view, around)
    start, end = local_bounds(first, last)
    visible = (
        Article.objects.filter(deleted_at__isnull=True)
        .filter(permissions.visible_to(user))
        .select_related("section", "assignee")
        .only(
            "headline",
            "section",
            "assignee",
            "status",
            "published_at",
            "due_at",
            "section__name",
            "assignee__name",
            "priority",
        )
    )
    visible = filtered(visible, section=section, author=author)
    going_live = first_of_each_day(
        visible.filter(
            status=Article.Status.PUBLISHED, published_at__gte=start, published_at__lt=end
        ),
        "published_at",
    ).order_by("published_at", "pk")
    planned = first_of_each_day(
        visible.filter(due_at__gte=start, due_at__lt=end).exclude(status=Article.Status.PUBLISHED),
        "due_at",
    ).order_by("due_at", "pk")
    days = {
        first + timedelta(days=n): Day(first + timedelta(days=n))
        for n in range((last - first).days + 1)
    }
    for day in days.values():
        day.in_range = own_first <= day.day <= own_last
    for queryset, moment in ((going_live, "published_at"), (planned, "due_at")):
        totals = {}
        for article in queryset:
            day = days[timezone.localtime(getattr(article, moment)).date()]
            if moment == "due_at":
                day.planned.append(article)
            elif article.published_at > now:
                day.scheduled.append(article)
            else:
                day.published.append(article)
            totals[day.day] = (article.day_total, article.place)
        for day_date, (total, shown) in totals.items():
            days[day_date].more += total - shown
    ordered = list(days.values())
    return [ordered[n : n + 7] for n in range(0, len(ordered), 7)]
