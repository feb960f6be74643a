"""The pieces of `manage.py bench`: a load test of the public site under gunicorn, plus in-process
timings, query counts, search at scale, the admin changelist and worker memory.

- `database`: the throwaway benchmark database (PostgreSQL or SQLite), made fresh each run.
- `server`: gunicorn in the production profile on a free loopback port; worker memory.
- `loadgen`: wrk when installed, else a small keep-alive Python client.
- `inprocess`: what runs inside a `manage.py bench --phase …` child pointed at the bench database
  (filling it, picking URLs, rendering pages through Django's test client).
- `report`: the Markdown written to docs/benchmarks.md, with the targets checked.
"""

# The pages measured, in the order they are reported. "trivial" is the ceiling: /robots.txt,
# a tiny template view that goes through the whole middleware stack like every other page.
PAGES = ["article", "home", "section", "author", "tag", "search", "feed", "sitemap", "trivial"]
MODES = ["cold", "warm"]
SEARCH_WORD = "market"
