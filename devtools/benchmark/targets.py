"""The goals a benchmark run is checked against (issue 17's "Done when"), each as
{name, target, measured, ok (True, False, or None: not verified by this run), note}."""

from devtools.benchmark import CEILINGS, PAGE_LABELS, PAGES, peer
from devtools.benchmark.report import number

# Our page against the peer's, in a mode: (page, the peer's page, mode, least ratio).
PEER_RATIOS = [
    ("article", "article", "fragments", 2.5),
    ("section", "listing", "fragments", 2.5),
    ("article", "article", "cold", 1.5),
    ("section", "listing", "cold", 1.5),
]
MODE_PHRASES = {
    "cold": "every cache off",
    "fragments": "page cache off, shared fragments cached",
}
WARM_CEILING_FRACTION = 0.8
# Query counts compared between a small archive and the full one.
CONSTANT_QUERY_MODES = ("cold", "fragments")
SEARCH_P95_TARGET_MS = 50
CHANGELIST_TARGET_MS = 500
DESK_TARGET_MS = 300
TARGET_SCALE = 100_000
MEMORY_GROWTH_LIMIT = 0.10


def check(results):
    load, inprocess = results["load"], results["inprocess"]
    checks = [against_peer(results, *ratio) for ratio in PEER_RATIOS]
    checks.append(warm_against_static(load, inprocess))
    checks.append(constant_queries(results))
    checks.append(constant_api_queries(results))
    checks.append(search(inprocess, results["articles"]))
    changelist = inprocess.get("changelist")
    if changelist:
        checks.append(
            at_scale(
                "Admin article changelist",
                changelist["median_ms"],
                CHANGELIST_TARGET_MS,
                results["articles"],
                f"median of {changelist['n']}, {changelist['queries']['count']} queries",
            )
        )
    for name, page in (inprocess.get("desk") or {}).items():
        checks.append(
            at_scale(
                f"Admin {name}",
                page["median_ms"],
                DESK_TARGET_MS,
                results["articles"],
                f"median of {page['n']}, {page['queries']['count']} queries",
            )
        )
    memory = results.get("memory")
    if memory:
        checks.append(flat_memory(memory))
    stalled = every_page_answers(results)
    if stalled:
        checks.append(stalled)
    checks.append(no_errors(load, memory))
    return [c for c in checks if c]


def against_peer(results, page, peer_page, mode, factor):
    run = results["load"].get(mode, {}).get(page)
    if not run:
        return None
    label = PAGE_LABELS[page].capitalize()
    name = f"{label} page, {MODE_PHRASES[mode]}, ≥ {factor:g}× the Wagtail peer's {peer_page} req/s"
    measured = results.get("peer")
    peer_rps = peer.rps(measured, peer_page)
    ours = results["inprocess"]["pages"][page][mode]
    if peer_rps is None:
        return {
            "name": name,
            "target": f"≥ {factor:g}× the peer",
            "measured": f"{run['rps']:,.1f} req/s; the peer was not measured",
            "ok": None,
            "note": (measured or {}).get("reason") or "the peer was not measured",
        }
    ratio = run["rps"] / peer_rps
    runs = [r for r in measured["runs"] if "pages" in r]
    theirs = runs[0]["pages"][peer_page]
    return {
        "name": name,
        "target": f"≥ {factor * peer_rps:,.1f} req/s ({factor:g} × {peer_rps:,.1f})",
        "measured": f"{run['rps']:,.1f} req/s = {ratio:.2f}× the peer",
        "ok": ratio >= factor,
        "note": f"the peer's {peer_page}: "
        + " and ".join(
            f"{r['pages'][peer_page]['rps']:,.1f} req/s {r['when']} our load" for r in runs
        )
        + (", their mean used" if len(runs) > 1 else "")
        + ". In-process (Django's test client) ours takes "
        f"{number(ours['timings']['median_ms'])} ms with {ours['queries']['count']} queries, "
        f"the peer's {number(theirs['median_ms'])} ms with {theirs['queries']} queries",
    }


def warm_against_static(load, inprocess):
    warm = load.get("warm", {})
    # The static file served by the same server as the cached pages, side by side.
    ceiling = warm.get("static") or next(
        (runs["static"] for runs in load.values() if "static" in runs), None
    )
    if not ceiling or not ceiling["rps"]:
        return None
    shares = {
        page: warm[page]["rps"] / ceiling["rps"]
        for page in PAGES
        if page not in CEILINGS and page in warm
    }
    short = {page: share for page, share in shares.items() if share < WARM_CEILING_FRACTION}
    misses = [p for p in PAGES if p in warm and p not in CEILINGS and not warm[p].get("cache_hit")]
    note = f"ceiling: the static file, {ceiling['rps']:,.1f} req/s; " + ", ".join(
        f"{PAGE_LABELS[p]} {s:.0%}" for p, s in shares.items()
    )
    if short:
        sizes = {p: inprocess["pages"].get(p, {}).get("warm", {}).get("bytes") for p in short}
        note += ". A cache hit costs about the same for every page except for its size: " + (
            ", ".join(f"{PAGE_LABELS[p]} is {b:,} bytes" for p, b in sizes.items() if b)
        )
    if misses:
        note += ". Not served from the page cache: " + ", ".join(PAGE_LABELS[p] for p in misses)
    return {
        "name": "Page-cache hits (warm) ≥ 80% of the static file's req/s (WhiteNoise)",
        "target": f"≥ {WARM_CEILING_FRACTION:.0%} of {ceiling['rps']:,.1f} req/s",
        "measured": lowest_share(shares),
        "ok": not short and not misses,
        "note": note,
    }


def lowest_share(shares):
    if not shares:
        return "–"
    page = min(shares, key=shares.get)
    return f"lowest {shares[page]:.0%} ({PAGE_LABELS[page]})"


def constant_queries(results):
    name = "SQL queries per page constant as the archive grows"
    articles = results["articles"]
    prefix = (results.get("fill") or {}).get("prefix")
    if not prefix:
        reason = (
            "the database was kept from an earlier run, so no smaller archive was measured"
            if results.get("kept")
            else "the archive is too small to have a smaller prefix"
        )
        return {
            "name": name,
            "target": "the same count at two sizes",
            "measured": "–",
            "ok": None,
            "note": reason,
        }
    pages = results["inprocess"]["pages"]
    changed = [
        f"{PAGE_LABELS[page]} ({mode}) {small} → {pages[page][mode]['queries']['count']}"
        for page, modes in prefix["queries"].items()
        for mode, small in modes.items()
        if page in pages and pages[page][mode]["queries"]["count"] != small
    ]
    sizes = f"{prefix['articles']:,} and {articles:,} articles"
    counts = ", ".join(
        PAGE_LABELS[page]
        + " "
        + "/".join(str(pages[page][mode]["queries"]["count"]) for mode in CONSTANT_QUERY_MODES)
        for page in PAGES
        if page in pages
    )
    return {
        "name": name,
        "target": f"the same count per page at {sizes}",
        "measured": f"{len(changed)} changed: " + "; ".join(changed) if changed else "all equal",
        "ok": not changed,
        "note": f"queries per request ({' / '.join(CONSTANT_QUERY_MODES)}): {counts}; "
        f"counted with Django's test client when the first {prefix['articles']:,} articles were "
        "in (the newest; the rest are older), and again at the full size",
    }


def constant_api_queries(results):
    name = "Content API queries constant as the archive grows"
    api = results["inprocess"].get("api")
    prefix = ((results.get("fill") or {}).get("prefix") or {}).get("api_queries")
    if not api:
        return None
    counts = ", ".join(
        f"{page} " + "/".join(str(modes[label]["queries"]["count"]) for label in modes)
        for page, modes in api.items()
    )
    if not prefix:
        return {
            "name": name,
            "target": "the same count at two sizes",
            "measured": counts,
            "ok": None,
            "note": "no smaller archive was measured (a kept database, or too small a run)",
        }
    changed = [
        f"{page} ({label}) {small} → {api[page][label]['queries']['count']}"
        for page, modes in prefix.items()
        for label, small in modes.items()
        if page in api and api[page][label]["queries"]["count"] != small
    ]
    sizes = f"{results['fill']['prefix']['articles']:,} and {results['articles']:,} articles"
    return {
        "name": name,
        "target": f"the same count per request at {sizes}",
        "measured": f"{len(changed)} changed: " + "; ".join(changed) if changed else "all equal",
        "ok": not changed,
        "note": f"queries per request (cold / warm): {counts}",
    }


def search(inprocess, articles):
    measured = inprocess.get("search")
    name = "Search p95 (ranked + highlighted)"
    if not measured:
        return {
            "name": name,
            "target": f"< {SEARCH_P95_TARGET_MS} ms at {TARGET_SCALE:,} articles",
            "measured": "not measured",
            "ok": None,
            "note": "ranked search needs PostgreSQL"
            if inprocess.get("vendor") != "postgresql"
            else "skipped (smoke run)",
        }
    return at_scale(
        name,
        measured["p95_ms"],
        SEARCH_P95_TARGET_MS,
        articles,
        f"median {number(measured['median_ms'])} ms over {measured['n']} varied queries"
        + (
            f"; without quoted phrases p95 {number(measured['without_phrases']['p95_ms'])} ms"
            if measured.get("without_phrases")
            else ""
        ),
    )


def at_scale(name, measured_ms, target_ms, articles, detail):
    if measured_ms is None:
        ok = None
    elif measured_ms >= target_ms:
        # Slower than the target at this size: slower still at the target's size.
        ok = False
    else:
        ok = True if articles >= TARGET_SCALE else None
    note = detail
    if articles < TARGET_SCALE:
        note += f"; measured at {articles:,} articles, the target is for {TARGET_SCALE:,}" + (
            " (not verified by this run)" if ok is None else ""
        )
    return {
        "name": name,
        "target": f"< {target_ms} ms at {TARGET_SCALE:,} articles",
        "measured": f"{number(measured_ms)} ms at {articles:,}",
        "ok": ok,
        "note": note,
    }


def memory_growth(memory):
    """Largest growth of one worker's RSS between `before` and `after` (same pid), or None."""
    if not memory:
        return None
    before, after = memory.get("before") or {}, memory.get("after") or {}
    growths = [
        (after[pid] - before[pid]) / before[pid] for pid in before if pid in after and before[pid]
    ]
    return max(growths) if growths else None


def flat_memory(memory):
    growth = memory_growth(memory)
    return {
        "name": "Worker memory flat under load",
        "target": f"RSS growth ≤ {MEMORY_GROWTH_LIMIT:.0%} over {memory['requests']:,} requests",
        "measured": f"largest growth {growth:+.1%}" if growth is not None else "–",
        "ok": None if growth is None else growth <= MEMORY_GROWTH_LIMIT,
        "note": memory.get("note", ""),
    }


def every_page_answers(results):
    options = results["options"]
    stalled = [
        f"{PAGE_LABELS[page]} ({mode})"
        for mode, runs in results["load"].items()
        for page, run in runs.items()
        if not run["requests"]
    ]
    if not stalled:
        return None
    return {
        "name": "Every page answers under load",
        "target": "at least one response per page within the measurement",
        "measured": "none completed: " + ", ".join(stalled),
        "ok": False,
        "note": "each request took longer than the measurement lasted "
        f"({options['seconds']:g} s with {options['connections']} connections queued on "
        f"{options['workers']} workers)",
    }


def no_errors(load, memory):
    where = [
        f"{PAGE_LABELS[page]} ({mode}) {run['errors']:,}"
        + (f": {run['note']}" if run.get("note") else "")
        for mode, runs in load.items()
        for page, run in runs.items()
        if run["errors"]
    ]
    if (memory or {}).get("errors"):
        where.append(f"memory test {memory['errors']:,} ({memory.get('statuses')})")
    errors = sum(r["errors"] for mode in load.values() for r in mode.values())
    errors += (memory or {}).get("errors", 0)
    return {
        "name": "No errors under load",
        "target": "0 non-2xx/3xx responses or failed requests",
        "measured": f"{errors:,}",
        "ok": errors == 0,
        "note": ("errors in " + "; ".join(where) + " ('failed' means no answer within 10 s)")
        if where
        else "",
    }
