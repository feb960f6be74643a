"""read_wordpress: a WordPress export (WXR) read as importers.items, and every file it refuses.

No database: the reader only reads. Fixtures are in tests/fixtures/wordpress/.
"""

import io
import time
import tracemalloc
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from importers.items import (
    DRAFT,
    IN_REVIEW,
    PRIVATE,
    PUBLISHED,
    SCHEDULED,
    TRASH,
    Ref,
    Skipped,
    SourceAttachment,
    SourceAuthor,
    SourceError,
    SourceImage,
    SourcePost,
    SourceSite,
    SourceTerm,
)
from importers.synthetic_wxr import write_wxr
from importers.wordpress import autop, read_wordpress

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "wordpress"
# Before the 2030 posts of the fixture, whenever the tests run.
BEFORE_2030 = datetime(2024, 6, 1, tzinfo=UTC)


def read(name, **options):
    with open(FIXTURES / name, "rb") as fileobj:
        return list(read_wordpress(fileobj, **options))


def posts(items):
    return {item.source_id: item for item in items if isinstance(item, SourcePost)}


@pytest.fixture(scope="module")
def site_items():
    with time_machine.travel(BEFORE_2030, tick=False):
        return read("wxr-1.2-site.xml")


def wxr(items, *, version="1.2"):
    """A small export around `items`, in the namespaces of WXR `version`."""
    namespace = f"http://wordpress.org/export/{version}/"
    return io.BytesIO(
        f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:wp="{namespace}" xmlns:excerpt="{namespace}excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Inline</title>
  <link>https://inline.example</link>
  <wp:wxr_version>{version}</wp:wxr_version>
  {items}
</channel>
</rss>""".encode()
    )


def item(*, post_type="post", status="publish", date="2020-01-01 10:00:00", gmt=None, body=""):
    return f"""<item>
    <title>Item</title>
    <dc:creator>jane</dc:creator>
    <content:encoded><![CDATA[{body}]]></content:encoded>
    <wp:post_id>9</wp:post_id>
    <wp:post_date>{date}</wp:post_date>
    <wp:post_date_gmt>{gmt or date}</wp:post_date_gmt>
    <wp:status>{status}</wp:status>
    <wp:post_type>{post_type}</wp:post_type>
  </item>"""


def only_post(fileobj, **options):
    (post,) = [item for item in read_wordpress(fileobj, **options) if isinstance(item, SourcePost)]
    return post


# The channel: site, authors, terms.


def test_the_site_comes_first_with_its_title_base_url_and_language(site_items):
    assert site_items[0] == SourceSite(
        title="The Riverside Chronicle", base_url="https://chronicle.example", language="en"
    )
    assert [item for item in site_items if isinstance(item, SourceSite)] == [site_items[0]]


def test_authors_are_named_by_login_with_a_slug_and_their_archive_path(site_items):
    authors = [item for item in site_items if isinstance(item, SourceAuthor)]
    assert authors == [
        SourceAuthor(
            source_id="jane",
            slug="jane",
            name="Jane Doe",
            email="jane@chronicle.example",
            old_paths=["/author/jane/"],
        ),
        SourceAuthor(
            source_id="omar.k",
            slug="omar-k",
            name="Omar Khalil",
            email="omar@chronicle.example",
            old_paths=["/author/omar-k/"],
        ),
        SourceAuthor(
            source_id="desk",
            slug="desk",
            name="The Desk",
            email="desk@chronicle.example",
            old_paths=["/author/desk/"],
        ),
    ]


def test_categories_keep_their_parents_in_their_old_paths_and_decode_their_slugs(site_items):
    categories = [i for i in site_items if isinstance(i, SourceTerm) and i.kind == "category"]
    assert [(c.source_id, c.slug, c.name, c.old_paths) for c in categories] == [
        ("1", "uncategorized", "Uncategorized", ["/category/uncategorized/"]),
        ("2", "news", "News", ["/category/news/"]),
        ("3", "world", "World", ["/category/news/world/"]),
        ("4", "africa", "Africa", ["/category/news/world/africa/"]),
        ("5", "économie", "Économie", ["/category/économie/"]),
    ]
    assert categories[1].description == "What happened, checked twice."


def test_tags_become_tag_terms_and_other_taxonomies_do_not(site_items):
    terms = [
        item for item in site_items if isinstance(item, SourceTerm) and item.kind != "category"
    ]
    assert terms == [
        SourceTerm(
            kind="tag",
            source_id="10",
            slug="elections",
            name="Elections",
            description="Every vote, local to national.",
            old_paths=["/tag/elections/"],
        ),
        SourceTerm(
            kind="tag", source_id="11", slug="climate", name="Climate", old_paths=["/tag/climate/"]
        ),
    ]


def test_items_come_in_file_order(site_items):
    kinds = [
        item.source_id if isinstance(item, SourcePost) else type(item).__name__
        for item in site_items[11:]
    ]
    assert kinds == [
        *["101", "102", "103", "104", "105", "106", "107", "108", "109", "110", "111"],
        *["Skipped", "SourceAttachment", "Skipped", "Skipped"],
    ]


# Posts.


def test_a_published_post_brings_every_field_over(site_items):
    assert posts(site_items)["101"] == SourcePost(
        source_id="101",
        kind="post",
        title="Council approves the river budget",
        slug="council-approves-river-budget",
        html=(
            "<p>The council voted 7 to 2 on Tuesday to fund the river works.</p>\n"
            "<h2>What it pays for</h2>\n"
            "<p>Dredging, two footbridges and a flood wall.</p>"
        ),
        status=PUBLISHED,
        excerpt="Seven votes to two for the river works.",
        published_at=datetime(2020, 1, 2, 9, 30, tzinfo=UTC),
        modified_at=datetime(2020, 1, 3, 17, 15, tzinfo=UTC),
        authors=[Ref("jane", "Jane Doe")],
        categories=[Ref("world", "World"), Ref("news", "News")],
        tags=[Ref("elections", "Elections"), Ref("climate", "Climate")],
        featured_image=SourceImage(url="", attachment_id="201"),
        old_paths=["/2020/01/02/council-approves-river-budget/", "/?p=101"],
        comment_count=3,
        language="",
    )


def test_the_yoast_primary_category_comes_first_else_the_file_order_holds(site_items):
    # Post 101 lists News then World; Yoast's primary is term 3, World.
    assert [ref.slug for ref in posts(site_items)["101"].categories] == ["world", "news"]
    primary_unknown = wxr(
        item().replace(
            "</item>",
            '<category domain="category" nicename="a">A</category>'
            '<category domain="category" nicename="b">B</category>'
            "<wp:postmeta><wp:meta_key>_yoast_wpseo_primary_category</wp:meta_key>"
            "<wp:meta_value>99</wp:meta_value></wp:postmeta></item>",
        )
    )
    assert [ref.slug for ref in only_post(primary_unknown).categories] == ["a", "b"]


def test_comments_are_counted_approved_or_not_and_not_kept(site_items):
    assert posts(site_items)["101"].comment_count == 3
    assert posts(site_items)["102"].comment_count == 0


def test_a_non_ascii_slug_and_link_are_percent_decoded(site_items):
    post = posts(site_items)["102"]
    assert post.slug == "été"
    assert post.old_paths == ["/2020/07/01/été/", "/?p=102"]
    assert post.categories == [Ref("économie", "Économie")]


def test_a_polylang_language_term_sets_the_language_else_it_stays_empty(site_items):
    assert posts(site_items)["102"].language == "fr"
    assert {post.language for key, post in posts(site_items).items() if key != "102"} == {""}


def test_co_authors_are_the_byline_in_their_order_instead_of_dc_creator(site_items):
    # dc:creator is "desk"; the Co-Authors Plus terms name Omar, then Jane.
    assert posts(site_items)["103"].authors == [
        Ref("omar-k", "Omar Khalil"),
        Ref("jane", "Jane Doe"),
    ]


def test_without_co_authors_the_byline_is_dc_creator_by_its_author_slug(site_items):
    assert posts(site_items)["105"].authors == [Ref("omar-k", "Omar Khalil")]


def test_a_featured_image_names_an_attachment_that_comes_after_the_post(site_items):
    post = posts(site_items)["101"]
    (attachment,) = [item for item in site_items if isinstance(item, SourceAttachment)]
    assert post.featured_image.attachment_id == attachment.source_id == "201"
    assert site_items.index(attachment) > site_items.index(post)
    assert attachment == SourceAttachment(
        source_id="201",
        url="https://chronicle.example/wp-content/uploads/2020/01/river-at-dawn.jpg",
        alt="The river under a pink sky, two boats moored",
        caption="The river at dawn. Photo: Jane Doe",
        relative_path="2020/01/river-at-dawn.jpg",
    )


def test_posts_without_a_thumbnail_have_no_featured_image(site_items):
    assert posts(site_items)["102"].featured_image is None


@pytest.mark.parametrize(
    "source_id, status",
    [
        ("101", PUBLISHED),
        ("104", DRAFT),
        ("105", IN_REVIEW),
        ("106", SCHEDULED),  # "future"
        ("107", SCHEDULED),  # "publish", but dated 2030
        ("108", PRIVATE),
        ("109", TRASH),
        ("111", PRIVATE),  # "publish" behind a password
    ],
)
def test_wordpress_statuses_map_to_ours(site_items, source_id, status):
    assert posts(site_items)[source_id].status == status


def test_a_post_published_with_a_future_date_is_published_once_that_date_has_passed():
    with time_machine.travel(datetime(2031, 1, 1, tzinfo=UTC), tick=False):
        by_id = posts(read("wxr-1.2-site.xml"))
    assert by_id["107"].status == PUBLISHED
    assert by_id["106"].status == SCHEDULED  # WordPress's own "future" stays scheduled


@pytest.mark.parametrize(
    "wordpress_status, status",
    [("auto-draft", DRAFT), ("inherit", DRAFT), ("wc-on-hold", DRAFT), ("", DRAFT)],
)
def test_unknown_statuses_come_over_as_drafts(wordpress_status, status):
    assert only_post(wxr(item(status=wordpress_status))).status == status


def test_a_draft_without_a_gmt_date_is_dated_in_the_site_zone_when_known_else_utc(site_items):
    assert posts(site_items)["104"].published_at == datetime(2021, 3, 4, 12, 0, tzinfo=UTC)
    with time_machine.travel(BEFORE_2030, tick=False):
        paris = posts(read("wxr-1.2-site.xml", zone=ZoneInfo("Europe/Paris")))
    assert paris["104"].published_at == datetime(2021, 3, 4, 11, 0, tzinfo=UTC)
    assert paris["101"].published_at == datetime(2020, 1, 2, 9, 30, tzinfo=UTC)  # GMT given


def test_a_draft_keeps_an_empty_slug_and_its_query_string_path(site_items):
    post = posts(site_items)["104"]
    assert (post.slug, post.old_paths) == ("", ["/?p=104"])


def test_bodies_come_over_unsanitized_for_the_loader_to_clean(site_items):
    html = posts(site_items)["110"].html
    assert '<iframe src="https://video.example/embed/42"' in html
    assert "<script>document.write(" in html
    assert "<style>.entry p { color: red }</style>" in html


def test_pages_menus_revisions_and_custom_types_are_skipped_saying_why(site_items):
    skipped = [item for item in site_items if isinstance(item, Skipped)]
    assert skipped == [
        Skipped("page", "120", "About us", "pages are not imported: only posts become articles"),
        Skipped("nav_menu_item", "300", "Home", "menus are not imported"),
        Skipped(
            "wpcf7_contact_form",
            "400",
            "Newsletter sign-up form",
            "'wpcf7_contact_form' items are not imported (a custom post type)",
        ),
    ]
    revision = [
        i for i in read_wordpress(wxr(item(post_type="revision"))) if isinstance(i, Skipped)
    ]
    assert revision == [
        Skipped(
            "revision", "9", "Item", "revisions are not imported: a post comes over as last saved"
        )
    ]


# Older exports.


def test_a_wxr_1_1_export_reads_with_paths_relative_to_its_base_url():
    items = read("wxr-1.1-minimal.xml")
    assert items[0] == SourceSite(
        title="Valley Notes", base_url="http://valley.example/blog", language="fr"
    )
    post = posts(items)["7"]
    assert post.old_paths == ["/2012/09/30/first-frost/", "/?p=7"]
    assert post.authors == [Ref("admin", "Valley Admin")]
    assert post.categories == [Ref("notes", "Notes")]
    assert post.published_at == datetime(2012, 9, 30, 6, 0, tzinfo=UTC)
    assert post.modified_at is None  # WXR 1.1 has no modified dates


def test_plain_paragraphs_without_p_tags_become_paragraphs():
    post = posts(read("wxr-1.1-minimal.xml"))["7"]
    assert post.html == (
        "<p>The first frost came early this year.</p>\n"
        "<p>The orchard lost its last pears,<br>\nand the ducks left the pond.</p>\n"
        "<p>We lit the stove.</p>"
    )


def test_a_wxr_1_0_export_reads_too():
    post = only_post(wxr(item(body="Hello."), version="1.0"))
    assert (post.source_id, post.html, post.status) == ("9", "<p>Hello.</p>", PUBLISHED)


# wpautop, as WordPress showed classic-editor bodies.


@pytest.mark.parametrize(
    "stored, shown",
    [
        (
            "Intro.\n\n<h2>Heading</h2>\nAfter the heading.\n\nMore.",
            "<p>Intro.</p>\n<h2>Heading</h2>\n<p>After the heading.</p>\n<p>More.</p>",
        ),
        (
            "<blockquote>One\n\nTwo</blockquote>\n\nAfter.",
            "<blockquote><p>One</p>\n<p>Two</p></blockquote>\n<p>After.</p>",
        ),
        ("Code:\n\n<pre>a\n\nb\n</pre>\n\nEnd.", "<p>Code:</p>\n<pre>a\n\nb\n</pre>\n<p>End.</p>"),
        ("<ul>\n<li>a</li>\n<li>b</li>\n</ul>", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),
        (
            'A <a\nhref="/x">link</a>.\n\n<hr />\nRule.',
            '<p>A <a href="/x">link</a>.</p>\n<hr />\n<p>Rule.</p>',
        ),
        ("<p>Already</p>\n<p>HTML</p>", "<p>Already</p>\n<p>HTML</p>"),
        ("<!-- wp:paragraph -->\n<p>Block</p>\n<!-- /wp:paragraph -->",) * 2,
        ("", ""),
    ],
)
def test_autop_makes_paragraphs_as_wordpress_showed_them(stored, shown):
    assert autop(stored) == shown


# Files that are not readable WordPress exports.


@pytest.mark.parametrize(
    "name, message",
    [
        (
            "hostile-entities.xml",
            "the file declares XML entities, which are refused (entity expansion)",
        ),
        (
            "hostile-external.xml",
            "the file declares an external XML entity, which is refused (it would read files)",
        ),
        (
            "not-wordpress.rss",
            "not a WordPress export: an RSS feed without WordPress's wp: elements "
            "(export the site from Tools > Export in WordPress)",
        ),
    ],
)
def test_hostile_and_foreign_files_are_refused_before_any_item(name, message):
    with open(FIXTURES / name, "rb") as fileobj:
        reader = read_wordpress(fileobj)
        with pytest.raises(SourceError) as refused:
            next(reader)
    assert str(refused.value) == message


def test_billion_laughs_fail_before_any_entity_expands():
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(SourceError, match="entity expansion"):
            read("hostile-entities.xml")
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Expanded, &lol9; is 3 GB of "lol": refusing it costs what a 1 KB file does.
    assert peak < 1_000_000
    assert elapsed < 2


def test_a_truncated_export_yields_what_it_holds_then_says_it_is_truncated():
    items = []
    with open(FIXTURES / "truncated.xml", "rb") as fileobj, pytest.raises(SourceError) as refused:
        items.extend(read_wordpress(fileobj))
    assert str(refused.value) == (
        "the XML ends too soon at line 205 (is the file truncated?): unclosed CDATA section"
    )
    assert list(posts(items)) == ["101", "102"]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "the file is empty"),
        (b" \n\t\n", "the file is empty"),
        (
            b'\xef\xbb\xbf{"db": [{"meta": {"version": "5.80.0"}, "data": {"posts": []}}]}',
            "not a WordPress export: the file is JSON (a Ghost export? use import_ghost)",
        ),
        (
            b"PK\x03\x04\x14\x00\x00\x00\x08\x00",
            "not a WordPress export: the file is compressed (unzip it, then import the .xml)",
        ),
        (b"title,date\nHello,2020-01-01\n", "not a WordPress export: the file is not XML"),
        (
            b'<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title></feed>',
            "not a WordPress export: the XML is <feed>, not an RSS <rss>",
        ),
        (
            b'<?xml version="1.0"?>\n<rss xmlns:wp="http://wordpress.org/export/1.2/">\n'
            b"<channel>\n  <title>Fish & Chips</title>\n</channel>\n</rss>\n",
            "the XML is malformed at line 4, column 16: not well-formed (invalid token)",
        ),
        (
            b'<?xml version="1.0"?>\n<rss xmlns:wp="http://wordpress.org/export/1.2/"></rss>',
            "not a WordPress export: the RSS has no <channel>",
        ),
    ],
)
def test_files_that_are_not_wordpress_exports_say_what_they_are(content, message):
    with pytest.raises(SourceError) as refused:
        list(read_wordpress(io.BytesIO(content)))
    assert str(refused.value) == message


def test_an_export_with_no_posts_still_gives_its_site():
    assert list(read_wordpress(wxr(""))) == [
        SourceSite(title="Inline", base_url="https://inline.example", language="")
    ]


# Size.


@pytest.fixture(scope="module")
def synthetic_export(tmp_path_factory):
    path = tmp_path_factory.mktemp("wxr") / "synthetic-2000.xml"
    write_wxr(path, posts=2000, seed=1)
    return path


def test_a_2000_post_export_is_read_in_memory_far_below_its_size(synthetic_export):
    size = synthetic_export.stat().st_size
    kinds = Counter()
    tracemalloc.start()
    try:
        with open(synthetic_export, "rb") as fileobj:
            for item in read_wordpress(fileobj):
                kinds[type(item).__name__] += 1
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert size > 15_000_000
    # The whole tree would take ~30 MB; a stream takes about its largest post (~10 KB).
    assert peak < 2_000_000
    assert kinds == Counter(
        SourceSite=1, SourceAuthor=5, SourceTerm=34, SourcePost=2000, SourceAttachment=400
    )


def test_the_synthetic_export_has_bylines_comments_images_and_long_bodies(synthetic_export):
    with open(synthetic_export, "rb") as fileobj:
        first = [item for _, item in zip(range(200), read_wordpress(fileobj), strict=False)]
    sample = [item for item in first if isinstance(item, SourcePost)]
    assert any(len(post.authors) > 1 for post in sample)
    assert any(post.comment_count for post in sample)
    assert any(post.featured_image for post in sample)
    assert {post.status for post in sample} == {PUBLISHED, DRAFT}
    assert all(len(post.html.split()) >= 800 for post in sample)
    assert all(post.html.startswith("<p>") for post in sample)  # classic bodies too
