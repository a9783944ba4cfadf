"""
Importing the directory from CSV: the shared data's format, all rows or none.

Columns: name, acronym, former_name, country (ISO 3166-1 alpha-3; "EU" for a pan-European
group; empty for an international one), region (its English name or slug), website, and
verified_note (kept as the internal note). A row updates the group with the same name and
country, so importing the same file twice changes nothing.
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_countries import countries

from .models import PatientGroup, Region
from .regions import suggested_region_slug

REQUIRED_COLUMNS = {"name", "country", "region"}
PAN_EUROPEAN = "EU"
FIELDS = ["acronym", "former_names", "country", "coverage", "region", "website", "note"]


class ImportFailed(ValueError):
    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class ImportReport:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)


def read_rows(data):
    """Rows of a CSV file (bytes or text, UTF-8 with or without BOM) as dicts."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportFailed([_("The file is not UTF-8 text. Save it as “CSV UTF-8”.")]) from None
    data = data.lstrip("\ufeff")
    try:
        reader = csv.DictReader(io.StringIO(data, newline=""))
        columns = {name.strip() for name in reader.fieldnames or []}
        missing = REQUIRED_COLUMNS - columns
        if missing:
            raise ImportFailed(
                [
                    _("The file lacks the columns: %(columns)s.")
                    % {"columns": ", ".join(sorted(missing))}
                ]
            )
        return [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in reader]
    except csv.Error as error:
        raise ImportFailed(
            [_("The CSV file cannot be read: %(error)s") % {"error": error}]
        ) from None


def group_from_row(row, regions):
    """(unsaved PatientGroup with the row's values, list of problems)."""
    problems = []
    name = row.get("name", "")
    if not name:
        problems.append(_("the name is empty"))
    code = row.get("country", "").upper()
    if code == PAN_EUROPEAN:
        country, coverage = "", PatientGroup.Coverage.MULTINATIONAL
    elif not code:
        country, coverage = "", PatientGroup.Coverage.INTERNATIONAL
    else:
        country = countries.alpha2(code) if len(code) == 3 else ""
        coverage = PatientGroup.Coverage.NATIONAL
        if not country:
            problems.append(
                _("unknown country code “%(code)s” (use ISO 3166-1 alpha-3, e.g. DEU)")
                % {"code": code}
            )
    wanted = row.get("region", "").lower()
    region = regions.get(wanted) or (
        regions.get(suggested_region_slug(country)) if not wanted else None
    )
    if region is None:
        problems.append(_("unknown region “%(region)s”") % {"region": row.get("region", "")})
    existing = PatientGroup.objects.filter(name=name, country=country).first()
    group = existing or PatientGroup(name=name, country=country, alliance_member=True)
    group.acronym = row.get("acronym", "")
    group.former_names = row.get("former_name", "")
    group.coverage = coverage
    group.region = region
    group.website = row.get("website", "")
    group.note = row.get("verified_note", "")
    if not problems:
        try:
            group.full_clean(exclude=["slug"], validate_unique=existing is None)
        except ValidationError as error:
            problems += [
                f"{field}: {message}" if field != "__all__" else message
                for field, messages in error.message_dict.items()
                for message in messages
            ]
    return group, existing, problems


def import_groups(data, *, dry_run=False):
    """Import a CSV file. Raises ImportFailed, saving nothing, when any row has a problem."""
    rows = read_rows(data)
    if not rows:
        raise ImportFailed([_("The file has no rows.")])
    regions = {}
    for region in Region.objects.all():
        regions[region.slug] = region
        regions[region.name_en.lower()] = region
    report, problems, seen = ImportReport(), [], {}
    planned = []
    for number, row in enumerate(rows, start=2):  # row 1 is the header, as in a spreadsheet
        group, existing, row_problems = group_from_row(row, regions)
        identity = (group.name, group.country)
        if identity in seen and not row_problems:
            row_problems.append(_("same name and country as row %(row)s") % {"row": seen[identity]})
        seen[identity] = number
        problems += [
            _("Row %(row)s: %(problem)s") % {"row": number, "problem": p} for p in row_problems
        ]
        planned.append((group, existing))
    if problems:
        raise ImportFailed(problems)
    with transaction.atomic():
        for group, existing in planned:
            if existing is None:
                report.created.append(group)
            elif _changed(existing.pk, group):
                report.updated.append(group)
            else:
                report.unchanged.append(group)
                continue
            if not dry_run:
                group.save()
    return report


def _changed(pk, group):
    stored = PatientGroup.objects.get(pk=pk)
    return any(getattr(stored, name) != getattr(group, name) for name in FIELDS)
