import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from netinfo.consent.models import ConsentRecord


class Command(BaseCommand):
    help = "Delete consent records older than the given number of days."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, required=True, metavar="DAYS")

    def handle(self, older_than, **options):
        if older_than < 1:
            raise CommandError("--older-than must be at least 1 day.")
        cutoff = timezone.now() - datetime.timedelta(days=older_than)
        deleted, _details = ConsentRecord.objects.filter(created__lt=cutoff).delete()
        self.stdout.write(f"Deleted {deleted} consent records older than {older_than} days.")
