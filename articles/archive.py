"""Archive pages by year and month. PLACEHOLDER: being written (issue 6)."""

from django.http import Http404


def archive_index(request):
    raise Http404


def year_archive(request, year):
    raise Http404


def month_archive(request, year, month):
    raise Http404
