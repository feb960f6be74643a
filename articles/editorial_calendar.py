"""The editorial calendar: what is published, scheduled and planned, day by day, in the site's
time zone.

A month or a week is read in two queries (pieces going live in it, pieces due in it), each
capped, whatever the archive holds; the admin view (articles.admin.planning) draws it.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from articles import permissions
from articles.models import Article, Byline

# A newsroom publishing fifty pieces a day fills a month with 1,500: enough for any view, and a
# view holding more says so rather than reading the archive.
ITEMS_LIMIT = 2000
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


def calendar_days(user, *, view, around, section=None, author=None, now=None):
    """(weeks: lists of 7 Days, cut: whether a cap was reached) for the period around `around`."""
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
    going_live = list(
        visible.filter(
            status=Article.Status.PUBLISHED, published_at__gte=start, published_at__lt=end
        ).order_by("published_at", "pk")[: ITEMS_LIMIT + 1]
    )
    planned = list(
        visible.filter(due_at__gte=start, due_at__lt=end)
        .exclude(status=Article.Status.PUBLISHED)
        .order_by("due_at", "pk")[: ITEMS_LIMIT + 1]
    )
    cut = len(going_live) > ITEMS_LIMIT or len(planned) > ITEMS_LIMIT
    days = {
        first + timedelta(days=n): Day(first + timedelta(days=n))
        for n in range((last - first).days + 1)
    }
    for day in days.values():
        day.in_range = own_first <= day.day <= own_last
    for article in going_live[:ITEMS_LIMIT]:
        day = days[timezone.localtime(article.published_at).date()]
        (day.scheduled if article.published_at > now else day.published).append(article)
    for article in planned[:ITEMS_LIMIT]:
        days[timezone.localtime(article.due_at).date()].planned.append(article)
    ordered = list(days.values())
    return [ordered[n : n + 7] for n in range(0, len(ordered), 7)], cut
