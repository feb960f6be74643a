"""Rows made into instances as the ORM makes them (public.public_sql)."""

import pytest
from django.db import connection
from django.db.models import signals

from articles.models import Article
from public.public_sql import columns, concrete, instance, loaded, table

from .factories import make_article

pytestmark = pytest.mark.django_db


def row_of(article, fields):
    """The article's row as the database sends it (JSON as text on SQLite, dates as strings)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns(Article, fields)} FROM {table(Article)} WHERE id = %s", [article.pk]
        )
        return cursor.fetchone()


def test_an_instance_from_a_row_is_what_the_orm_loads():
    made = make_article(hero_renditions={"jpeg": []})
    fields = concrete(Article, leave_out={"search_vector"})
    orm = Article.objects.defer("search_vector").get(pk=made.pk)

    built = instance(Article, fields, row_of(orm, fields))

    assert built == orm
    assert (built._state.adding, built._state.db) == (False, "default")
    assert built.get_deferred_fields() == orm.get_deferred_fields() == {"search_vector"}
    for field in fields:
        assert getattr(built, field.attname) == getattr(orm, field.attname), field.name
    # What is left out loads on demand, as a deferred field does.
    assert built.search_vector == orm.search_vector


def test_post_init_listeners_hear_of_every_instance_with_its_values_set():
    heard = []

    def listener(sender, instance, **kwargs):
        heard.append((sender, instance.pk, instance.headline))

    made = make_article(headline="Heard")
    signals.post_init.connect(listener, sender=Article)
    try:
        built = loaded(Article, ["id", "headline"], [made.pk, "Heard"])
    finally:
        signals.post_init.disconnect(listener, sender=Article)
    assert heard == [(Article, made.pk, "Heard")]
    assert built.get_deferred_fields() >= {"slug", "body"}


def test_a_model_with_pre_init_listeners_is_built_by_the_orm_itself():
    heard = []

    def listener(sender, args, kwargs, **rest):
        heard.append(args)

    signals.pre_init.connect(listener, sender=Article)
    try:
        built = loaded(Article, ["id", "headline"], [7, "Via from_db"])
    finally:
        signals.pre_init.disconnect(listener, sender=Article)
    assert len(heard) == 1 and 7 in heard[0] and "Via from_db" in heard[0]
    assert (built.pk, built.headline, built._state.adding) == (7, "Via from_db", False)
