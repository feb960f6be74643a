"""The writing desk in a real browser: a writer drafts, saves and previews an article.

These tests drive Chromium (Debian's, at /usr/bin/chromium) through Playwright against
pytest-django's live server, so they cover what client tests cannot: the login page, the
rich-text editor, the select2 autocompletes, a file upload and Preview's new tab.
"""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from taggit.models import Tag

from articles.models import Article, Byline

from .browser import desk_writer, editor_of, expect, log_in
from .factories import make_author, make_section, run_tasks

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def writer():
    return desk_writer()


def anchors(html):
    """The attributes of every <a> in `html`, as dicts."""
    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "a":
                found.append(dict(attrs))

    Collector().feed(html)
    return found


def write_hero_jpeg(path):
    from PIL import Image

    Image.new("RGB", (640, 360), (30, 90, 160)).save(path, "JPEG", quality=85)
    return path


# The tests.


def test_writer_drafts_saves_and_previews(page, live_server, writer, artifacts, tmp_path):
    section = make_section(name="Politics", slug="politics")
    make_section(name="Culture", slug="culture")
    colleague = make_author(name="Titi KEITA", slug="titi-keita")
    Tag.objects.create(name="Sahel", slug="sahel")
    headline = "Parliament votes the budget at dawn"

    add_url = reverse("admin:articles_article_add")
    log_in(page, live_server, writer, add_url)

    page.locator("#id_headline").fill(headline)
    page.locator("#id_standfirst").fill("After a night of debate, the chamber passed it.")

    # The body, typed into the rich-text editor: a paragraph, a heading, bold text and a link.
    editor = editor_of(page)
    menu = page.locator(".field-body .prose-menubar")
    editor.click()
    page.keyboard.type("The vote came just before sunrise.")
    page.keyboard.press("Enter")
    menu.locator(".prose-menubar__dropdown .prose-menubar__selected").click()
    page.locator('button.prose-menubar__option[data-name="heading2"]').click()
    page.keyboard.type("What changes now")
    page.keyboard.press("Enter")
    page.keyboard.type("Taxes on fuel ")
    bold = menu.locator('[data-name="bold"]')
    bold.click()
    page.keyboard.type("rise by four percent")
    bold.click()
    page.keyboard.type(", according to ")
    link_text = "the report"
    page.keyboard.type(link_text)
    # On a busy machine the editor may still be catching up with the typing: wait for it, then
    # select what was just typed (the link button needs a selection) and wait for that too.
    expect(editor).to_contain_text(f"according to {link_text}")
    for _ in link_text:
        page.keyboard.press("Shift+ArrowLeft")
    page.wait_for_function(f"() => window.getSelection().toString() === {link_text!r}")
    menu.locator('[data-name="link"]').click()
    dialog = page.locator("dialog.prose-editor-dialog")
    dialog.locator('input[name="href"]').fill("https://example.org/report")
    dialog.get_by_role("button", name="Update").click()
    expect(dialog).to_have_count(0)
    expect(editor.locator("h2")).to_have_text("What changes now")
    expect(editor.locator("strong")).to_have_text("rise by four percent")
    expect(editor.locator('a[href="https://example.org/report"]')).to_have_text(link_text)

    page.locator("#id_section").select_option(label="Politics")

    # Bylines: the writer's own is already there; a colleague is added by autocomplete.
    expect(page.locator("#id_bylines-0-author")).to_have_value(str(writer.author_profile.pk))
    page.locator(".add-row a", has_text="Add another Byline").click()
    new_row = page.locator("#bylines-1")
    new_row.locator("#id_bylines-1-position").fill("1")
    new_row.locator(".select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("kei")
    page.locator(".select2-results__option", has_text="Titi KEITA").click()
    expect(new_row.locator(".select2-selection__rendered")).to_contain_text("Titi KEITA")

    # Tags: an existing one from the suggestions, a new one typed in.
    tags_box = page.locator(".field-tags .select2-selection")
    tags_box.click()
    search = page.locator(".field-tags .select2-search__field")
    search.fill("sah")
    page.locator(".select2-results__option", has_text=re.compile(r"^Sahel$")).click()
    search.fill("Budget 2026")
    expect(page.locator(".select2-results__option--highlighted")).to_have_text("Budget 2026")
    search.press("Enter")
    expect(page.locator("#id_tags option:checked")).to_have_text(["Sahel", "Budget 2026"])

    # The hero image: a real JPEG, and its alt text.
    page.locator("#id_hero_image").set_input_files(write_hero_jpeg(tmp_path / "dawn-vote.jpg"))
    page.locator("#id_hero_image_alt").fill("Members of parliament voting at dawn")

    page.screenshot(path=artifacts / "desk-editor.png", full_page=True)
    page.locator('input[name="_continue"]').click()
    expect(page.locator(".messagelist .success")).to_be_visible()

    article = Article.objects.get(headline=headline)
    assert page.url.endswith(reverse("admin:articles_article_change", args=[article.pk]))
    assert article.section == section
    assert article.created_by == writer
    assert "<h2>What changes now</h2>" in article.body
    assert "<strong>rise by four percent</strong>" in article.body
    links = [a for a in anchors(article.body) if a.get("href") == "https://example.org/report"]
    assert len(links) == 1 and links[0].get("rel") == "noopener noreferrer", article.body
    assert sorted(article.tags.names()) == ["Budget 2026", "Sahel"]
    assert Tag.objects.count() == 2  # Sahel was reused, not duplicated.
    assert article.hero_image.name
    assert article.hero_image_alt == "Members of parliament voting at dawn"
    assert article.hero_renditions == {}  # the save returned before any rendition was made
    run_tasks()  # the worker makes them
    article.refresh_from_db()
    assert article.hero_renditions.get("items")

    # Preview: the form as it now stands, in a new tab.
    with page.expect_popup() as popup_info:
        page.locator("button.desk-preview-button").click()
    preview = popup_info.value
    preview.wait_for_load_state()
    expect(preview.locator(".preview-banner")).to_be_visible()
    expect(preview.locator("h1.story-headline")).to_have_text(headline)
    body = preview.locator(".story-body")
    expect(body.locator("h2")).to_have_text("What changes now")
    expect(body.locator("strong")).to_have_text("rise by four percent")
    expect(body.locator('a[href="https://example.org/report"]')).to_have_text(link_text)
    expect(preview.locator(".tags a")).to_have_text(["Sahel", "Budget 2026"])
    hero = preview.locator("figure.hero img")
    expect(hero).to_have_attribute("alt", "Members of parliament voting at dawn")
    expect(hero).to_have_js_property("complete", True)
    assert hero.evaluate("img => img.naturalWidth") > 0  # The rendition was served.
    preview.screenshot(path=artifacts / "desk-preview.png", full_page=True)

    # Both bylines, the writer's own (pre-filled in the first row) first, then the colleague.
    # Checked last, so that a failure here still leaves everything above exercised and both
    # screenshots taken.
    bylines = Byline.objects.filter(article=article)
    assert [b.author for b in bylines] == [writer.author_profile, colleague]
    expect(preview.locator(".byline a")).to_have_text(["Wanda WRITER", "Titi KEITA"])


def test_preview_shows_unsaved_edits_without_saving_them(page, live_server, writer):
    article = Article.objects.create(
        headline="Rains return to the north",
        slug="rains-return-to-the-north",
        body="<p>The first storm arrived on Tuesday.</p>",
        section=make_section(),
        status=Article.Status.DRAFT,
        created_by=writer,
    )
    Byline.objects.create(article=article, author=writer.author_profile, position=0)
    extra = "Farmers began sowing the next morning."

    change_url = reverse("admin:articles_article_change", args=[article.pk])
    log_in(page, live_server, writer, change_url)
    editor = editor_of(page)
    expect(editor).to_contain_text("The first storm arrived on Tuesday.")
    editor.locator("p").last.click()
    page.keyboard.press("End")
    page.keyboard.type(f" {extra}")

    with page.expect_popup() as popup_info:
        page.locator("button.desk-preview-button").click()
    preview = popup_info.value
    preview.wait_for_load_state()
    assert preview.url.endswith(reverse("admin:articles_article_preview", args=[article.pk]))
    expect(preview.locator(".preview-banner")).to_be_visible()
    expect(preview.locator(".story-body")).to_contain_text(
        f"The first storm arrived on Tuesday. {extra}"
    )
    article.refresh_from_db()
    assert extra not in article.body
    assert article.body == "<p>The first storm arrived on Tuesday.</p>"
