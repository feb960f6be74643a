"""Pages of lists over a table that grows for years."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedCountPaginator(Paginator):
    """Counts no further than `cap` rows (and one more, to know there are more).

    An exact COUNT(*) reads every matching row: at 100,000 articles it costs more than the
    page it numbers. Past the cap, pages stop at the cap: the desk says "10000+ articles" and
    filters or search narrow the rest; readers page back through the newest and find older
    pieces in the archive by month.
    """

    cap = 10_000

    @cached_property
    def counted(self):
        return self.object_list[: self.cap + 1].count()

    @property
    def count(self):
        return min(self.counted, self.cap)

    @property
    def capped(self):
        return self.counted > self.cap

    @property
    def total_pages_label(self):
        """ "12", or "100+" when there are pieces past the cap."""
        return f"{self.num_pages}+" if self.capped else str(self.num_pages)


class PublicListPaginator(CappedCountPaginator):
    # 100 pages of 20: further back, the archive by year and month is the way in.
    cap = 2_000
