"""The permission matrix: every role against every desk action, through the admin's real URLs.

Each action returns True when it took effect (checked in the database, not only by status
code), and the test compares that with what the role may do.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Author, Section
from articles.revisions import pending_revision, working_revision

from .factories import make_article, make_author, make_section, make_user

pytestmark = pytest.mark.django_db


def article_form_data(article, **overrides):
    bylines = list(article.bylines.all())
    data = {
        "headline": article.headline,
        "slug": article.slug,
        "standfirst": article.standfirst,
        "body": article.body,
        "section": article.section_id,
        "genre": article.genre,
        "tags": [tag.name for tag in article.tags.all()],
        "status": article.status,
        "published_at_0": "",
        "published_at_1": "",
        "hero_image_alt": "",
        "hero_image_caption": "",
        "hero_image_credit": "",
        "seo_title": "",
        "meta_description": "",
        "bylines-TOTAL_FORMS": str(len(bylines)),
        "bylines-INITIAL_FORMS": str(len(bylines)),
        "bylines-MIN_NUM_FORMS": "0",
        "bylines-MAX_NUM_FORMS": "1000",
        # The revision the form was opened on, as the change form carries it.
        "base_revision": getattr(working_revision(article), "pk", 0),
    }
    if article.published_at:
        local = timezone.localtime(article.published_at)
        data["published_at_0"] = local.strftime("%Y-%m-%d")
        data["published_at_1"] = local.strftime("%H:%M:%S")
    for n, byline in enumerate(bylines):
        data |= {
            f"bylines-{n}-id": byline.pk,
            f"bylines-{n}-article": article.pk,
            f"bylines-{n}-author": byline.author_id,
            f"bylines-{n}-position": byline.position,
        }
    return data | overrides


@pytest.fixture
def desk():
    """A small newsroom: two writers with their drafts, a live piece, a moderator, an admin."""

    def staff(name, role=None, **extra):
        user = make_user(name, is_staff=True, **extra)
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    writer = staff("writer", "Writer")
    other_writer = staff("other", "Writer")
    writer_author = make_author(name="Writer ONE", user=writer)
    other_author = make_author(name="Other TWO", user=other_writer)
    section = make_section()
    return {
        "users": {
            "writer": writer,
            "moderator": staff("moderator", "Moderator"),
            "admin": staff("admin", is_superuser=True),
            "staff without role": staff("plain"),
        },
        "own_draft": make_article(
            headline="Own draft",
            status=Article.Status.DRAFT,
            section=section,
            authors=[writer_author],
            created_by=writer,
        ),
        "co_authored_draft": make_article(
            headline="Co-authored",
            status=Article.Status.DRAFT,
            section=section,
            authors=[other_author, writer_author],
            created_by=other_writer,
        ),
        "others_draft": make_article(
            headline="Other's draft",
            status=Article.Status.DRAFT,
            section=section,
            authors=[other_author],
            created_by=other_writer,
        ),
        "own_published": make_article(
            headline="Own live piece",
            section=section,
            authors=[writer_author],
            created_by=writer,
        ),
        "own_in_review": make_article(
            headline="Own submitted",
            status=Article.Status.IN_REVIEW,
            section=section,
            authors=[writer_author],
            created_by=writer,
        ),
        "section": section,
    }


def edit(client, article, **changes):
    url = reverse("admin:articles_article_change", args=[article.pk])
    before = Article.objects.get(pk=article.pk)
    response = client.post(url, article_form_data(before, **changes))
    after = Article.objects.get(pk=article.pk)
    changed = any(
        str(getattr(after, field)) != str(getattr(before, field))
        for field in changes
        if not field.startswith("published_at")
    )
    return response.status_code in (200, 302, 403) and changed, response


def action_view_changelist(client, d):
    return client.get(reverse("admin:articles_article_changelist")).status_code == 200


def action_create_article(client, d):
    response = client.post(
        reverse("admin:articles_article_add"),
        {
            "headline": "Brand new",
            "slug": "",
            "body": "<p>x</p>",
            "section": d["section"].pk,
            "genre": "news",
            "status": "draft",
            "bylines-TOTAL_FORMS": "0",
            "bylines-INITIAL_FORMS": "0",
        },
    )
    return response.status_code == 302 and Article.objects.filter(slug="brand-new").exists()


def action_edit_own_draft(client, d):
    return edit(client, d["own_draft"], headline="Own draft, revised")[0]


def action_edit_co_authored_draft(client, d):
    return edit(client, d["co_authored_draft"], headline="Co-authored, revised")[0]


def action_edit_others_draft(client, d):
    return edit(client, d["others_draft"], headline="Hijacked")[0]


def action_change_live_text_directly(client, d):
    return edit(client, d["own_published"], headline="Changed live")[0]


def action_prepare_change_to_live_piece(client, d):
    """A save of a live piece becomes a pending revision; readers' version stays as it was."""
    edit(client, d["own_published"], headline="Changed live")
    pending = pending_revision(d["own_published"])
    return pending is not None and pending.content["headline"] == "Changed live"


def action_edit_in_review(client, d):
    return edit(client, d["own_in_review"], headline="Changed under review")[0]


def transition(client, article, name, **data):
    url = reverse("admin:articles_article_transition", args=[article.pk])
    before = Article.objects.get(pk=article.pk)
    client.post(url, {"transition": name, **data})
    after = Article.objects.get(pk=article.pk)
    return (after.status, after.published_at) != (before.status, before.published_at)


def action_submit_for_review(client, d):
    return transition(client, d["own_draft"], "submit")


def action_publish(client, d):
    return transition(client, d["own_in_review"], "publish")


def action_schedule(client, d):
    later = timezone.localtime() + timedelta(days=1)
    return transition(client, d["own_in_review"], "schedule", at=later.strftime("%Y-%m-%dT%H:%M"))


def action_request_changes(client, d):
    return transition(client, d["own_in_review"], "request_changes", note="Tighten the intro.")


def action_unpublish(client, d):
    return transition(client, d["own_published"], "unpublish")


def action_submit_others_draft(client, d):
    return transition(client, d["others_draft"], "submit")


def action_delete(client, d):
    article = d["own_draft"]
    client.post(reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"})
    # Deleting moves to the bin: the row, its revisions and audit entries stay.
    return Article.objects.get(pk=article.pk).deleted_at is not None


def action_bulk_delete(client, d):
    client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "delete_selected", "_selected_action": [d["others_draft"].pk], "post": "yes"},
    )
    return Article.objects.get(pk=d["others_draft"].pk).deleted_at is not None


def action_preview_others_draft(client, d):
    url = reverse("admin:articles_article_preview", args=[d["others_draft"].pk])
    response = client.get(url)
    return response.status_code == 200 and "Other&#x27;s draft" in response.text


def action_open_others_draft(client, d):
    url = reverse("admin:articles_article_change", args=[d["others_draft"].pk])
    return client.get(url).status_code == 200


def action_manage_sections(client, d):
    client.post(
        reverse("admin:articles_section_add"),
        {"name": "Sport", "slug": "sport", "description": "", "position": 5},
    )
    return Section.objects.filter(slug="sport").exists()


def action_manage_authors(client, d):
    client.post(
        reverse("admin:articles_author_add"),
        {"name": "New Voice", "slug": "new-voice", "role": "", "bio": ""},
    )
    return Author.objects.filter(slug="new-voice").exists()


def action_manage_tags(client, d):
    client.post(reverse("admin:articles_tag_add"), {"name": "Curated", "slug": "curated"})
    return Tag.objects.filter(slug="curated").exists()


def action_manage_users(client, d):
    return client.get(reverse("admin:auth_user_changelist")).status_code == 200


# fmt: off
ALLOWED = {
    # action:                       writer moderator admin  no-role
    action_view_changelist:        (True,  True,     True,  False),
    action_create_article:         (True,  True,     True,  False),
    action_edit_own_draft:         (True,  True,     True,  False),
    action_edit_co_authored_draft: (True,  True,     True,  False),
    action_edit_others_draft:      (False, True,     True,  False),
    action_change_live_text_directly: (False, False,  False, False),
    action_prepare_change_to_live_piece: (True, True, True,  False),
    action_edit_in_review:         (False, True,     True,  False),
    action_submit_for_review:      (True,  True,     True,  False),
    action_submit_others_draft:    (False, True,     True,  False),
    action_publish:                (False, True,     True,  False),
    action_schedule:               (False, True,     True,  False),
    action_request_changes:        (False, True,     True,  False),
    action_unpublish:              (False, True,     True,  False),
    action_delete:                 (False, True,     True,  False),
    action_bulk_delete:            (False, True,     True,  False),
    action_preview_others_draft:   (False, True,     True,  False),
    action_open_others_draft:      (False, True,     True,  False),
    action_manage_sections:        (False, True,     True,  False),
    action_manage_authors:         (False, True,     True,  False),
    action_manage_tags:            (False, True,     True,  False),
    action_manage_users:           (False, False,    True,  False),
}
# fmt: on
ROLES = ["writer", "moderator", "admin", "staff without role"]
MATRIX = [
    pytest.param(role, action, allowed[n], id=f"{role}-{action.__name__[7:]}")
    for action, allowed in ALLOWED.items()
    for n, role in enumerate(ROLES)
]


@pytest.mark.parametrize("role,action,allowed", MATRIX)
def test_permission_matrix(client, desk, role, action, allowed):
    client.force_login(desk["users"][role])
    assert action(client, desk) is allowed


def test_forbidden_edit_is_a_403_and_changes_nothing(client, desk):
    client.force_login(desk["users"]["writer"])
    took_effect, response = edit(client, desk["others_draft"], headline="Hijacked")
    assert response.status_code == 403
    assert not took_effect


@pytest.mark.parametrize("role", ["writer", "moderator"])
def test_status_cannot_be_set_through_the_article_form(client, desk, role):
    """Status changes only through the workflow; a crafted form field is ignored."""
    client.force_login(desk["users"][role])
    article = desk["own_draft"]
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = article_form_data(article, headline="Edited", status="published")
    data |= {"published_at_0": "2020-01-01", "published_at_1": "10:00:00"}
    assert client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert article.headline == "Edited"
    assert article.status == Article.Status.DRAFT and article.published_at is None


def test_writer_sees_only_the_steps_they_may_take(client, desk):
    client.force_login(desk["users"]["writer"])
    html = client.get(reverse("admin:articles_article_change", args=[desk["own_draft"].pk])).text
    assert 'name="transition" value="submit"' in html
    for forbidden in ["publish", "schedule", "request_changes", "unpublish"]:
        assert f'name="transition" value="{forbidden}"' not in html
    assert "deletelink" not in html
    changelist = client.get(reverse("admin:articles_article_changelist")).text
    assert "delete_selected" not in changelist and "publish_selected" not in changelist
    assert "submit_selected" in changelist


def test_moderator_sees_publication_steps(client, desk):
    client.force_login(desk["users"]["moderator"])
    url = reverse("admin:articles_article_change", args=[desk["own_in_review"].pk])
    html = client.get(url).text
    for step in ["publish", "schedule", "request_changes", "withdraw"]:
        assert f'name="transition" value="{step}"' in html
    assert "deletelink" in html
    changelist = client.get(reverse("admin:articles_article_changelist")).text
    assert "publish_selected" in changelist and "unpublish_selected" in changelist


def test_writer_slipping_another_writers_article_into_an_action_changes_nothing(client, desk):
    client.force_login(desk["users"]["writer"])
    others = desk["others_draft"]
    for action in ["submit_selected", "publish_selected", "delete_selected"]:
        client.post(
            reverse("admin:articles_article_changelist"),
            {
                "action": action,
                "_selected_action": [others.pk, desk["own_draft"].pk],
                "post": "yes",
                "mine": "all",
            },
        )
    others.refresh_from_db()
    assert others.status == Article.Status.DRAFT
    assert Article.objects.filter(pk=others.pk).exists()
    # Their own draft in the same request was submitted: the action ran, for what they may touch.
    assert Article.objects.get(pk=desk["own_draft"].pk).status == Article.Status.IN_REVIEW


def test_writers_changelist_defaults_to_their_own_work(client, desk):
    client.force_login(desk["users"]["writer"])
    url = reverse("admin:articles_article_changelist")
    mine = client.get(url).text
    assert "Own draft" in mine and "Co-authored" in mine
    assert "Other&#x27;s draft" not in mine
    everything = client.get(url, {"mine": "all"}).text
    # "All" is everything a writer may see: their own work and what is already public.
    assert "Own live piece" in everything and "Other&#x27;s draft" not in everything


def test_moderators_changelist_shows_every_article(client, desk):
    client.force_login(desk["users"]["moderator"])
    html = client.get(reverse("admin:articles_article_changelist")).text
    for headline in ["Own draft", "Co-authored", "Other&#x27;s draft", "Own live piece"]:
        assert headline in html


def test_new_article_starts_with_the_writers_own_byline(client, desk):
    client.force_login(desk["users"]["writer"])
    html = client.get(reverse("admin:articles_article_add")).text
    author = desk["users"]["writer"].author_profile
    assert f'<option value="{author.pk}" selected>Writer ONE</option>' in html


def test_article_saved_without_bylines_gets_the_writers_own(client, desk):
    client.force_login(desk["users"]["writer"])
    assert action_create_article(client, desk)
    article = Article.objects.get(slug="brand-new")
    assert article.ordered_authors == [desk["users"]["writer"].author_profile]
    assert article.created_by == desk["users"]["writer"]


@pytest.mark.parametrize("action", list(ALLOWED), ids=lambda action: action.__name__[7:])
def test_anonymous_visitors_can_do_nothing_at_the_desk(client, desk, action):
    assert action(client, desk) is False


def test_every_desk_url_sends_anonymous_visitors_to_the_login_page(client, desk):
    article = desk["own_draft"]
    urls = [
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_article_add"),
        reverse("admin:articles_article_change", args=[article.pk]),
        reverse("admin:articles_article_history", args=[article.pk]),
        reverse("admin:articles_article_delete", args=[article.pk]),
        reverse("admin:articles_article_preview", args=[article.pk]),
        reverse("admin:articles_article_revisions", args=[article.pk]),
        reverse("admin:articles_article_queue"),
        reverse("admin:articles_article_tags"),
        reverse("admin:articles_auditentry_changelist"),
        reverse("admin:auth_user_changelist"),
    ]
    for url in urls:
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/admin/login/"), url
