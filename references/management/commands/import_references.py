from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from references.exchange import FORMATS
from references.imports import DUPLICATE, INVALID, NEW, ImportRefused, commit_import, prepare_import


class Command(BaseCommand):
    help = (
        "Import references from a RIS, BibTeX, CSL-JSON or PubMed (.nbib) file. Duplicates are "
        "reported and skipped; if any entry is invalid, nothing is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=sorted(FORMATS), help="Default: from the file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report, but save nothing."
        )

    def handle(self, file, format=None, dry_run=False, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        try:
            entries = prepare_import(data, file.name, format)
        except ImportRefused as refused:
            raise CommandError("\n".join(refused.problems)) from None
        for entry in entries:
            key = entry.reference.key if entry.reference else "-"
            line = f"entry {entry.number}: {entry.status:9} {key}"
            if entry.problems:
                line += "  " + " ".join(entry.problems)
            if entry.renamed_from:
                line += f"  (key {entry.renamed_from} is taken)"
            self.stdout.write(line)
        counts = {s: sum(e.status == s for e in entries) for s in (NEW, DUPLICATE, INVALID)}
        summary = f"{counts[NEW]} new, {counts[DUPLICATE]} duplicate, {counts[INVALID]} invalid"
        if counts[INVALID]:
            raise CommandError(f"{summary}: nothing imported. Correct the invalid entries.")
        if dry_run:
            self.stdout.write(f"{summary}. Dry run: nothing saved.")
            return
        created = commit_import(entries)
        self.stdout.write(self.style.SUCCESS(f"{summary}. Imported {len(created)}."))
