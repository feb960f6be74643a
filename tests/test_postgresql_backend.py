"""The PostgreSQL backend's health checks (newsroom/postgresql): skipped for a connection used
a moment ago, still made for one that was idle, and a dead idle connection is replaced."""

import time

import pytest
from django.db import OperationalError, connection, connections

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the PostgreSQL backend's own behaviour"
)


@pytest.fixture
def checks(monkeypatch):
    made = []
    really_usable = connection.is_usable

    def is_usable():
        made.append(time.monotonic())
        return really_usable()

    monkeypatch.setattr(connection, "is_usable", is_usable)
    return made


def next_request():
    # What request_started does to a persistent connection, minus closing it.
    connection.health_check_done = False


def kill_backend():
    """Ends this connection's server process from another connection, as a restart would."""
    pid = connection.connection.info.backend_pid
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()
    return pid


@pytest.mark.django_db
def test_a_connection_used_a_moment_ago_is_not_asked_again(checks):
    assert connection.health_check_enabled
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    next_request()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert checks == []


@pytest.mark.django_db
def test_a_connection_idle_for_a_second_is_checked_once_per_request(checks):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    next_request()
    connection.last_used = time.monotonic() - 1.5
    for _ in range(3):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    assert len(checks) == 1


@pytest.mark.django_db(transaction=True)
def test_a_connection_that_died_while_idle_is_replaced_before_the_query():
    connection.ensure_connection()
    dead = kill_backend()
    next_request()
    connection.last_used = time.monotonic() - 5
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != dead


@pytest.mark.django_db(transaction=True)
def test_one_that_died_just_after_use_fails_one_query_and_is_then_dropped():
    connection.ensure_connection()
    kill_backend()
    next_request()
    connection.last_used = time.monotonic()
    with pytest.raises(OperationalError), connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    # What request_finished runs: the broken connection is closed, the next request reconnects.
    connection.close_if_unusable_or_obsolete()
    assert connection.connection is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
