"""The Content-Security-Policy holds on every page, and nothing we ship breaks it."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from articles.models import Article
from articles.previews import make_share_url

from .factories import make_article, make_author, make_user

pytestmark = [pytest.mark.django_db(transaction=True)]

# Collected in the page before any of its own code runs.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__violations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


def violations(page):
    return page.evaluate("window.__violations")


def test_public_pages_and_the_desk_raise_no_csp_violation(browser, live_server):
    writer = make_user("wanda", is_staff=True, password="a-long-test-password")
    writer.groups.add(Group.objects.get(name="Writer"))
    author = make_author(name="Wanda WRITER", user=writer)
    live = make_article(headline="Live piece", authors=[author], tags=["Sahel"])
    draft = make_article(
        headline="Draft piece", status=Article.Status.DRAFT, authors=[author], created_by=writer
    )
    context = browser.new_context()
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    for path in [
        "/",
        live.get_absolute_url(),
        "/search/?q=live",
        "/archive/",
        make_share_url(draft),
    ]:
        response = page.goto(live_server.url + path)
        assert "script-src 'none'" in response.headers["content-security-policy"]
        assert violations(page) == [], path

    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "wanda")
    page.fill("#id_password", "a-long-test-password")
    page.click("#login-form [type=submit]")
    page.goto(f"{live_server.url}/admin/articles/article/{draft.pk}/change/")
    editor = page.locator('.field-body .ProseMirror[contenteditable="true"]')
    editor.click()
    page.keyboard.type(" More words.")
    page.locator(".desk-tags + .select2").click()
    page.keyboard.type("Sah")
    page.wait_for_selector(".select2-results__option")
    page.keyboard.press("Escape")
    assert violations(page) == []
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    editor = page.locator('.field-body .ProseMirror[contenteditable="true"]')
    editor.click()
    page.keyboard.type("A new piece.")
    assert violations(page) == []
    context.close()


def directives(header):
    """{"script-src": ["'self'", ...], ...} from a Content-Security-Policy header."""
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


@pytest.mark.django_db
def test_public_responses_allow_no_script_and_admin_runs_its_import_map_by_nonce(client):
    article = make_article()
    public = directives(client.get(article.get_absolute_url())["Content-Security-Policy"])
    assert public["script-src"] == ["'none'"] and public["style-src"] == ["'self'"]
    assert public["frame-ancestors"] == ["'none'"] and public["object-src"] == ["'none'"]
    assert public["img-src"] == ["'self'", "data:"]
    assert "upgrade-insecure-requests" not in public  # HTTPS is off in the tests
    client.force_login(make_user("chief", is_staff=True, is_superuser=True))
    for _ in range(2):
        response = client.get("/admin/articles/article/add/")
        admin = directives(response["Content-Security-Policy"])
        [nonce] = [value for value in admin["script-src"] if value.startswith("'nonce-")]
        assert admin["script-src"] == ["'self'", nonce]
        assert admin["style-src"] == ["'self'", "'unsafe-inline'"]
        nonce = nonce.removeprefix("'nonce-").removesuffix("'")
        assert re.search(
            rf'<script type="importmap"[^>]* nonce="{re.escape(nonce)}"', response.text
        )
    # A page with no inline script gets no nonce.
    index = directives(client.get("/admin/")["Content-Security-Policy"])
    assert index["script-src"] == ["'self'"]


@pytest.mark.django_db
def test_report_only_sends_the_same_policy_without_enforcing_it(client, settings):
    policy = settings.CONTENT_SECURITY_POLICY
    del settings.CONTENT_SECURITY_POLICY
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = policy
    response = client.get(make_article().get_absolute_url())
    assert "Content-Security-Policy" not in response
    assert "script-src 'none'" in response["Content-Security-Policy-Report-Only"]


def test_the_report_only_switch_moves_the_policy_to_the_report_only_header():
    script = (
        "from django.conf import settings; "
        "print(hasattr(settings, 'CONTENT_SECURITY_POLICY'), "
        "settings.CONTENT_SECURITY_POLICY_REPORT_ONLY['DIRECTIVES']['script-src'])"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "1", "CSP_REPORT_ONLY": "1"},
        check=False,
    )
    assert result.stdout.strip().splitlines()[-1] == "False [\"'none'\"]", result.stderr


def test_production_upgrades_to_https_and_allows_pictures_from_the_media_cdn(tmp_path):
    script = (
        "from django.conf import settings; "
        "d = settings.CONTENT_SECURITY_POLICY['DIRECTIVES']; "
        "print(d['upgrade-insecure-requests'], ' '.join(d['img-src']))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        env={
            "PATH": "/usr/bin:/bin",
            "SECRET_KEY": "kV3-pL9_zQ7xW2mN8rT4yB6cD1fG5hJ0sA-eU3iO7uY9tR2wE5qZ8",
            "ALLOWED_HOSTS": "news.example.org",
            "NEWSROOM_BASE_URL": "https://news.example.org",
            "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
            "AWS_STORAGE_BUCKET_NAME": "pictures",
            "AWS_S3_CUSTOM_DOMAIN": "cdn.example.org",
        },
        check=False,
    )
    last = result.stdout.strip().splitlines()[-1]
    assert last == "True 'self' data: https://cdn.example.org", result.stderr


def test_the_api_docs_run_in_a_browser_from_this_site_alone(browser, live_server):
    make_article(headline="Live piece")
    context = browser.new_context()
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    elsewhere = []
    page.on(
        "request",
        lambda request: (
            elsewhere.append(request.url)
            if not request.url.startswith((live_server.url, "data:"))
            else None
        ),
    )
    page.goto(live_server.url + "/api/v1/docs/")
    # Swagger UI fetched the schema and lists the endpoints, with their filters.
    page.wait_for_selector("text=/api/v1/articles/", timeout=15_000)
    assert page.locator(".opblock-summary-path").count() >= 8
    assert violations(page) == []
    assert elsewhere == []
    context.close()
