import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from netinfo.site.backup import ContentImportError, import_content


class Command(BaseCommand):
    help = "Load a file written by export_content into a database that has no content yet."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, file, **options):
        try:
            data = json.loads(file.read_text())
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        except json.JSONDecodeError as error:
            raise CommandError(f"{file} is not JSON: {error}") from None
        try:
            count = import_content(data)
        except ContentImportError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Imported {count} objects from {file}."))
