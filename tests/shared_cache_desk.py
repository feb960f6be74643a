"""A moderator's decisions, taken in a process of their own against a running site's database and
cache (tests/test_shared_cache.py): `python -m tests.shared_cache_desk <step> [article id]`.

Each step goes through the domain's functions (articles.workflow, articles.revisions), as the
admin's buttons do, so the page-cache versions move exactly as they do in production. It prints
what the test needs as one line of JSON.
"""

import json
import sys
from datetime import timedelta

import django


def seed():
    from django.contrib.auth.models import Group

    from articles.models import Article

    from .factories import make_article, make_author, make_section, make_user

    moderator = make_user("desk-moderator", is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderator"))
    section = make_section(name="Politics", slug="politics")
    author = make_author(name="Awa SIDIBÉ", slug="awa")
    made = {
        "live": make_article(headline="Live story", section=section, authors=[author]),
        "waiting": make_article(
            headline="Waiting story",
            section=section,
            authors=[author],
            status=Article.Status.IN_REVIEW,
        ),
        "corrected": make_article(headline="Story with a slip", section=section, authors=[author]),
        "scheduled": make_article(
            headline="Embargoed story",
            section=section,
            authors=[author],
            status=Article.Status.IN_REVIEW,
        ),
    }
    return {
        name: {"id": article.pk, "path": article.get_absolute_url()}
        for name, article in made.items()
    }


def decide(step, article_id):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from articles import revisions
    from articles.models import Article
    from articles.workflow import apply_transition

    moderator = get_user_model().objects.get(username="desk-moderator")
    article = Article.objects.get(pk=article_id)
    if step == "correct":
        content = revisions.content_of(article)
        content["headline"] = "Story, corrected"
        revisions.create_revision(article, by=moderator, content=content, pending=True)
        apply_transition(article, "publish_changes", by=moderator, note="A name was misspelt.")
        return {}
    if step == "schedule":
        at = timezone.now() + timedelta(seconds=10)
        apply_transition(article, "schedule", by=moderator, at=at)
        return {"at": at.timestamp()}
    apply_transition(article, step, by=moderator)  # "publish", "unpublish"
    return {}


if __name__ == "__main__":
    django.setup()
    step, *rest = sys.argv[1:]
    result = seed() if step == "seed" else decide(step, int(rest[0]))
    print(json.dumps(result))
