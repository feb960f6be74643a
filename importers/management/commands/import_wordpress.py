from importers.command import ImportCommand
from importers.models import Source
from importers.wordpress import read_wordpress


class Command(ImportCommand):
    help = (
        "Import a WordPress export (Tools > Export, WXR 1.1 or 1.2): posts, authors, categories "
        "as sections, tags, featured images, and redirects from the old URLs. Safe to run again."
    )
    source = Source.WORDPRESS
    reader = staticmethod(read_wordpress)
