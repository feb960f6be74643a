"""Previews of unpublished articles: for staff in the admin, and by a signed, expiring link."""

from django.conf import settings
from django.core import signing
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.cache import never_cache

from articles.models import Article

SHARE_SALT = "articles.preview.share"


def share_max_age():
    return settings.NEWSROOM_PREVIEW_LINK_DAYS * 24 * 60 * 60


def make_share_url(article):
    token = signing.dumps({"article": article.pk}, salt=SHARE_SALT)
    return reverse("articles:shared-preview", kwargs={"token": token})


def article_from_share_token(token):
    try:
        payload = signing.loads(token, salt=SHARE_SALT, max_age=share_max_age())
        pk = int(payload["article"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    article = Article.objects.with_page_related().filter(pk=pk).first()
    # Once readers can see the real page, the draft link has done its job.
    if article is None or article.is_published:
        return None
    return article


class PreviewTag:
    """A tag typed into the form but maybe not saved yet: enough for the page to show it."""

    def __init__(self, name):
        self.name, self.slug = name, slugify(name)


def render_preview(request, article, *, bylines, tags, status=200):
    response = render(
        request,
        "articles/article_detail.html",
        {"article": article, "bylines": bylines, "tags": tags, "preview": True},
        status=status,
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
def shared_preview(request, token):
    article = article_from_share_token(token)
    if article is None:
        raise Http404("This preview link is not valid, has expired, or the article is published.")
    return render_preview(request, article, bylines=article.bylines.all(), tags=article.tags.all())
