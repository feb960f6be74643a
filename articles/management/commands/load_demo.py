from django.core.management.base import BaseCommand

from articles.demo_content import load_demo


class Command(BaseCommand):
    help = (
        "Load demo sections, authors and articles (and demo logins when DEBUG is on). Idempotent."
    )

    def handle(self, *args, **options):
        load_demo(log=self.stdout.write)
