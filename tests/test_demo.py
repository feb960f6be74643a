"""load_demo: a whole demo newsroom, built once however often it runs."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from articles.models import Article, Author, Byline, Section

pytestmark = pytest.mark.django_db

SAMPLE_URL = "/opinion/mali-russia-defense-talks-signal-strategic-shift-and-sovereign-posture/"


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Article, Author, Byline, Section, get_user_model())
    } | {"tags": sum(article.tags.count() for article in Article.objects.all())}


def test_load_demo_serves_the_sample_piece_by_titi_keita(client):
    call_command("load_demo")
    response = client.get(SAMPLE_URL)
    assert response.status_code == 200
    html = response.text
    # An opinion piece in the Opinion section: labelled once, by its section link.
    assert '<a class="section-link" href="/opinion/">Opinion</a>' in html
    assert "genre-label" not in html
    assert '<a href="/authors/titi-keita/" rel="author">Titi KEITA</a>' in html
    assert client.get("/authors/titi-keita/").status_code == 200


def test_load_demo_is_idempotent():
    call_command("load_demo")
    first = counts()
    assert first["Article"] >= 6 and first["Section"] == 4
    call_command("load_demo")
    assert counts() == first


def test_demo_has_a_multi_author_piece_and_every_genre():
    call_command("load_demo")
    assert {article.genre for article in Article.objects.all()} == set(Article.Genre.values)
    assert any(len(article.ordered_authors) > 1 for article in Article.objects.all())
    assert Article.objects.published().count() == Article.objects.count()


def test_demo_accounts_only_when_debug_is_on(settings, capsys):
    settings.DEBUG = False
    call_command("load_demo")
    assert get_user_model().objects.count() == 0
    assert "Demo accounts skipped" in capsys.readouterr().out
    settings.DEBUG = True
    call_command("load_demo")
    out = capsys.readouterr().out
    user = get_user_model().objects.get(username="editor")
    assert user.is_staff and user.check_password("newsroom-demo")
    assert "Demo login (administrator): editor / newsroom-demo" in out
    writer = get_user_model().objects.get(username="writer")
    assert list(writer.groups.values_list("name", flat=True)) == ["Writer"]
    assert writer.author_profile.name == "Mariam COULIBALY"
    assert get_user_model().objects.get(username="moderator").groups.get().name == "Moderator"


def test_every_demo_page_renders(client):
    call_command("load_demo")
    paths = ["/"]
    paths += [section.get_absolute_url() for section in Section.objects.all()]
    paths += [article.get_absolute_url() for article in Article.objects.all()]
    paths += [author.get_absolute_url() for author in Author.objects.all()]
    paths += [
        f"/tags/{tag.slug}/" for article in Article.objects.all() for tag in article.tags.all()
    ]
    for path in paths:
        assert client.get(path).status_code == 200, path


def test_the_demo_desk_has_a_piece_in_every_state(client, settings):
    from datetime import timedelta

    from django.utils import timezone

    from articles import revisions
    from articles.workflow import State, state_of

    settings.DEBUG = True
    call_command("load_demo")
    states = {state_of(article) for article in Article.objects.all()}
    assert {State.DRAFT, State.IN_REVIEW, State.CHANGES_REQUESTED, State.SCHEDULED} <= states
    scheduled = next(a for a in Article.objects.all() if state_of(a) == State.SCHEDULED)
    assert scheduled.published_at - timezone.now() < timedelta(days=2)
    late = Article.objects.get(due_at__lt=timezone.now())
    assert late.status == Article.Status.DRAFT and late.assignee.name == "Mariam COULIBALY"
    planned = Article.objects.get(due_at__gt=timezone.now())
    assert planned.status == Article.Status.DRAFT and planned.assignee.name == "Mariam COULIBALY"
    assert planned.budget_line and planned.due_at > timezone.now()
    sent_back = Article.objects.get(status=Article.Status.CHANGES_REQUESTED)
    assert sent_back.notes.get().body.startswith("Please add the ministry's answer")
    waiting = [a for a in Article.objects.published() if revisions.pending_revision(a)]
    assert len(waiting) == 1 and revisions.pending_revision(waiting[0]).submitted_at
    # Nothing of the desk reaches readers.
    for article in Article.objects.exclude(pk__in=[a.pk for a in Article.objects.published()]):
        assert client.get(article.get_absolute_url()).status_code == 404
    # The moderator's desk home shows all of it at once.
    client.force_login(get_user_model().objects.get(username="moderator"))
    home = client.get("/admin/").content.decode()
    for headline in (
        late.headline,
        "Water tariffs rise by 4% from January",
        "Harvest festival returns to the river bank",
        waiting[0].headline,
    ):
        assert headline in home
    client.force_login(get_user_model().objects.get(username="writer"))
    assert planned.headline in client.get("/admin/").content.decode()
    call_command("load_demo")  # and again: nothing added twice
    assert Article.objects.filter(headline=sent_back.headline).count() == 1
