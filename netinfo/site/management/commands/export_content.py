import json
from pathlib import Path

from django.core.management.base import BaseCommand

from netinfo.site.backup import export_content


class Command(BaseCommand):
    help = "Write all content (articles, references, directory, cookie groups) to a JSON file."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, file, **options):
        data = export_content()
        file.write_text(json.dumps(data, ensure_ascii=False, indent=1))
        self.stdout.write(f"Exported {len(data['objects'])} objects to {file}.")
