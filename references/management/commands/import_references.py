import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from references.exchange import FORMATS
from references.imports import (
    DUPLICATE,
    INVALID,
    NEW,
    ImportRefused,
    import_stream,
    save_stream,
)


class Command(BaseCommand):
    help = (
        "Import references from a RIS, BibTeX, CSL-JSON or PubMed (.nbib) file of any size. "
        "Duplicates are reported and skipped; if any entry is invalid, nothing is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=sorted(FORMATS), help="Default: from the file.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report, but save nothing."
        )

    def handle(self, file, format=None, dry_run=False, **options):
        if not file.is_file():
            raise CommandError(f"Cannot read {file}: there is no such file.")

        def open_file():
            try:
                return file.open("rb")
            except OSError as error:
                raise CommandError(f"Cannot read {file}: {error.strerror}") from None

        progress = self.progress if sys.stderr.isatty() else None
        try:
            counts, noted = import_stream(open_file, file.name, format, progress=progress)
        except ImportRefused as refused:
            self.clear_progress(progress)
            if len(refused.problems) == 1:
                raise CommandError(f"{file}: {refused.problems[0]} Nothing imported.") from None
            for problem in refused.problems:
                self.stdout.write(problem)
            raise CommandError(
                f"{file}: {len(refused.problems)} entries with problems (above); nothing "
                "imported. Correct them and run the import again."
            ) from None
        self.clear_progress(progress)
        for entry in noted:
            line = f"{entry.where}: {entry.status}"
            if entry.reference is not None:
                line += f" {entry.reference.key}"
            if entry.problems:
                line += "  " + " ".join(entry.problems)
            if entry.renamed_from:
                line += f"  (key {entry.renamed_from} is taken)"
            self.stdout.write(line)
        summary = f"{counts[NEW]} new, {counts[DUPLICATE]} duplicate, {counts[INVALID]} invalid"
        if dry_run:
            self.stdout.write(f"{summary}. Dry run: nothing saved.")
            return
        try:
            saved = save_stream(open_file, file.name, format, progress=progress)
        except ImportRefused as refused:
            raise CommandError("\n".join(refused.problems)) from None
        self.clear_progress(progress)
        self.stdout.write(self.style.SUCCESS(f"{summary}. Imported {saved}."))

    def progress(self, what, count):
        """On a terminal: how far the import has come, rewritten in place."""
        if count % 500 == 0:
            sys.stderr.write(f"\r{count:>9,} entries {what} ")
            sys.stderr.flush()

    def clear_progress(self, progress):
        if progress:
            sys.stderr.write("\r" + " " * 40 + "\r")
