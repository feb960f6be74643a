"""read_ghost: Ghost exports (1.x, 3.x, 5.x) read as importers.items, and every file it refuses.

No database: the reader only reads. Fixtures are in tests/fixtures/ghost/.
"""

import io
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from importers.ghost import MAX_BYTES, read_ghost
from importers.ghost_content import lexical_html, mobiledoc_html
from importers.ghost_markdown import markdown_html
from importers.items import (
    DRAFT,
    PRIVATE,
    PUBLISHED,
    SCHEDULED,
    Ref,
    Skipped,
    SourceAuthor,
    SourceError,
    SourceImage,
    SourcePost,
    SourceSite,
    SourceTerm,
)
from importers.sanitizing import sanitize_counting

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ghost"
# After every fixture's past dates, before the 2030 one.
NOW = datetime(2025, 1, 1, tzinfo=UTC)


def read(name, **options):
    with open(FIXTURES / name, "rb") as fileobj:
        return list(read_ghost(fileobj, **options))


def posts(items):
    return {item.source_id: item for item in items if isinstance(item, SourcePost)}


def skipped(items):
    return [item for item in items if isinstance(item, Skipped)]


@pytest.fixture(scope="module")
def ghost1():
    with time_machine.travel(NOW, tick=False):
        return read("ghost-1.x.json")


@pytest.fixture(scope="module")
def ghost3():
    with time_machine.travel(NOW, tick=False):
        return read("ghost-3.x.json")


@pytest.fixture(scope="module")
def ghost5():
    with time_machine.travel(NOW, tick=False):
        return read("ghost-5.x.json")


def export(*post_rows, wrapped=True, **tables):
    """A small Ghost export holding `post_rows` (and other tables), as a binary file."""
    data = {"posts": list(post_rows), **tables}
    document = {"meta": {"exported_on": 1710000000000, "version": "5.75.1"}, "data": data}
    return io.BytesIO(json.dumps({"db": [document]} if wrapped else document).encode())


def row(**fields):
    return {"id": "1", "title": "Hello", "slug": "hello", "status": "published", **fields}


def only_post(fileobj, **options):
    (post,) = posts(read_ghost(fileobj, **options)).values()
    return post


def refusal(fileobj, **options):
    with pytest.raises(SourceError) as refused:
        list(read_ghost(fileobj, **options))
    return str(refused.value)


# Ghost 1.x: epoch milliseconds, author_id, markdown cards, page: true.


def test_1x_site_comes_first_with_its_title_and_language_and_no_url(ghost1):
    assert ghost1[0] == SourceSite(title="The Daily Ghost", base_url="", language="en")


def test_1x_users_become_authors_with_their_archive_paths(ghost1):
    assert [item for item in ghost1 if isinstance(item, SourceAuthor)] == [
        SourceAuthor(
            source_id="1",
            slug="jane",
            name="Jane Doe",
            bio="Editor. Twenty years on the harbour beat.",
            email="jane@daily-ghost.example",
            old_paths=["/author/jane/"],
        ),
        SourceAuthor(
            source_id="5a0f9c2e1b2c3d4e5f600002",
            slug="omar",
            name="Omar Khalil",
            email="omar@daily-ghost.example",
            old_paths=["/author/omar/"],
        ),
    ]


def test_1x_tags_become_tag_terms_with_their_archive_paths(ghost1):
    assert [item for item in ghost1 if isinstance(item, SourceTerm)] == [
        SourceTerm(
            kind="tag",
            source_id="5a0f9c2e1b2c3d4e5f600101",
            slug="news",
            name="News",
            old_paths=["/tag/news/"],
        ),
        SourceTerm(
            kind="tag",
            source_id="5a0f9c2e1b2c3d4e5f600102",
            slug="ferries",
            name="Ferries",
            description="Boats, crossings and the people on them.",
            old_paths=["/tag/ferries/"],
        ),
    ]


def test_1x_post_without_html_is_rendered_from_its_markdown_card(ghost1):
    assert posts(ghost1)["5a0f9c2e1b2c3d4e5f601001"] == SourcePost(
        source_id="5a0f9c2e1b2c3d4e5f601001",
        kind="post",
        title="Welcome to the Daily Ghost",
        slug="welcome",
        html=(
            "<p>The Daily Ghost covers <strong>the harbour district</strong>, every day.</p>\n"
            '<p>Read <a href="https://daily-ghost.example/standards/">our standards</a> '
            "first.</p>\n"
            "<h2>What we cover</h2>\n"
            "<ul><li>Council meetings</li><li><em>Local</em> sport</li></ul>"
        ),
        status=PUBLISHED,
        # No custom excerpt or meta description: the plaintext's first paragraph.
        excerpt="The Daily Ghost covers the harbour district, every day.",
        # 1511000000000 and 1511164800000 milliseconds since the epoch.
        published_at=datetime(2017, 11, 18, 10, 13, 20, tzinfo=UTC),
        modified_at=datetime(2017, 11, 20, 8, 0, tzinfo=UTC),
        authors=[Ref("jane", "Jane Doe")],
        categories=[Ref("news", "News")],
        tags=[Ref("news", "News")],
        featured_image=SourceImage(url="/content/images/2017/11/harbour.jpg"),
        old_paths=["/welcome/"],
        comment_count=0,
        language="",
    )


def test_1x_stored_html_wins_over_mobiledoc_and_author_id_is_the_byline(ghost1):
    post = posts(ghost1)["5a0f9c2e1b2c3d4e5f601002"]
    assert post.html == "<p>From December, the first ferry leaves at <strong>6:40</strong>.</p>"
    assert post.authors == [Ref("omar", "Omar Khalil")]
    assert (post.status, post.published_at) == (DRAFT, None)
    assert post.modified_at == datetime(2017, 12, 2, 16, 45, tzinfo=UTC)
    assert post.excerpt == "The winter timetable, boat by boat."  # meta_description
    # posts_tags by sort_order, not file order: Ferries (0) is the primary tag.
    assert post.categories == [Ref("ferries", "Ferries")]
    assert post.tags == [Ref("ferries", "Ferries"), Ref("news", "News")]


def test_1x_page_true_is_skipped(ghost1):
    assert skipped(ghost1) == [
        Skipped(
            kind="page",
            source_id="5a0f9c2e1b2c3d4e5f601003",
            title="About us",
            why="pages are not imported: only posts become articles",
        )
    ]
    assert "5a0f9c2e1b2c3d4e5f601003" not in posts(ghost1)


# Ghost 3.x: ISO dates, posts_authors, mobiledoc sections and cards, posts_meta.


def test_3x_byline_follows_posts_authors_sort_order_not_the_file_order(ghost3):
    post = posts(ghost3)["5f4e1a2b3c4d5e6f7a8b1001"]
    assert post.authors == [Ref("tom", "Tom Becker"), Ref("amina", "Amina Diallo")]


def test_3x_mobiledoc_sections_markups_atoms_and_cards_become_html(ghost3):
    assert posts(ghost3)["5f4e1a2b3c4d5e6f7a8b1001"].html == (
        "<p>The port authority published <strong>four hundred pages</strong> on Monday. "
        '<a href="https://port.example/plans.pdf">Read them</a> yourself.</p>\n'
        "<h2>What changes</h2>\n"
        "<ul><li>A new quay</li><li><em>Dredging</em> of the channel</li></ul>\n"
        "<blockquote>The largest works in a century.<br>— the harbour master</blockquote>\n"
        # An "aside" is Ghost's other quote style; markups nest and close like a stack.
        "<blockquote><strong><em>Both</em> bold only</strong> &amp; plain &lt;text&gt;"
        "</blockquote>\n"
        "<table><tr><td>Cost</td><td>€120m</td></tr></table>\n"
        '<figure><img src="https://harbour-news.example/content/images/2020/09/quay.jpg" '
        'alt="The north quay at dawn"><figcaption>Photo by '
        '<a href="https://unsplash.com/@sealens">Sea Lens</a></figcaption></figure>\n'
        "<hr>"
    )


def test_3x_unknown_cards_are_left_out_and_each_is_a_skipped_item(ghost3):
    assert skipped(ghost3) == [
        Skipped(
            kind="bookmark card",
            source_id="5f4e1a2b3c4d5e6f7a8b1001",
            title="Harbour expansion: what the plans say",
            why="Ghost's bookmark cards have no equivalent in an article: left out of the body",
        )
    ]
    assert "port.example/consultation" not in posts(ghost3)["5f4e1a2b3c4d5e6f7a8b1001"].html


def test_3x_scheduled_post_keeps_its_2030_date_and_a_draft_has_none(ghost3):
    by_id = posts(ghost3)
    scheduled, draft = by_id["5f4e1a2b3c4d5e6f7a8b1002"], by_id["5f4e1a2b3c4d5e6f7a8b1003"]
    assert (scheduled.status, scheduled.published_at) == (
        SCHEDULED,
        datetime(2030, 1, 15, 9, 0, tzinfo=UTC),
    )
    assert (draft.status, draft.published_at) == (DRAFT, None)
    assert draft.modified_at == datetime(2020, 9, 12, 15, 0, tzinfo=UTC)


def test_3x_code_cards_are_escaped_and_empty_paragraphs_dropped(ghost3):
    assert posts(ghost3)["5f4e1a2b3c4d5e6f7a8b1003"].html == (
        "<p>Figures to check before Friday:</p>\n"
        "<pre><code>total = quays * 40_000_000\nprint(total &lt; budget)</code></pre>"
    )


def test_3x_excerpt_is_the_custom_one_else_posts_meta_description(ghost3):
    by_id = posts(ghost3)
    assert by_id["5f4e1a2b3c4d5e6f7a8b1002"].excerpt == "Live from the chamber."
    assert by_id["5f4e1a2b3c4d5e6f7a8b1001"].excerpt == "Four hundred pages, read for you."
    # Neither, nor a plaintext: the first paragraph of the rendered body.
    assert by_id["5f4e1a2b3c4d5e6f7a8b1003"].excerpt == "Figures to check before Friday:"


def test_3x_primary_tag_is_also_the_category_and_stays_a_tag(ghost3):
    post = posts(ghost3)["5f4e1a2b3c4d5e6f7a8b1001"]
    assert post.categories == [Ref("harbour", "Harbour")]
    assert post.tags == [Ref("harbour", "Harbour"), Ref("politics", "Politics")]
    assert posts(ghost3)["5f4e1a2b3c4d5e6f7a8b1003"].categories == []


def test_3x_site_language_is_the_lang_setting_without_its_region(ghost3):
    assert ghost3[0] == SourceSite(title="Harbour News", base_url="", language="en")


# Ghost 5.x: lexical, posts_meta, __GHOST_URL__, pages by type, members, internal tags.


def test_5x_items_come_site_first_then_authors_tags_and_posts(ghost5):
    assert [type(item).__name__ for item in ghost5] == [
        "SourceSite",
        *["SourceAuthor", "SourceAuthor"],
        *["SourceTerm", "SourceTerm", "Skipped"],
        *["Skipped", "SourcePost"],  # a bookmark card, then its post
        *["Skipped", "SourcePost"],  # members-only
        "SourcePost",
        "Skipped",  # the page
        "SourcePost",
    ]
    assert ghost5[0] == SourceSite(title="Le Quotidien du Port", base_url="", language="fr")


def test_5x_lexical_without_html_is_rendered(ghost5):
    assert posts(ghost5)["65e1f0a1b2c3d4e5f6a71001"].html == (
        # format 1 is bold, 3 bold and italic.
        "<p>Le scrutin aura lieu en <strong>mars</strong>, et "
        "<em><strong>tout change</strong></em>.</p>\n"
        "<h2>Les nouvelles règles</h2>\n"
        '<p>Voir <a href="/elections/">notre dossier</a><br>Mise à jour à 18 h.</p>\n'
        "<blockquote>« Un scrutin historique »</blockquote>\n"
        "<ul><li>Deux tours</li><li>Trois bureaux</li></ul>\n"
        "<ol><li>Inscription</li><li>Vote</li></ol>\n"
        "<hr>\n"
        '<p><strong>Encadré</strong> : <a href="https://ville.example/reglement.pdf">'
        "le règlement</a></p>\n"
        '<figure><img src="/content/images/2024/03/urne.jpg" alt="Une urne"><figcaption>'
        'Photo : <a href="https://ville.example">Ville</a></figcaption></figure>\n'
        "<p>Carte interactive à venir.</p>"
    )


def test_5x_post_brings_its_byline_dates_and_feature_image_from_posts_meta(ghost5):
    post = posts(ghost5)["65e1f0a1b2c3d4e5f6a71001"]
    assert post.authors == [Ref("claire", "Claire Martin"), Ref("yann", "Yann Le Goff")]
    assert (post.status, post.published_at, post.modified_at) == (
        PUBLISHED,
        datetime(2024, 3, 1, 7, 0, tzinfo=UTC),
        datetime(2024, 3, 1, 9, 30, tzinfo=UTC),
    )
    assert post.excerpt == "Deux tours, trois bureaux, un nouveau calendrier."
    # The caption is Ghost's HTML made text, for a hero image's caption.
    assert post.featured_image == SourceImage(
        url="/content/images/2024/03/mairie.jpg",
        alt="La mairie sous la pluie",
        caption="Photo : Jeanne & co",
    )
    assert post.old_paths == ["/elections-municipales-ce-qui-change/"]


def test_ghost_url_placeholders_become_root_relative_when_the_site_url_is_unknown(ghost5):
    everything = repr(ghost5)
    assert "__GHOST_URL__" not in everything
    assert posts(ghost5)["65e1f0a1b2c3d4e5f6a71002"].html == (
        '<p>Pour les abonnés : <a href="/budget-2024/">le tableau</a>.</p>'
    )


def test_ghost_url_placeholders_take_the_site_url_when_the_caller_gives_it():
    with time_machine.travel(NOW, tick=False):
        items = read("ghost-5.x.json", base_url="https://quotidien.example/")
    assert items[0].base_url == "https://quotidien.example"
    post = posts(items)["65e1f0a1b2c3d4e5f6a71001"]
    assert '<a href="https://quotidien.example/elections/">' in post.html
    assert '<img src="https://quotidien.example/content/images/2024/03/urne.jpg"' in post.html
    assert post.featured_image.url == "https://quotidien.example/content/images/2024/03/mairie.jpg"


def test_a_url_setting_fills_the_placeholders():
    settings = [{"key": "url", "value": "https://blog.example"}]
    body = '<p><a href="__GHOST_URL__/about/">About</a> <a href="__GHOST_URL__">Home</a></p>'
    post = only_post(export(row(html=body), settings=settings))
    assert post.html == (
        '<p><a href="https://blog.example/about/">About</a> '
        '<a href="https://blog.example">Home</a></p>'
    )


def test_members_only_post_stays_published_and_says_its_paywall_does_not_come_over(ghost5):
    post = posts(ghost5)["65e1f0a1b2c3d4e5f6a71002"]
    assert post.status == PUBLISHED
    (note,) = [item for item in skipped(ghost5) if item.source_id == post.source_id]
    assert (note.kind, note.title) == ("members-only restriction", "Le budget en détail")
    assert note.why == (
        "Ghost showed it to 'members' readers only; Newsroom has no paywall, "
        "so once published it is public"
    )


def test_internal_tags_are_skipped_and_a_leading_one_leaves_no_category(ghost5):
    assert Skipped(
        kind="internal tag",
        source_id="65e1f0a1b2c3d4e5f6a70103",
        title="#une",
        why="Ghost's internal tags (#name) sort posts for its themes, not readers",
    ) in skipped(ghost5)
    by_id = posts(ghost5)
    # Politique then #une: Politique is the primary tag, #une is no tag here.
    assert by_id["65e1f0a1b2c3d4e5f6a71001"].categories == [Ref("politique", "Politique")]
    assert by_id["65e1f0a1b2c3d4e5f6a71001"].tags == [Ref("politique", "Politique")]
    # #une then Ville: Ghost gives this post no primary tag, so no category (a default section).
    assert by_id["65e1f0a1b2c3d4e5f6a71002"].categories == []
    assert by_id["65e1f0a1b2c3d4e5f6a71002"].tags == [Ref("ville", "Ville")]


def test_sent_email_only_newsletter_is_private(ghost5):
    assert posts(ghost5)["65e1f0a1b2c3d4e5f6a71005"].status == PRIVATE


def test_non_ascii_slug_is_kept_and_so_is_its_old_path(ghost5):
    post = posts(ghost5)["65e1f0a1b2c3d4e5f6a71003"]
    assert (post.slug, post.old_paths) == ("été-à-lyon", ["/été-à-lyon/"])


def test_html_card_script_and_iframe_pass_to_the_loaders_sanitizer_which_drops_them(ghost5):
    html = posts(ghost5)["65e1f0a1b2c3d4e5f6a71003"].html
    assert "<script>" in html and "<iframe" in html  # the reader does not sanitize
    dropped = Counter()
    clean = sanitize_counting(html, dropped)
    assert "<script" not in clean and "<iframe" not in clean and "document.write" not in clean
    assert dropped["<script>"] == 1 and dropped["<iframe>"] == 1
    # The excerpt is made of text a reader saw: not the script's.
    assert posts(ghost5)["65e1f0a1b2c3d4e5f6a71003"].excerpt == "Regardez :"


def test_5x_type_page_is_skipped(ghost5):
    pages = [item for item in skipped(ghost5) if item.kind == "page"]
    assert [(item.source_id, item.title) for item in pages] == [
        ("65e1f0a1b2c3d4e5f6a71004", "Mentions légales")
    ]


def test_ghost_exports_hold_no_comments(ghost1, ghost3, ghost5):
    every_post = [*posts(ghost1).values(), *posts(ghost3).values(), *posts(ghost5).values()]
    assert len(every_post) == 9
    assert {post.comment_count for post in every_post} == {0}


# Small exports, written here.


@time_machine.travel(NOW, tick=False)
def test_a_published_post_dated_in_the_future_is_scheduled():
    post = only_post(export(row(published_at="2031-05-01T10:00:00.000Z")))
    assert (post.status, post.published_at) == (SCHEDULED, datetime(2031, 5, 1, 10, tzinfo=UTC))


def test_an_export_without_the_db_wrapper_is_read():
    post = only_post(export(row(html="<p>Old.</p>"), wrapped=False))
    assert (post.source_id, post.html) == ("1", "<p>Old.</p>")


def test_dates_without_a_zone_are_utc_and_offsets_are_converted():
    post = only_post(
        export(row(published_at="2019-03-01 10:00:00", updated_at="2019-03-01T12:00:00+02:00"))
    )
    assert post.published_at == datetime(2019, 3, 1, 10, 0, tzinfo=UTC)
    assert post.modified_at == datetime(2019, 3, 1, 10, 0, tzinfo=UTC)


def test_a_posts_locale_is_its_language():
    assert only_post(export(row(locale="pt_BR"))).language == "pt"


def test_a_utf8_byte_order_mark_is_accepted():
    raw = b"\xef\xbb\xbf" + export(row(html="<p>BOM</p>")).getvalue()
    assert only_post(io.BytesIO(raw)).html == "<p>BOM</p>"


def test_an_entry_of_another_type_is_skipped_and_says_its_type():
    _site, item = read_ghost(export(row(type="newsletter")))
    assert item == Skipped(
        kind="newsletter",
        source_id="1",
        title="Hello",
        why="'newsletter' entries are not imported: only posts become articles",
    )


def test_an_author_id_unknown_to_users_gives_no_byline_rather_than_a_nameless_one():
    post = only_post(export(row(author_id="404"), users=[{"id": "1", "slug": "a", "name": "A"}]))
    assert post.authors == []


# The editor's documents, on their own.


def test_mobiledoc_markups_close_like_a_stack_and_what_is_left_open_is_closed():
    document = {
        "version": "0.3.1",
        "markups": [["em"], ["a", ["href", 'https://x.example/?a=1&b="2"']], ["blink"]],
        "atoms": [],
        "cards": [],
        "sections": [
            [1, "H3", [[0, [0, 1], 1, "link"], [0, [2], 1, " blink"], [0, [], 0, " still em"]]],
            [3, "ol", [[[0, [], 0, "one"]]]],
        ],
    }
    assert mobiledoc_html(json.dumps(document), Counter()) == (
        '<h3><em><a href="https://x.example/?a=1&amp;b=&quot;2&quot;">link</a> blink'
        " still em</em></h3>\n"
        "<ol><li>one</li></ol>"
    )


def test_lexical_text_format_bits_and_an_unknown_element_keeps_its_text():
    document = {
        "root": {
            "type": "root",
            "children": [
                {
                    "type": "paragraph",
                    "children": [
                        {"type": "text", "text": "b", "format": 1},
                        {"type": "text", "text": "i", "format": 2},
                        {"type": "text", "text": "c<", "format": 16},
                        {"type": "mystery", "children": [{"type": "text", "text": " kept"}]},
                    ],
                },
                {"type": "list", "listType": "number", "start": 3, "children": []},
                {"type": "callout", "calloutText": "<p>Gone</p>"},
            ],
        }
    }
    dropped = Counter()
    assert lexical_html(json.dumps(document), dropped) == (
        '<p><strong>b</strong><em>i</em><code>c&lt;</code> kept</p>\n<ol start="3"></ol>'
    )
    assert dropped == Counter({"callout": 1})


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("One\ntwo\n\nThree", "<p>One\ntwo</p>\n<p>Three</p>"),
        ("# Top\n### Third ###", "<h1>Top</h1>\n<h3>Third</h3>"),
        (
            "**bold** and __bold__, *em* and _em_",
            "<p><strong>bold</strong> and <strong>bold</strong>, <em>em</em> and <em>em</em></p>",
        ),
        (
            '[a link](https://x.example "X") and snake_case',
            '<p><a href="https://x.example" title="X">a link</a> and snake_case</p>',
        ),
        (
            "1. one\n2. two\n\n* a\n* b",
            "<ol><li>one</li><li>two</li></ol>\n<ul><li>a</li><li>b</li></ul>",
        ),
        ("> quoted\n> **on**", "<blockquote><p>quoted\n<strong>on</strong></p></blockquote>"),
        ("```\n<b>*x*</b>\n```", "<pre><code>&lt;b&gt;*x*&lt;/b&gt;</code></pre>"),
        ("`a*b*c` & 1 < 2", "<p><code>a*b*c</code> &amp; 1 &lt; 2</p>"),
        ('<div class="raw">\n*as is*\n</div>', '<div class="raw">\n*as is*\n</div>'),
        ("Line  \nbreak\n\n---", "<p>Line<br>\nbreak</p>\n<hr>"),
    ],
)
def test_markdown_cards_become_html(markdown, html):
    assert markdown_html(markdown) == html


# Files that are not Ghost exports, or broken ones.


def test_a_file_that_is_not_json_is_refused():
    with open(FIXTURES / "not-json.json", "rb") as fileobj:
        assert refusal(fileobj) == (
            "not a Ghost export: the file is not JSON (Expecting value at its start)"
        )


def test_a_truncated_export_is_refused_as_truncated():
    with open(FIXTURES / "truncated.json", "rb") as fileobj:
        assert refusal(fileobj) == (
            "the JSON stops before it is complete, after 1,141 characters (is the file truncated?)"
        )


def test_a_wordpress_export_given_by_mistake_points_to_import_wordpress():
    with open(FIXTURES / "wordpress-by-mistake.json", "rb") as fileobj:
        assert refusal(fileobj) == (
            "not a Ghost export: the file is XML (a WordPress export? use import_wordpress)"
        )


def test_json_malformed_in_the_middle_says_where():
    raw = b'{"db": [{"meta": {},\n "data": {"posts": [,]}}]}'
    assert refusal(io.BytesIO(raw)) == (
        "the JSON is malformed at line 2, column 21: Expecting value"
    )


NO_EXPORT = (
    'not a Ghost export: the JSON has no "db" or "data" '
    "(export the site from Ghost's Settings > Labs > Export)"
)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "the file is empty"),
        (b" \n", "the file is empty"),
        (
            b"PK\x03\x04rest",
            "not a Ghost export: the file is compressed (unzip it, then import the .json)",
        ),
        (b'{"a": "\xff"}', "not a Ghost export: the file is not UTF-8 text"),
        (b"[1, 2]", NO_EXPORT),
        (b'{"posts": [], "meta": {"pagination": {}}}', NO_EXPORT),  # an API response
        (b'{"db": []}', 'not a Ghost export: its "db" is not a list of exports'),
        (b'{"data": {"users": []}}', 'not a Ghost export: its "data" has no "posts"'),
        (b'{"data": {"posts": {}}}', 'not a Ghost export: its "posts" is not a list of rows'),
        (b"[" * 100_000, "not a Ghost export: the JSON is nested too deeply to be one"),
    ],
)
def test_files_that_are_not_ghost_exports_are_refused_in_one_line(raw, message):
    assert refusal(io.BytesIO(raw)) == message


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"slug": None}, 'post 7 ("Hello"): no "slug", which every Ghost post has'),
        ({"title": None}, 'post 7: no "title", which every Ghost post has'),
        ({"id": None}, 'post number 2 in the file ("Hello"): no "id", which every Ghost post has'),
    ],
)
def test_a_post_missing_a_required_field_is_named(fields, message):
    fine = row(id="6", html="<p>Fine.</p>")
    assert refusal(export(fine, {**row(id="7"), **fields})) == message


def test_mobiledoc_that_is_not_json_names_the_post():
    broken = row(id="9", title="Broken", html=None, mobiledoc='{"version": "0.3.1", "sections": [')
    assert refusal(export(broken)) == (
        'post 9 ("Broken"): its mobiledoc is not valid JSON '
        "(Expecting value: line 1 column 35 (char 34))"
    )


def test_lexical_that_is_not_json_names_the_post():
    broken = row(id="9", title="Broken", html=None, lexical="{root")
    assert refusal(export(broken)).startswith('post 9 ("Broken"): its lexical is not valid JSON')


def test_mobiledoc_of_a_shape_ghost_never_writes_names_the_post():
    odd = row(id="9", title="Odd", html=None, mobiledoc='{"sections": [[42, "p", []]]}')
    assert refusal(export(odd)) == (
        'post 9 ("Odd"): its mobiledoc is not in a shape Ghost writes '
        "(ValueError: unknown section type 42)"
    )


def test_a_date_that_is_not_a_date_names_the_post():
    assert refusal(export(row(published_at="last Tuesday"))) == (
        "post 1 (\"Hello\"): its published_at 'last Tuesday' is not a date"
    )


# The size limit: a JSON export is read whole, so a huge one is refused before it is read.


class ReadCounting(io.BytesIO):
    def __init__(self, data):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        data = super().read(size)
        self.bytes_read += len(data)
        return data


class Unseekable(io.RawIOBase):
    """A stream (a pipe, an upload being received) that cannot tell its size."""

    def __init__(self, total):
        self.left, self.bytes_read = total, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        n = min(len(buffer), self.left)
        buffer[:n] = b" " * n
        self.left -= n
        self.bytes_read += n
        return n


def test_a_file_over_max_bytes_is_refused_before_a_byte_is_read():
    # Not JSON at all: a refusal after reading would say so instead.
    fileobj = ReadCounting(b"x" * 5000)
    assert refusal(fileobj, max_bytes=4096) == (
        "the file is 5,000 bytes, larger than the 4,096 bytes a Ghost export may be here"
    )
    assert fileobj.bytes_read == 0


def test_a_2_gb_export_is_refused_at_once_by_the_default_limit(tmp_path):
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as fileobj:
        fileobj.truncate(2 * 1024**3)  # sparse: no disk, and reading it would take seconds
    with open(huge, "rb") as fileobj:
        assert refusal(fileobj) == (
            "the file is 2,048 MB, larger than the 512 MB a Ghost export may be here"
        )
        assert fileobj.tell() == 0
    assert MAX_BYTES == 512 * 1024**2


def test_a_stream_that_cannot_tell_its_size_is_read_one_byte_past_the_limit_no_further():
    stream = Unseekable(10 * 1024**2)
    assert refusal(io.BufferedReader(stream), max_bytes=100_000) == (
        "the file is larger than the 100,000 bytes a Ghost export may be here"
    )
    assert stream.bytes_read < 200_000  # the buffer's read-ahead, not the 10 MB


def test_an_export_at_the_limit_is_read():
    raw = export(row(html="<p>Fits.</p>")).getvalue()
    assert only_post(io.BytesIO(raw), max_bytes=len(raw)).html == "<p>Fits.</p>"
