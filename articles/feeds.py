"""RSS and Atom feeds. PLACEHOLDER: being written (issue 6); every feed answers 404 for now."""

from django.http import Http404


class _NotYet:
    def __call__(self, request, **kwargs):
        raise Http404


LatestRssFeed = LatestAtomFeed = AuthorRssFeed = AuthorAtomFeed = _NotYet
TagRssFeed = TagAtomFeed = SectionRssFeed = SectionAtomFeed = _NotYet
