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

from references.exchange import encoding_of
from references.imports import CONTROL_CHARACTER

from .models import PatientGroup, Region

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
    """
    (row number, {column: value}, problem) for each row of a CSV file (bytes, text or a binary
    file object; UTF-8, with or without a byte-order mark, or UTF-16 with one), read as it
    comes. Row 1 is the header, as in a spreadsheet.
    """
    if isinstance(data, str):
        stream = io.StringIO(data.lstrip("\ufeff"), newline="")
    else:
        binary = io.BytesIO(data) if isinstance(data, bytes) else data
        encoding = encoding_of(binary.read(65536))
        binary.seek(0)
        if encoding == "latin-1":
            raise ImportFailed([_("The file is not UTF-8 text. Save it as “CSV UTF-8”.")])
        stream = io.TextIOWrapper(binary, encoding=encoding, newline="")
    try:
        reader = csv.reader(stream)
        header = [name.strip() for name in next(reader, [])]
        missing = REQUIRED_COLUMNS - set(header)
        if missing:
            raise ImportFailed(
                [
                    _("The file lacks the columns: %(columns)s.")
                    % {"columns": ", ".join(sorted(missing))}
                ]
            )
        for values in reader:
            number = reader.line_num
            if not any(value.strip() for value in values):
                continue
            if len(values) > len(header):
                yield (
                    number,
                    {},
                    _(
                        "it has %(count)s fields, the header %(columns)s: a value with a comma needs quotes."
                    )
                    % {"count": len(values), "columns": len(header)},
                )
                continue
            row = {name: value.strip() for name, value in zip(header, values, strict=False)}
            if any(CONTROL_CHARACTER.search(value) for value in row.values()):
                yield number, {}, _("it contains a control character, which no field can hold.")
                continue
            yield number, row, ""
    except csv.Error as error:
        raise ImportFailed(
            [_("The CSV file cannot be read: %(error)s") % {"error": error}]
        ) from None
    except UnicodeDecodeError:
        raise ImportFailed([_("The file is not UTF-8 text. Save it as “CSV UTF-8”.")]) from None


def usual_region(country, regions):
    """The first region in order whose countries include `country` (regions: by slug and name)."""
    listing = sorted(
        {region.pk: region for region in regions.values()}.values(), key=lambda r: (r.order, r.pk)
    )
    return next((region for region in listing if country and country in region.country_list), None)


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
    region = regions.get(wanted) or (usual_region(country, regions) if not wanted else None)
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


def import_groups(data, *, dry_run=False, progress=None):
    """Import a CSV file. Raises ImportFailed, saving nothing, when any row has a problem."""
    regions = {}
    for region in Region.objects.all():
        regions[region.slug] = region
        regions[region.name_en.lower()] = region
    report, problems, seen = ImportReport(), [], {}
    planned = []
    for number, row, problem in read_rows(data):
        if progress:
            progress(number)
        if problem:
            problems.append(_("Row %(row)s: %(problem)s") % {"row": number, "problem": problem})
            continue
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
    if not planned:
        raise ImportFailed([_("The file has no rows.")])
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
