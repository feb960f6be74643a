"""A synthetic but realistic WordPress export (WXR 1.2), to measure importing 10,000 posts.

Posts of ~900 words in paragraphs (some with <p>, some in the classic editor's bare blank lines),
five authors, nested categories with a Yoast primary one, tags from a pool, Co-Authors Plus
bylines on some posts, comments on some, featured images whose attachment follows the post.
Written as it is made, one post at a time: 10,000 posts (~70 MB) never sit in memory.
"""

import random
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import quoteattr

AUTHORS = [
    ("amina", "Amina Diallo"),
    ("jpierre", "Jean-Pierre Martin"),
    ("sofia.r", "Sofia Rossi"),
    ("kwame", "Kwame Mensah"),
    ("li.wei", "Li Wei"),
]
# (term id, slug, name, parent slug)
CATEGORIES = [
    (2, "news", "News", ""),
    (3, "world", "World", "news"),
    (4, "africa", "Africa", "world"),
    (5, "politics", "Politics", "news"),
    (6, "business", "Business", ""),
    (7, "economie", "Économie", "business"),
    (8, "culture", "Culture", ""),
    (9, "sport", "Sport", ""),
]
TAGS = [
    "elections", "budget", "climate", "health", "schools", "transport", "housing", "water",
    "energy", "farming", "courts", "police", "football", "music", "cinema", "trade", "jobs",
    "prices", "floods", "drought", "elders", "youth", "markets", "roads", "border", "fishing",
]  # fmt: skip
WORDS = [
    "the", "council", "minister", "government", "budget", "vote", "market", "trade", "price",
    "farmers", "harvest", "rain", "river", "bridge", "road", "school", "teachers", "pupils",
    "hospital", "doctors", "nurses", "village", "city", "region", "province", "border", "court",
    "judge", "police", "officers", "report", "inquiry", "witnesses", "said", "told", "added",
    "on", "in", "at", "for", "with", "from", "after", "before", "during", "while", "because",
    "although", "yesterday", "today", "week", "month", "year", "people", "residents",
    "families", "workers", "union", "strike", "talks", "agreement", "plan", "project", "money",
    "million", "billion", "tax", "import", "export", "fuel", "electricity", "water", "supply",
    "shortage", "rise", "fall", "new", "old", "first", "last", "local", "national", "public",
    "private", "official", "spokesman", "statement", "meeting"
]  # fmt: skip
START = datetime(2012, 1, 1, tzinfo=UTC)

SITE = "https://synthetic.example"
HEAD = f"""<?xml version="1.0" encoding="UTF-8" ?>
<!-- A synthetic WordPress export, written by importers.synthetic_wxr for benchmarks. -->
<rss version="2.0"
	xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:wp="http://wordpress.org/export/1.2/"
>
<channel>
<title>The Synthetic Times</title>
<link>{SITE}</link>
<description>Benchmark content</description>
<language>en-US</language>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>{SITE}</wp:base_site_url>
<wp:base_blog_url>{SITE}</wp:base_blog_url>
"""


def write_wxr(path_or_fileobj, *, posts=10_000, seed=1):
    """Writes a WXR 1.2 export of `posts` posts to a path or a binary file object."""
    if hasattr(path_or_fileobj, "write"):
        write_all(path_or_fileobj, posts=posts, seed=seed)
    else:
        with open(path_or_fileobj, "wb") as fileobj:
            write_all(fileobj, posts=posts, seed=seed)


def write_all(fileobj, *, posts, seed):
    rng = random.Random(seed)

    def write(text):
        fileobj.write(text.encode())

    write(HEAD)
    for author_id, (login, name) in enumerate(AUTHORS, start=1):
        write(
            f"<wp:author><wp:author_id>{author_id}</wp:author_id>"
            f"<wp:author_login>{cdata(login)}</wp:author_login>"
            f"<wp:author_email>{cdata(login + '@synthetic.example')}</wp:author_email>"
            f"<wp:author_display_name>{cdata(name)}</wp:author_display_name>"
            "</wp:author>\n"
        )
    for term_id, slug, name, parent in CATEGORIES:
        write(
            f"<wp:category><wp:term_id>{term_id}</wp:term_id>"
            f"<wp:category_nicename>{cdata(slug)}</wp:category_nicename>"
            f"<wp:category_parent>{cdata(parent)}</wp:category_parent>"
            f"<wp:cat_name>{cdata(name)}</wp:cat_name></wp:category>\n"
        )
    for term_id, slug in enumerate(TAGS, start=100):
        write(
            f"<wp:tag><wp:term_id>{term_id}</wp:term_id><wp:tag_slug>{cdata(slug)}</wp:tag_slug>"
            f"<wp:tag_name>{cdata(slug.capitalize())}</wp:tag_name></wp:tag>\n"
        )
    # Ids as WordPress gives them: one sequence for posts and attachments alike.
    next_id = 1000
    for number in range(posts):
        post_id, next_id = next_id, next_id + 1
        attachment_id = None
        if number % 5 == 0:
            attachment_id, next_id = next_id, next_id + 1
        write(post_item(rng, number, post_id, attachment_id))
        if attachment_id:
            write(attachment_item(post_id, attachment_id))
    write("</channel>\n</rss>\n")


def post_item(rng, number, post_id, attachment_id):
    date = START + timedelta(hours=number * 7, minutes=rng.randrange(60))
    title = " ".join(rng.choices(WORDS, k=rng.randint(5, 10))).capitalize()
    slug = f"{title.lower().replace(' ', '-')}-{post_id}"
    status = "draft" if number % 50 == 49 else "publish"
    categories = rng.sample(CATEGORIES, k=rng.randint(1, 2))
    terms = [
        f'<category domain="category" nicename={quoteattr(term_slug)}>{cdata(name)}</category>'
        for _term_id, term_slug, name, _parent in categories
    ]
    terms += [
        f'<category domain="post_tag" nicename={quoteattr(tag)}>'
        f"{cdata(tag.capitalize())}</category>"
        for tag in rng.sample(TAGS, k=5)
    ]
    if number % 10 == 3:  # a Co-Authors Plus byline of two or three
        terms += [
            f'<category domain="author" nicename="cap-{login.replace(".", "-")}">'
            f"{cdata(name)}</category>"
            for login, name in rng.sample(AUTHORS, k=rng.randint(2, 3))
        ]
    meta = {"_edit_last": "1"}
    if len(categories) > 1:
        meta["_yoast_wpseo_primary_category"] = str(categories[-1][0])
    if attachment_id:
        meta["_thumbnail_id"] = str(attachment_id)
    comments = "".join(comment(rng, date, n) for n in range(rng.choice([0, 0, 0, 1, 2, 5])))
    gmt = date.strftime("%Y-%m-%d %H:%M:%S")
    return (
        "<item>\n"
        f"<title>{cdata(title)}</title>\n"
        f"<link>{SITE}/{date:%Y/%m/%d}/{slug}/</link>\n"
        f"<dc:creator>{cdata(rng.choice(AUTHORS)[0])}</dc:creator>\n"
        f'<guid isPermaLink="false">{SITE}/?p={post_id}</guid>\n'
        f"<content:encoded>{cdata(body(rng, classic=number % 4 == 0))}</content:encoded>\n"
        f"<excerpt:encoded>{cdata('')}</excerpt:encoded>\n"
        f"<wp:post_id>{post_id}</wp:post_id>\n"
        f"<wp:post_date>{cdata(gmt)}</wp:post_date>\n"
        f"<wp:post_date_gmt>{cdata(gmt)}</wp:post_date_gmt>\n"
        f"<wp:post_modified>{cdata(gmt)}</wp:post_modified>\n"
        f"<wp:post_modified_gmt>{cdata(gmt)}</wp:post_modified_gmt>\n"
        f"<wp:post_name>{cdata(slug)}</wp:post_name>\n"
        f"<wp:status>{cdata(status)}</wp:status>\n"
        f"<wp:post_type>{cdata('post')}</wp:post_type>\n"
        f"<wp:post_password>{cdata('')}</wp:post_password>\n"
        + "\n".join(terms)
        + "\n"
        + "".join(
            f"<wp:postmeta><wp:meta_key>{cdata(key)}</wp:meta_key>"
            f"<wp:meta_value>{cdata(value)}</wp:meta_value></wp:postmeta>\n"
            for key, value in meta.items()
        )
        + comments
        + "</item>\n"
    )


def body(rng, *, classic):
    """~900 words in paragraphs of 40 to 110; the classic editor's posts have no <p> tags."""
    paragraphs, words = [], 0
    while words < 900:
        count = rng.randint(40, 110)
        words += count
        paragraphs.append(" ".join(rng.choices(WORDS, k=count)).capitalize() + ".")
    if classic:
        return "\n\n".join(paragraphs)
    return "\n".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)


def comment(rng, date, number):
    when = (date + timedelta(hours=number + 1)).strftime("%Y-%m-%d %H:%M:%S")
    return (
        f"<wp:comment><wp:comment_id>{number + 1}</wp:comment_id>"
        f"<wp:comment_author>{cdata('A reader')}</wp:comment_author>"
        f"<wp:comment_date_gmt>{cdata(when)}</wp:comment_date_gmt>"
        f"<wp:comment_content>{cdata(' '.join(rng.choices(WORDS, k=25)))}</wp:comment_content>"
        f"<wp:comment_approved>{cdata(rng.choice('1110'))}</wp:comment_approved>"
        "</wp:comment>\n"
    )


def attachment_item(post_id, attachment_id):
    path = f"2020/01/photo-{attachment_id}.jpg"
    return (
        "<item>\n"
        f"<title>{cdata(f'Photo {attachment_id}')}</title>\n"
        f"<excerpt:encoded>{cdata('A photo from the scene.')}</excerpt:encoded>\n"
        f"<wp:post_id>{attachment_id}</wp:post_id>\n"
        f"<wp:status>{cdata('inherit')}</wp:status>\n"
        f"<wp:post_parent>{post_id}</wp:post_parent>\n"
        f"<wp:post_type>{cdata('attachment')}</wp:post_type>\n"
        f"<wp:attachment_url>{cdata(f'{SITE}/wp-content/uploads/{path}')}</wp:attachment_url>\n"
        f"<wp:postmeta><wp:meta_key>{cdata('_wp_attached_file')}</wp:meta_key>"
        f"<wp:meta_value>{cdata(path)}</wp:meta_value></wp:postmeta>\n"
        "</item>\n"
    )


def cdata(text):
    # "]]>" would end the section early: WordPress splits it the same way.
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"
