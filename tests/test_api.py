"""The content API (/api/v1/): published content only, whatever the query string; ordered
bylines, absolute URLs, sanitized bodies; filters that refuse bad input with a 400; cursor
pages; ETags; a valid OpenAPI schema and docs served without any CDN. Every request here
carries a valid API key; tests/test_api_keys.py is about the keys themselves."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openapi_spec_validator import validate

from api.models import ApiKey
from articles import revisions
from articles.models import Article, EditorialNote

from .factories import make_article, make_author, make_section, make_user

pytestmark = pytest.mark.django_db
ARTICLES = "/api/v1/articles/"


@pytest.fixture
def client(db):
    """A client that sends a valid API key with every request."""
    api_key = ApiKey(name="Tests")
    key = api_key.issue(by=None)
    # Used just now, so no request below writes last_used_at: query counts measure the API.
    api_key.note_use()
    return Client(headers={"Authorization": f"Api-Key {key}"})


@pytest.fixture
def newsroom():
    economy = make_section(name="Economy", slug="economy")
    titi = make_author(name="Titi KEITA", slug="titi-keita")
    awa = make_author(name="Awa DIALLO", slug="awa-diallo")
    live = make_article(
        headline="Cotton prices climb",
        slug="cotton-prices-climb",
        section=economy,
        authors=[titi, awa],
        tags=["Cotton", "Markets"],
        body='<p>Prices rose.</p><script>alert("x")</script>',
    )
    return {"economy": economy, "titi": titi, "awa": awa, "live": live}


def unpublished_pieces(section, author):
    """One piece in every state readers must never see, each with a tag and a byline of its own
    (so a list of tags or authors would betray it too)."""
    now = timezone.now()
    states = {
        "draft": {"status": Article.Status.DRAFT},
        "in review": {"status": Article.Status.IN_REVIEW},
        "changes requested": {"status": Article.Status.CHANGES_REQUESTED},
        "scheduled": {"status": Article.Status.PUBLISHED, "published_at": now + timedelta(days=1)},
        "unpublished": {"status": Article.Status.UNPUBLISHED, "published_at": now},
        "in the bin": {"status": Article.Status.PUBLISHED, "deleted_at": now},
    }
    pieces = []
    for n, (state, fields) in enumerate(states.items()):
        pieces.append(
            make_article(
                headline=f"Secret {state}",
                section=section,
                authors=[author, make_author(name=f"Hidden AUTHOR{n}", slug=f"hidden-{n}")],
                tags=[f"hidden-tag-{n}"],
                **fields,
            )
        )
    return pieces


def every_list_url(newsroom):
    yield ARTICLES
    yield f"{ARTICLES}?page_size=100"
    for query in (
        "section=economy",
        "author=titi-keita",
        "tag=hidden-tag-0",
        "language=en",
        "updated_since=2000-01-01T00:00:00Z",
        "status=draft",
        "include_drafts=1",
    ):
        yield f"{ARTICLES}?{query}"
    yield "/api/v1/authors/"
    yield "/api/v1/tags/"
    yield "/api/v1/sections/"


def test_nothing_unpublished_appears_through_the_api_whatever_the_query(client, newsroom):
    hidden = unpublished_pieces(newsroom["economy"], newsroom["titi"])
    moderator = make_user("mod", is_staff=True, is_superuser=True)
    live = newsroom["live"]
    content = revisions.content_of(live)
    content["headline"] = "Pending secret headline"
    revisions.create_revision(live, by=moderator, content=content, pending=True)
    EditorialNote.objects.create(article=live, author=moderator, body="Secret note to the desk")
    for url in every_list_url(newsroom):
        text = client.get(url).content.decode()
        assert "Secret" not in text and "Hidden" not in text and "hidden-" not in text, url
    for piece in hidden:
        assert client.get(f"{ARTICLES}{piece.pk}/").status_code == 404
    detail = client.get(f"{ARTICLES}{live.pk}/").json()
    assert detail["headline"] == "Cotton prices climb"
    # A logged-in moderator reads the same API as anyone: no drafts through a session.
    client.force_login(moderator)
    assert "Secret" not in client.get(f"{ARTICLES}?page_size=100").content.decode()


def test_an_article_says_what_readers_see_with_absolute_urls(client, newsroom, settings):
    settings.NEWSROOM_BASE_URL = "https://news.example.org"
    data = client.get(f"{ARTICLES}{newsroom['live'].pk}/").json()
    assert data["url"] == "https://news.example.org/economy/cotton-prices-climb/"
    assert [author["name"] for author in data["bylines"]] == ["Titi KEITA", "Awa DIALLO"]
    assert data["bylines"][0]["url"] == "https://news.example.org/authors/titi-keita/"
    assert {tag["slug"] for tag in data["tags"]} == {"cotton", "markets"}
    assert data["section"] == {
        "slug": "economy",
        "name": "Economy",
        "description": "",
        "url": "https://news.example.org/economy/",
    }
    assert "<script" not in data["body"] and "<p>Prices rose.</p>" in data["body"]
    assert data["hero_image"] is None


def test_filters_narrow_the_list_and_refuse_what_they_cannot_read(client, newsroom):
    other = make_article(headline="Rain at last", language="fr", authors=[newsroom["awa"]])

    def titles(query):
        return [a["headline"] for a in client.get(f"{ARTICLES}?{query}").json()["results"]]

    assert titles("section=economy") == ["Cotton prices climb"]
    assert titles("author=awa-diallo") == ["Rain at last", "Cotton prices climb"]
    assert titles("tag=cotton") == ["Cotton prices climb"]
    assert titles("language=fr") == ["Rain at last"]
    assert titles("section=nowhere") == []
    later = (other.updated_at + timedelta(seconds=1)).isoformat()
    Article.objects.filter(pk=other.pk).update(updated_at=timezone.now() + timedelta(minutes=5))
    assert titles(f"updated_since={later.replace('+', '%2B')}") == ["Rain at last"]
    for query in ("language=xx", "updated_since=yesterday", "section=a%20b", "page_size=x"):
        response = client.get(f"{ARTICLES}?{query}")
        assert response.status_code in (200, 400), query
        if "page_size" not in query:
            assert response.status_code == 400 and response.json(), query
    assert client.get(f"{ARTICLES}?cursor=not-a-cursor").status_code == 404
    assert client.get(f"{ARTICLES}abc/").status_code == 404


def test_cursor_pages_walk_the_archive_once_in_constant_queries(client, newsroom):
    section = newsroom["economy"]
    for n in range(5):
        make_article(
            headline=f"Piece {n}",
            section=section,
            tags=["Cotton"],
            published_at=timezone.now() - timedelta(hours=2 + n),
        )
    seen, url = [], f"{ARTICLES}?page_size=2"
    # The first request after the cache is emptied also looks up the next scheduled publication.
    client.get(f"{ARTICLES}?page_size=3")
    counts = []
    while url:
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).json()
        counts.append(len(queries))
        seen += [article["headline"] for article in page["results"]]
        url = page["next"]
    assert seen == ["Cotton prices climb"] + [f"Piece {n}" for n in range(5)]
    assert len(set(counts)) == 1, counts


def test_an_unchanged_list_answers_304_to_its_etag(client, newsroom):
    first = client.get(ARTICLES)
    assert first.has_header("ETag")
    again = client.get(ARTICLES, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304


def test_authors_and_tags_are_those_of_published_pieces(client, newsroom):
    make_author(name="Never BYLINED", slug="never")
    authors = [a["slug"] for a in client.get("/api/v1/authors/").json()["results"]]
    assert authors == ["awa-diallo", "titi-keita"]
    assert client.get("/api/v1/authors/never/").status_code == 404
    assert client.get("/api/v1/authors/titi-keita/").json()["name"] == "Titi KEITA"
    tags = [t["slug"] for t in client.get("/api/v1/tags/").json()["results"]]
    assert tags == ["cotton", "markets"]


def test_the_schema_is_valid_openapi_and_the_docs_load_nothing_from_elsewhere(client, newsroom):
    schema = client.get("/api/v1/schema/?format=json").json()
    validate(schema)
    assert {"/api/v1/articles/", "/api/v1/articles/{id}/", "/api/v1/authors/"} <= set(
        schema["paths"]
    )
    names = {p["name"] for p in schema["paths"]["/api/v1/articles/"]["get"]["parameters"]}
    assert {"section", "author", "tag", "language", "updated_since", "cursor"} <= names
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', docs.content.decode())
    assert sources and all(not s.startswith(("http:", "https:", "//")) for s in sources), sources


def test_a_repeated_request_is_answered_from_the_cache_until_something_public_changes(
    client, newsroom, settings
):
    from articles.workflow import apply_transition

    with CaptureQueriesContext(connection) as cold:
        first = client.get(ARTICLES)
    with CaptureQueriesContext(connection) as warm:
        again = client.get(ARTICLES)
    assert again.json() == first.json()
    # Only the key is looked up: the rest comes from the cache.
    assert len(warm) == 1 < len(cold), [q["sql"] for q in warm]
    assert Client().get(ARTICLES).status_code == 401  # the key is still checked first

    fresh = make_article(headline="Fresh piece", section=newsroom["economy"])
    assert "Fresh piece" in [a["headline"] for a in client.get(ARTICLES).json()["results"]]
    detail = f"{ARTICLES}{fresh.pk}/"
    assert client.get(detail).status_code == 200
    moderator = make_user("mod", is_staff=True, is_superuser=True)
    apply_transition(fresh, "unpublish", by=moderator)
    assert client.get(detail).status_code == 404
    assert "Fresh piece" not in str(client.get(ARTICLES).json())

    settings.NEWSROOM_FRAGMENT_CACHE_SECONDS = 0
    assert client.get(ARTICLES).json() == first.json()


def conforms(value, schema, components, where="$"):
    """`value` is what `schema` (OpenAPI 3.0, as drf-spectacular writes it) documents: every
    documented property present (required ones), none undocumented, each of its type."""
    if value is None and schema.get("nullable"):
        return
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    if "allOf" in schema:
        [schema] = schema["allOf"]
        return conforms(value, schema, components, where)
    if value is None:
        assert schema.get("nullable"), f"{where} is null, not documented as nullable"
        return
    kinds = {
        "object": dict,
        "array": list,
        "string": str,
        "integer": int,
        "number": (int, float),
        "boolean": bool,
    }
    kind = schema.get("type", "object" if "properties" in schema else None)
    if kind:
        assert isinstance(value, kinds[kind]), f"{where}: {value!r} is not {kind}"
    if kind == "object" and "properties" in schema:
        assert set(schema.get("required", [])) <= set(value), f"{where} lacks required keys"
        assert set(value) <= set(schema["properties"]), f"{where} has undocumented keys"
        for key, item in value.items():
            conforms(item, schema["properties"][key], components, f"{where}.{key}")
    if kind == "array":
        for n, item in enumerate(value):
            conforms(item, schema["items"], components, f"{where}[{n}]")
    if "enum" in schema:
        assert value in schema["enum"], f"{where}: {value!r} not in {schema['enum']}"


def test_every_documented_endpoint_answers_as_documented(client, newsroom):
    schema = client.get("/api/v1/schema/?format=json").json()
    components = schema["components"]["schemas"]
    live = newsroom["live"]
    slugs = {
        "sections": newsroom["economy"].slug,
        "authors": newsroom["titi"].slug,
        "tags": "cotton",
    }
    answered = []
    for path, operations in schema["paths"].items():
        kind = path.split("/")[3]
        concrete = path.replace("{id}", str(live.pk)).replace("{slug}", slugs.get(kind, ""))
        documented = operations["get"]["responses"]["200"]["content"]["application/json"]
        response = client.get(concrete)
        assert response.status_code == 200, concrete
        body = response.json()
        conforms(body, documented["schema"], components, concrete)
        if "results" in body:
            assert body["results"], f"{concrete} documented a list and gave an empty one"
        answered.append(path)
    assert len(answered) == 8, answered
