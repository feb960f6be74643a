"""The demo newsroom that `load_demo` builds: sections, authors and a handful of pieces."""

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.text import slugify

from articles.importing import import_piece, read_piece
from articles.models import Article, Author, Section
from articles.signals import article_changed

DEMO_DIR = Path(__file__).resolve().parent / "demo"

SECTIONS = [
    ("Opinion", "opinion", "Columns, op-eds and commentary. The views are the authors' own."),
    ("Politics", "politics", "Government, parliament and public life."),
    ("Security", "security", "Defence, the armed forces and the security of citizens."),
    ("Economy", "economy", "Markets, trade, farming and the cost of living."),
]

AUTHORS = {
    "Titi KEITA": ("Contributor", ""),
    "Mariam COULIBALY": ("City reporter", "Covers the city council, markets and public services."),
    "Fatou DIARRA": ("Agriculture correspondent", "Reports on farming, climate and rural life."),
    "Jean-Paul MARTIN": ("Columnist", "Writes about education, culture and public life."),
    "Samuel OKAFOR": ("Economics editor", "Explains trade, prices and public finance."),
}


@dataclass(frozen=True)
class DemoPiece:
    filename: str
    section: str
    genre: str
    hours_ago: int
    standfirst: str
    tags: list[str] = field(default_factory=list)


PIECES = [
    DemoPiece(
        "sample-opinion-piece.txt",
        "opinion",
        Article.Genre.OPINION,
        2,
        "Mali is redefining the terms of its sovereignty through partnership "
        "diversification, not confrontation.",
        ["Mali", "Russia", "Defence", "Sahel"],
    ),
    DemoPiece(
        "market-hall.txt",
        "politics",
        Article.Genre.NEWS,
        5,
        "Traders keep their stalls open during the works, in a temporary annex.",
        ["City council", "Markets"],
    ),
    DemoPiece(
        "millet.txt",
        "economy",
        Article.Genre.NEWS,
        20,
        "Short-cycle seed ripens three weeks sooner: a bet on an early end to the rains.",
        ["Farming", "Climate", "Sahel"],
    ),
    DemoPiece(
        "currency.txt",
        "economy",
        Article.Genre.ANALYSIS,
        30,
        "Imports get cheaper at the border; the saving reaches the market stall later.",
        ["Prices", "Trade"],
    ),
    DemoPiece(
        "road.txt",
        "security",
        Article.Genre.NEWS,
        50,
        "Lorries no longer face a six-hour detour through flooded tracks.",
        ["Transport", "Floods"],
    ),
    DemoPiece(
        "libraries.txt",
        "opinion",
        Article.Genre.OPINION,
        75,
        "Cutting reading-room hours to save on electricity gets the arithmetic backwards.",
        ["Education", "City council"],
    ),
]


@dataclass(frozen=True)
class DeskPiece:
    """A piece on the desk, written by the demo writer, so the workflow shows at once."""

    state: str
    headline: str
    section: str
    paragraphs: tuple
    note: str = ""


DESK_PIECES = [
    DeskPiece(
        "draft",
        "Night buses: the council's plan, line by line",
        "politics",
        (
            "Three night lines would run from March, if the council votes the budget.",
            "Drivers' unions ask for a second driver on the line to the university.",
        ),
    ),
    DeskPiece(
        "in_review",
        "Water tariffs rise by 4% from January",
        "economy",
        (
            "Households will pay four per cent more for water from the first of January.",
            "The utility says the rise pays for repairs to the main pumping station.",
        ),
    ),
    DeskPiece(
        "changes_requested",
        "Three schools share one headteacher",
        "politics",
        (
            "Since September, one headteacher has run three primary schools in the district.",
            "Parents say meetings are hard to arrange; the ministry promises an appointment.",
        ),
        note="Please add the ministry's answer and name the district.",
    ),
    DeskPiece(
        "late",
        "Street lights: the repair backlog",
        "politics",
        ("Four hundred street lights are out across the city, the council's own list shows.",),
        note="How long repairs take, district by district.",
    ),
    DeskPiece(
        "planned",
        "Flood defences: a year after the river burst its banks",
        "security",
        (),
        note="What was promised after the floods, and what has been built.",
    ),
    DeskPiece(
        "scheduled",
        "Harvest festival returns to the river bank",
        "economy",
        (
            "After two years away, the harvest festival is back on the river bank this weekend.",
            "Stallholders from twelve villages have booked their places.",
        ),
    ),
]
# The demo piece that gets a correction waiting for review.
CORRECTED_PIECE = "market-hall.txt"

# (username, password, superuser, role group, author profile slug)
DEMO_ACCOUNTS = [
    ("editor", "newsroom-demo", True, None, None),
    ("moderator", "newsroom-demo", False, "Moderator", None),
    ("writer", "newsroom-demo", False, "Writer", "mariam-coulibaly"),
]


@transaction.atomic
def load_demo(*, now=None, with_accounts=None, log=print):
    now = now or timezone.now()
    for position, (name, slug, description) in enumerate(SECTIONS):
        Section.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )
    for name, (role, bio) in AUTHORS.items():
        Author.objects.get_or_create(
            slug=slugify(name), defaults={"name": name, "role": role, "bio": bio}
        )
    created = 0
    for demo in PIECES:
        piece = read_piece(DEMO_DIR / demo.filename)
        if Article.objects.filter(slug=slugify(piece.headline)).exists():
            continue
        published_at = now - timedelta(hours=demo.hours_ago)
        article = import_piece(
            piece,
            section=Section.objects.get(slug=demo.section),
            genre=demo.genre,
            publish=True,
            published_at=published_at,
        )
        article.standfirst = demo.standfirst
        article.save()
        article.tags.set(demo.tags)
        article_changed.send(
            sender=Article,
            articles=Article.objects.filter(pk=article.pk),
            fields=frozenset({"standfirst", "tags"}),
        )
        # Demo pieces were "written" when they were published, not when the loader ran.
        Article.objects.filter(pk=article.pk).update(
            created_at=published_at, updated_at=published_at
        )
        created += 1
        log(f"  published {article.get_absolute_url()}")
    log(f"Demo content: {created} article(s) added, {len(PIECES) - created} already there.")

    if with_accounts is None:
        with_accounts = settings.DEBUG
    if not with_accounts:
        log("Demo accounts skipped: DEBUG is off.")
        return
    User = get_user_model()
    for username, password, is_superuser, role, author_slug in DEMO_ACCOUNTS:
        user, made = User.objects.get_or_create(
            username=username, defaults={"is_staff": True, "is_superuser": is_superuser}
        )
        if made:
            user.set_password(password)
            user.save()
            if role:
                user.groups.add(Group.objects.get(name=role))
            if author_slug:
                Author.objects.filter(slug=author_slug, user=None).update(user=user)
        label = role or "administrator"
        log(
            f"Demo login ({label}): {username} / {password} at /admin/"
            + ("" if made else " (existing)")
        )
    load_desk(now=now, log=log)


def load_desk(*, now, log):
    """Pieces in every state of the workflow, taken there through the workflow itself (so each
    has its audit entries and notes), and a live piece with a correction waiting for review."""
    from articles import revisions
    from articles.assignments import record_assignment
    from articles.workflow import apply_transition

    User = get_user_model()
    writer, moderator = User.objects.get(username="writer"), User.objects.get(username="moderator")
    profile = Author.objects.filter(user=writer).first()
    steps = {
        "draft": [],
        "planned": [],
        "late": [],
        "in_review": [("submit", writer, {})],
        "changes_requested": [("submit", writer, {}), ("request_changes", moderator, {})],
        "scheduled": [
            ("submit", writer, {}),
            (
                "schedule",
                moderator,
                {"at": timezone.localtime(now + timedelta(days=1)).replace(hour=7, minute=0)},
            ),
        ],
    }
    for desk in DESK_PIECES:
        if Article.objects.filter(slug=slugify(desk.headline)).exists():
            continue
        planning = {}
        if desk.state in ("planned", "late"):
            # Assigned by the desk: one due tomorrow evening, not yet begun, and one begun and
            # due six hours ago, so the desk home has a late piece to show.
            due = timezone.localtime(now + timedelta(days=1)).replace(hour=17, minute=0)
            if desk.state == "late":
                due = now - timedelta(hours=6)
            planning = {
                "assignee": profile,
                "due_at": due,
                "priority": Article.Priority.HIGH,
                "budget_line": desk.note,
            }
        article = Article.objects.create(
            headline=desk.headline,
            slug=slugify(desk.headline),
            body=format_html_join("", "<p>{}</p>", ((p,) for p in desk.paragraphs)),
            section=Section.objects.get(slug=desk.section),
            status=Article.Status.DRAFT,
            created_by=moderator if planning else writer,
            **planning,
        )
        if planning and profile is not None:
            record_assignment(article, by=moderator)
        if profile is not None and desk.paragraphs:
            article.bylines.create(author=profile, position=0)
        revisions.create_revision(article, by=writer)
        for name, user, extra in steps[desk.state]:
            note = desk.note if name == "request_changes" else ""
            article = apply_transition(article, name, by=user, note=note, **extra)
        log(f"  on the desk ({desk.state}): {desk.headline}")
    corrected = Article.objects.filter(
        slug=slugify(read_piece(DEMO_DIR / CORRECTED_PIECE).headline)
    ).first()
    if corrected is not None and revisions.pending_revision(corrected) is None:
        content = revisions.content_of(corrected)
        content["standfirst"] += " Works end in June, not in May as first announced."
        revisions.create_revision(corrected, by=writer, content=content, pending=True)
        apply_transition(corrected, "submit_changes", by=writer)
        log(f"  a correction waiting for review: {corrected.headline}")
