"""Every public page renders with realistic data and says what readers need."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from articles.models import Article, Section
from images.renditions import refresh_renditions

from .factories import jpeg_file, make_article, make_author, make_section

pytestmark = pytest.mark.django_db


@pytest.fixture
def opinion_piece():
    return make_article(
        headline="Mali-Russia defense talks signal strategic shift",
        slug="mali-russia-defense-talks",
        standfirst="A deliberate redefinition of sovereignty.",
        body="<p>" + "word " * 700 + "</p>",
        section=make_section(name="Opinion", slug="opinion"),
        genre=Article.Genre.OPINION,
        authors=[make_author(name="Titi KEITA", slug="titi-keita", role="Columnist")],
        tags=["Mali", "Sahel"],
    )


def test_article_page_shows_headline_byline_label_and_tags(client, opinion_piece):
    response = client.get("/opinion/mali-russia-defense-talks/")
    assert response.status_code == 200
    html = response.text
    assert "<title>Opinion | Mali-Russia defense talks signal strategic shift | " in html
    assert (
        '<h1 class="story-headline">Mali-Russia defense talks signal strategic shift</h1>' in html
    )
    # Its genre and its section are the same word: the kicker says it once, as the section link.
    assert '<a class="section-link" href="/opinion/">Opinion</a>' in html
    assert "genre-label" not in html
    assert "A deliberate redefinition of sovereignty." in html
    assert 'href="/authors/titi-keita/"' in html
    assert 'href="/tags/mali/" rel="tag">Mali</a>' in html
    assert "4 min read" in html  # 700 words at 230 a minute
    assert f'datetime="{opinion_piece.published_at.isoformat()}"' in html
    assert '<html lang="en">' in html


def test_article_tags_show_in_the_order_the_desk_gave_them(client):
    make_article(tags=["Sahel", "Mali"])  # the tags exist, in the other order
    article = make_article(tags=["Mali", "Sahel"])
    html = client.get(article.get_absolute_url()).text
    assert html.index('rel="tag">Mali<') < html.index('rel="tag">Sahel<')
    assert html.index('"article:tag" content="Mali"') < html.index('"article:tag" content="Sahel"')


def test_opinion_label_shows_in_every_listing(client, opinion_piece):
    # In a section of another name, so that the label is not the section link's word again.
    opinion_piece.section = make_section(name="Ideas", slug="ideas")
    opinion_piece.save()
    for path in ["/", "/ideas/", "/authors/titi-keita/", "/tags/mali/"]:
        html = client.get(path).text
        assert '<span class="genre-label genre-opinion">Opinion</span>' in html, path


def test_news_carries_no_genre_label_and_analysis_does(client):
    news = make_article(headline="Plain news")
    analysis = make_article(headline="Deep dive", genre=Article.Genre.ANALYSIS)
    assert "genre-label" not in client.get(news.get_absolute_url()).text
    assert (
        '<span class="genre-label genre-analysis">Analysis</span>'
        in client.get(analysis.get_absolute_url()).text
    )


def test_article_in_the_wrong_section_redirects_to_its_canonical_url(client, opinion_piece):
    make_section(slug="politics")
    response = client.get("/politics/mali-russia-defense-talks/")
    assert response.status_code == 301
    assert response["Location"] == "/opinion/mali-russia-defense-talks/"


def test_hero_image_is_shown_as_renditions_with_alt_caption_and_credit(client, opinion_piece):
    opinion_piece.hero_image.save("bamex.jpg", jpeg_file(1200, 675), save=False)
    opinion_piece.hero_image_alt = "Two delegations at a table"
    opinion_piece.hero_image_caption = "The talks at BAMEX 2025."
    opinion_piece.hero_image_credit = "Photo: Desk"
    opinion_piece.save()
    refresh_renditions(opinion_piece, field="hero_image", store="hero_renditions")
    html = client.get(opinion_piece.get_absolute_url()).text
    assert 'alt="Two delegations at a table" width="1200" height="675"' in html
    assert '<source type="image/webp" srcset="/media/renditions/article/' in html
    assert "-480w" in html and "-960w" in html and "-1200w" in html
    # The original upload is never sent to readers.
    assert opinion_piece.hero_image.url not in html
    assert "The talks at BAMEX 2025." in html
    assert '<span class="credit">Photo: Desk</span>' in html


def test_updated_date_is_shown_only_when_later_than_publication(client, opinion_piece):
    assert "updated" not in client.get(opinion_piece.get_absolute_url()).text
    Article.objects.filter(pk=opinion_piece.pk).update(
        updated_at=timezone.now(), published_at=timezone.now() - timedelta(days=2)
    )
    # Any save is not an update readers are told about; a published change is.
    assert "updated" not in client.get(opinion_piece.get_absolute_url()).text
    # As a published change records it (articles.revisions), so the caches hear of it.
    opinion_piece.refresh_from_db()
    opinion_piece.content_updated_at = timezone.now()
    opinion_piece.save(update_fields=["content_updated_at"])
    assert "updated" in client.get(opinion_piece.get_absolute_url()).text


def test_home_shows_the_lead_and_the_latest(client):
    section = make_section()
    older = make_article(
        headline="Older story", section=section, published_at=timezone.now() - timedelta(days=1)
    )
    newest = make_article(headline="Newest story", section=section)
    html = client.get("/").text
    assert html.index(newest.headline) < html.index(older.headline)
    assert f'card-headline-lead"><a href="{newest.get_absolute_url()}">Newest story' in html


def test_home_with_nothing_published_still_renders(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Nothing published yet." in response.text


def test_section_page_lists_newest_first_and_paginates(client, settings):
    section = make_section(name="Economy", slug="economy", description="Markets and prices.")
    now = timezone.now()
    for n in range(25):
        make_article(
            headline=f"Economy story {n:02d}",
            section=section,
            published_at=now - timedelta(hours=n + 1),
        )
    first = client.get("/economy/").text
    assert "<h1>Economy</h1>" in first and "Markets and prices." in first
    assert "Economy story 00" in first and "Economy story 19" in first
    assert "Economy story 20" not in first
    assert "Page 1 of 2" in first
    second = client.get("/economy/?page=2").text
    assert "Economy story 20" in second and "Economy story 24" in second


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99", "1e9", "%00", "' OR 1=1 --"])
def test_bad_page_numbers_get_a_404_not_an_error(client, page):
    section = make_section(slug="economy")
    make_article(section=section)
    assert client.get("/economy/", {"page": page}).status_code == 404


def test_empty_section_page_renders(client):
    make_section(name="Security", slug="security")
    response = client.get("/security/")
    assert response.status_code == 200
    assert "Nothing published here yet." in response.text


def test_author_page_shows_profile_and_articles(client, opinion_piece):
    html = client.get("/authors/titi-keita/").text
    assert "<h1>Titi KEITA</h1>" in html
    assert "Columnist" in html
    assert opinion_piece.headline in html


def test_tag_page_lists_tagged_articles(client, opinion_piece):
    make_article(headline="Untagged story")
    html = client.get("/tags/sahel/").text
    assert "<h1>Sahel</h1>" in html
    assert opinion_piece.headline in html
    assert "Untagged story" not in html


@pytest.mark.parametrize(
    "path",
    [
        "/no-such-section/",
        "/no-such-section/no-such-article/",
        "/authors/nobody/",
        "/tags/nothing/",
        "/opinion/%F0%9F%98%80/",
        "/authors/" + "a" * 5000 + "/",
    ],
)
def test_unknown_paths_are_a_friendly_404(client, path, opinion_piece):
    response = client.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.text


def test_navigation_lists_sections_and_marks_the_current_one(client, opinion_piece):
    make_section(name="Politics", slug="politics")
    html = client.get(opinion_piece.get_absolute_url()).text
    assert '<a href="/opinion/" aria-current="page">Opinion</a>' in html
    assert '<a href="/politics/">Politics</a>' in html


def test_every_page_lists_the_sections_in_the_same_menu_order(client):
    # Position first, then name: the article page loads its menu in its own query.
    for name, position in [("Zebra", 1), ("alpha", 2), ("Beta", 2), ("Culture", 0)]:
        make_section(name=name, slug=name.lower(), position=position)
    article = make_article(section=make_section(name="Opinion", slug="opinion", position=9))

    def menu(path):
        html = client.get(path).text
        nav = html[html.index('<nav class="site-nav"') : html.index("</nav>")]
        return re.findall(r'<a href="/([a-z]+)/"', nav)

    expected = list(Section.objects.values_list("slug", flat=True))  # the model's ordering
    assert expected[0] == "culture" and expected[-1] == "opinion"
    assert menu(article.get_absolute_url()) == expected == menu("/")


def test_long_lists_page_back_no_further_than_the_cap(client, settings, monkeypatch):
    from articles.pagination import PublicListPaginator

    monkeypatch.setattr(PublicListPaginator, "cap", 4)
    settings.NEWSROOM_PAGE_SIZE = 2
    section = make_section(name="Economy", slug="economy")
    now = timezone.now()
    for n in range(7):
        make_article(
            headline=f"Economy story {n:02d}",
            section=section,
            published_at=now - timedelta(hours=n),
        )
    first = client.get("/economy/").text
    assert "Page 1 of 2+" in first
    last = client.get("/economy/?page=2").text
    assert "Economy story 03" in last and 'rel="next"' not in last
    assert client.get("/economy/?page=3").status_code == 404
    # Under the cap, the count is exact (a new cap is new code: a deploy clears the cache).
    monkeypatch.setattr(PublicListPaginator, "cap", 100)
    cache.clear()
    assert "Page 1 of 4<" in client.get("/economy/").text
