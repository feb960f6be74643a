"""`manage.py loadtest`: the site under a realistic reader load while a moderator publishes,
then with Redis killed and with the database cut off, on a fresh PostgreSQL database.

- `content`: what runs in the `--phase fill` child (synthetic site, stories in review, the
  moderator, the readers' URLs).
- `traffic`: the weighted reader mix, and a probe that records what one reader sees over time.
- `moderator`: an editor using the real admin over HTTP; checks each publication reaches readers.
- `htmlform`: a form's fields read from the served HTML, as a browser would submit them.
- `faults`: a private Redis to kill, and a TCP proxy in front of PostgreSQL to cut.
- `phases`: the main run and the two fault phases, each with its verdicts.
- `report`: the Markdown report.

Servers, the load generator and the throwaway database come from `devtools.benchmark`.
"""
