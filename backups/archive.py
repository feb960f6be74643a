"""Backups a newsroom can restore: the database as Django fixtures (any database engine) plus
the media files, in one .tar.gz.

Content types and permissions are left out and rebuilt by `migrate` on the empty database the
backup is restored into; everything else refers to them by natural keys.
"""

import io
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core import management, serializers
from django.core.files.storage import default_storage
from django.db import transaction

DATA_NAME = "data.xml"
MEDIA_PREFIX = "media/"


def walk(storage, folder=""):
    folders, files = storage.listdir(folder)
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for sub in folders:
        yield from walk(storage, f"{folder}/{sub}" if folder else sub)


def site_objects():
    """Every row worth keeping, models in an order that loads (what dumpdata does)."""
    excluded = {"contenttypes", "sessions", "axes"}
    skipped_models = {"auth.permission", "admin.logentry"}
    app_list = {config: None for config in apps.get_app_configs() if config.label not in excluded}
    for model in serializers.sort_dependencies(app_list.items(), allow_cycles=True):
        if model._meta.proxy or model._meta.label_lower in skipped_models:
            continue
        yield from model._base_manager.order_by(model._meta.pk.name).iterator(chunk_size=500)


def create_backup(path):
    """Write the whole site to the .tar.gz at `path`; returns (objects, media files)."""
    # XML rather than JSON: Django's JSON encoder rounds datetimes to milliseconds.
    payload = serializers.serialize("xml", site_objects(), use_natural_foreign_keys=True).encode()
    media = list(walk(default_storage)) if default_storage.exists("") else []
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo(DATA_NAME)
        info.size = len(payload)
        archive.addfile(info, io.BytesIO(payload))
        for name in media:
            with default_storage.open(name, "rb") as handle:
                content = handle.read()
            info = tarfile.TarInfo(MEDIA_PREFIX + name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return payload.count(b"<object "), len(media)


def restore_backup(path):
    """Load a backup into this (migrated, empty) database and its media storage."""
    path = Path(path)
    # Content types were just rebuilt by migrate: their cached ids may be the old ones.
    ContentType.objects.clear_cache()
    with tarfile.open(path, "r:gz") as archive:
        members = archive.getmembers()
        data = archive.extractfile(DATA_NAME).read()
        with tempfile.TemporaryDirectory() as folder:
            fixture = Path(folder) / "backup.xml"
            fixture.write_bytes(data)
            with transaction.atomic():
                management.call_command("loaddata", str(fixture), verbosity=0)
        restored = 0
        for member in members:
            if not member.isfile() or not member.name.startswith(MEDIA_PREFIX):
                continue
            name = member.name[len(MEDIA_PREFIX) :]
            # A backup is trusted input, but a path that climbs out of the media root is not.
            if name.startswith("/") or ".." in Path(name).parts:
                continue
            if not default_storage.exists(name):
                default_storage.save(name, archive.extractfile(member))
            restored += 1
    return data.count(b"<object "), restored
