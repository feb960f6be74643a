"""Model rules that hold whichever way an object is saved."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from articles.models import Article, Section

from .factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "slug",
    [
        "admin",
        "authors",
        "tags",
        "search",
        "feed",
        "atom",
        "static",
        "media",
        "sitemap.xml",
        "robots.txt",
    ],
)
def test_section_slug_that_shadows_a_site_path_is_refused(slug):
    section = Section(name="Shadow", slug=slug)
    with pytest.raises(ValidationError) as error:
        section.full_clean()
    assert "reserved" in str(error.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        section.save()  # the database refuses it too, whatever bypasses forms


def test_published_article_must_have_a_publication_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(status=Article.Status.PUBLISHED, published_at=None)


def test_an_author_appears_once_per_byline():
    author = make_author()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(authors=[author, author])


def test_author_name_is_kept_exactly_as_written():
    author = make_author(name="Titi KEITA")
    author.full_clean()
    author.refresh_from_db()
    assert str(author) == "Titi KEITA"


def test_every_model_links_to_its_public_page():
    section = make_section(slug="economy")
    article = make_article(section=section, slug="prices-rise", authors=[make_author(slug="ada")])
    assert article.get_absolute_url() == "/economy/prices-rise/"
    assert section.get_absolute_url() == "/economy/"
    assert article.ordered_authors[0].get_absolute_url() == "/authors/ada/"


def test_tags_are_case_insensitive():
    first = make_article(tags=["Sahel"])
    second = make_article(tags=["sahel"])
    assert list(first.tags.all()) == list(second.tags.all())


def test_reading_time_and_word_count_ignore_markup():
    article = make_article(body="<p>" + "<b>word</b> " * 461 + "</p>")
    assert article.word_count == 461
    assert article.reading_minutes == 3
    assert make_article(body="").reading_minutes == 1
