"""Keys for fragments that many pages share (the menu, cards, lists), so a fragment is rendered
once per version of what it shows rather than once per request, and a change still refreshes it
at once: the key names the versions the page cache already tracks (pagecache.versions).

A fragment that lists articles also changes when a scheduled piece goes live, which moves no
version; its key names the moment of the next scheduled publication too, so it changes then.

A page's parts often show the same things (an article's story, its head, the menu): the
versions they read are kept for the request (`request_versions`), so each is read once.
"""

from pagecache import schedule, versions

# What no scheduled publication changes: the menu lists sections, not articles.
TIMELESS = {versions.SECTIONS}
# In a request's versions: the next publication's moment, once worked out.
UNTIL = "until"


def request_versions(request):
    """The versions this request has read so far ({} when there is no request)."""
    if request is None:
        return {}
    return request.__dict__.setdefault("newsroom_versions", {})


def read_versions(names, *, known, timed):
    """Read into `known` the versions of `names` it lacks, and with `timed` the site's version
    and the next publication's moment, in one round trip."""
    wanted = [name for name in (*names, *([versions.SITE] if timed else ())) if name not in known]
    also = [schedule.NEXT_KEY] if timed and UNTIL not in known else []
    if wanted or also:
        known.update(versions.current(wanted, also=also))
    if timed and UNTIL not in known:
        known[UNTIL] = schedule.next_publication(
            known[versions.SITE], remembered=known.pop(schedule.NEXT_KEY)
        )


def fragment_version(names, *, known=None):
    """A string naming the current versions of `names` (e.g. ["sections"], or
    ["site", "article:12"]), for a cache key; `known`: the request's versions."""
    known = {} if known is None else known
    names = sorted({str(name) for name in names})
    timed = not TIMELESS.issuperset(names)
    read_versions(names, known=known, timed=timed)
    parts = [f"{name}.{known[name]}" for name in names]
    if timed:
        moment = known[UNTIL]
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
