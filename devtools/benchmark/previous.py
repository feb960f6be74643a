"""An earlier run's results, for the report's "Before" section (`manage.py bench --before PATH`).

Each run writes its results as JSON next to its Markdown (docs/benchmarks.json); that is what
`--before` reads best. A Markdown report from a bench older than the JSON (the code before a
redesign) is read too: its results table and its targets table, as it wrote them.
"""

import json
import re
from pathlib import Path

from devtools.benchmark import PAGE_LABELS
from devtools.benchmark.report import VERDICTS


class PreviousRunError(Exception):
    pass


PAGE_BY_LABEL = {label: page for page, label in PAGE_LABELS.items()}


def number(text):
    """A figure from a Markdown cell ("1,679.5"), or None for "–"."""
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def table_rows(lines, heading):
    """The cells of the first table under `## heading`, header and rule left out."""
    try:
        start = lines.index(f"## {heading}")
    except ValueError:
        return []
    rows, seen_table = [], False
    for line in lines[start + 1 :]:
        if line.startswith("## "):
            break
        if line.startswith("|"):
            seen_table = True
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif seen_table:
            break
    return [row for row in rows[2:] if row]


def from_markdown(text):
    lines = text.splitlines()
    written = re.search(r"^Written by .*? on (\d{4}-\d\d-\d\d \d\d:\d\d UTC)", text, re.M)
    content = re.search(r"^\| content \| ([\d,]+) published", text, re.M)
    load, queries = {}, {}
    for cells in table_rows(lines, "Results"):
        if len(cells) < 8 or cells[0] not in PAGE_BY_LABEL:
            continue
        page, mode = PAGE_BY_LABEL[cells[0]], cells[1]
        rps = number(cells[2])
        if rps is not None:
            load.setdefault(mode, {})[page] = {
                "rps": rps,
                "p50_ms": number(cells[3]),
                "p99_ms": number(cells[4]),
            }
        count = number(cells[6])
        if count is not None:
            queries.setdefault(page, {})[mode] = int(count)
    if not load:
        raise PreviousRunError("no results table (## Results) in it")
    return {
        "started": written[1] if written else "an unknown date",
        "articles": int(content[1].replace(",", "")) if content else None,
        "load": load,
        "queries": queries,
        # As that run judged itself: its targets were not all today's.
        "targets": [cells[:4] for cells in table_rows(lines, "Targets") if len(cells) >= 4],
    }


def from_results(results):
    return {
        "started": results["started"],
        "commit": results.get("versions", {}).get("commit"),
        "articles": results.get("articles"),
        "load": {
            mode: {
                page: {k: run[k] for k in ("rps", "p50_ms", "p99_ms")} for page, run in runs.items()
            }
            for mode, runs in results["load"].items()
        },
        "queries": {
            page: {mode: measured["queries"]["count"] for mode, measured in modes.items()}
            for page, modes in results["inprocess"]["pages"].items()
        },
        "targets": [
            [c["name"], c["target"], c["measured"], VERDICTS[c["ok"]]]
            for c in results.get("checks", [])
        ],
    }


def load(path):
    """What the report shows of the run written at `path` (JSON, or an older Markdown report)."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise PreviousRunError(f"cannot read {path}: {exc.strerror or exc}") from None
    if path.suffix == ".json":
        try:
            return from_results(json.loads(text))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise PreviousRunError(f"{path} is not a bench results file: {exc}") from None
    try:
        return from_markdown(text)
    except PreviousRunError as exc:
        raise PreviousRunError(f"{path}: {exc}") from None
