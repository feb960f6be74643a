"""A backup restored into an empty database gives the same public pages, pictures included.

Run as an operator would: separate processes, a site database with content, a backup file,
then a brand-new empty database and media folder it is restored into.
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    "/",
    "/opinion/",
    "/authors/titi-keita/",
    "/tags/sahel/",
    "/feed/",
    "/atom/",
    "/sitemap-articles.xml",
    "/archive/",
]

ADD_PICTURE = """
from articles.models import Article
from images.renditions import refresh_renditions
from tests.factories import jpeg_file
article = Article.objects.get(slug__startswith="mali-russia")
article.hero_image.save("bamex.jpg", jpeg_file(1200, 700), save=False)
article.hero_image_alt = "Delegations at BAMEX"
article.save()
refresh_renditions(article, field="hero_image", store="hero_renditions")
"""

SNAPSHOT = """
import hashlib, json
from django.test import Client
from articles.models import Article
client = Client()
paths = {paths} + [a.get_absolute_url() for a in Article.objects.published()]
pages = {{p: hashlib.sha256(client.get(p).content).hexdigest() for p in paths}}
picture = Article.objects.get(slug__startswith="mali-russia").hero_picture
print(json.dumps({{"pages": pages, "picture": picture}}))
"""


def database_url(name, tmp_path):
    if connection.vendor == "postgresql":
        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
        ) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}"')
            db.execute(f'CREATE DATABASE "{name}"')
        return f"postgres://postgres@127.0.0.1:5432/{name}"
    return f"sqlite:///{tmp_path}/{name}.sqlite3"


def drop(name):
    if connection.vendor == "postgresql":
        with psycopg.connect(
            "postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True
        ) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def site(tmp_path, name):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DEBUG": "1",
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": database_url(name, tmp_path),
        "MEDIA_ROOT": str(tmp_path / f"{name}-media"),
        "NEWSROOM_PAGE_CACHE_SECONDS": "0",
        "NEWSROOM_BASE_URL": "https://news.example.org",
    }

    def manage(*args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    manage("migrate", "-v0")
    return manage


def test_backup_then_restore_into_an_empty_database_gives_the_same_pages(tmp_path):
    suffix = uuid.uuid4().hex[:8]
    original, restored = f"newsroom_backup_{suffix}", f"newsroom_restore_{suffix}"
    try:
        source = site(tmp_path, original)
        source("load_demo")
        source("shell", "-c", ADD_PICTURE)
        before = json.loads(
            source("shell", "-c", SNAPSHOT.format(paths=PAGES)).strip().splitlines()[-1]
        )
        backup = tmp_path / "site.tar.gz"
        assert "Backed up" in source("backup_site", str(backup))

        target = site(tmp_path, restored)
        assert "Restored" in target("restore_site", str(backup))
        after = json.loads(
            target("shell", "-c", SNAPSHOT.format(paths=PAGES)).strip().splitlines()[-1]
        )
        assert after == before
        assert before["picture"]["src"].startswith("/media/renditions/")
        rendition = before["picture"]["src"].removeprefix("/media/")
        assert (tmp_path / f"{restored}-media" / rendition).exists()
        refused = subprocess.run(
            [sys.executable, "manage.py", "restore_site", str(backup)],
            cwd=ROOT,
            env={
                "PATH": "/usr/bin:/bin",
                "DEBUG": "1",
                "DATABASE_URL": database_url(restored, tmp_path)
                if connection.vendor != "postgresql"
                else f"postgres://postgres@127.0.0.1:5432/{restored}",
                "MEDIA_ROOT": str(tmp_path / "x"),
            },
            capture_output=True,
            text=True,
            check=False,
        )
        assert refused.returncode != 0 and "already has articles" in refused.stderr
    finally:
        drop(original)
        drop(restored)


@pytest.mark.django_db
def test_restore_refuses_a_missing_file(tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="nope.tar.gz"):
        call_command("restore_site", str(tmp_path / "nope.tar.gz"))
