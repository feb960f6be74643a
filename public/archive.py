"""Archive pages: every month that has published articles, and each year's and month's list.

Periods are calendar years and months in the site's time zone, the same clock readers see on
every date, and are queried as ranges on published_at so the date index serves them.
"""

import datetime

from django.conf import settings
from django.core.paginator import InvalidPage
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.pagination import PublicListPaginator

# What datetime can hold; the URL's int converter accepts any number of digits.
MIN_YEAR, MAX_YEAR = 1, 9999


def archive_index(request):
    years = {}
    months = (
        Article.objects.published()
        .annotate(month=TruncMonth("published_at"))
        .values("month")
        .annotate(count=Count("pk"))
        .order_by("-month")
    )
    for row in months:
        year = years.setdefault(row["month"].year, {"year": row["month"].year, "count": 0})
        year["count"] += row["count"]
        year.setdefault("months", []).append(row)
    return render(request, "articles/archive.html", {"years": list(years.values())})


def year_archive(request, year):
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("No such year.")
    canonical = reverse("articles:archive-year", kwargs={"year": year})
    if request.path != canonical:
        return _redirect_keeping_query(request, canonical)
    in_year = _published_between(datetime.datetime(year, 1, 1), _start_of(year + 1, 1))
    months = list(
        in_year.annotate(month=TruncMonth("published_at"))
        .values("month")
        .annotate(count=Count("pk"))
        .order_by("month")
    )
    if not months:
        raise Http404("Nothing was published that year.")
    return render(
        request,
        "articles/archive_year.html",
        {"year": year, "months": months, **_page(request, in_year)},
    )


def month_archive(request, year, month):
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        raise Http404("No such month.")
    canonical = reverse("articles:archive-month", kwargs={"year": year, "month": month})
    if request.path != canonical:
        return _redirect_keeping_query(request, canonical)
    start = datetime.datetime(year, month, 1)
    next_month = _start_of(year, month + 1) if month < 12 else _start_of(year + 1, 1)
    context = _page(request, _published_between(start, next_month))
    if not context["page_obj"].paginator.count:
        raise Http404("Nothing was published that month.")
    return render(
        request,
        "articles/archive_month.html",
        {"year": year, "month": start.date(), **context},
    )


def _start_of(year, month):
    return datetime.datetime(year, month, 1) if year <= MAX_YEAR else None


def _published_between(start, end):
    """Published articles from `start` up to, not including, `end` (naive, site time zone).

    A bound that falls off the calendar once converted to UTC (the first hours of year 1, the
    last of year 9999) is left open: nothing can lie beyond it anyway.
    """
    articles = Article.objects.published()
    lower, upper = _aware(start), _aware(end)
    if lower is not None:
        articles = articles.filter(published_at__gte=lower)
    if upper is not None:
        articles = articles.filter(published_at__lt=upper)
    return articles


def _aware(naive):
    if naive is None:
        return None
    try:
        value = timezone.make_aware(naive)
        value.astimezone(datetime.UTC)
    except OverflowError:
        return None
    return value


def _page(request, articles):
    """One page of `articles`; a page that is not a number, or past the end, is a 404."""
    newest_first = articles.for_lists().order_by("-published_at", "-pk")
    paginator = PublicListPaginator(newest_first, settings.NEWSROOM_PAGE_SIZE)
    number = request.GET.get("page") or 1
    try:
        page = paginator.page(number)
    except InvalidPage:
        raise Http404("No such page.") from None
    return {"page_obj": page, "articles": page.object_list, "is_paginated": page.has_other_pages()}


def _redirect_keeping_query(request, path):
    # /archive/2025/03/ and /archive/02025/ are the same page: send readers to one address.
    query = request.META.get("QUERY_STRING", "")
    return redirect(f"{path}?{query}" if query else path, permanent=True)
