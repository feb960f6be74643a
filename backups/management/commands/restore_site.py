from django.core.management.base import BaseCommand, CommandError

from articles.models import Article
from backups.archive import restore_backup


class Command(BaseCommand):
    help = "Restore a backup_site archive into an empty, migrated database."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        if Article.objects.exists():
            raise CommandError("the database already has articles; restore into an empty one")
        try:
            objects, files = restore_backup(path)
        except (FileNotFoundError, OSError) as exc:
            raise CommandError(f"{path}: {exc}") from None
        self.stdout.write(self.style.SUCCESS(f"Restored {objects} objects and {files} files"))
