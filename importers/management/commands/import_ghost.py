from importers.command import ImportCommand
from importers.ghost import read_ghost
from importers.models import Source


class Command(ImportCommand):
    help = (
        "Import a Ghost export (Settings > Labs > Export, Ghost 1.x to 5.x): posts, authors, "
        "tags, featured images, and redirects from the old URLs. Safe to run again."
    )
    source = Source.GHOST
    reader = staticmethod(read_ghost)
