"""The demo newsroom that `load_demo` builds: sections, authors and a handful of pieces."""

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
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
