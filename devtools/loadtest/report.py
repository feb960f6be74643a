"""The load test's report: one row per stretch of traffic, the requirements checked, in Markdown."""

from collections import Counter
from dataclasses import dataclass

from devtools.benchmark.report import number


@dataclass(frozen=True)
class Segment:
    phase: str  # "main", "Redis fault", "database fault"
    step: str  # what was going on: "Redis killed", "database cut", …
    result: object  # devtools.benchmark.loadgen.LoadResult
    judged: bool = True  # a warm-up is shown but not held to the requirements


@dataclass(frozen=True)
class Verdict:
    requirement: str
    passed: bool
    detail: str = ""


def status_classes(statuses):
    """{"2xx": n, "3xx": n, "4xx": n, "5xx": n, "failed": n} from a LoadResult's statuses."""
    counts = Counter({"2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0, "failed": 0})
    for code, count in statuses.items():
        counts["failed" if code == "failed" else f"{str(code)[0]}xx"] += count
    return counts


def unexpected(segments, *, allowed=()):
    """{status or "failed": count} of answers no reader should get: any 5xx not in `allowed`,
    and requests that failed outright (refused, reset, timed out)."""
    found = Counter()
    for segment in segments:
        for code, count in segment.result.statuses.items():
            if code == "failed" or (str(code).startswith("5") and str(code) not in allowed):
                found[str(code)] += count
    return found


def no_errors(requirement, segments, *, allowed=()):
    bad = unexpected(segments, allowed=allowed)
    served = sum(segment.result.requests for segment in segments)
    if not served:
        return Verdict(requirement, False, "no request was served")
    detail = ", ".join(f"{count} × {code}" for code, count in sorted(bad.items()))
    return Verdict(requirement, not bad, detail or f"{served:,} answers, none of them an error")


def passed(verdicts):
    return bool(verdicts) and all(verdict.passed for verdict in verdicts)


def render(*, segments, verdicts, actions, facts):
    lines = ["# Load test: under load and faults", ""]
    lines += [f"- {key}: {value}" for key, value in facts.items()]
    lines += ["", "## Traffic", ""]
    lines += [
        "| phase | step | requests | 2xx | 3xx | 4xx | 5xx | failed | p50 ms | p99 ms | req/s |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for segment in segments:
        result, counts = segment.result, status_classes(segment.result.statuses)
        step = segment.step if segment.judged else f"{segment.step} (not judged)"
        lines.append(
            f"| {segment.phase} | {step} | {result.requests:,} | "
            + " | ".join(f"{counts[key]:,}" for key in ("2xx", "3xx", "4xx", "5xx", "failed"))
            + f" | {number(result.p50_ms)} | {number(result.p99_ms)} | {result.rps:,.1f} |"
        )
    if actions:
        lines += [
            "",
            "## The moderator's publications",
            "",
            "Admin s: from opening the article in the admin to the publish's answer. Visible "
            "after s: from that answer until anonymous readers were sent the change on the "
            "article, its section and the home page (when the first request that got it left).",
            "",
        ]
        lines += [
            "| # | action | article | admin s | visible after s | problem |",
            "|--:|---|--:|--:|--:|---|",
        ]
        for n, action in enumerate(actions, 1):
            visible = f"{action.visible_s:.2f}" if action.visible_s is not None else "never"
            lines.append(
                f"| {n} | {action.kind} | {action.pk} | {number(action.admin_s, 2)} | {visible} | "
                f"{action.error or ''} |"
            )
    lines += ["", "## Requirements", "", "| requirement | verdict | detail |", "|---|---|---|"]
    for verdict in verdicts:
        mark = "PASS" if verdict.passed else "**FAIL**"
        lines.append(f"| {verdict.requirement} | {mark} | {verdict.detail} |")
    outcome = "all requirements met" if passed(verdicts) else "REQUIREMENTS NOT MET"
    lines += ["", f"**Result: {outcome}.**", ""]
    return "\n".join(lines)
