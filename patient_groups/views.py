from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.db.models import Count
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from netinfo.core.jsonld import to_script_json
from netinfo.core.page_cache import add_tags, public_page, tags_version
from netinfo.core.public_forms import refusal

from . import services
from .export import csv_response, json_response
from .filters import DirectoryFilter, filter_options
from .forms import SuggestionForm
from .models import PatientGroup, Region, Suggestion

PAGE_SIZE = 50
# The directory's GET parameters (patient_groups.filters.DirectoryFilter).
FILTER_PARAMETERS = ["region", "country", "language", "q"]


def directory_filter(params):
    """(regions in their order, the DirectoryFilter of the GET parameters `params`)."""
    regions = list(Region.objects.all())
    country_codes, language_codes = filter_options()
    directory = DirectoryFilter(
        params,
        regions=regions,
        country_codes=country_codes,
        language_codes=language_codes,
    )
    return regions, directory


@public_page(query=[*FILTER_PARAMETERS, "page"], tags=["directory"])
def group_list(request):
    """
    Active groups by region, filtered by plain GET parameters; four queries at most. The
    filter form and the list are kept in the fragment cache per address (public_page has
    narrowed the query to the parameters above, in a fixed order), language and content
    version, and worked out only when they are not there (DirectoryListing).
    """
    return render(
        request,
        "patient_groups/patientgroup_list.html",
        {
            "listing": DirectoryListing(request.GET),
            "query": request.GET.urlencode(),
            "cache_version": tags_version("directory"),
            "fragment_seconds": settings.FRAGMENT_CACHE_SECONDS,
        },
    )


class DirectoryListing:
    """
    The directory's filters for the GET parameters `params`, and the groups its page lists,
    by region: worked out on first use, so not at all when the page comes from the cache.
    """

    def __init__(self, params):
        self.params = params
        self.requested_page = params.get("page", "1")

    @cached_property
    def _filtered(self):
        return directory_filter(self.params)

    @property
    def regions(self):
        return self._filtered[0]

    @property
    def filter(self):
        return self._filtered[1]

    @cached_property
    def notices(self):
        return self.filter.notices()

    @cached_property
    def chosen(self):
        return self.filter.chosen

    @cached_property
    def query_string(self):
        """The known filters, for the page links and the JSON link."""
        return self.filter.query_string()

    @cached_property
    def counts(self):
        groups = self.filter.qs.order_by()
        return dict(groups.values_list("region").annotate(n=Count("pk")))

    @cached_property
    def total(self):
        return sum(self.counts.values())

    @cached_property
    def pages(self):
        return max(1, -(-self.total // PAGE_SIZE))

    @cached_property
    def page(self):
        try:
            page = max(1, int(self.requested_page))
        except ValueError:
            page = 1
        return min(page, self.pages)

    @cached_property
    def sections(self):
        start = (self.page - 1) * PAGE_SIZE
        shown = page_of_groups(self.filter.qs, self.regions, self.counts, start)
        members = {}
        for group in shown:
            members.setdefault(group.region_id, []).append(group)
        return [
            {"region": region, "count": self.counts.get(region.pk, 0), "groups": members[region.pk]}
            for region in self.regions
            if region.pk in members
        ]


def page_of_groups(groups, regions, counts, start):
    """
    PAGE_SIZE of `groups` from position `start` of the directory's order (region, then name),
    in one query that touches only the regions the page shows.

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
    fields = ["name", "slug", "region", "listing_html"]
    if len(shown) == 1:
        page = groups.filter(region=shown[0]).order_by(Lower("name"), "pk")
    else:
        page = groups.filter(region__in=shown).order_by(
            "region__order", "region", Lower("name"), "pk"
        )
    return list(page.only(*fields)[offset : offset + PAGE_SIZE])


@public_page(query=FILTER_PARAMETERS, tags=["directory"])
def group_list_json(request):
    """The same filters as the directory page, public fields only."""
    _regions, directory = directory_filter(request.GET)
    groups = directory.qs.select_related("region")
    return json_response(groups.order_by("region__order", Lower("name")), request)


@never_cache
@permission_required("patient_groups.export_patientgroup", raise_exception=True)
def group_list_csv(request):
    """Staff only: the filtered directory, with internal fields, for a spreadsheet."""
    _regions, directory = directory_filter(request.GET)
    groups = directory.qs.select_related("region", "verified_by")
    return csv_response(groups.order_by("region__order", Lower("name")))


@public_page(tags=[])
def group_detail(request, slug):
    group = get_object_or_404(PatientGroup.objects.select_related("region"), slug=slug)
    response = render(
        request,
        "patient_groups/patientgroup_detail.html",
        {"group": group, "jsonld": to_script_json(organization_data(group, request))},
    )
    return add_tags(response, f"group-{group.pk}")


# How many suggestions one address may send in an hour.
SUGGESTIONS_PER_HOUR = 5


# The forms set no cookie, so that their pages stay cacheable like every public page; without
# a CSRF cookie, same_origin() (netinfo.core.public_forms) and the form's signed token do what
# CSRF protection would.
@csrf_exempt
@public_page(tags=[])
def suggest_correction(request, slug):
    group = get_object_or_404(PatientGroup.objects.select_related("region"), slug=slug)
    return add_tags(
        suggestion_page(request, Suggestion.Kind.CORRECTION, group), f"group-{group.pk}"
    )


@csrf_exempt
@public_page(tags=[])
def suggest_new_group(request):
    return suggestion_page(request, Suggestion.Kind.NEW)


def suggestion_page(request, kind, group=None):
    status = 200
    if request.method == "POST":
        form = SuggestionForm(request.POST, kind=kind, group=group)
        refused = refusal(request, "suggestion", SUGGESTIONS_PER_HOUR)
        if refused:
            status, message = refused
            form.add_error(None, message)
        elif form.is_valid():
            if not form.is_spam():
                services.submit_suggestion(form.save(commit=False), language=get_language())
            return redirect("patient_groups:suggestion-sent", permanent=False)
        else:
            status = 400
    else:
        form = SuggestionForm(kind=kind, group=group)
    return render(
        request,
        "patient_groups/suggestion_form.html",
        {"form": form, "group": group, "kind": kind},
        status=status,
    )


@public_page(tags=[])
def suggestion_sent(request):
    return render(request, "patient_groups/suggestion_sent.html")


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
