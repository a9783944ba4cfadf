from django.core.management.base import BaseCommand

from netinfo import demo


class Command(BaseCommand):
    help = (
        "Load the demo topics, articles, references and placeholder images. Idempotent: what "
        "already exists is left unchanged."
    )

    def handle(self, *args, **options):
        demo.load(log=self.stdout.write)
