import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from patient_groups.importing import ImportFailed, import_groups


class Command(BaseCommand):
    help = (
        "Import patient groups from CSV (name, acronym, former_name, country alpha-3 or EU, "
        "region, website, verified_note). Rows update the group with the same name and "
        "country; if any row is wrong, nothing is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check and report only.")

    def handle(self, file, dry_run=False, **options):
        progress = self.progress if sys.stderr.isatty() else None
        try:
            with file.open("rb") as stream:
                report = import_groups(stream, dry_run=dry_run, progress=progress)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        except ImportFailed as failed:
            raise CommandError("Nothing imported.\n" + "\n".join(failed.problems)) from None
        finally:
            if progress:
                sys.stderr.write("\r" + " " * 30 + "\r")
        summary = (
            f"{len(report.created)} new, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged"
        )
        if dry_run:
            self.stdout.write(f"{summary}. Dry run: nothing saved.")
        else:
            self.stdout.write(self.style.SUCCESS(f"{summary}."))

    def progress(self, row):
        if row % 100 == 0:
            sys.stderr.write(f"\r{row:>7,} rows read ")
            sys.stderr.flush()
