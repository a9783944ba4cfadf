import functools
from urllib.parse import quote

from django.contrib.auth.decorators import permission_required
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from netinfo.core.jsonld import to_script_json
from netinfo.core.page_cache import public_page
from netinfo.core.prepared import PreparedQuery, PreparedRows

from .export import csv_response, json_response
from .filters import (
    FILTER_KINDS,
    DirectoryFilter,
    country_options,
    counts_by_region,
    filter_options,
    filtered,
    language_options,
)
from .models import PatientGroup, Region

PAGE_SIZE = 50
# What the directory list shows (templatetags/directory_tags.py), loaded as plain values: making
# 50 model instances took longer than the query.
LISTED = [
    "name",
    "slug",
    "acronym",
    "former_names",
    "country",
    "coverage",
    "region",
    "website",
    "languages",
    "services",
]


REGIONS = PreparedQuery(lambda: Region.objects.all())


def directory_filter(request):
    regions = REGIONS()
    country_codes, language_codes = filter_options()
    chosen = DirectoryFilter.from_params(request.GET, regions, country_codes, language_codes)
    return regions, country_codes, language_codes, chosen


# The directory's GET parameters (patient_groups.filters.DirectoryFilter.from_params).
FILTER_PARAMETERS = ["region", "country", "language", "q"]


@public_page(query=[*FILTER_PARAMETERS, "page"])
def group_list(request):
    """Active groups by region, filtered by plain GET parameters; four queries in all."""
    regions, country_codes, language_codes, chosen = directory_filter(request)
    counts = counts_by_region(chosen)
    total = sum(counts.values())
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(page, pages)
    groups = page_of_groups(chosen, regions, counts, (page - 1) * PAGE_SIZE)
    members = {}
    for group in groups:
        members.setdefault(group["region"], []).append(group)
    sections = [
        {"region": region, "count": counts.get(region.pk, 0), "groups": members[region.pk]}
        for region in regions
        if region.pk in members
    ]
    return render(
        request,
        "patient_groups/patientgroup_list.html",
        {
            "sections": sections,
            "regions": [(region.slug, region.name) for region in regions],
            "countries": country_options(country_codes),
            "languages": language_options(language_codes),
            "chosen": chosen,
            "total": total,
            "page": page,
            "pages": pages,
            "query_string": chosen.query_string(),
        },
    )


def page_of_groups(chosen, regions, counts, start):
    """
    PAGE_SIZE groups (dicts of LISTED) from position `start` of the directory's order (region,
    then name) of the groups `chosen` lets through, in one query that touches only the regions
    the page shows.

    The directory order puts regions in their own order, which the groups table does not know,
    so sorting every group by it costs a scan of the whole table per page. A page that falls
    within one region, the usual case, is read in order from the patientgroup_directory_order
    index instead.
    """
    shown, offset, before = [], 0, 0
    for region in regions:
        count = counts.get(region.pk, 0)
        if before + count > start and before < start + PAGE_SIZE:
            if not shown:
                offset = start - before
            shown.append(region)
        before += count
    if not shown:
        return []
    values = chosen.values()
    shown_ids = {f"shown_{i}": region.pk for i, region in enumerate(shown)}
    query = prepared_page(tuple(values), len(shown))
    return query(**values, **shown_ids, limit=PAGE_SIZE, offset=offset)


@functools.cache
def prepared_page(chosen_filters, regions_shown):
    """The query of page_of_groups() for these filters and this number of regions shown."""
    shown = [f"shown_{i}" for i in range(regions_shown)]

    def build(**values):
        shown_ids = [values.pop(name) for name in shown]
        groups = filtered(PatientGroup.objects.active(), **values)
        if len(shown_ids) == 1:
            groups = groups.filter(region=shown_ids[0]).order_by(Lower("name"), "pk")
        else:
            groups = groups.filter(region__in=shown_ids).order_by(
                "region__order", "region", Lower("name"), "pk"
            )
        return groups.values(*LISTED)

    kinds = {name: FILTER_KINDS[name] for name in chosen_filters}
    return PreparedRows(build, paged=True, **kinds, **dict.fromkeys(shown, int))


@public_page(query=FILTER_PARAMETERS)
def group_list_json(request):
    """The same filters as the directory page, public fields only."""
    _regions, _countries, _languages, chosen = directory_filter(request)
    groups = chosen.apply(PatientGroup.objects.active()).select_related("region")
    return json_response(groups.order_by("region__order", Lower("name")), request)


@never_cache
@permission_required("patient_groups.export_patientgroup", raise_exception=True)
def group_list_csv(request):
    """Staff only: the filtered directory, with internal fields, for a spreadsheet."""
    _regions, _countries, _languages, chosen = directory_filter(request)
    groups = chosen.apply(PatientGroup.objects.active()).select_related("region", "verified_by")
    return csv_response(groups.order_by("region__order", Lower("name")))


@public_page
def group_detail(request, slug):
    group = get_object_or_404(PatientGroup.objects.select_related("region"), slug=slug)
    subject = _("Correction for the NET Info directory: %(name)s") % {"name": group.name}
    return render(
        request,
        "patient_groups/patientgroup_detail.html",
        {
            "group": group,
            "jsonld": to_script_json(organization_data(group, request)),
            "correction_subject": quote(subject),
        },
    )


def organization_data(group, request):
    data = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": group.name,
        "url": group.website or request.build_absolute_uri(group.get_absolute_url()),
        "areaServed": str(group.country.name) if group.country else group.region.name,
    }
    alternates = [name for name in [group.acronym, *group.former_name_list()] if name]
    if alternates:
        data["alternateName"] = alternates
    if group.description:
        data["description"] = group.description
    if group.email:
        data["email"] = group.email
    if group.phone:
        data["telephone"] = group.phone
    if group.country or group.city:
        data["address"] = {"@type": "PostalAddress"}
        if group.country:
            data["address"]["addressCountry"] = group.country.code
        if group.city:
            data["address"]["addressLocality"] = group.city
    if group.language_list:
        data["knowsLanguage"] = group.language_list
    return data
