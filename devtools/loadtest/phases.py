"""The three phases of the load test against one running server: readers while a moderator
publishes; Redis killed and started again; the database cut off and back. Each returns the
traffic it measured and the requirements it checked."""

import statistics
import threading
from collections import Counter
from dataclasses import dataclass, field

from devtools.benchmark.loadgen import run_python
from devtools.loadtest.moderator import Moderator
from devtools.loadtest.report import Segment, Verdict, no_errors
from devtools.loadtest.traffic import Probe

# A fault starts this long into its stretch of traffic, so it lands on requests in flight.
FAULT_DELAY = 0.5
OUR_503 = b"We will be back in a moment"


@dataclass
class Target:
    """What the phases work against: the server, the faults' handles, and the run's settings."""

    port: int
    gunicorn: object
    redis: object
    proxy: object
    mix: list
    hot: str  # the story everyone reads: cached, so it shows the cache coming back
    stories: list
    moderator: tuple  # (username, password)
    admin: dict  # the admin's login and index URLs
    connections: int
    seconds: float
    fault_seconds: float
    outage_seconds: float
    cache_seconds: int
    publish_every: float
    log: object = print
    timeline: dict = field(default_factory=dict)

    def load(self, seconds):
        return run_python(self.port, self.mix, connections=self.connections, seconds=seconds)


def later(seconds, function):
    timer = threading.Timer(seconds, function)
    timer.start()
    return timer


def main_run(target):
    username, password = target.moderator
    moderator = Moderator(
        target.port,
        admin=target.admin,
        username=username,
        password=password,
        stories=target.stories,
        every=target.publish_every,
        visible_within=target.cache_seconds,
    )
    moderator.start()
    try:
        result = target.load(target.seconds)
    finally:
        moderator.finish()
    segments = [Segment("main", "readers + moderator", result)]
    actions = moderator.actions
    published = [a for a in actions if a.published]
    delays = [a.visible_s for a in actions if a.visible_s is not None]
    kinds = {kind: sum(1 for a in published if a.kind == kind) for kind in ("publish", "edit")}
    problems = [f"#{n}: {a.error}" for n, a in enumerate(actions, 1) if a.error]
    if moderator.error:
        problems.insert(0, moderator.error)
    verdicts = [
        no_errors("main run: zero 5xx and zero failed requests", segments),
        Verdict(
            "main run: the moderator published new stories and changes to live ones",
            not problems and all(kinds.values()),
            f"{kinds['publish']} stories published, {kinds['edit']} live headlines changed, "
            f"{moderator.session.requests} admin requests"
            + (f"; {'; '.join(problems)}" if problems else ""),
        ),
        Verdict(
            f"main run: every publication visible to readers within the cache lifetime "
            f"({target.cache_seconds} s)",
            bool(published) and len(delays) == len(published),
            f"{len(delays)} of {len(published)} seen on article, section and home pages; "
            + (
                f"median {statistics.median(delays):.2f} s, max {max(delays):.2f} s"
                if delays
                else "none seen"
            ),
        ),
    ]
    return segments, verdicts, actions


def redis_fault(target):
    """Readers throughout; Redis is killed early in the second stretch and started again early
    in the third."""
    stretch = target.fault_seconds / 3
    paths = ["/", target.hot]
    moments = {}
    with Probe(target.port, paths) as probe:
        up = target.load(stretch)

        # Moments are taken on the safe side of each change: the killed process is gone, the
        # new one not yet started (with 64 client threads, a thread can wait long for the GIL).
        def kill():
            target.redis.kill()
            moments["killed"] = probe.now()

        timer = later(FAULT_DELAY, kill)
        down = target.load(stretch)
        timer.join()

        def start():
            moments["starting"] = probe.now()
            target.redis.start()
            moments["back"] = probe.now()

        timer = later(FAULT_DELAY, start)
        back = target.load(stretch)
        timer.join()
    target.log(f"  Redis killed at {moments['killed']:.1f} s, back at {moments['back']:.1f} s")
    segments = [
        Segment("Redis fault", "Redis up", up),
        Segment("Redis fault", "Redis killed", down),
        Segment("Redis fault", "Redis started again", back),
    ]
    while_down = probe.between(moments["killed"], moments["starting"])
    hits_after = [s for s in probe.between(moments["back"], float("inf")) if s.cache == "hit"]
    statuses = sorted({str(s.status) for s in while_down})
    return segments, [
        no_errors("Redis down: the site keeps answering (zero 5xx, zero failed)", segments),
        Verdict(
            "Redis down: pages rendered from the database",
            bool(while_down) and all(s.status == 200 and s.cache != "hit" for s in while_down),
            f"probe: {len(while_down)} answers while Redis was down, statuses {statuses}, "
            f"X-Cache {dict(Counter(s.cache or 'absent' for s in while_down))}",
        ),
        Verdict(
            "Redis back: cache hits return by themselves (no gunicorn restart)",
            bool(hits_after),
            f"first X-Cache: hit {hits_after[0].at - moments['back']:.2f} s after Redis started"
            if hits_after
            else "no cache hit after Redis came back",
        ),
    ]


def database_fault(target):
    """Readers throughout; the database is unreachable for `outage_seconds` early in the second
    stretch, and reachable again before the third."""
    stretch = target.fault_seconds / 3
    # A new query string each time: a page no cache can answer, so it needs the database.
    probe_paths = ["/?probe={n}"]
    moments = {}
    with Probe(target.port, probe_paths) as probe:
        before = target.load(stretch)

        def cut():
            moments["closed"] = target.proxy.cut()
            moments["cut"] = probe.now()

        def restore():
            moments["restoring"] = probe.now()
            target.proxy.restore()
            moments["restored"] = probe.now()

        timers = [later(FAULT_DELAY, cut), later(FAULT_DELAY + target.outage_seconds, restore)]
        during = target.load(FAULT_DELAY + target.outage_seconds + FAULT_DELAY)
        for timer in timers:
            timer.join()
        after = target.load(stretch)
    target.log(
        f"  database cut at {moments['cut']:.1f} s ({moments['closed']} connections closed), "
        f"back at {moments['restored']:.1f} s"
    )
    segments = [
        Segment("database fault", "database reachable", before),
        Segment("database fault", f"database cut for {target.outage_seconds:g} s", during),
        Segment("database fault", "database back", after),
    ]
    cut_samples = probe.between(moments["cut"], moments["restoring"])
    our_page = [s for s in cut_samples if s.status == 503 and OUR_503 in s.body]
    tracebacks = [s for s in probe.samples if b"Traceback" in s.body]
    recovered = [s for s in probe.between(moments["restored"], float("inf")) if s.status == 200]
    return segments, [
        no_errors(
            "database cut: only 200 or 503, never a 500 or a failed request",
            segments,
            allowed=("503",),
        ),
        Verdict(
            "database cut: uncached pages get our 503 page, never a traceback",
            bool(cut_samples) and len(our_page) == len(cut_samples) and not tracebacks,
            f"probe: {len(our_page)} of {len(cut_samples)} uncached pages during the cut were "
            f"our 503 page; {len(tracebacks)} tracebacks",
        ),
        no_errors("database back: every page answers again (zero 5xx)", segments[2:]),
        Verdict(
            "database back: recovers by itself (no gunicorn restart)",
            bool(recovered),
            f"first uncached 200 {recovered[0].at - moments['restored']:.2f} s after the "
            "database came back"
            if recovered
            else "no uncached page answered 200 after the database came back",
        ),
    ]


def server_survived(target, master, workers):
    """The same gunicorn master and workers at the end as at the start."""
    alive = target.gunicorn.process is not None and target.gunicorn.process.poll() is None
    now = target.gunicorn.worker_pids()
    return Verdict(
        "no restart: the same gunicorn master and workers from start to end",
        alive and target.gunicorn.process.pid == master and now == workers,
        f"master {master} {'alive' if alive else 'gone'}; workers {workers} at the start, "
        f"{now} at the end",
    )
