"""The article and author forms of the desk: slugs, tags, images, through the admin's real URLs."""

import io
import os

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from taggit.models import Tag

from articles.models import Article, Author
from articles.workflow import apply_transition

from .factories import make_article, make_author, make_section, make_user, run_tasks
from .test_permissions import article_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(make_user("chief", is_staff=True, is_superuser=True))
    return client


def new_article_data(section, **overrides):
    return {
        "headline": "A headline",
        "slug": "",
        "standfirst": "",
        "body": "<p>Text.</p>",
        "section": section.pk,
        "genre": "news",
        "status": "draft",
        "hero_image_alt": "",
        "bylines-TOTAL_FORMS": "0",
        "bylines-INITIAL_FORMS": "0",
    } | overrides


def stored_files(settings):
    root = settings.MEDIA_ROOT
    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _, names in os.walk(root)
        for name in names
    )


def jpeg_with_gps(width=800, height=400):
    image = Image.new("RGB", (width, height), (30, 90, 160))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    exif[0x010F] = "Camera maker"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (12.0, 39.0, 0.0), "W", (8.0, 0.0, 0.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return SimpleUploadedFile("bamako.JPG", buffer.getvalue(), content_type="image/jpeg")


# Slugs.


def test_slug_is_filled_from_the_headline_unicode_safe_and_unique(admin_client):
    section = make_section()
    make_article(slug="goita-a-bamako-leve-le-voile")
    url = reverse("admin:articles_article_add")
    response = admin_client.post(
        url, new_article_data(section, headline="Goïta à Bamako lève le voile")
    )
    assert response.status_code == 302
    assert Article.objects.filter(slug="goita-a-bamako-leve-le-voile-2").exists()


def test_an_explicit_duplicate_slug_is_a_form_error(admin_client):
    section = make_section()
    make_article(slug="taken")
    response = admin_client.post(
        reverse("admin:articles_article_add"), new_article_data(section, slug="taken")
    )
    assert response.status_code == 200
    assert "Article with this Slug already exists." in response.text


def test_changing_a_published_slug_keeps_the_old_url_as_a_301(admin_client, client):
    article = make_article(slug="first-slug", headline="Moving story")
    old_url = article.get_absolute_url()
    response = admin_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        article_form_data(article, slug="second-slug"),
    )
    assert response.status_code == 302
    # The slug of a live piece changes when the change is published, like any other edit.
    article.refresh_from_db()
    assert article.slug == "first-slug"
    apply_transition(article, "publish_changes", by=User.objects.get(username="chief"))
    article.refresh_from_db()
    assert article.slug == "second-slug"
    redirect = client.get(old_url)
    assert redirect.status_code == 301
    assert redirect["Location"] == article.get_absolute_url()
    assert client.get(redirect["Location"]).status_code == 200
    # And back again: the slug that is current again never redirects to itself.
    admin_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        article_form_data(article, slug="first-slug"),
    )
    apply_transition(article, "publish_changes", by=User.objects.get(username="chief"))
    assert client.get(old_url).status_code == 200
    assert client.get(f"/{article.section.slug}/second-slug/").status_code == 301


def test_an_old_slug_of_an_unpublished_article_does_not_redirect(admin_client, client):
    article = make_article(slug="draft-slug", status=Article.Status.DRAFT)
    admin_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        article_form_data(article, slug="new-draft-slug"),
    )
    assert client.get(f"/{article.section.slug}/draft-slug/").status_code == 404


# Tags.


def test_tags_are_created_on_the_fly_without_case_duplicates(admin_client):
    make_article(tags=["Sahel"])
    section = make_section()
    response = admin_client.post(
        reverse("admin:articles_article_add"),
        new_article_data(section, slug="tagged", tags=["sahel", "SAHEL", "Mali", " mali "]),
    )
    assert response.status_code == 302
    names = sorted(tag.name for tag in Article.objects.get(slug="tagged").tags.all())
    assert names == ["Mali", "Sahel"]
    assert Tag.objects.count() == 2


def test_unusable_tags_are_a_form_error(admin_client):
    section = make_section()
    response = admin_client.post(
        reverse("admin:articles_article_add"),
        new_article_data(section, slug="bad-tags", tags=["!!!", "x" * 101]),
    )
    assert response.status_code == 200
    assert "is not a usable tag" in response.text
    assert not Article.objects.filter(slug="bad-tags").exists()


def test_tag_suggestions_autocomplete_from_existing_tags(admin_client):
    make_article(tags=["Sahel", "Security", "Economy"])
    url = reverse("admin:articles_article_tags")
    assert admin_client.get(url, {"term": "se"}).json() == {"results": ["Security"]}
    assert admin_client.get(url, {"term": "SA"}).json() == {"results": ["Sahel"]}
    assert admin_client.get(url, {"term": "x" * 10_000}).json() == {"results": []}
    admin_client.logout()
    assert admin_client.get(url).status_code == 302  # the public is sent to the login page


# Images.


# Committed for real: the task worker (run_tasks) closes connections inside a transaction.
@pytest.mark.django_db(transaction=True)
def test_hero_image_upload_is_cleaned_and_gets_renditions(admin_client, settings, client):
    section = make_section()
    response = admin_client.post(
        reverse("admin:articles_article_add"),
        new_article_data(
            section,
            slug="with-image",
            hero_image=jpeg_with_gps(),
            hero_image_alt="A street in Bamako",
        ),
    )
    assert response.status_code == 302, response.text[:3000]
    article = Article.objects.get(slug="with-image")
    # The save stored the cleaned original and returned; the worker makes the renditions.
    assert article.hero_renditions == {}
    run_tasks()
    article.refresh_from_db()
    chief = User.objects.get(username="chief")
    apply_transition(article, "submit", by=chief)
    apply_transition(article, "publish", by=chief)
    with article.hero_image.open("rb") as stored:
        image = Image.open(stored)
        image.load()
    assert image.size == (400, 800)  # orientation applied before the EXIF was dropped
    assert not image.getexif()
    assert article.hero_image.name.endswith(".jpg")
    items = article.hero_renditions["items"]
    assert {(item["format"], item["width"]) for item in items} == {
        ("jpeg", 400),
        ("webp", 400),
    }
    html = client.get(article.get_absolute_url()).text
    assert 'alt="A street in Bamako" width="400" height="800"' in html


# Committed for real: the task worker (run_tasks) closes connections inside a transaction.
@pytest.mark.django_db(transaction=True)
def test_replacing_the_image_remakes_renditions_and_removes_the_old_ones(admin_client, settings):
    section = make_section()
    data = new_article_data(section, slug="swap", hero_image_alt="First picture")
    admin_client.post(reverse("admin:articles_article_add"), data | {"hero_image": jpeg_with_gps()})
    run_tasks()
    article = Article.objects.get(slug="swap")
    first = {item["name"] for item in article.hero_renditions["items"]}
    buffer = io.BytesIO()
    Image.new("RGB", (1000, 500), (200, 10, 10)).save(buffer, "PNG")
    admin_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        article_form_data(article, hero_image_alt="Second picture")
        | {"hero_image": SimpleUploadedFile("second.png", buffer.getvalue())},
    )
    run_tasks()
    article.refresh_from_db()
    second = {item["name"] for item in article.hero_renditions["items"]}
    assert first.isdisjoint(second)
    assert {item["width"] for item in article.hero_renditions["items"]} == {480, 960, 1000}
    files = stored_files(settings)
    assert not any(name in files for name in first)
    assert all(name in files for name in second)


BAD_UPLOADS = {
    "renamed text file": (b"This is not a picture at all.\n" * 10, "photo.jpg"),
    "svg": (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "a.svg"),
    "truncated jpeg": (None, "half.jpg"),
}


@pytest.mark.parametrize("content,name", BAD_UPLOADS.values(), ids=BAD_UPLOADS.keys())
def test_bad_uploads_are_refused_and_nothing_is_stored(admin_client, settings, content, name):
    if content is None:
        buffer = io.BytesIO()
        Image.new("RGB", (600, 400), (1, 2, 3)).save(buffer, "JPEG")
        content = buffer.getvalue()[: len(buffer.getvalue()) // 2]
    section = make_section()
    response = admin_client.post(
        reverse("admin:articles_article_add"),
        new_article_data(
            section,
            slug="bad-upload",
            hero_image_alt="x",
            hero_image=SimpleUploadedFile(name, content),
        ),
    )
    assert response.status_code == 200
    assert "errorlist" in response.text
    assert not Article.objects.filter(slug="bad-upload").exists()
    assert stored_files(settings) == []


def test_oversized_upload_is_refused_naming_the_limit(admin_client, settings):
    settings.NEWSROOM_MAX_IMAGE_BYTES = 1024 * 1024
    buffer = io.BytesIO()
    Image.effect_noise((900, 900), 100).convert("RGB").save(buffer, "PNG")
    assert buffer.tell() > 1024 * 1024
    section = make_section()
    response = admin_client.post(
        reverse("admin:articles_article_add"),
        new_article_data(
            section,
            slug="big",
            hero_image_alt="x",
            hero_image=SimpleUploadedFile("big.png", buffer.getvalue()),
        ),
    )
    assert response.status_code == 200
    assert "1 MB" in response.text
    assert stored_files(settings) == []


def test_alt_text_is_required_with_an_image(admin_client, settings):
    section = make_section()
    response = admin_client.post(
        reverse("admin:articles_article_add"),
        new_article_data(section, slug="no-alt", hero_image=jpeg_with_gps()),
    )
    assert response.status_code == 200
    assert "Describe the image for readers who cannot see it." in response.text
    assert stored_files(settings) == []


# Committed for real: the task worker (run_tasks) closes connections inside a transaction.
@pytest.mark.django_db(transaction=True)
def test_an_image_replaced_before_the_worker_ran_gets_only_the_newer_renditions(
    admin_client, settings
):
    section = make_section()
    data = new_article_data(section, slug="quick-swap", hero_image_alt="A picture")
    admin_client.post(reverse("admin:articles_article_add"), data | {"hero_image": jpeg_with_gps()})
    article = Article.objects.get(slug="quick-swap")
    buffer = io.BytesIO()
    Image.new("RGB", (1000, 500), (10, 10, 200)).save(buffer, "PNG")
    admin_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        article_form_data(article) | {"hero_image": SimpleUploadedFile("b.png", buffer.getvalue())},
    )
    run_tasks()  # both tasks run: the first finds its image replaced and makes nothing
    article.refresh_from_db()
    assert article.hero_renditions["source"] == article.hero_image.name
    renditions = {item["name"] for item in article.hero_renditions["items"]}
    made = {name for name in stored_files(settings) if "renditions/" in name}
    assert {name.rsplit("/", 1)[-1] for name in renditions} == {
        name.rsplit("/", 1)[-1] for name in made
    }


# Committed for real: the task worker (run_tasks) closes connections inside a transaction.
@pytest.mark.django_db(transaction=True)
def test_author_photo_is_cleaned_with_renditions_on_the_author_page(admin_client, client):
    author = make_author(name="Titi KEITA", slug="titi-keita")
    make_article(authors=[author])
    response = admin_client.post(
        reverse("admin:articles_author_change", args=[author.pk]),
        {
            "name": "Titi KEITA",
            "slug": "titi-keita",
            "role": "",
            "bio": "",
            "photo": jpeg_with_gps(600, 600),
        },
    )
    assert response.status_code == 302, response.text[:2000]
    assert '<source type="image/webp"' not in client.get("/authors/titi-keita/").text
    run_tasks()  # the worker makes the renditions; the author page shows them
    author = Author.objects.get(pk=author.pk)
    with author.photo.open("rb") as stored:
        assert not Image.open(stored).getexif()
    html = client.get("/authors/titi-keita/").text
    assert '<source type="image/webp"' in html and 'alt="Titi KEITA"' in html
    assert author.photo.url not in html
