"""The Content-Security-Policy holds on every page, and nothing we ship breaks it."""

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


@pytest.mark.django_db
def test_public_responses_allow_no_script_and_admin_hashes_its_import_map(client):
    article = make_article()
    public = client.get(article.get_absolute_url())["Content-Security-Policy"]
    assert "script-src 'none'" in public and "frame-ancestors 'none'" in public
    assert "unsafe-inline" not in public
    client.force_login(make_user("chief", is_staff=True, is_superuser=True))
    admin = client.get("/admin/articles/article/add/")["Content-Security-Policy"]
    assert "script-src 'self' 'sha256-" in admin
    assert "'unsafe-inline'" not in admin.split("script-src")[1].split(";")[0]
