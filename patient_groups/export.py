"""The directory as CSV (for spreadsheets) and JSON (for programs)."""

import json

from django.http import HttpResponse
from django.utils import timezone

from netinfo.core.spreadsheets import csv_download

CSV_COLUMNS = [
    "name", "acronym", "former_names", "country", "country_name", "coverage", "region", "city",
    "website", "email", "phone", "languages", "services", "alliance_member", "status",
    "last_verified", "verified_by", "note",
]  # fmt: skip


def csv_row(group):
    return [
        group.name,
        group.acronym,
        "; ".join(group.former_name_list()),
        group.country.code or "",
        group.country.name or "",
        group.coverage,
        group.region.slug,
        group.city,
        group.website,
        group.email,
        group.phone,
        " ".join(group.language_list),
        " ".join(group.service_list),
        "yes" if group.alliance_member else "no",
        group.status,
        group.last_verified.isoformat() if group.last_verified else "",
        group.verified_by.get_username() if group.verified_by else "",
        group.note,
    ]


def csv_response(groups, filename_stem="patient-groups"):
    filename = f"{filename_stem}-{timezone.localdate().isoformat()}.csv"
    return csv_download(filename, CSV_COLUMNS, (csv_row(group) for group in groups))


def public_data(group, request=None):
    """The fields visitors may see: no notes, no verification details."""
    data = {
        "name": group.name,
        "acronym": group.acronym,
        "former_names": group.former_name_list(),
        "country": group.country.code or None,
        "country_name": str(group.country.name) if group.country else None,
        "coverage": group.coverage,
        "region": {"slug": group.region.slug, "name": group.region.name},
        "city": group.city,
        "website": group.website or None,
        "email": group.email or None,
        "phone": group.phone or None,
        "languages": group.language_list,
        "services": group.service_list,
        "description": group.description,
        "alliance_member": group.alliance_member,
    }
    url = group.get_absolute_url()
    data["url"] = request.build_absolute_uri(url) if request else url
    return data


def json_response(groups, request=None, *, staff=False, attachment=False):
    items = []
    for group in groups:
        item = public_data(group, request)
        if staff:
            item.update(
                status=group.status,
                last_verified=group.last_verified.isoformat() if group.last_verified else None,
                note=group.note,
            )
        items.append(item)
    response = HttpResponse(
        json.dumps({"count": len(items), "groups": items}, ensure_ascii=False, indent=1),
        content_type="application/json; charset=utf-8",
    )
    if attachment:
        response["Content-Disposition"] = (
            f'attachment; filename="patient-groups-{timezone.localdate().isoformat()}.json"'
        )
    return response
