"""Keys for fragments that many pages share (the menu, cards, lists), so a fragment is rendered
once per version of what it shows rather than once per request, and a change still refreshes it
at once: the key names the versions the page cache already tracks (pagecache.versions).

A fragment that lists articles also changes when a scheduled piece goes live, which moves no
version; its key names the moment of the next scheduled publication too, so it changes then.
"""

from pagecache import schedule, versions

# What no scheduled publication changes: the menu lists sections, not articles.
TIMELESS = {versions.SECTIONS}


def fragment_version(names):
    """A string naming the current versions of `names` (e.g. ["sections"], or
    ["site", "article:12"]), for a cache key."""
    names = sorted({str(name) for name in names})
    timed = not TIMELESS.issuperset(names)
    # The site's version, read in the same round trip, names the remembered next publication.
    found = versions.current([*names, versions.SITE] if timed else names)
    parts = [f"{name}.{found[name]}" for name in names]
    if timed:
        moment = schedule.next_publication(found[versions.SITE])
        parts.append(f"until.{moment.timestamp() if moment else 'none'}")
    return "-".join(parts)


def names_shown_by(articles):
    """The versions a list of articles' cards show: each article, its section and its authors
    (bylines prefetched, as every public list does)."""
    names = set()
    for article in articles:
        names.add(f"article:{article.pk}")
        names.add(f"section:{article.section_id}")
        names.update(f"author:{byline.author_id}" for byline in article.bylines.all())
    return names
