"""Healthy PostgreSQL connections through Django's documented options: with CONN_HEALTH_CHECKS a
kept connection that died while idle is replaced before a request uses it, and DATABASE_POOL's
setting gives each process a psycopg pool that reuses connections and hands out only live ones.
"""

import pytest
from django.db import close_old_connections, connection, connections

from .factories import make_article

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL connections"),
    pytest.mark.django_db(transaction=True),
]


def backend_pid(wrapper):
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def request_starts():
    # What Django runs as a request starts on a real server; the test client leaves it out.
    close_old_connections()


def kill_backend(pid):
    """Ends a connection's server process from another connection, as a restart would."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()


@pytest.fixture
def kept_connection(monkeypatch):
    """The default connection kept between requests, as CONN_MAX_AGE does in production."""

    def keep(*, health_checks):
        monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", None)
        monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", health_checks)
        connection.close()
        return backend_pid(connection)

    yield keep
    connection.close()


def test_a_kept_connection_that_died_while_idle_is_replaced_before_the_page(
    client, kept_connection
):
    article = make_article(headline="Still served")
    dead = kept_connection(health_checks=True)
    kill_backend(dead)
    request_starts()
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200 and "Still served" in response.text
    assert backend_pid(connection) != dead


def test_without_health_checks_the_dead_connection_fails_the_page(client, kept_connection):
    article = make_article()
    kill_backend(kept_connection(health_checks=False))
    request_starts()
    # The outage middleware's answer, which the health check spares readers.
    assert client.get(article.get_absolute_url()).status_code == 503


@pytest.fixture
def pooled():
    """A connection configured as DATABASE_POOL=1 configures the default one."""
    settings = {
        **connection.settings_dict,
        "CONN_MAX_AGE": 0,
        "OPTIONS": {**connection.settings_dict["OPTIONS"], "pool": {"min_size": 1, "max_size": 4}},
    }
    wrapper = type(connections["default"])(settings, alias="pooled")
    # Opened and filled before the first checkout, as a worker's pool is after its first
    # requests: a checkout racing the pool's own first connection would make it open a second.
    wrapper.pool.open(wait=True, timeout=10)
    yield wrapper
    wrapper.close()
    wrapper.close_pool()


def test_the_pool_setting_builds_a_pool_that_reuses_its_connections(pooled):
    from psycopg_pool import ConnectionPool

    first = backend_pid(pooled)
    assert isinstance(pooled.pool, ConnectionPool)
    pooled.close()  # back to the pool, not closed
    assert backend_pid(pooled) == first


def test_the_pool_hands_out_a_live_connection_when_one_died_in_it(pooled):
    dead = backend_pid(pooled)
    pooled.close()
    kill_backend(dead)
    assert backend_pid(pooled) != dead
