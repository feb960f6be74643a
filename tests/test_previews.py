"""Previews: staff see drafts as readers would; a signed link lets a guest read one, for a while."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.previews import SHARE_SALT, make_share_url

from .factories import make_article, make_author, make_section, make_user
from .test_permissions import article_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    return make_article(
        headline="Embargoed scoop",
        body="<p>Only the desk has read this.</p>",
        status=Article.Status.DRAFT,
        authors=[make_author(name="Titi KEITA")],
        tags=["Sahel"],
    )


@pytest.fixture
def moderator_client(client):
    user = make_user("mod", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderator"))
    client.force_login(user)
    return client


def test_share_link_shows_the_draft_to_anyone_marked_noindex_and_uncached(client, draft):
    response = client.get(make_share_url(draft))
    assert response.status_code == 200
    html = response.text
    assert "Embargoed scoop" in html and "Only the desk has read this." in html
    assert "Titi KEITA" in html and "Sahel" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "Preview: this article is not published" in html


def test_share_link_expires_after_the_configured_days(client, draft, settings):
    settings.NEWSROOM_PREVIEW_LINK_DAYS = 7
    url = make_share_url(draft)
    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23)):
        assert client.get(url).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        assert client.get(url).status_code == 404


def test_share_link_stops_working_once_the_article_is_published(client, draft):
    url = make_share_url(draft)
    draft.status = Article.Status.PUBLISHED
    draft.published_at = timezone.now() - timedelta(seconds=1)
    draft.save()
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: token.replace(":", ";", 1),
        lambda token: "not-a-token",
        lambda token: "x" * 5000,
    ],
    ids=["tampered-signature", "broken-format", "garbage", "huge"],
)
def test_tampered_share_links_are_404(client, draft, mangle):
    token = make_share_url(draft).rstrip("/").rsplit("/", 1)[1]
    response = client.get(reverse("articles:shared-preview", kwargs={"token": mangle(token)}))
    assert response.status_code == 404


def test_a_token_signed_for_another_purpose_or_article_id_is_refused(client, draft):
    other_salt = signing.dumps({"article": draft.pk}, salt="something-else")
    assert client.get(f"/preview/{other_salt}/").status_code == 404
    forged = signing.dumps({"article": "1 OR 1=1"}, salt=SHARE_SALT)
    assert client.get(f"/preview/{forged}/").status_code == 404
    missing = signing.dumps({"article": draft.pk + 999}, salt=SHARE_SALT)
    assert client.get(f"/preview/{missing}/").status_code == 404


def test_staff_preview_of_the_saved_draft(moderator_client, draft):
    url = reverse("admin:articles_article_preview", args=[draft.pk])
    response = moderator_client.get(url)
    assert response.status_code == 200
    assert "Only the desk has read this." in response.text
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_staff_preview_of_unsaved_form_content_changes_nothing(moderator_client, draft):
    url = reverse("admin:articles_article_preview", args=[draft.pk])
    second = make_author(name="Ben TWO")
    data = article_form_data(
        draft,
        headline="Retitled, not saved",
        body="<p>Typed but unsaved.</p><script>alert(1)</script>",
        tags=["Sahel", "New tag"],
    )
    data |= {
        "bylines-TOTAL_FORMS": "2",
        "bylines-1-author": second.pk,
        "bylines-1-position": "5",
    }
    response = moderator_client.post(url, data)
    assert response.status_code == 200
    html = response.text
    assert "Retitled, not saved" in html and "Typed but unsaved." in html
    assert "<script>alert(1)</script>" not in html
    assert "Titi KEITA</a> and <a" in html and "Ben TWO" in html
    assert "New tag" in html
    draft.refresh_from_db()
    assert draft.headline == "Embargoed scoop"
    assert draft.bylines.count() == 1 and not draft.tags.filter(name="New tag").exists()


def test_preview_of_a_new_unsaved_article(moderator_client):
    section = make_section()
    response = moderator_client.post(
        reverse("admin:articles_article_preview_new"),
        {
            "headline": "Fresh piece",
            "slug": "",
            "body": "<p>First words.</p>",
            "section": section.pk,
            "genre": "opinion",
            "status": "draft",
            "bylines-TOTAL_FORMS": "0",
            "bylines-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "Fresh piece" in response.text and "First words." in response.text
    assert '<span class="genre-label genre-opinion">Opinion</span>' in response.text
    assert not Article.objects.filter(headline="Fresh piece").exists()


def test_preview_of_an_invalid_form_says_what_is_wrong(moderator_client, draft):
    url = reverse("admin:articles_article_preview", args=[draft.pk])
    response = moderator_client.post(url, article_form_data(draft, headline="", section=""))
    assert response.status_code == 400
    assert "headline" in response.text and "section" in response.text


def test_share_link_is_offered_on_the_change_form_of_an_unpublished_article(
    moderator_client, draft
):
    html = moderator_client.get(reverse("admin:articles_article_change", args=[draft.pk])).text
    assert "/preview/" in html and "Share a preview" in html
    live = make_article()
    html = moderator_client.get(reverse("admin:articles_article_change", args=[live.pk])).text
    assert "Share a preview" not in html


def test_the_public_cannot_reach_staff_previews(client, draft):
    response = client.get(reverse("admin:articles_article_preview", args=[draft.pk]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.get(f"/{draft.section.slug}/{draft.slug}/").status_code == 404


def test_previewing_an_edited_form_after_a_colleague_saved_is_no_conflict(moderator_client, draft):
    from articles.revisions import create_revision

    opened = article_form_data(draft, headline="My edit")
    create_revision(draft, by=None)  # a colleague saved meanwhile
    url = reverse("admin:articles_article_preview", args=[draft.pk])
    response = moderator_client.post(url, opened)
    assert response.status_code == 200 and "My edit" in response.text
    assert not draft.revisions.filter(kind="conflict").exists()
