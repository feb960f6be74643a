"""Small factories: each makes one valid object, with overrides for what a test cares about."""

import io
import itertools
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from articles.models import Article, Author, Byline, Section

_sequence = itertools.count(1)


def make_section(**fields):
    n = next(_sequence)
    fields.setdefault("name", f"Section {n}")
    fields.setdefault("slug", f"section-{n}")
    return Section.objects.create(**fields)


def make_author(**fields):
    n = next(_sequence)
    fields.setdefault("name", f"Author {n}")
    fields.setdefault("slug", f"author-{n}")
    return Author.objects.create(**fields)


def make_article(*, authors=None, tags=(), **fields):
    """A published article (an hour old) unless told otherwise; authors in byline order."""
    n = next(_sequence)
    fields.setdefault("headline", f"Headline number {n}")
    fields.setdefault("slug", f"headline-number-{n}")
    fields.setdefault("standfirst", f"Standfirst of article {n}.")
    fields.setdefault("body", f"<p>Body paragraph of article {n}.</p>")
    if "section" not in fields:
        fields["section"] = make_section()
    fields.setdefault("status", Article.Status.PUBLISHED)
    if fields["status"] == Article.Status.PUBLISHED:
        fields.setdefault("published_at", timezone.now() - timedelta(hours=1))
    article = Article.objects.create(**fields)
    if article.published_at and article.published_at < article.updated_at:
        # As if the last save was the one that published it, not "updated" since.
        article.updated_at = article.published_at
        Article.objects.filter(pk=article.pk).update(updated_at=article.updated_at)
    for position, author in enumerate(authors if authors is not None else [make_author()]):
        Byline.objects.create(article=article, author=author, position=position)
    if tags:
        article.tags.set(list(tags))
    return article


def make_user(username=None, **fields):
    username = username or f"user{next(_sequence)}"
    password = fields.pop("password", "a-long-test-password")
    user = get_user_model().objects.create_user(username=username, **fields)
    user.set_password(password)
    user.save()
    return user


def jpeg_file(width=64, height=48, name="picture.jpg"):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (180, 40, 40)).save(buffer, "JPEG")
    return ContentFile(buffer.getvalue(), name=name)


# Fields that keep an article from readers, one set per state (for parametrized tests).
HIDDEN_STATES = [
    pytest.param({"status": Article.Status.DRAFT}, id="draft"),
    pytest.param({"status": Article.Status.IN_REVIEW}, id="in-review"),
    pytest.param({"status": Article.Status.CHANGES_REQUESTED}, id="changes-requested"),
    pytest.param(
        {"status": Article.Status.UNPUBLISHED, "published_at": timezone.now() - timedelta(days=2)},
        id="unpublished",
    ),
    pytest.param(
        {"status": Article.Status.PUBLISHED, "published_at": timezone.now() + timedelta(hours=1)},
        id="future-dated",
    ),
]


def make_staff(username, role):
    """A desk account in one of the roles' groups (articles.roles), with an email address."""
    from django.contrib.auth.models import Group

    user = make_user(username, is_staff=True, email=f"{username}@newsroom.test")
    user.groups.add(Group.objects.get(name=role))
    return user


def run_tasks():
    """What the task worker does next, here and now: every queued task that is due (emails
    included) runs through the real worker command (jobs.management.commands.worker)."""
    from django.core.management import call_command

    call_command("worker", "--batch", verbosity=0)
