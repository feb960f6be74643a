"""Guessing passwords gets nowhere: failed logins lock out the address and the account."""

import pytest
from django.urls import reverse

from .factories import make_author, make_user

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")


def attempt(client, username, password="wrong-password", ip="203.0.113.7"):
    return client.post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=ip
    )


def test_five_failures_from_one_address_lock_it_out_even_for_the_right_password(client):
    make_user("editor", is_staff=True, password="the-right-password-1")
    statuses = [attempt(client, f"someone{n}").status_code for n in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks the address
    locked = attempt(client, "editor", password="the-right-password-1")
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    # Another address still gets in.
    ok = attempt(client, "editor", password="the-right-password-1", ip="198.51.100.2")
    assert ok.status_code == 302


def test_failures_spread_over_many_addresses_lock_the_account(client):
    make_user("editor", is_staff=True, password="the-right-password-1")
    for n in range(5):
        attempt(client, "editor", ip=f"198.51.100.{n + 10}")
    locked = attempt(client, "editor", password="the-right-password-1", ip="192.0.2.99")
    assert locked.status_code == 429


def test_messages_do_not_reveal_which_accounts_exist(client):
    make_user("editor", is_staff=True, password="the-right-password-1")
    known = attempt(client, "editor", ip="192.0.2.1").content.decode()
    unknown = attempt(client, "nobody-here", ip="192.0.2.2").content.decode()
    marker = "Please enter the correct username and password"
    assert marker in known and marker in unknown
    for _ in range(5):
        attempt(client, "editor", ip="192.0.2.3")
        attempt(client, "nobody-here", ip="192.0.2.4")
    assert (
        attempt(client, "editor", ip="192.0.2.5").content
        == attempt(client, "nobody-here", ip="192.0.2.6").content
    )


def test_author_pages_reveal_no_login_name_or_email(client):
    from .factories import make_article

    user = make_user("secret-login", email="private@newsroom.test", is_staff=True)
    author = make_author(name="Awa SIDIBÉ", slug="awa", user=user)
    make_article(authors=[author])
    for path in ["/authors/awa/", "/authors/awa/feed/", "/authors/awa/atom/", "/"]:
        body = client.get(path).content.decode()
        assert "secret-login" not in body and "private@newsroom.test" not in body, path
