"""The pieces of `manage.py bench`: a load test of the public site under gunicorn, plus in-process
timings, query counts, search at scale, the admin changelist and worker memory.

- `database`: the throwaway benchmark database (PostgreSQL or SQLite), made fresh each run.
- `server`: gunicorn in the production profile on a free loopback port; worker memory.
- `loadgen`: wrk when installed, else a small keep-alive Python client.
- `inprocess`: what runs inside a `manage.py bench --phase …` child pointed at the bench database
  (filling it, picking URLs, rendering pages through Django's test client).
- `peer`: the Wagtail peer (../shared/peer-wagtail/run.sh), measured before and after our load.
- `previous`: an earlier run's results, for the report's "Before" section.
- `targets`: the goals each run is checked against.
- `report`: the Markdown written to docs/benchmarks.md (and its JSON beside it).
"""

# The pages measured, in the order they are reported. The last two are ceilings, not pages:
# "trivial" is /robots.txt, a tiny template view behind the whole middleware stack, and
# "static" is a stylesheet WhiteNoise serves, the most a Python response can do.
PAGES = [
    "article",
    "home",
    "section",
    "author",
    "tag",
    "search",
    "feed",
    "sitemap",
    "trivial",
    "static",
]
CEILINGS = ("trivial", "static")
PAGE_LABELS = {
    "article": "article",
    "home": "home",
    "section": "section",
    "author": "author",
    "tag": "tag",
    "search": "search",
    "feed": "RSS feed",
    "sitemap": "sitemap (articles)",
    "trivial": "trivial view (/robots.txt)",
    "static": "static file (WhiteNoise)",
}
STATIC_FILE = "css/site.css"
SEARCH_WORD = "market"
PAGE_CACHE_SECONDS = 300
FRAGMENT_CACHE_SECONDS = 3600

# What readers meet, from the slowest to the fastest: "cold" is every cache off; "fragments" is
# the page cache off but shared fragments cached (a page right after a publish, whose fragments
# other pages had already cached); "warm" is a page-cache hit.
MODES = {
    "cold": {"page_cache": False, "fragment_cache": False},
    "fragments": {"page_cache": False, "fragment_cache": True},
    "warm": {"page_cache": True, "fragment_cache": True},
}


def mode_settings(mode):
    """The settings that make `mode`, for override_settings() in-process or (as strings) for
    gunicorn's environment."""
    caches = MODES[mode]
    return {
        "NEWSROOM_PAGE_CACHE_SECONDS": PAGE_CACHE_SECONDS if caches["page_cache"] else 0,
        "NEWSROOM_FRAGMENT_CACHE_SECONDS": FRAGMENT_CACHE_SECONDS
        if caches["fragment_cache"]
        else 0,
    }


def mode_environment(mode):
    return {
        name: ("1" if value else "0") if isinstance(value, bool) else str(value)
        for name, value in mode_settings(mode).items()
    }
