"""Pages of a changelist over a table that grows for years."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedCountPaginator(Paginator):
    """Counts no further than `cap` + 1 rows.

    An exact COUNT(*) reads every matching row: at 100,000 articles it costs more than the
    page it numbers. Past the cap the desk says "10000+ articles", pages up to the cap, and
    filters or search narrow the rest.
    """

    cap = 10_000

    @cached_property
    def count(self):
        return self.object_list[: self.cap + 1].count()

    @property
    def capped(self):
        return self.count > self.cap
