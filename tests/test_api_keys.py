"""API keys for the content API: no data without a valid key (401, never a 500), passed in the
header or the query string; stored as a hash; shown once in the admin, revocable there by
administrators only; each key held to its own rate limit (429 with Retry-After); one query to
check a key; responses that no cache serves to a request with another key or none."""

import hashlib
import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openapi_spec_validator import validate

from api.models import ApiKey
from newsroom.caches import REDIS_BACKEND

from .factories import make_article, make_section, make_staff, make_user

pytestmark = pytest.mark.django_db
DATA_URLS = ["/api/v1/articles/", "/api/v1/sections/", "/api/v1/authors/", "/api/v1/tags/"]
ADMIN_LIST = "/admin/api/apikey/"
WHOLE_KEY = re.compile(r"nr_[0-9a-f]{8}_[A-Za-z0-9_-]{43}")


def new_key(name="Partner", rate_limit=600):
    """(ApiKey, the whole key), as an administrator would get them."""
    api_key = ApiKey(name=name, rate_limit=rate_limit)
    return api_key, api_key.issue(by=None)


def with_key(key):
    return {"Authorization": f"Api-Key {key}"}


@pytest.fixture
def administrator(client):
    admin = make_user("boss", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return admin


def test_data_needs_a_key_and_the_401_says_how_to_pass_one(client):
    article = make_article(headline="Cotton prices climb")
    for url in [*DATA_URLS, f"/api/v1/articles/{article.pk}/", "/api/v1/"]:
        response = client.get(url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"].startswith("Api-Key"), url
        detail = response.json()["detail"]
        assert "Authorization: Api-Key <key>" in detail and "?key=<key>" in detail, url
        assert "Cotton" not in response.content.decode()
    # The schema and its docs stay open, even to a request with a stale key.
    for url in ("/api/v1/schema/", "/api/v1/docs/"):
        assert client.get(url).status_code == 200, url
        assert client.get(url, headers=with_key("nr_stale")).status_code == 200, url


@pytest.mark.parametrize(
    "given",
    [
        pytest.param("", id="empty"),
        pytest.param("garbage", id="garbage"),
        pytest.param("nr_", id="only-the-start"),
        pytest.param("nr_0123abcd_" + "A" * 43, id="well-formed-but-unknown"),
        pytest.param("nr_0123abcd_" + "A" * 100_000, id="very-long"),
        pytest.param("nr_0123abcd_" + "é" * 43, id="non-ascii"),
        pytest.param("nr_0123abcd_\x00" + "A" * 42, id="nul-byte"),
        pytest.param("' OR 1=1 --", id="sql"),
    ],
)
def test_a_bad_key_is_a_401_in_the_header_and_the_query_string(client, given):
    make_article()
    for response in (
        client.get(DATA_URLS[0], headers=with_key(given)),
        client.get(DATA_URLS[0], {"key": given}),
    ):
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Api-Key")
        assert response.json()["detail"]


def test_a_key_with_the_right_prefix_and_a_wrong_secret_is_refused(client):
    api_key, key = new_key()
    forged = key[: -len("secret")] + "SECRET"
    assert client.get(DATA_URLS[0], headers=with_key(forged)).status_code == 401
    assert client.get(DATA_URLS[0], headers=with_key(key)).status_code == 200


def test_another_authorization_scheme_is_no_key(client):
    _, key = new_key()
    for header in (f"Bearer {key}", f"Basic {key}", key):
        response = client.get(DATA_URLS[0], headers={"Authorization": header})
        assert response.status_code == 401, header
        assert "Api-Key <key>" in response.json()["detail"]


def test_a_key_works_in_the_header_and_in_the_query_string_beside_the_filters(client):
    economy = make_section(slug="economy")
    make_article(headline="Cotton prices climb", section=economy)
    make_article(headline="Rain at last")
    _, key = new_key()
    assert client.get(DATA_URLS[0], headers=with_key(key)).status_code == 200
    assert client.get(DATA_URLS[0], headers={"Authorization": f"api-key {key}"}).status_code == 200
    # The article filters are a form: they read their own fields and ignore `key`.
    page = client.get(DATA_URLS[0], {"key": key, "section": "economy"}).json()
    assert [a["headline"] for a in page["results"]] == ["Cotton prices climb"]
    assert client.get(DATA_URLS[0], {"key": key, "language": "xx"}).status_code == 400
    # A client that cannot set headers can follow the next page's link as it is.
    following = client.get(DATA_URLS[0], {"key": key, "page_size": 1}).json()["next"]
    assert f"key={key}" in following
    assert client.get(following).json()["results"][0]["headline"] == "Cotton prices climb"
    for url in DATA_URLS:
        assert client.get(url, {"key": key}).status_code == 200, url


def test_the_database_keeps_a_hash_of_the_key_never_the_key(client):
    api_key, key = new_key()
    secret = key.split("_", 2)[2]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM api_apikey")
        rows = cursor.fetchall()
    stored = repr(rows)
    assert key not in stored and secret not in stored
    assert api_key.prefix in stored
    assert api_key.hashed_key == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(f"nr_{api_key.prefix}_")
    # Two keys never share a secret.
    assert new_key()[1].split("_", 2)[2] != secret


def test_the_admin_shows_a_new_key_once(client, administrator):
    response = client.post(f"{ADMIN_LIST}add/", {"name": "Radio app", "rate_limit": "120"})
    assert response.status_code == 200
    assert "admin/api/apikey/created.html" in [t.name for t in response.templates]
    page = response.content.decode()
    [key] = set(WHOLE_KEY.findall(page))
    assert "will not be shown again" in page
    assert "Authorization: Api-Key &lt;key&gt;" in page  # text, not a tag the browser hides
    # Not kept by the browser, nor in a message (messages travel in a cookie).
    assert "no-store" in response["Cache-Control"]
    assert all(key not in morsel.value for morsel in response.cookies.values())
    api_key = ApiKey.objects.get()
    assert (api_key.name, api_key.rate_limit) == ("Radio app", 120)
    assert api_key.created_by == administrator
    assert client.get(DATA_URLS[0], headers=with_key(key)).status_code == 200
    # Nowhere to be read again: not the list, not the change page, not the history.
    for url in (
        ADMIN_LIST,
        f"{ADMIN_LIST}{api_key.pk}/change/",
        f"{ADMIN_LIST}{api_key.pk}/history/",
        "/admin/",
    ):
        later = client.get(url)
        assert later.status_code == 200, url
        assert key not in later.content.decode() and not WHOLE_KEY.search(later.content.decode())
    listing = client.get(ADMIN_LIST).content.decode()
    assert "Radio app" in listing and api_key.prefix in listing


def test_the_admin_refuses_a_rate_limit_out_of_range(client, administrator):
    for rate in ("0", "-5", "1000000", "many"):
        response = client.post(f"{ADMIN_LIST}add/", {"name": "Radio app", "rate_limit": rate})
        assert response.status_code == 200, rate
        assert response.context["adminform"].form.errors["rate_limit"], rate
        assert not WHOLE_KEY.search(response.content.decode())
    assert not ApiKey.objects.exists()


def test_the_change_page_edits_name_and_rate_but_not_the_secret(client, administrator):
    api_key, key = new_key(rate_limit=600)
    hashed, prefix = api_key.hashed_key, api_key.prefix
    response = client.post(
        f"{ADMIN_LIST}{api_key.pk}/change/",
        {"name": "Renamed", "rate_limit": "60", "hashed_key": "0" * 64, "prefix": "00000000"},
    )
    assert response.status_code == 302
    api_key.refresh_from_db()
    assert (api_key.name, api_key.rate_limit) == ("Renamed", 60)
    assert (api_key.hashed_key, api_key.prefix) == (hashed, prefix)
    assert client.get(DATA_URLS[0], headers=with_key(key)).status_code == 200


def test_revoking_in_the_admin_stops_the_key_at_once_and_keeps_its_row(client, administrator):
    api_key, key = new_key(name="Old partner")
    other, other_key = new_key(name="Current partner")
    assert client.get(DATA_URLS[0], headers=with_key(key)).status_code == 200
    response = client.post(
        ADMIN_LIST, {"action": "revoke", "_selected_action": [api_key.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "1 key revoked." in response.content.decode()
    refused = client.get(DATA_URLS[0], headers=with_key(key))
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]
    assert client.get(DATA_URLS[0], {"key": key}).status_code == 401
    assert client.get(DATA_URLS[0], headers=with_key(other_key)).status_code == 200
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None and other.revoked_at is None
    revoked = client.get(ADMIN_LIST, {"state": "revoked"}).content.decode()
    active = client.get(ADMIN_LIST, {"state": "active"}).content.decode()
    assert "Old partner" in revoked and "Current partner" not in revoked
    assert "Current partner" in active and "Old partner" not in active
    # Revoking is not deleting: the admin offers no delete.
    assert client.get(f"{ADMIN_LIST}{api_key.pk}/delete/").status_code == 403


@pytest.mark.parametrize("role", ["Writer", "Moderator"])
def test_writers_and_moderators_cannot_see_or_make_keys(client, role):
    api_key, key = new_key()
    client.force_login(make_staff(f"desk-{role.lower()}", role))
    assert not Group.objects.get(name=role).permissions.filter(content_type__app_label="api")
    for url in (ADMIN_LIST, f"{ADMIN_LIST}add/", f"{ADMIN_LIST}{api_key.pk}/change/"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"{ADMIN_LIST}add/", {"name": "Mine", "rate_limit": "9"}).status_code == 403
    response = client.post(ADMIN_LIST, {"action": "revoke", "_selected_action": [api_key.pk]})
    assert response.status_code == 403
    assert list(ApiKey.objects.values_list("name", "revoked_at")) == [("Partner", None)]
    # Their session gives them no way round the key either.
    assert client.get(DATA_URLS[0]).status_code == 401


def test_a_key_past_its_rate_limit_gets_429_with_retry_after_and_others_do_not(client):
    _, slow = new_key(name="Slow", rate_limit=3)
    _, other = new_key(name="Other", rate_limit=3)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(3):
            assert client.get(DATA_URLS[1], headers=with_key(slow)).status_code == 200
        refused = client.get(DATA_URLS[1], headers=with_key(slow))
        assert refused.status_code == 429
        assert refused["Retry-After"] == "60"
        # The query string spends the same allowance as the header.
        assert client.get(DATA_URLS[1], {"key": slow}).status_code == 429
        assert client.get(DATA_URLS[1], headers=with_key(other)).status_code == 200
        clock.shift(timedelta(seconds=30))
        assert client.get(DATA_URLS[1], headers=with_key(slow))["Retry-After"] == "30"
        clock.shift(timedelta(seconds=31))
        assert client.get(DATA_URLS[1], headers=with_key(slow)).status_code == 200


def test_a_lowered_rate_limit_still_says_when_to_retry(client):
    api_key, key = new_key(rate_limit=5)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(5):
            assert client.get(DATA_URLS[1], headers=with_key(key)).status_code == 200
            clock.shift(timedelta(seconds=1))
        ApiKey.objects.filter(pk=api_key.pk).update(rate_limit=2)
        refused = client.get(DATA_URLS[1], headers=with_key(key))
        assert refused.status_code == 429
        # Sent at 0, 1, 2, 3 and 4 s, now 5 s: under the new limit of 2 once the one sent at
        # 3 s leaves the window, at 63 s. (DRF's own wait gives no Retry-After here.)
        assert refused["Retry-After"] == "58"


def test_keys_still_work_while_the_cache_server_is_down(client, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": REDIS_BACKEND,
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    _, key = new_key(rate_limit=1)
    _, revoked = new_key()
    ApiKey.objects.filter(prefix=revoked.split("_")[1]).revoke()
    for _ in range(2):
        assert client.get(DATA_URLS[1], headers=with_key(key)).status_code == 200
    assert client.get(DATA_URLS[1], headers=with_key(revoked)).status_code == 401
    assert client.get(DATA_URLS[1]).status_code == 401
    warnings = [r for r in caplog.records if "rate limits" in r.getMessage()]
    assert warnings and all(r.exc_info is None for r in warnings)


def test_a_key_costs_one_query_and_every_request_the_same(client):
    make_article(tags=["Cotton"])
    _, first = new_key()
    _, second = new_key()
    client.get(DATA_URLS[0], headers=with_key(first))  # first use: last_used_at is written
    client.get(DATA_URLS[0], headers=with_key(second))
    counts = []
    for key in (first, second, first, second):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(DATA_URLS[0], headers=with_key(key)).status_code == 200
        counts.append(len(queries))
        key_queries = [q["sql"] for q in queries if "api_apikey" in q["sql"]]
        assert len(key_queries) == 1 and key_queries[0].startswith("SELECT"), key_queries
    assert len(set(counts)) == 1, counts


def test_last_used_is_written_at_most_every_few_minutes(client):
    api_key, key = new_key()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.get(DATA_URLS[1], headers=with_key(key))
        api_key.refresh_from_db()
        assert api_key.last_used_at == start
        clock.shift(timedelta(minutes=4))
        with CaptureQueriesContext(connection) as queries:
            client.get(DATA_URLS[1], headers=with_key(key))
        assert not [q for q in queries if q["sql"].startswith("UPDATE")]
        clock.shift(timedelta(minutes=2))
        client.get(DATA_URLS[1], headers=with_key(key))
        api_key.refresh_from_db()
        assert api_key.last_used_at == start + timedelta(minutes=6)


def test_no_cache_answers_a_request_with_what_another_key_got(client, settings):
    # The whole-page cache is on, as in production: the API must stay out of it.
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 300
    make_article()
    _, key = new_key()
    keyed = client.get(DATA_URLS[0], headers=with_key(key))
    assert keyed.status_code == 200 and "X-Cache" not in keyed
    assert "Authorization" in keyed["Vary"]
    assert "no-cache" in keyed["Cache-Control"] and "public" not in keyed["Cache-Control"]
    assert client.get(DATA_URLS[0]).status_code == 401
    assert "Authorization" in client.get(DATA_URLS[0])["Vary"]
    # Conditional requests still save the body.
    again = client.get(DATA_URLS[0], headers={**with_key(key), "If-None-Match": keyed["ETag"]})
    assert again.status_code == 304


def test_the_schema_documents_both_ways_of_passing_a_key(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    validate(schema)
    schemes = schema["components"]["securitySchemes"]
    assert {(s["type"], s["in"], s["name"]) for s in schemes.values()} == {
        ("apiKey", "header", "Authorization"),
        ("apiKey", "query", "key"),
    }
    for path in ("/api/v1/articles/", "/api/v1/tags/{slug}/"):
        security = schema["paths"][path]["get"]["security"]
        assert sorted(security, key=str) == [{"ApiKeyHeader": []}, {"ApiKeyQuery": []}], path
