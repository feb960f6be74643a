"""A database made before the redesign migrates forward with its content intact.

The schema is put back where main's migrations left it before this release (PRE_REDESIGN), content
is written through the historical models of that state, as the old code would have, and then
every migration since is applied; the articles, their bylines, tags and history must all come
through, and the public site must serve them.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from articles.models import Article, AuditEntry

# The last migration of each app on main before the redesign.
PRE_REDESIGN = [
    ("articles", "0012_compact_article_rows"),
    ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
]

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def test_a_pre_redesign_database_migrates_with_its_content_intact(client):
    old = migrate(PRE_REDESIGN)
    Section = old.get_model("articles", "Section")
    Author = old.get_model("articles", "Author")
    Article_ = old.get_model("articles", "Article")
    Byline = old.get_model("articles", "Byline")
    Tag = old.get_model("taggit", "Tag")
    Tagged = old.get_model("articles", "TaggedArticle")
    Entry = old.get_model("articles", "AuditEntry")

    section = Section.objects.create(name="Opinion", slug="opinion")
    authors = [
        Author.objects.create(name="Titi KEITA", slug="titi-keita"),
        Author.objects.create(name="Awa DIALLO", slug="awa-diallo"),
    ]
    published_at = timezone.now() - timedelta(days=2)
    piece = Article_.objects.create(
        headline="Le mil, notre avenir",
        slug="le-mil-notre-avenir",
        standfirst="Ce que les greniers disent de nous.",
        body="<p>Les greniers de Ségou sont pleins.</p>",
        section=section,
        genre="opinion",
        language="fr",
        status="published",
        published_at=published_at,
    )
    draft = Article_.objects.create(
        headline="Not yet", slug="not-yet", section=section, status="draft"
    )
    for position, author in enumerate(authors):
        Byline.objects.create(article=piece, author=author, position=position)
    tag = Tag.objects.create(name="Agriculture", slug="agriculture")
    Tagged.objects.create(content_object=piece, tag=tag)
    Entry.objects.create(
        article=piece,
        article_headline=piece.headline,
        action="publish",
        from_state="in_review",
        to_state="published",
    )

    migrate(latest())

    migrated = Article.objects.get(slug="le-mil-notre-avenir")
    assert migrated.headline == "Le mil, notre avenir"
    assert migrated.published_at == published_at
    assert migrated.body == "<p>Les greniers de Ségou sont pleins.</p>"
    assert [b.author.name for b in migrated.bylines.all()] == ["Titi KEITA", "Awa DIALLO"]
    assert [t.name for t in migrated.tags.all()] == ["Agriculture"]
    assert Article.objects.get(pk=draft.pk).status == "draft"
    assert AuditEntry.objects.filter(article=migrated).count() == 1
    assert list(Article.objects.published()) == [migrated]

    page = client.get(migrated.get_absolute_url())
    assert page.status_code == 200
    assert "Le mil, notre avenir" in page.content.decode()
    assert client.get("/opinion/not-yet/").status_code == 404
