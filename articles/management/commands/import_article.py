from django.core.management.base import BaseCommand, CommandError

from articles.importing import ImportRejected, import_piece, read_piece
from articles.models import Article, Section


class Command(BaseCommand):
    help = (
        "Import a plain-text piece: first line the headline, then paragraphs, "
        "last line the byline. Nothing is saved unless the whole piece imports."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="UTF-8 text file to import")
        parser.add_argument("--section", required=True, help="slug of an existing section")
        parser.add_argument("--genre", choices=Article.Genre.values, default=Article.Genre.NEWS)
        parser.add_argument(
            "--publish", action="store_true", help="publish now instead of saving a draft"
        )

    def handle(self, *args, path, section, genre, publish, **options):
        try:
            target = Section.objects.get(slug=section)
        except Section.DoesNotExist:
            known = ", ".join(Section.objects.values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"unknown section {section!r} (known: {known})") from None
        try:
            article = import_piece(read_piece(path), section=target, genre=genre, publish=publish)
        except ImportRejected as exc:
            raise CommandError(str(exc)) from None
        state = "published" if publish else "saved as a draft"
        byline = ", ".join(author.name for author in article.ordered_authors)
        self.stdout.write(
            self.style.SUCCESS(f"Imported {article.headline!r} by {byline}, {state}: ")
            + article.get_absolute_url()
        )
