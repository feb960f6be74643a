from django.core.management.base import BaseCommand

from backups.archive import create_backup


class Command(BaseCommand):
    help = "Write the database (as fixtures) and the media files to one .tar.gz."

    def add_arguments(self, parser):
        parser.add_argument("path", help="where to write the backup, e.g. backup.tar.gz")

    def handle(self, *args, path, **options):
        objects, files = create_backup(path)
        self.stdout.write(self.style.SUCCESS(f"Backed up {objects} objects and {files} files"))
