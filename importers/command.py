"""What import_wordpress and import_ghost share: the file, its checks, the options, the report."""

import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from articles.models import Article
from importers.items import SourceError
from importers.loading import Options, import_items

# A bigger export is refused before it is read: no newsroom's archive is text this large, and
# a hostile one must not fill the disk or the memory.
MAX_BYTES = 1024 * 1024 * 1024


def open_export(path, *, max_bytes=MAX_BYTES):
    path = Path(path)
    if not path.exists():
        raise SourceError(f"{path}: no such file")
    if not path.is_file():
        raise SourceError(f"{path}: not a regular file")
    size = path.stat().st_size
    if size == 0:
        raise SourceError(f"{path}: the file is empty")
    if size > max_bytes:
        raise SourceError(
            f"{path}: {size / 1024**2:,.0f} MB, larger than the {max_bytes / 1024**2:,.0f} MB "
            "an export may be (--max-size)"
        )
    try:
        return path.open("rb")
    except OSError as exc:
        raise SourceError(f"{path}: cannot be read ({exc.strerror})") from None


class ImportCommand(BaseCommand):
    source = ""  # importers.models.Source
    reader = None  # fileobj -> items

    def add_arguments(self, parser):
        parser.add_argument("path", help="the export file")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="read and check everything, print the report, change nothing",
        )
        parser.add_argument(
            "--with-users",
            action="store_true",
            help="also make a desk account (Writer, no password: set through a reset) per author",
        )
        parser.add_argument(
            "--media-root",
            type=Path,
            help="the old site's uploads folder: featured images are taken from it when there",
        )
        parser.add_argument(
            "--no-download",
            action="store_true",
            help="do not download featured images missing from --media-root",
        )
        parser.add_argument("--genre", choices=Article.Genre.values, default=Article.Genre.NEWS)
        parser.add_argument("--by", help="the username the import is recorded under")
        parser.add_argument(
            "--max-size", type=int, default=MAX_BYTES // 1024**2, help="in MB (default 1024)"
        )

    def handle(self, *args, **options):
        by = None
        if options["by"]:
            by = get_user_model().objects.filter(username=options["by"]).first()
            if by is None:
                raise CommandError(f"no user named {options['by']!r}")
        media_root = options["media_root"]
        if media_root is not None and not media_root.is_dir():
            raise CommandError(f"--media-root {media_root}: not a folder")
        run = Options(
            source=self.source,
            by=by,
            genre=options["genre"],
            with_users=options["with_users"],
            media_root=media_root,
            download_images=not options["no_download"],
            dry_run=options["dry_run"],
            log=lambda line: self.stderr.write(line) if options["verbosity"] else None,
        )
        started = time.perf_counter()
        try:
            with open_export(options["path"], max_bytes=options["max_size"] * 1024**2) as export:
                report = import_items(self.reader(export), options=run, file_name=options["path"])
        except SourceError as exc:
            raise CommandError(f"nothing imported: {exc}") from None
        seconds = time.perf_counter() - started
        heading = (
            "Dry run: nothing was changed. The import would do this"
            if run.dry_run
            else ("Imported")
        )
        self.stdout.write(self.style.SUCCESS(f"{heading} ({seconds:.1f} s):"))
        for line in report.lines():
            self.stdout.write(line)
