"""Search follows the domain: stored vectors are refreshed when what they are made of changes
(connected in SearchConfig.ready())."""

from django.dispatch import receiver

from articles.signals import article_changed
from search.documents import refresh_search_vector

# What an article's vector is made of (search.documents.search_document).
SEARCHED = frozenset({"headline", "standfirst", "body", "language", "bylines", "tags"})


@receiver(article_changed, dispatch_uid="search.refresh_search_vector")
def refresh_changed_articles(sender, *, articles, fields, **kwargs):
    if fields is None or fields & SEARCHED:
        refresh_search_vector(articles)
