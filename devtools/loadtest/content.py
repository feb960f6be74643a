"""What runs inside `manage.py loadtest --phase fill`, pointed at the load test's own database:
the synthetic site, the stories waiting for the moderator, the moderator, and the URLs readers
will ask for."""

import random
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Count
from django.urls import reverse
from django.utils.text import slugify

from articles.models import Article, Byline, Section, TaggedArticle
from articles.roles import MODERATOR
from devtools import synthetic
from devtools.benchmark import inprocess

MODERATOR_USERNAME = "loadtest-moderator"
RECENT_ARTICLES = 400
PEOPLE_AND_TAGS = 40
SEARCHES = 60


def fill(*, articles, stories, password, log):
    """The synthetic site, `stories` articles in review, and a moderator who may publish them."""
    filled = inprocess.fill(articles, smoke=True, log=log)
    user = get_user_model().objects.create_user(
        MODERATOR_USERNAME, email="moderator@loadtest.invalid", password=password, is_staff=True
    )
    user.groups.add(Group.objects.get(name=MODERATOR))
    return {
        "articles": filled["articles"],
        "stories": make_stories(stories),
        "moderator": MODERATOR_USERNAME,
        "admin": {"login": reverse("admin:login"), "index": reverse("admin:index")},
        "urls": reader_urls(),
    }


def make_stories(count, seed=7):
    """Articles a writer submitted for review, with their public and admin URLs."""
    rng = random.Random(seed)
    sections = list(Section.objects.order_by("position"))
    bylines = list(Byline.objects.values_list("author_id", flat=True).distinct()[:50])
    made = []
    for number in range(1, count + 1):
        headline = f"Load test story {number}: {synthetic.sentence(rng, 5, 9).rstrip('.')}"
        article = Article.objects.create(
            headline=headline,
            slug=f"{slugify(headline)[:180]}-{number}",
            standfirst=synthetic.sentence(rng, 14, 26),
            body=synthetic.body(rng, words=400),
            section=rng.choice(sections),
            status=Article.Status.IN_REVIEW,
        )
        Byline.objects.create(article=article, author_id=rng.choice(bylines), position=0)
        section_url = reverse("articles:section", kwargs={"slug": article.section.slug})
        made.append(
            {
                "pk": article.pk,
                "headline": headline,
                "url": f"{section_url}{article.slug}/",
                "section_url": section_url,
                "change_url": reverse("admin:articles_article_change", args=[article.pk]),
                "transition_url": reverse("admin:articles_article_transition", args=[article.pk]),
            }
        )
    return made


def busiest(queryset, field, count):
    rows = queryset.values(field).annotate(n=Count("pk")).order_by("-n", field)[:count]
    return [row[field] for row in rows]


def reader_urls(seed=11):
    """Public URLs by kind, from what the database holds now."""
    published = Article.objects.published().select_related("section")
    recent = list(published.order_by("-published_at", "-pk")[:RECENT_ARTICLES])
    ids = published.values("pk")
    per_section = dict(
        published.values_list("section__slug").annotate(n=Count("pk")).order_by("section__slug")
    )
    sections = sorted(per_section)
    # Second pages only where there is one: readers follow links, they do not guess URLs.
    paged = [s for s in sections if per_section[s] > settings.NEWSROOM_PAGE_SIZE]
    authors = busiest(Byline.objects.filter(article__in=ids), "author__slug", PEOPLE_AND_TAGS)
    tags = busiest(
        TaggedArticle.objects.filter(content_object__in=ids), "tag__slug", PEOPLE_AND_TAGS
    )
    rng = random.Random(seed)
    searches = [" ".join(rng.sample(synthetic.WORDS, rng.randint(2, 4))) for _ in range(SEARCHES)]

    def url(name, **kwargs):
        return reverse(f"articles:{name}", kwargs=kwargs)

    return {
        "hot": [recent[0].get_absolute_url()],
        "article": [article.get_absolute_url() for article in recent[1:]],
        "home": [url("home")],
        "section": [url("section", slug=s) for s in sections]
        + [url("section", slug=s) + "?page=2" for s in paged],
        "author": [url("author", slug=s) for s in authors],
        "tag": [url("tag", slug=s) for s in tags],
        "search": [url("search") + "?" + urlencode({"q": q}) for q in searches],
        "feed": [url("feed"), url("atom")]
        + [url("section-feed", slug=s) for s in sections]
        + [url("tag-feed", slug=s) for s in tags[:10]]
        + [url("author-feed", slug=s) for s in authors[:10]],
        "sitemap": [
            reverse("sitemap"),
            reverse("sitemap-section", kwargs={"section": "articles"}),
            reverse("news-sitemap"),
        ],
    }
