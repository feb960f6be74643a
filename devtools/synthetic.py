"""Synthetic but realistic newsroom content, for benchmarks and scale tests.

Bodies of ~900 words in paragraphs, 1–3 bylines, 5 tags from a pool, sections, images through
the real pipeline (a few pictures shared by many articles, as wire photos are), publication
dates spread over years. Written with bulk inserts so 100,000 articles take minutes, not hours.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from articles.models import Article, Author, Byline, Section, TaggedArticle
from search.documents import refresh_search_vector

WORDS = [
    "government",
    "minister",
    "council",
    "budget",
    "vote",
    "market",
    "trade",
    "price",
    "farmers",
    "harvest",
    "rain",
    "drought",
    "security",
    "army",
    "border",
    "road",
    "bridge",
    "school",
    "teachers",
    "students",
    "hospital",
    "doctors",
    "health",
    "water",
    "electricity",
    "power",
    "grid",
    "solar",
    "fuel",
    "transport",
    "lorries",
    "port",
    "exports",
    "imports",
    "currency",
    "bank",
    "loan",
    "debt",
    "growth",
    "inflation",
    "wages",
    "workers",
    "union",
    "strike",
    "talks",
    "agreement",
    "treaty",
    "sovereignty",
    "region",
    "city",
    "village",
    "capital",
    "mayor",
    "parliament",
    "opposition",
    "election",
    "campaign",
    "court",
    "judge",
    "law",
    "reform",
    "policy",
    "report",
    "figures",
    "percent",
    "million",
    "analysts",
    "officials",
    "residents",
    "witnesses",
    "morning",
    "evening",
    "week",
    "month",
    "year",
    "season",
    "community",
    "families",
    "children",
    "women",
    "youth",
    "future",
    "history",
    "culture",
    "music",
    "festival",
    "library",
    "reading",
    "radio",
    "television",
    "newspaper",
    "journalists",
]
SECTIONS = [
    ("Politics", "politics"),
    ("Economy", "economy"),
    ("Security", "security"),
    ("Opinion", "opinion"),
    ("Culture", "culture"),
    ("Health", "health-news"),  # "health" is reserved by the health check
]
FIRST = [
    "Aminata",
    "Moussa",
    "Fatou",
    "Ibrahim",
    "Mariam",
    "Oumar",
    "Awa",
    "Seydou",
    "Kadiatou",
    "Boubacar",
    "Aïssata",
    "Jean",
]
LAST = [
    "KEITA",
    "TRAORÉ",
    "COULIBALY",
    "DIARRA",
    "SIDIBÉ",
    "TOURÉ",
    "DIALLO",
    "KONATÉ",
    "SANGARÉ",
    "CISSÉ",
    "MAÏGA",
    "DEMBÉLÉ",
]


# Words that make up half of any English text, and that full-text search drops as stop words.
FUNCTION_WORDS = [
    "the",
    "of",
    "and",
    "to",
    "a",
    "in",
    "that",
    "is",
    "was",
    "for",
    "on",
    "with",
    "as",
    "by",
    "at",
    "from",
    "it",
    "this",
    "be",
    "are",
    "have",
    "has",
    "had",
    "not",
    "but",
    "or",
    "an",
    "which",
    "their",
    "they",
    "who",
    "will",
    "were",
    "been",
    "would",
    "its",
    "more",
    "after",
    "said",
    "about",
    "over",
    "than",
    "into",
    "also",
    "could",
    "when",
    "some",
    "there",
    "new",
    "other",
    "two",
    "first",
    "last",
]
SYLLABLES = [
    "ba",
    "ko",
    "ri",
    "mal",
    "sen",
    "du",
    "fa",
    "to",
    "ne",
    "gou",
    "li",
    "sa",
    "ke",
    "mo",
    "da",
    "bi",
    "tra",
    "ye",
    "zo",
    "pe",
    "ni",
    "ga",
]
RARE_WORDS = 5000


def vocabulary(size=RARE_WORDS, seed=7):
    """News words first, then a long tail of made-up ones, weighted by Zipf's law (the n-th
    commonest word is n times rarer than the first): like real copy, a query word matches a
    few percent of the archive, not all of it."""
    rng = random.Random(seed)
    tail = set()
    while len(tail) < size:
        tail.add("".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))))
    content = list(WORDS)
    rng.shuffle(content)
    # The news words are spread over ranks 5 to ~500, so none is in every article.
    ranked = sorted(tail)
    rng.shuffle(ranked)
    for rank, word in enumerate(content):
        ranked.insert(5 + rank * 5, word)
    weights = [1 / rank for rank in range(1, len(ranked) + 1)]
    total, cumulative = 0.0, []
    for weight in weights:
        total += weight
        cumulative.append(total)
    return ranked, cumulative


CONTENT_WORDS, CONTENT_WEIGHTS = vocabulary()


def sentence(rng, low=8, high=22):
    count = rng.randint(low, high)
    content = rng.choices(CONTENT_WORDS, cum_weights=CONTENT_WEIGHTS, k=count)
    words = [rng.choice(FUNCTION_WORDS) if rng.random() < 0.45 else word for word in content]
    return " ".join(words).capitalize() + "."


def body(rng, words=900):
    paragraphs, count = [], 0
    while count < words:
        paragraph = " ".join(sentence(rng) for _ in range(rng.randint(3, 6)))
        count += len(paragraph.split())
        paragraphs.append(f"<p>{paragraph}</p>")
    return "\n".join(paragraphs)


def ensure_people_and_places(rng, *, authors=200, tags=500):
    sections = [
        Section.objects.get_or_create(slug=slug, defaults={"name": name, "position": n})[0]
        for n, (name, slug) in enumerate(SECTIONS)
    ]
    existing = Author.objects.filter(slug__startswith="synthetic-").count()
    Author.objects.bulk_create(
        Author(
            name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            slug=f"synthetic-{n}",
            role=rng.choice(["Reporter", "Columnist", "Correspondent", "Editor"]),
            bio=sentence(rng),
        )
        for n in range(existing, authors)
    )
    have = Tag.objects.filter(slug__startswith="topic-").count()
    Tag.objects.bulk_create(
        Tag(name=f"Topic {n} {rng.choice(WORDS)}", slug=f"topic-{n}") for n in range(have, tags)
    )
    return (
        sections,
        list(Author.objects.filter(slug__startswith="synthetic-").values_list("pk", flat=True)),
        list(Tag.objects.filter(slug__startswith="topic-").values_list("pk", flat=True)),
    )


def generate(count, *, seed=2026, batch=1000, images=None, log=print, after_batch=None):
    """Add `count` published articles; `images` is a list of hero_renditions dicts to share.
    `after_batch(made)` is called as each batch is committed. Each batch is older than the one
    before it, so the archive grows backwards in time as a real one's history is imported."""
    rng = random.Random(seed)
    sections, author_ids, tag_ids = ensure_people_and_places(rng)
    start = Article.objects.count()
    now = timezone.now()
    made = 0
    while made < count:
        size = min(batch, count - made)
        with transaction.atomic():
            articles = []
            for n in range(start + made, start + made + size):
                headline = sentence(rng, 6, 12).rstrip(".")
                picture = rng.choice(images) if images else {}
                articles.append(
                    Article(
                        headline=headline,
                        slug=f"{slugify(headline)[:180]}-{n}",
                        standfirst=sentence(rng, 14, 26),
                        body=body(rng),
                        section=rng.choice(sections),
                        genre=rng.choices(["news", "opinion", "analysis"], [6, 3, 1])[0],
                        status=Article.Status.PUBLISHED,
                        published_at=now - timedelta(minutes=7 * n + rng.randint(0, 6)),
                        hero_image=picture.get("source", ""),
                        hero_image_alt="A photograph from the newsroom's library"
                        if picture
                        else "",
                        hero_renditions=picture,
                    )
                )
            # bulk_create skips save(): bodies here are generated plain <p> text already.
            Article.objects.bulk_create(articles)
            created = [article.pk for article in articles]
            bylines, tagged = [], []
            for article_id in created:
                for position, author_id in enumerate(rng.sample(author_ids, rng.randint(1, 3))):
                    bylines.append(
                        Byline(article_id=article_id, author_id=author_id, position=position)
                    )
                tagged += [
                    TaggedArticle(content_object_id=article_id, tag_id=tag_id)
                    for tag_id in rng.sample(tag_ids, 5)
                ]
            Byline.objects.bulk_create(bylines)
            TaggedArticle.objects.bulk_create(tagged)
            refresh_search_vector(created)
        made += size
        log(f"  {made}/{count} articles")
        if after_batch is not None:
            after_batch(made)
    return made


# The desk's share of an archive: a newsroom with 100,000 published pieces has about a thousand
# on the desk at any time (drafts, reviews, plans), and every published piece left a save and
# three audit entries behind it.
DESK_SHARE = 100
DESK_WRITERS = 20
# (state, share of the desk's pieces) for the pieces that are not yet public.
DESK_STATES = [
    ("draft", 30),
    ("planned", 15),
    ("in_review", 15),
    ("changes_requested", 10),
    ("scheduled", 15),
    ("late", 15),
]


def desk_size(count):
    return max(len(DESK_STATES), count // DESK_SHARE)


def desk_states(size):
    """The states of `size` desk pieces in their shares, interleaved so that even the first few
    pieces cover every state."""
    left = {state: share // 5 for state, share in DESK_STATES}
    pattern = []
    while any(left.values()):
        for state, count in left.items():
            if count:
                pattern.append(state)
                left[state] -= 1
    return [pattern[n % len(pattern)] for n in range(size)]


def desk_work(count, *, seed=2027, log=print):
    """Put the desk to work beside `count` published articles: pieces in every state before
    publication (some past their due date), pending changes to live pieces, one save per
    published piece and its audit trail. Returns how many pieces it added."""
    from django.contrib.auth import get_user_model
    from django.db.models import OuterRef, Subquery

    from articles.models import AuditEntry, EditorialNote, Revision

    rng = random.Random(seed)
    sections, author_ids, _ = ensure_people_and_places(rng)
    now = timezone.now()
    User = get_user_model()
    User.objects.bulk_create(
        [
            User(username=f"bench-writer-{n}", email=f"writer{n}@bench.test", is_staff=True)
            for n in range(DESK_WRITERS)
        ],
        ignore_conflicts=True,
    )
    writers = list(User.objects.filter(username__startswith="bench-writer-"))
    size = desk_size(count)
    states = desk_states(size)
    with transaction.atomic():
        pieces = []
        for n, state in enumerate(states):
            headline = sentence(rng, 6, 12).rstrip(".")
            planned = state == "planned"
            status = {
                "scheduled": Article.Status.PUBLISHED,
                "planned": Article.Status.DRAFT,
                "late": rng.choice([Article.Status.DRAFT, Article.Status.IN_REVIEW]),
            }.get(state, state)
            due = now + timedelta(hours=rng.randint(2, 24 * 30))
            if state == "late":
                due = now - timedelta(hours=rng.randint(1, 24 * 5))
            pieces.append(
                Article(
                    headline=headline,
                    slug=f"desk-{slugify(headline)[:170]}-{n}",
                    standfirst="" if planned else sentence(rng, 14, 26),
                    body="" if planned else body(rng, words=rng.randint(100, 900)),
                    section=rng.choice(sections),
                    status=status,
                    # Half within the desk home's next 48 hours (the first one always), the
                    # rest over three weeks.
                    published_at=now
                    + timedelta(
                        minutes=rng.randint(
                            5, 60 * (47 if n < len(DESK_STATES) or rng.random() < 0.5 else 504)
                        )
                    )
                    if state == "scheduled"
                    else None,
                    submitted_at=now - timedelta(minutes=rng.randint(5, 60 * 24 * 3))
                    if status == Article.Status.IN_REVIEW
                    else None,
                    created_by=rng.choice(writers),
                    assignee_id=rng.choice(author_ids) if state in ("planned", "late") else None,
                    due_at=due if state in ("planned", "late") or rng.random() < 0.3 else None,
                    priority=rng.choice(list(Article.Priority)),
                    budget_line=sentence(rng, 8, 14) if planned else "",
                )
            )
        Article.objects.bulk_create(pieces)
        Byline.objects.bulk_create(
            Byline(article_id=piece.pk, author_id=rng.choice(author_ids), position=0)
            for piece in pieces
            if piece.body
        )
        EditorialNote.objects.bulk_create(
            EditorialNote(
                article_id=piece.pk,
                author=rng.choice(writers),
                kind=EditorialNote.Kind.CHANGES_REQUESTED,
                body=sentence(rng),
            )
            for piece in pieces
            if piece.status == Article.Status.CHANGES_REQUESTED
        )
    log(f"  {size:,} pieces on the desk")
    # Every published piece's save and audit trail, in batches; then pending changes to some.
    live = Article.objects.filter(status=Article.Status.PUBLISHED, published_at__lte=now)
    ids = list(live.order_by("pk").values_list("pk", "headline"))
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        with transaction.atomic():
            Revision.objects.bulk_create(
                Revision(
                    article_id=pk,
                    number=1,
                    content={"headline": headline},
                    created_by=rng.choice(writers),
                )
                for pk, headline in chunk
            )
            entries = AuditEntry.objects.bulk_create(
                AuditEntry(
                    article_id=pk,
                    article_headline=headline,
                    user=rng.choice(writers),
                    action=action,
                    from_state=before,
                    to_state=after,
                )
                for pk, headline in chunk
                for action, before, after in (
                    (AuditEntry.Action.CREATED, "", "draft"),
                    (AuditEntry.Action.SUBMITTED, "draft", "in_review"),
                    (AuditEntry.Action.PUBLISHED, "in_review", "published"),
                )
            )
            # The trail is as old as the piece, not as old as this run.
            AuditEntry.objects.filter(pk__in=[entry.pk for entry in entries]).update(
                created_at=Subquery(
                    Article.objects.filter(pk=OuterRef("article_id")).values("published_at")
                )
            )
        log(f"  {start + len(chunk):,}/{len(ids):,} saves and audit trails")
    changed = rng.sample(ids, min(len(ids), max(1, size // 10)))
    Revision.objects.bulk_create(
        Revision(
            article_id=pk,
            number=2,
            content={"headline": f"{headline} (updated)"},
            created_by=rng.choice(writers),
            pending=True,
            submitted_at=now - timedelta(minutes=rng.randint(5, 60 * 24 * 2)),
            scheduled_for=now + timedelta(hours=rng.randint(1, 72)) if rng.random() < 0.3 else None,
        )
        for pk, headline in changed
    )
    log(f"  {len(changed):,} pending changes to live pieces")
    return size
