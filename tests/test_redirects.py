"""The redirect table: old addresses answer 301 where the site has nothing, the home page's
WordPress links included, at no cost to pages that answer; the desk edits it safely."""

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from articles.roles import MODERATOR, WRITER
from redirects import paths
from redirects.models import Redirect, RedirectQuerySet

from .factories import make_article, make_section, make_staff

pytestmark = pytest.mark.django_db

ADD_URL = "admin:redirects_redirect_add"


@pytest.fixture
def article():
    return make_article(section=make_section(name="Politics", slug="politics"), slug="budget")


@pytest.fixture
def moderator_client(client):
    client.force_login(make_staff("moderator", MODERATOR))
    return client


def redirect_queries(client, path):
    """The response to `path`, and how many queries it made on the redirect table."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response, sum("redirects_redirect" in query["sql"] for query in queries)


def test_an_old_path_in_the_table_answers_301_to_its_new_path(client, article):
    Redirect.objects.record("/2020/01/02/budget/", article.get_absolute_url(), source="wordpress")
    response = client.get("/2020/01/02/budget/")
    assert response.status_code == 301
    assert response["Location"] == "/politics/budget/"
    assert client.get(response["Location"]).status_code == 200


def test_an_unknown_old_path_stays_a_404(client, article):
    Redirect.objects.record("/2020/01/02/budget/", "/politics/budget/", source="wordpress")
    assert client.get("/2020/01/02/other/").status_code == 404


@pytest.mark.parametrize(
    "path", ["/?p=12", "/?p=012", "/?p=12&utm_source=newsletter", "/?page_id=7"]
)
def test_wordpress_plain_links_on_the_home_page_redirect(client, article, path):
    Redirect.objects.record("/?p=12", "/politics/budget/", source="wordpress")
    Redirect.objects.record("/?page_id=7", "/politics/", source="wordpress")
    response = client.get(path)
    assert response.status_code == 301
    assert response["Location"] in ("/politics/budget/", "/politics/")


def test_home_requests_without_a_plain_link_make_no_redirect_query(client, article):
    Redirect.objects.record("/?p=12", "/politics/budget/", source="wordpress")
    for path in ("/", "/?page=2", "/?p=abc", "/?s=budget"):
        response, looked_up = redirect_queries(client, path)
        assert (path, response.status_code, looked_up) == (path, 200, 0)
    # An id the table does not hold: one indexed lookup, then the home page as ever.
    response, looked_up = redirect_queries(client, "/?p=13")
    assert (response.status_code, looked_up) == (200, 1)
    response, looked_up = redirect_queries(client, "/?p=12")
    assert (response.status_code, looked_up) == (301, 1)


def test_pages_that_answer_make_no_redirect_query(client, article):
    Redirect.objects.record("/old/", "/politics/budget/", source="manual")
    for path in ("/politics/budget/", "/politics/", "/feed/", "/search/"):
        response, looked_up = redirect_queries(client, path)
        assert (path, response.status_code, looked_up) == (path, 200, 0)


def test_an_existing_page_is_never_shadowed_by_a_redirect(client, article):
    Redirect.objects.create(old_path="/politics/budget/", new_path="/elsewhere/")
    Redirect.objects.create(old_path="/politics/", new_path="/elsewhere/")
    assert client.get("/politics/budget/").status_code == 200
    assert client.get("/politics/").status_code == 200


@pytest.mark.parametrize(
    "stored",
    ["/2020/01/02/%c3%a9t%c3%a9-%c3%a0-paris/", "/2020/01/02/été-à-paris/"],
    ids=["wordpress-encoded", "typed"],
)
@pytest.mark.parametrize(
    "asked",
    ["/2020/01/02/été-à-paris/", "/2020/01/02/%C3%A9t%C3%A9-%C3%A0-paris/"],
    ids=["raw", "encoded"],
)
def test_non_ascii_old_paths_match_however_they_are_encoded(client, article, stored, asked):
    Redirect.objects.record(stored, "/politics/budget/", source="wordpress")
    assert Redirect.objects.get().old_path == "/2020/01/02/été-à-paris/"
    response = client.get(asked)
    assert (response.status_code, response["Location"]) == (301, "/politics/budget/")


def test_a_non_ascii_target_is_sent_percent_encoded(client, article):
    Redirect.objects.create(old_path="/old/", new_path="/politics/élection/")
    assert client.get("/old/")["Location"] == "/politics/%C3%A9lection/"


def test_the_trailing_slash_variant_redirects_too(client, article):
    Redirect.objects.record("/old-story/", "/politics/budget/", source="ghost")
    Redirect.objects.record("/feed.php", "/feed/", source="wordpress")
    assert client.get("/old-story")["Location"] == "/politics/budget/"
    assert client.get("/feed.php/")["Location"] == "/feed/"


def test_campaign_parameters_on_an_old_link_still_redirect(client, article):
    Redirect.objects.record("/old-story/", "/politics/budget/", source="ghost")
    response = client.get("/old-story/?utm_source=newsletter&utm_medium=email")
    assert (response.status_code, response["Location"]) == (301, "/politics/budget/")


def test_an_old_path_with_a_query_matches_in_any_order(client, article):
    Redirect.objects.record("/index.php?b=2&a=1", "/politics/budget/", source="wordpress")
    assert Redirect.objects.get().old_path == "/index.php?a=1&b=2"
    assert client.get("/index.php?a=1&b=2").status_code == 301


def test_a_redirect_to_its_own_slash_variant_does_not_loop(client, article):
    # The admin refuses it (see below); a row written some other way must still not loop.
    Redirect.objects.create(old_path="/gone", new_path="/gone/")
    assert client.get("/gone").status_code == 301
    assert client.get("/gone/").status_code == 404


def test_a_form_sent_to_an_old_path_is_not_redirected(client, article):
    Redirect.objects.record("/old-story/", "/politics/budget/", source="ghost")
    # Answered as if the table were not there (the section view allows no POST: 405).
    assert client.post("/old-story/", {"q": "x"}).status_code == 405
    assert client.post("/2020/old-story/", {"q": "x"}).status_code == 404


def test_a_404_stays_a_404_when_the_table_cannot_be_read(client, article, monkeypatch):
    def unreachable(self, candidates):
        raise OperationalError("database unreachable")

    monkeypatch.setattr(RedirectQuerySet, "target_of", unreachable)
    assert client.get("/old-story/").status_code == 404
    assert client.get("/?p=12").status_code == 200


@pytest.fixture
def page_cache(settings):
    # The test settings' in-memory cache, with the whole-page cache on as in production.
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 300


@pytest.mark.parametrize("how", ["admin", "importer", "record"])
def test_a_redirect_added_after_a_404_was_cached_wins_at_once(page_cache, article, how):
    reader = Client()
    assert reader.get("/old-story/").status_code == 404
    cached = reader.get("/old-story/")
    assert (cached.status_code, cached["X-Cache"]) == (404, "hit")
    if how == "admin":
        editor = Client()
        editor.force_login(make_staff("moderator", MODERATOR))
        editor.post(reverse(ADD_URL), {"old_path": "/old-story/", "new_path": "/politics/budget/"})
    elif how == "importer":
        Redirect.objects.record_many([("/old-story/", "/politics/budget/")], source="ghost")
    else:
        Redirect.objects.record("/old-story/", "/politics/budget/", source="ghost")
    response = reader.get("/old-story/")
    assert (response.status_code, response["Location"]) == (301, "/politics/budget/")


def test_a_redirect_removed_gives_the_404_back_through_the_cache(page_cache, article):
    reader = Client()
    redirect = Redirect.objects.record("/old-story/", "/politics/budget/", source="ghost")
    assert reader.get("/old-story/").status_code == 301
    redirect.delete()
    assert reader.get("/old-story/").status_code == 404


def test_a_plain_link_recorded_after_the_home_page_was_cached_wins_at_once(page_cache, article):
    reader = Client()
    assert reader.get("/?p=12").status_code == 200
    assert reader.get("/?p=12")["X-Cache"] == "hit"
    Redirect.objects.record_many([("/?p=12", "/politics/budget/")], source="wordpress")
    assert reader.get("/?p=12").status_code == 301


def test_recording_is_idempotent_and_keeps_what_the_desk_decided(article):
    first = Redirect.objects.record("/old/", "/politics/budget/", source="wordpress")
    again = Redirect.objects.record("/old/", "/politics/budget/", source="wordpress")
    assert (Redirect.objects.count(), first.pk) == (1, again.pk)
    moved = Redirect.objects.record("/old/", "/politics/", source="wordpress")
    assert (moved.pk, moved.new_path) == (first.pk, "/politics/")
    Redirect.objects.filter(pk=first.pk).update(new_path="/desk-choice/", source="manual")
    Redirect.objects.record("/old/", "/politics/budget/", source="wordpress")
    Redirect.objects.record_many([("/old/", "/politics/budget/")], source="wordpress")
    assert Redirect.objects.get().new_path == "/desk-choice/"


def test_record_many_writes_in_bulk_and_skips_what_cannot_redirect(article):
    pairs = [(f"/2020/01/{n:02}/story-{n}/", f"/politics/story-{n}/") for n in range(1, 31)]
    pairs += [
        ("/admin/", "/politics/"),  # the desk
        ("/same/", "/same"),  # itself
        ("/old/", "javascript:alert(1)"),  # off-site
        ("/?p=3", "/politics/first/"),
        ("/?p=3", "/politics/last/"),  # the last word wins
    ]
    with CaptureQueriesContext(connection) as queries:
        recorded = Redirect.objects.record_many(pairs, source="wordpress")
    assert recorded == 31
    assert len(queries) < 10
    assert Redirect.objects.count() == 31
    assert Redirect.objects.get(old_path="/?p=3").new_path == "/politics/last/"
    assert set(Redirect.objects.values_list("source", flat=True)) == {"wordpress"}
    assert Redirect.objects.record_many(pairs, source="wordpress") == 31
    assert Redirect.objects.count() == 31


def test_a_moderator_adds_a_redirect_in_the_admin(moderator_client, article):
    response = moderator_client.post(
        reverse(ADD_URL),
        {
            "old_path": "https://old.example.com/2020/01/02/%C3%A9t%C3%A9/",
            "new_path": "/politics/budget/",
        },
    )
    assert response.status_code == 302
    redirect = Redirect.objects.get()
    assert (redirect.old_path, redirect.source) == ("/2020/01/02/été/", "manual")
    assert moderator_client.get(reverse("admin:redirects_redirect_changelist")).status_code == 200
    search = reverse("admin:redirects_redirect_changelist") + "?q=été&source__exact=manual"
    assert "/2020/01/02/été/" in moderator_client.get(search).content.decode()
    assert Client().get("/2020/01/02/été/")["Location"] == "/politics/budget/"


def test_a_moderators_edit_makes_an_imported_redirect_the_desks(moderator_client, article):
    redirect = Redirect.objects.record("/old/", "/politics/", source="wordpress")
    url = reverse("admin:redirects_redirect_change", args=[redirect.pk])
    moderator_client.post(url, {"old_path": "/old/", "new_path": "/politics/budget/"})
    redirect.refresh_from_db()
    assert (redirect.new_path, redirect.source) == ("/politics/budget/", "manual")


def test_writers_get_403_on_redirects(client, article):
    client.force_login(make_staff("writer", WRITER))
    redirect = Redirect.objects.record("/old/", "/politics/", source="wordpress")
    for url in (
        reverse("admin:redirects_redirect_changelist"),
        reverse(ADD_URL),
        reverse("admin:redirects_redirect_change", args=[redirect.pk]),
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(reverse(ADD_URL), {"old_path": "/x/", "new_path": "/politics/"})
    assert response.status_code == 403
    assert Redirect.objects.count() == 1


def form_errors(client, data):
    response = client.post(reverse(ADD_URL), data)
    assert response.status_code == 200  # the form again, with its errors
    return response.context["adminform"].form.errors


@pytest.mark.parametrize(
    "target",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "//evil.com",
        "//evil.com/politics/",
        "/%2F/evil.com",
        "http://evil.com",
        "https://evil.com/politics/budget/",
        "https:evil.com",
        "politics/budget/",
    ],
)
def test_hostile_or_off_site_targets_are_refused(moderator_client, article, target):
    errors = form_errors(moderator_client, {"old_path": "/old/", "new_path": target})
    assert "new_path" in errors
    assert not Redirect.objects.exists()


def test_a_backslash_target_stays_on_this_site(moderator_client, article):
    # Browsers read "/\host" as "//host": stored, the backslash is percent-encoded.
    moderator_client.post(reverse(ADD_URL), {"old_path": "/old/", "new_path": "/\\evil.com"})
    assert Client().get("/old/")["Location"] == "/%5Cevil.com"


def test_an_address_on_this_site_is_kept_as_its_path(moderator_client, article, settings):
    target = f"{settings.NEWSROOM_BASE_URL}/politics/budget/#comments"
    moderator_client.post(reverse(ADD_URL), {"old_path": "/old/", "new_path": target})
    assert Redirect.objects.get().new_path == "/politics/budget/#comments"


@pytest.mark.parametrize(
    "old_path",
    [
        "/admin/",
        "/admin",
        "/static/site.css",
        "/media/picture.jpg",
        "/api/v1/articles/",
        "/",
        "/?s=budget",
        "old-story/",
        "//evil.com/",
        "/%ff/",
        "/" + "a" * 600,
    ],
)
def test_old_paths_that_cannot_redirect_are_refused(moderator_client, article, old_path):
    errors = form_errors(moderator_client, {"old_path": old_path, "new_path": "/politics/"})
    assert "old_path" in errors
    assert not Redirect.objects.exists()


@pytest.mark.parametrize("new_path", ["/old/", "/old", "/old/#top"])
def test_a_redirect_to_itself_is_refused(moderator_client, article, new_path):
    errors = form_errors(moderator_client, {"old_path": "/old/", "new_path": new_path})
    assert "new_path" in errors


def test_loops_are_refused(moderator_client, article):
    Redirect.objects.record("/b/", "/a/", source="manual")
    errors = form_errors(moderator_client, {"old_path": "/a", "new_path": "/b/"})
    assert "/b/ already redirects back here" in str(errors["new_path"])
    # Through a chain too: /c/ -> /d/ -> /e/, then /e/ -> /c/.
    Redirect.objects.record("/c/", "/d/", source="manual")
    Redirect.objects.record("/d/", "/e/", source="manual")
    errors = form_errors(moderator_client, {"old_path": "/e/", "new_path": "/c/"})
    assert "new_path" in errors
    assert Redirect.objects.count() == 3


def test_a_duplicate_old_path_is_refused_however_it_is_spelt(moderator_client, article):
    Redirect.objects.record("/2020/été/", "/politics/", source="wordpress")
    errors = form_errors(
        moderator_client, {"old_path": "/2020/%C3%A9t%C3%A9/", "new_path": "/politics/budget/"}
    )
    assert "old_path" in errors


def test_the_desk_reads_the_refusals_in_french():
    with translation.override("fr"):
        with pytest.raises(ValidationError) as refused:
            paths.normalise_new_path("//evil.com")
        assert "Les redirections restent sur ce site" in " ".join(refused.value.messages)


@pytest.mark.parametrize(
    "path",
    [
        "/" + "é" * 600 + "/",
        "/" + "a/" * 400,
        # Under DATA_UPLOAD_MAX_NUMBER_FIELDS: past it, the 404 page itself fails (see report).
        "/old-story/?" + "&".join(f"k{n}=v" for n in range(900)),
        "/old-story/?q=" + "x" * 20_000,
        "/x%00y/",
        "/%00",
        "/%ff%fe/",
        "/%c3%28/",
        "/%2e%2e/%2e%2e/etc/passwd",
        "//evil.com/",
        "/\\evil.com",
        "/?p=" + "9" * 400,
        "/?p=%00",
        "/?p=-1",
        "/?page_id=1e9",
        "/?p=12&p=%ff",
        "/index.php?p=%00%ff",
    ],
)
def test_hostile_request_paths_never_error(client, article, path):
    Redirect.objects.record("/old-story/", "/politics/budget/", source="ghost")
    Redirect.objects.record("/?p=12", "/politics/budget/", source="wordpress")
    response = client.get(path)
    assert response.status_code in (200, 301, 400, 404), (path, response.status_code)
    if response.status_code == 301:
        assert response["Location"].startswith("/") and not response["Location"].startswith("//")
