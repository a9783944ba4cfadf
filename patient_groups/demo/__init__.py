"""The 41 associations of the international alliance's member list, for `make run`."""

from pathlib import Path

from ..importing import import_groups

CSV = Path(__file__).resolve().parent / "patient_groups.csv"


def load(log=print):
    # The same import as `manage.py import_patient_groups`: updates by name + country, so a
    # second run changes nothing.
    report = import_groups(CSV.read_bytes())
    log(
        f"Patient groups: {len(report.created)} added, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged."
    )
    return report
