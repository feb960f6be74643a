"""Imported featured images that must be downloaded: by the worker, after the import."""

import urllib.request
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

from articles.models import Article
from importers.images import attach
from jobs.retry import retried
from jobs.tasks import task

TIMEOUT_SECONDS = 20


def download(url):
    """The image's bytes, at most the upload limit plus one (clean_image_upload refuses more)."""
    limit = getattr(settings, "NEWSROOM_MAX_IMAGE_BYTES", 10 * 1024 * 1024)
    request = urllib.request.Request(url, headers={"User-Agent": "Newsroom-Import/1"})
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
        return answer.read(limit + 1)


@task(takes_context=True)
def fetch_featured_image(context, article_id, *, url, alt="", caption="", attempt=1):
    """Download `url` and make it the article's hero image, unless it got one meanwhile. A
    server that fails is tried again later; a file that is not a usable image is not."""
    if urlsplit(url).scheme not in ("http", "https"):
        return {"refused": "not an http(s) URL"}
    article = Article.objects.filter(pk=article_id).first()
    if article is None or article.hero_image:
        return {"skipped": True}
    with retried(context):
        data = download(url)
    try:
        attach(
            article,
            data,
            name=PurePosixPath(urlsplit(url).path).name,
            alt=alt,
            caption=caption,
        )
    except ValidationError as exc:
        return {"refused": "; ".join(exc.messages), "attempt": attempt}
    return {"stored": article.hero_image.name, "attempt": attempt}
