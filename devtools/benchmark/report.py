"""docs/benchmarks.md: the results table, the setup it was measured on, the Wagtail peer measured
beside it, the targets checked, and (with --before) an earlier run's figures."""

import os
import platform
from pathlib import Path

from devtools.benchmark import MODES, PAGE_LABELS, PAGES

PEER_LABELS = {
    "article": "article",
    "listing": "section listing (20 latest)",
    "static": "static file (WhiteNoise)",
    "ping": "trivial view",
}
VERDICTS = {True: "met", False: "**fell short**", None: "not verified"}
# The peer's runs before and after ours farther apart than the machine's usual ±20%.
PEER_SPREAD_WARNING = 0.2


def machine():
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gib = int(line.split()[1]) / 1024 / 1024
                break
    except (OSError, ValueError):
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model or platform.processor() or platform.machine(),
        "memory_gib": round(memory_gib, 1) if memory_gib else None,
        "system": f"{platform.system()} {platform.release()}",
    }


def loads(m):
    before, after = m.get("load_before"), m.get("load_after")
    if not before:
        return "unknown"
    text = "before the run " + " / ".join(f"{x:.2f}" for x in before)
    if after:
        text += ", after it (its own load included) " + " / ".join(f"{x:.2f}" for x in after)
    return text


def busy_warning(m):
    """A warning when something else kept the machine busy during the run."""
    cpus = m.get("cpus") or 1
    busiest = (m.get("load_before") or [0])[0]
    if busiest <= 0.5 * cpus:
        return ""
    return (
        f"> **The machine was busy when this run started** (1-minute load average "
        f"{busiest:.2f} on {cpus} CPUs, before the benchmark added its own): other processes "
        "took CPU from the server, the database and the load generator, so every figure is "
        "lower, and noisier, than on an idle machine. Compare ratios, or re-run when it is idle."
    )


def capital(text):
    text = text.strip()
    if text and not text.endswith("."):
        text += "."
    return text[:1].upper() + text[1:]


def number(value, digits=1):
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def mib(kib):
    return f"{kib / 1024:,.1f} MiB"


# The Markdown.


def results_table(results):
    load, inprocess = results["load"], results["inprocess"]["pages"]
    lines = [
        "| page | mode | req/s | p50 ms | p99 ms | errors | SQL queries | in-process median ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for page in PAGES:
        for mode in MODES:
            run = load.get(mode, {}).get(page)
            local = inprocess.get(page, {}).get(mode)
            if not run and not local:
                continue
            lines.append(
                "| {} | {} | {} | {} | {} | {} | {} | {} |".format(
                    PAGE_LABELS[page],
                    mode,
                    number(run["rps"]) if run else "–",
                    number(run["p50_ms"]) if run and run["requests"] else "–",
                    number(run["p99_ms"]) if run and run["requests"] else "–",
                    f"{run['errors']:,}" if run else "–",
                    local["queries"]["count"] if local else "–",
                    number(local["timings"]["median_ms"]) if local else "–",
                )
            )
    return "\n".join(lines)


def connections_text(options, inprocess):
    if not options.get("database_pool"):
        return "persistent connections (`CONN_MAX_AGE=600`) with `CONN_HEALTH_CHECKS`"
    if inprocess.get("database_pool") is False:
        # Settings older than DATABASE_POOL: what ran was a new connection per request.
        return (
            "**no pool**: `--database-pool` set `DATABASE_POOL=1` and `CONN_MAX_AGE=0`, but "
            "these settings made no pool of it, so every request opened a connection"
        )
    return (
        "a psycopg connection pool per worker (`DATABASE_POOL=1`, Django's "
        '`OPTIONS["pool"]`; `CONN_MAX_AGE=0`)'
    )


def render(results, checks, before=None):
    m, v, options = results["machine"], results["versions"], results["options"]
    inprocess = results["inprocess"]
    articles = results["articles"]
    out = [
        "# Benchmarks",
        "",
        f"Written by `python manage.py bench{' --smoke' if options['smoke'] else ''}` "
        f"({'`make bench-smoke`' if options['smoke'] else '`make bench`'}) on "
        f"{results['started']}; the run took {results['duration_s']:,.0f} s. "
        "Every figure below comes from that one run on this machine: re-run the command to "
        "refresh it, and compare only numbers measured side by side.",
        "",
        "## Setup",
        "",
        "| | |",
        "|---|---|",
        f"| machine | {m['cpus']} CPUs ({m['cpu_model']}), "
        f"{number(m['memory_gib'])} GiB memory, {m['system']} |",
        f"| machine load | load average {loads(m)} (1, 5, 15 min): anything else running on the "
        "machine (other test suites, browsers) takes CPU from the server and lowers every figure |",
        f"| software | Python {v['python']}, Django {v['django']}, gunicorn {v['gunicorn']}, "
        f"{v['database']}, {v['redis'] or 'no Redis'} |",
        f"| code | {v.get('commit') or 'unknown (not a git checkout)'} |",
        f"| database | {results['database']}"
        f"{' (kept from an earlier run)' if results['kept'] else ' (created fresh)'} |",
        f"| content | {articles:,} published synthetic articles (`devtools/synthetic.py`: "
        "~900-word bodies, 1–3 bylines, 5 tags from a pool of 500, 6 sections), "
        f"{results.get('images', 0)} hero images made through the real image pipeline; "
        f"{inprocess.get('desk_pieces') or 0:,} more pieces on the desk (drafts, plans, reviews, "
        "scheduled, late), pending changes to a tenth as many live ones, a save and three audit "
        "entries per published piece |",
        f"| server | gunicorn, {options['workers']} sync workers (`newsroom/gunicorn_conf.py`), "
        f"DEBUG off, database: {connections_text(options, inprocess)}, WhiteNoise, access log off, "
        "loopback only |",
        f"| cache (fragments, pages) | {results['cache']} |",
        f"| load generator | {results['load_generator']}, {options['connections']} connections, "
        f"{options['seconds']:g} s per page per mode, after a warm-up; every request "
        "says `Accept-Encoding: gzip`, as browsers and feed readers do |",
        "",
        "## Results",
        "",
        "**cold**: every cache off (`NEWSROOM_PAGE_CACHE_SECONDS=0`, "
        "`NEWSROOM_FRAGMENT_CACHE_SECONDS=0`), every request renders the whole page from the "
        "database. "
        "**fragments**: the page cache off but the fragments pages share cached "
        "(`NEWSROOM_FRAGMENT_CACHE_SECONDS=3600`): what readers meet right after a publish. "
        "**warm**: page cache on, every page already cached. "
        "The trivial view and the static file are the ceilings a Python response is held to. "
        "*SQL queries* and *in-process median* come from Django's test client in one process "
        f"(median of up to {options['renders']} renders, no network, same settings).",
        "",
        results_table(results),
        "",
        "URLs measured: "
        + ", ".join(f"{PAGE_LABELS[p]} `{u}`" for p, u in results["urls"].items())
        + ".",
        "",
    ]

    busy = busy_warning(m)
    if busy:
        out[out.index("## Setup") : out.index("## Setup")] = [busy, ""]

    out += ["## The Wagtail peer, measured in this run", "", peer_text(results.get("peer")), ""]

    out += ["## Targets", "", targets_table(checks)]
    out += ["", "### What fell short", ""]
    short = [c for c in checks if c["ok"] is False]
    unverified = [c for c in checks if c["ok"] is None]
    if not short:
        out.append("Nothing measured in this run missed its target.")
    for check in short:
        out.append(
            f"- **{check['name']}**: {check['measured']}, wanted {check['target']}. "
            + capital(check["note"])
        )
    if unverified:
        out += ["", "Not verified by this run:", ""]
        out += [f"- {c['name']}: {c['measured']}. {capital(c['note'])}" for c in unverified]
    met = [c for c in checks if c["ok"] and c["note"]]
    if met:
        out += ["", "Met, with notes:", ""]
        out += [f"- {c['name']}: {c['measured']}. {capital(c['note'])}" for c in met]
    out.append("")

    if before:
        out += ["## Before", "", before_text(before, results), ""]

    search = inprocess.get("search")
    out += ["## Search at scale", ""]
    if search:
        out += [
            f"{search['n']} varied queries (single words, pairs, quoted phrases, `-word`, `or`, "
            "author surnames, one in ten filtered by section) through the search page, ranked and "
            "highlighted by PostgreSQL, page cache off and fragments cached, at "
            f"{articles:,} articles: "
            f"**median {number(search['median_ms'])} ms, p95 {number(search['p95_ms'])} ms**, "
            f"slowest {number(search['max_ms'])} ms."
            + (
                f" Without the quoted phrases ({search['without_phrases']['n']} queries): "
                f"median {number(search['without_phrases']['median_ms'])} ms, "
                f"p95 {number(search['without_phrases']['p95_ms'])} ms."
                if search.get("without_phrases")
                else ""
            )
            + (
                " Measured after one pass over the same queries (as on a live site, the index "
                "and the newest articles in memory); that first pass: "
                f"median {number(search['first_pass']['median_ms'])} ms, "
                f"p95 {number(search['first_pass']['p95_ms'])} ms, "
                f"slowest {number(search['first_pass']['max_ms'])} ms."
                if search.get("first_pass")
                else ""
            ),
            "",
            "Slowest queries:",
            "",
        ]
        for item in search["slowest"]:
            out.append(
                f"- `{item['params']}`: {number(item['ms'])} ms, {item['matches']:,} matches, "
                f"{item['queries']} SQL queries"
            )
    else:
        out.append(
            "Not measured: "
            + ("the smoke run skips it." if options["smoke"] else "ranked search needs PostgreSQL.")
        )
    out.append("")

    api = inprocess.get("api")
    if api:
        out += [
            "## Content API",
            "",
            "With an API key (checked and counted against its rate limit on every request), "
            "in-process: cold with every cache off, warm with answers kept under the site's "
            "version (`api.caching`).",
            "",
            "| request | mode | median ms | p95 ms | queries | bytes |",
            "|---|---|---|---|---|---|",
        ]
        for page, modes in api.items():
            for label, measured in modes.items():
                out.append(
                    f"| {page} | {label} | {number(measured['timings']['median_ms'])} | "
                    f"{number(measured['timings']['p95_ms'])} | "
                    f"{measured['queries']['count']} | {measured['bytes']:,} |"
                )
        out.append("")

    changelist = inprocess.get("changelist")
    if changelist:
        out += [
            "## Admin changelist",
            "",
            f"`GET {changelist['path']}` as a logged-in superuser at {articles:,} articles: "
            f"median {number(changelist['median_ms'])} ms of {changelist['n']}, "
            f"max {number(changelist['max_ms'])} ms, {changelist['queries']['count']} queries "
            f"({number(changelist['queries']['total_ms'])} ms in SQL).",
            "",
        ]

    desk = inprocess.get("desk")
    if desk:
        out += [
            "## The desk's pages",
            "",
            "As the bench's superuser: a moderator who is also the byline author of one "
            "synthetic author's pieces (writer and moderator lists both filled).",
            "",
        ]
        for name, page in desk.items():
            out.append(
                f"- {name}: `GET {page['path']}` as a logged-in superuser at {articles:,} "
                f"articles: median {number(page['median_ms'])} ms of {page['n']}, "
                f"max {number(page['max_ms'])} ms, {page['queries']['count']} queries "
                f"({number(page['queries']['total_ms'])} ms in SQL)."
            )
        out.append("")

    memory = results.get("memory")
    if memory:
        out += ["## Worker memory", "", memory_text(memory), ""]

    out += ["## Method", ""] + [f"- {line}" for line in method_notes(results)] + [""]
    out += ["## Queries per page (cold)", "", queries_detail(results), ""]
    return "\n".join(out)


def targets_table(checks):
    lines = ["| target | wanted | measured | result |", "|---|---|---|---|"]
    for check in checks:
        lines.append(
            f"| {check['name']} | {check['target']} | {check['measured']} | "
            f"{VERDICTS[check['ok']]} |"
        )
    return "\n".join(lines)


def peer_text(peer):
    if not peer or not any("pages" in run for run in peer.get("runs", [])):
        reason = (peer or {}).get("reason") or "not run"
        failures = [f"{r['when']} our load: {r['error']}" for r in (peer or {}).get("runs", [])]
        return (
            f"Not measured: {reason.rstrip('.')}. The ratios against it are not verified; no "
            "recorded figure stands in for it."
            + ("\n\nrun.sh failed " + "; ".join(failures) if failures else "")
        )
    runs = peer["runs"]
    measured = [run for run in runs if "pages" in run]
    when = [f"{run['when']} our load ({run['started']}, {run['seconds']:,.0f} s)" for run in runs]
    lines = [
        f"`{peer['dir']}/run.sh`, run " + " and ".join(when) + ".",
        "",
        "| page | path | "
        + " | ".join(f"req/s {run['when']}" for run in measured)
        + " | req/s mean | SQL queries | in-process median ms |",
        "|---|---|" + "---:|" * (len(measured) + 3),
    ]
    for page, label in PEER_LABELS.items():
        rows = [run["pages"].get(page) for run in measured]
        if not all(rows):
            continue
        mean = sum(row["rps"] for row in rows) / len(rows)
        lines.append(
            f"| {label} | `{rows[0]['path']}` | "
            + " | ".join(number(row["rps"]) for row in rows)
            + f" | {number(mean)} | {rows[0]['queries']} | {number(rows[0]['median_ms'])} |"
        )
    spread = peer_spread(measured)
    if spread > PEER_SPREAD_WARNING:
        lines += [
            "",
            f"> **The peer's two runs differ by {spread:.0%}** (article or listing req/s): the "
            "machine was not the same before and after our load, and the ratios against their "
            "mean are uncertain by about as much. Re-run when the machine is idle.",
        ]
    failed = [run for run in runs if "error" in run]
    if failed:
        lines += [
            "",
            "run.sh failed " + "; ".join(f"{r['when']} our load: {r['error']}" for r in failed),
        ]
    packages = next((run["versions"] for run in runs if run.get("versions")), [])
    if packages:
        lines += ["", "The peer's packages: " + ", ".join(packages) + "."]
    overrides = {k: v for run in runs for k, v in run.get("overrides", {}).items()}
    if overrides:
        lines += ["", "With " + ", ".join(f"`{k}={v}`" for k, v in overrides.items()) + "."]
    return "\n".join(lines)


def peer_spread(runs):
    """How far apart the peer's runs are: the largest max/min - 1 of its article and listing."""
    spreads = [
        max(values) / min(values) - 1
        for page in ("article", "listing")
        if len(values := [run["pages"][page]["rps"] for run in runs]) > 1
    ]
    return max(spreads, default=0.0)


def change(before, now):
    if not before or now is None:
        return "–"
    return f"{now / before - 1:+.0%}"


def before_text(before, results):
    load_now, pages_now = results["load"], results["inprocess"]["pages"]
    facts = [f"code {before['commit']}"] if before.get("commit") else []
    if before.get("articles"):
        facts.append(f"{before['articles']:,} articles")
    lines = [
        f"The run of {before['started']}"
        + (f" ({', '.join(facts)})" if facts else "")
        + f" beside this one ({results['articles']:,} articles). "
        "The two were measured at different times, and these machines vary "
        "by ±20% from run to run: the ratios each run measured against the peer side by side "
        "hold better than these req/s.",
        "",
        "| page | mode | req/s before | req/s now | change | SQL queries before | now |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    modes = list(MODES) + [m for m in before["load"] if m not in MODES]
    for page in PAGES:
        for mode in modes:
            then = before["load"].get(mode, {}).get(page)
            now = load_now.get(mode, {}).get(page)
            if not then and not now:
                continue
            queries_then = before["queries"].get(page, {}).get(mode)
            local = pages_now.get(page, {}).get(mode)
            lines.append(
                f"| {PAGE_LABELS[page]} | {mode} | {number(then['rps']) if then else '–'} | "
                f"{number(now['rps']) if now else '–'} | "
                f"{change(then and then['rps'], now and now['rps'])} | "
                f"{queries_then if queries_then is not None else '–'} | "
                f"{local['queries']['count'] if local else '–'} |"
            )
    if before.get("targets"):
        lines += [
            "",
            "Its targets, as that run checked them:",
            "",
            "| target | wanted | measured | result |",
            "|---|---|---|---|",
        ]
        lines += ["| " + " | ".join(row[:4]) + " |" for row in before["targets"]]
    return "\n".join(lines)


def memory_text(memory):
    lines = [
        f"RSS (`VmRSS` in /proc) of each gunicorn worker, with the page cache off, after the "
        f"warm-up, before and after {memory['requests']:,} more requests "
        f"({memory['errors']:,} errors, {number(memory['seconds'])} s) over "
        f"{memory['urls']:,} different URLs (recent articles, listings and their page 2, authors, "
        "tags, searches).",
        "",
        "| worker | after warm-up | before | after | growth |",
        "|---|---:|---:|---:|---:|",
    ]
    before, after, warmup = memory["before"], memory["after"], memory.get("warmup", {})
    for pid in sorted(set(before) | set(after)):
        growth = (
            f"{(after[pid] - before[pid]) / before[pid]:+.1%}"
            if pid in before and pid in after and before[pid]
            else "–"
        )
        lines.append(
            f"| {pid} | {mib(warmup[pid]) if pid in warmup else '–'} | "
            f"{mib(before[pid]) if pid in before else '–'} | "
            f"{mib(after[pid]) if pid in after else '–'} | {growth} |"
        )
    if memory.get("note"):
        lines += ["", memory["note"]]
    return "\n".join(lines)


def method_notes(results):
    options = results["options"]
    notes = [
        "`manage.py bench` makes a fresh database, migrates it, fills it with "
        "`devtools.synthetic.generate` (plus hero images through `clean_image_upload` and "
        "`make_renditions` in a temporary MEDIA_ROOT), gives the planner statistics "
        "(`VACUUM ANALYZE` on PostgreSQL, `ANALYZE` on SQLite: what autovacuum does on a live "
        "database; freshly bulk-loaded tables look empty to PostgreSQL's planner, which then "
        "picks plans that read every article), runs `collectstatic` into a temporary "
        "STATIC_ROOT, then starts gunicorn on a free 127.0.0.1 port once per mode (cold, "
        "fragments, warm), its cache flushed before each start.",
        "Query counts are taken twice: when the first batch of articles is in (the newest; "
        "the rest are older, as an archive grows) and at the full size, in-process, in the "
        "modes that render pages (cold and fragments).",
        "Before the measurements every URL must answer 200 once; then all of them are loaded "
        "together for about a second per page (the warm-up: in warm mode it fills the cache, and "
        "each page is then checked to come back with `X-Cache: hit`). After each measurement "
        "the bench waits until the server has caught up with requests still queued (sync "
        "workers finish what they accepted after the load generator has gone), so none spill "
        "into the next page's figures.",
        "The trivial view is `/robots.txt`: a tiny template view behind the whole middleware "
        "stack. The static file is the site's stylesheet under its hashed name, served by "
        "WhiteNoise before any view runs: the most a Python response can do, and the ceiling "
        "the warm pages are compared with (its warm-mode measurement, same server).",
        "Every request carries `Accept-Encoding: gzip`, as browsers, feed readers and crawlers "
        "do. A cached page was compressed once when stored and goes out compressed; a page "
        "rendered afresh (cold) goes out uncompressed, as it leaves Django (compressing it is "
        "a proxy's job). The Wagtail peer's requests carry no such header; its pages are not "
        "cached, and ours are not compressed unless cached whole, so the cold and fragments "
        "comparisons are like for like.",
        "The load generator runs on the same 2-core machine as the server and the database, so "
        "it takes CPU from them; absolute numbers are lower than on a separate client machine, "
        "ratios measured in one run are what hold.",
        "The Wagtail peer (`shared/peer-wagtail`: the same kind of corpus, 2,000 articles) is "
        "measured by its own `run.sh` (wrk, 16 connections, 15 s per page, 2 sync workers, "
        "`CONN_MAX_AGE=600`, no cache) just before our first server starts and just after our "
        "last one stops; the ratios use the mean of the two. No recorded figure is ever used.",
        "Errors are responses other than 2xx/3xx plus failed requests: refused, reset, or "
        "slower than 10 s (wrk's socket errors and timeouts).",
        "Worker memory is measured with the Python client over many URLs, bounded by request "
        "count and time; gunicorn's `max_requests` is 0 so no worker is recycled during it.",
    ]
    if options["smoke"]:
        notes.append(
            "This is a smoke run (`--smoke`): too small and too short for its numbers to mean "
            "anything beyond 'every page works under load'."
        )
    return notes


def queries_detail(results):
    pages = results["inprocess"]["pages"]
    lines = []
    for page in PAGES:
        cold = pages.get(page, {}).get("cold")
        if not cold:
            continue
        queries = cold["queries"]
        slowest = queries["slowest"][0] if queries["slowest"] else None
        line = (
            f"- {PAGE_LABELS[page]}: {queries['count']} queries, "
            f"{number(queries['total_ms'])} ms in SQL, {cold['bytes']:,} bytes"
        )
        if slowest:
            line += f"; slowest {number(slowest['ms'])} ms: `{shorten(slowest['sql'])}`"
        if queries["repeated"]:
            line += "; repeated: " + "; ".join(
                f"{r['times']}× `{shorten(r['sql'], 120)}`" for r in queries["repeated"]
            )
        lines.append(line)
    return "\n".join(lines)


def shorten(sql, limit=200):
    sql = " ".join(sql.split()).replace("`", "'")
    return sql if len(sql) <= limit else sql[: limit - 1] + "…"
