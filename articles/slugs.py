"""Slug changes of articles readers may already have linked to."""

from articles.models import SlugRedirect


def record_slug_change(article, *, old_slug):
    """Keep `old_slug` answering with a redirect once the article has been public."""
    if not old_slug or old_slug == article.slug:
        return
    # The new slug may itself have been an old one: the article now owns it outright.
    SlugRedirect.objects.filter(old_slug=article.slug).delete()
    SlugRedirect.objects.update_or_create(old_slug=old_slug, defaults={"article": article})
