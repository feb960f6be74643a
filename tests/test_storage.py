"""How articles are laid out in PostgreSQL (migration 0012)."""

import random
import string

import pytest
from django.db import connection

from .factories import make_article

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row storage is PostgreSQL's own setting"
    ),
]


def toast_chunks():
    """Chunks in the table that holds the articles' long values out of their rows."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltoastrelid::regclass::text FROM pg_class WHERE relname = 'articles_article'"
        )
        toast = cursor.fetchone()[0]
        cursor.execute(f"SELECT COUNT(*) FROM {toast}")  # noqa: S608 (a name from pg_class)
        return cursor.fetchone()[0]


def test_a_long_body_lives_beside_the_table_not_in_its_row():
    rng = random.Random(7)
    # About 2.8 kB of text that compresses to 1.1 kB: past the 2 kB at which PostgreSQL starts
    # to shrink a row, and by default it would stop at compressing, keeping it in the row.
    vocabulary = ["".join(rng.choices(string.ascii_lowercase, k=6)) for _ in range(60)]
    words = (rng.choice(vocabulary) for _ in range(400))
    before = toast_chunks()
    make_article(body=f"<p>{' '.join(words)}</p>")
    assert toast_chunks() > before
