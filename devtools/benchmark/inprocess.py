"""What runs inside `manage.py bench --phase …`: a child process whose DATABASE_URL, MEDIA_ROOT and
STATIC_ROOT point at the benchmark's own database and temporary folders.

Pages are rendered with Django's test client (no server, no network) in each of the benchmark's
modes (`devtools.benchmark.MODES`), in the production profile (DEBUG off).
"""

import gc
import io
import random
import re
import statistics
import time
from collections import Counter
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import Count
from django.templatetags.static import static
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from PIL import Image, ImageDraw

from articles.models import Article, Author, Byline, TaggedArticle
from devtools import synthetic
from devtools.benchmark import MODES, SEARCH_WORD, STATIC_FILE, mode_settings
from images.uploads import clean_image_upload, make_renditions

IMAGE_COUNT = 6
ADMIN_USERNAME = "bench-admin"
# The archive size at which query counts are first taken, to compare with the full size's.
PREFIX_ARTICLES = 1000


# Filling the database.


def wire_photo(number, size):
    """A deterministic JPEG, like a photo enough to exercise the pipeline (gradients, shapes)."""
    rng = random.Random(number)
    width, height = size
    image = Image.new("RGB", size)
    top = tuple(rng.randrange(40, 220) for _ in range(3))
    bottom = tuple(rng.randrange(0, 160) for _ in range(3))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        mix = y / max(1, height - 1)
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(round(a + (b - a) * mix) for a, b in zip(top, bottom, strict=True)),
        )
    for _ in range(40):
        x0, y0 = rng.randrange(width), rng.randrange(height)
        x1, y1 = x0 + rng.randrange(20, width // 3), y0 + rng.randrange(20, height // 3)
        colour = tuple(rng.randrange(256) for _ in range(3))
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape([(x0, y0), (x1, y1)], fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def make_images(*, count=IMAGE_COUNT, size=(1600, 1000)):
    """Hero images through the real pipeline (clean, store, renditions), shaped as
    `refresh_renditions` stores them; deterministic, so a kept database finds its files again."""
    storage = Article._meta.get_field("hero_image").storage
    made = []
    for number in range(count):
        upload = SimpleUploadedFile(
            f"wire-photo-{number}.jpg", wire_photo(number, size), content_type="image/jpeg"
        )
        cleaned = clean_image_upload(upload)
        source = storage.save(f"articles/bench/{cleaned.name}", cleaned)
        stem = source.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        items = make_renditions(cleaned, storage=storage, prefix=f"renditions/article/bench/{stem}")
        made.append({"source": source, "items": items})
    return made


def fill(count, *, smoke, log, count_prefix_queries=False):
    """Fill the database; with `count_prefix_queries`, also count every page's queries once the
    first batch is in (a small archive), to compare with the counts at the full size. The
    pages must render then: static files collected, the cache flushed by the caller after."""
    started = time.perf_counter()
    images = make_images(size=(640, 400) if smoke else (1600, 1000))
    images_seconds = time.perf_counter() - started
    # The same batches as ever (the corpus depends on them), but a smaller first batch for
    # small runs that count queries, so they too have a smaller archive to compare with.
    batch = PREFIX_ARTICLES
    if count_prefix_queries and count <= PREFIX_ARTICLES:
        batch = max(1, count // 4)
    prefix = {}

    def after_batch(made):
        if count_prefix_queries and not prefix and made < count:
            log(f"  query counts at {made:,} articles")
            prefix.update(
                articles=made,
                queries=count_queries(pick_urls()["pages"]),
                api_queries=count_api_queries(),
            )

    made = synthetic.generate(count, batch=batch, images=images, log=log, after_batch=after_batch)
    desk = synthetic.desk_work(made, log=log)
    ensure_admin()
    return {
        "articles": made,
        "desk_pieces": desk,
        "images": len(images),
        "images_seconds": images_seconds,
        "seconds": time.perf_counter() - started,
        "prefix": prefix or None,
    }


def restore_images(*, smoke):
    """For a kept database: make the same image files again in this run's MEDIA_ROOT."""
    images = make_images(size=(640, 400) if smoke else (1600, 1000))
    expected = {image["source"] for image in images}
    used = set(
        Article.objects.exclude(hero_image="").values_list("hero_image", flat=True).distinct()
    )
    return {"images": len(images), "matches_database": used <= expected}


def ensure_admin():
    """The superuser the admin pages are measured as: a moderator who also writes, with the
    bylines of the most prolific synthetic author (over a thousand pieces at 100,000), so the
    desk home's writer lists have a prolific writer's archive to search."""
    user, _ = get_user_model().objects.get_or_create(
        username=ADMIN_USERNAME,
        defaults={"is_staff": True, "is_superuser": True, "email": "bench@localhost"},
    )
    if not Author.objects.filter(user=user).exists():
        prolific = busiest(Byline.objects.filter(author__user__isnull=True), "author")
        Author.objects.filter(pk=prolific).update(user=user)
    return user


# Which URLs to measure.


def busiest(queryset, field):
    row = queryset.values(field).annotate(n=Count("pk")).order_by("-n", field).first()
    return row[field] if row else None


def pick_urls():
    published = Article.objects.published()
    latest = published.select_related("section").order_by("-published_at", "-pk").first()
    if latest is None:
        raise RuntimeError("the bench database has no published article")
    ids = published.values("pk")
    section = busiest(published, "section__slug")
    author = busiest(Byline.objects.filter(article__in=ids), "author__slug")
    tag = busiest(TaggedArticle.objects.filter(content_object__in=ids), "tag__slug")
    pages = {
        "article": latest.get_absolute_url(),
        "home": reverse("articles:home"),
        "section": reverse("articles:section", kwargs={"slug": section}),
        "author": reverse("articles:author", kwargs={"slug": author}),
        "tag": reverse("articles:tag", kwargs={"slug": tag}),
        "search": reverse("articles:search") + "?" + urlencode({"q": SEARCH_WORD}),
        "feed": reverse("articles:feed"),
        "sitemap": reverse("sitemap-section", kwargs={"section": "articles"}),
        "trivial": reverse("robots"),
        # The name readers' pages link to: hashed by the manifest storage, served by WhiteNoise.
        "static": static(STATIC_FILE),
    }
    return {"pages": pages, "rotation": rotation(pages, published)}


def rotation(pages, published):
    """Many different URLs for the memory test, so per-URL caches or leaks would show."""
    urls = list(pages.values())
    recent = published.select_related("section").order_by("-published_at", "-pk")[:200]
    urls += [article.get_absolute_url() for article in recent]
    sections = published.values_list("section__slug", flat=True).distinct()
    for slug in sorted(set(sections)):
        base = reverse("articles:section", kwargs={"slug": slug})
        urls += [base, base + "?page=2"]
    authors = Byline.objects.filter(article__in=published.values("pk"))
    for slug in (
        authors.values_list("author__slug", flat=True).distinct().order_by("author__slug")[:20]
    ):
        urls.append(reverse("articles:author", kwargs={"slug": slug}))
    tags = TaggedArticle.objects.filter(content_object__in=published.values("pk"))
    for slug in tags.values_list("tag__slug", flat=True).distinct().order_by("tag__slug")[:20]:
        urls.append(reverse("articles:tag", kwargs={"slug": slug}))
    for word in synthetic.WORDS[:10]:
        urls.append(reverse("articles:search") + "?" + urlencode({"q": word}))
    return urls


# Measuring.


def normalise_sql(sql):
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\b\d+(?:\.\d+)?\b", "?", sql)
    return re.sub(r"\s+", " ", sql)


def query_report(captured):
    """Count, total time, the slowest queries, and any statement repeated (an N+1 sign)."""
    timed = [(float(q.get("time") or 0) * 1e3, q["sql"]) for q in captured]
    repeated = Counter(normalise_sql(sql) for _, sql in timed)
    return {
        "count": len(timed),
        "total_ms": round(sum(ms for ms, _ in timed), 2),
        "slowest": [
            {"ms": round(ms, 2), "sql": sql[:600]}
            for ms, sql in sorted(timed, key=lambda item: -item[0])[:3]
        ],
        "repeated": [{"times": n, "sql": sql[:300]} for sql, n in repeated.most_common() if n > 1],
    }


def fetch(client, path):
    """GET `path` and read the whole body, streamed (a static file) or not: (response, body).
    The test client closes the response once its body is read (not closed again here: that
    would close the database connection too, as at the end of a real request)."""
    response = client.get(path)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def timed_renders(client, path, *, renders, time_cap, expect=200):
    """Up to `renders` GETs of `path`, stopping early after `time_cap` seconds."""
    times = []
    deadline = time.perf_counter() + time_cap
    while len(times) < renders and time.perf_counter() < deadline:
        began = time.perf_counter()
        response, _ = fetch(client, path)
        times.append((time.perf_counter() - began) * 1e3)
        if response.status_code != expect:
            raise RuntimeError(f"GET {path} answered {response.status_code}, not {expect}")
    return times


def summary(times):
    ordered = sorted(times)
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered), 2) if ordered else None,
        "p95_ms": round(ordered[max(0, -(-95 * len(ordered) // 100) - 1)], 2) if ordered else None,
        "max_ms": round(ordered[-1], 2) if ordered else None,
    }


def measure_page(path, *, renders, time_cap, mode, client=None):
    client = client or Client()
    with override_settings(**mode_settings(mode)):
        # The first request fills what the mode caches (fragments, the page).
        first, _ = fetch(client, path)
        if first.status_code != 200:
            raise RuntimeError(f"GET {path} answered {first.status_code}")
        with CaptureQueriesContext(connection) as captured:
            response, body = fetch(client, path)
        # Read now: every request starts by emptying the connection's query log.
        queries = query_report(captured.captured_queries)
        times = timed_renders(client, path, renders=renders, time_cap=time_cap)
    return {
        "status": response.status_code,
        "bytes": len(body),
        "cache": response.headers.get("X-Cache", ""),
        "queries": queries,
        "timings": summary(times),
    }


def count_queries(pages, modes=("cold", "fragments")):
    """{page: {mode: SQL queries for one request}}, in the modes that render pages."""
    return {
        page: {
            mode: measure_page(path, renders=1, time_cap=5, mode=mode)["queries"]["count"]
            for mode in modes
        }
        for page, path in pages.items()
    }


def search_queries(count=50, seed=7):
    """Varied reader searches over the synthetic vocabulary: words, pairs, phrases, exclusions,
    alternatives, names, and a filtered search."""
    rng = random.Random(seed)
    words = synthetic.WORDS
    makers = [
        lambda: rng.choice(words),
        lambda: " ".join(rng.sample(words, 2)),
        lambda: '"' + " ".join(rng.sample(words, 2)) + '"',
        lambda: f"{rng.choice(words)} -{rng.choice(words)}",
        lambda: f"{rng.choice(words)} or {rng.choice(words)}",
        lambda: rng.choice(synthetic.LAST).title(),
        lambda: " ".join(rng.sample(words, 3)),
    ]
    queries = []
    while len(queries) < count:
        text = makers[len(queries) % len(makers)]()
        params = {"q": text}
        if len(queries) % 10 == 9:
            params["section"] = rng.choice(synthetic.SECTIONS)[1]
        queries.append(params)
    return queries


def measure_search(*, count=50, time_cap=120):
    from search.queries import Search, find_articles

    client = Client()
    path = reverse("articles:search")
    queries = search_queries(count)
    # What a reader's search meets: the page cache off (every query is new), fragments cached.
    with override_settings(**mode_settings("fragments")):
        # Warm the connection and the templates once.
        timed_renders(client, f"{path}?q={SEARCH_WORD}", renders=3, time_cap=time_cap)
        # Then every query once: a live site's index and newest articles are in memory, where
        # a database the bench has just filled, or one left idle (whose pages the operating
        # system may have reclaimed), has them on disk. That first pass is reported too.
        first_pass = []
        for params in queries:
            began = time.perf_counter()
            client.get(f"{path}?{urlencode(params)}")
            first_pass.append((time.perf_counter() - began) * 1e3)
        results = []
        deadline = time.perf_counter() + time_cap
        for params in queries:
            if time.perf_counter() > deadline:
                break
            url = f"{path}?{urlencode(params)}"
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                response = client.get(url)
                elapsed = (time.perf_counter() - began) * 1e3
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}")
            queries = query_report(captured.captured_queries)
            results.append(
                {
                    "params": params,
                    "ms": round(elapsed, 2),
                    "queries": queries["count"],
                    "slowest_sql": queries["slowest"][:1],
                }
            )
    slowest = sorted(results, key=lambda r: -r["ms"])[:3]
    for item in slowest:
        search = Search.from_params(item["params"])
        item["matches"] = find_articles(search).count()
    # A quoted phrase is checked against candidates' word positions, which no index holds (on
    # the newest 1,000 holding all its words at most): it is reported apart too.
    words_only = [r["ms"] for r in results if '"' not in r["params"]["q"]]
    return {
        "ranked": connection.vendor == "postgresql",
        **summary([r["ms"] for r in results]),
        "without_phrases": summary(words_only) if words_only else None,
        "first_pass": summary(first_pass),
        "slowest": slowest,
        "all": [{"q": r["params"], "ms": r["ms"]} for r in results],
    }


# The content API (/api/v1/), with an API key: cold (every cache off) and warm (answers kept under
# the site's version, api.caching). The key is checked and counted in both.
API_MODES = {"cold": "cold", "warm": "fragments"}


def api_paths():
    latest = Article.objects.published().order_by("-published_at", "-pk").first()
    return {
        "api list": reverse("api:article-list"),
        "api detail": reverse("api:article-detail", kwargs={"pk": latest.pk}),
    }


def api_client():
    """A client with a key of its own (issued anew: only keys' hashes are kept), its rate limit
    the highest an administrator may set."""
    from api.models import MAX_RATE_LIMIT, ApiKey

    key = ApiKey(name="bench", rate_limit=MAX_RATE_LIMIT).issue(by=None)
    return Client(headers={"Authorization": f"Api-Key {key}"})


def measure_api(*, renders, time_cap, client=None):
    client = client or api_client()
    return {
        page: {
            label: measure_page(path, renders=renders, time_cap=time_cap, mode=mode, client=client)
            for label, mode in API_MODES.items()
        }
        for page, path in api_paths().items()
    }


def count_api_queries():
    """{page: {"cold"/"warm": SQL queries for one request}}."""
    measured = measure_api(renders=1, time_cap=5)
    return {
        page: {label: result["queries"]["count"] for label, result in modes.items()}
        for page, modes in measured.items()
    }


# The desk's own pages, measured like the changelist (issue 18: under 300 ms at 100,000).
DESK_PAGES = {
    "desk home": "admin:index",
    "editorial calendar": "admin:articles_article_calendar",
}


def measure_desk_pages(*, runs, time_cap=60):
    return {
        name: measure_changelist(runs=runs, time_cap=time_cap, path=reverse(url_name))
        for name, url_name in DESK_PAGES.items()
    }


def measure_changelist(*, runs, time_cap=120, path=None):
    client = Client()
    client.force_login(ensure_admin())
    path = path or reverse("admin:articles_article_changelist")
    first = client.get(path)
    if first.status_code != 200:
        raise RuntimeError(f"GET {path} as a superuser answered {first.status_code}")
    with CaptureQueriesContext(connection) as captured:
        client.get(path)
    queries = query_report(captured.captured_queries)
    times = timed_renders(client, path, renders=runs, time_cap=time_cap)
    return {
        "path": path,
        "queries": queries,
        **summary(times),
    }


def measure(pages, *, renders, time_cap, search, changelist_runs, log):
    # As a gunicorn worker does once the application is loaded (newsroom/wsgi.py): otherwise a
    # full collection walks every object of the process in the middle of some page's render.
    gc.collect()
    gc.freeze()
    published = Article.objects.published().count()
    results = {
        "vendor": connection.vendor,
        "articles": published,
        "desk_pieces": Article.objects.count() - published,
        "pages": {},
    }
    for mode in MODES:
        for page, path in pages.items():
            log(f"  in-process {mode} {page}")
            results["pages"].setdefault(page, {})[mode] = measure_page(
                path, renders=renders, time_cap=time_cap, mode=mode
            )
    if search and connection.vendor == "postgresql":
        log("  search at scale")
        results["search"] = measure_search()
    log("  content API")
    # At most 4 x `renders` requests and their warm-ups: well under the key's limit a minute.
    results["api"] = measure_api(renders=min(renders, 2000), time_cap=time_cap)
    log("  admin changelist")
    results["changelist"] = measure_changelist(runs=changelist_runs)
    log("  desk home and editorial calendar")
    results["desk"] = measure_desk_pages(runs=changelist_runs)
    results["cache_backend"] = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    results["database_pool"] = bool(connection.settings_dict.get("OPTIONS", {}).get("pool"))
    return results
