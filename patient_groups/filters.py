"""
The directory's filters (django-filter): region, country, language and name, as plain GET
parameters (?region=europe&country=DE&language=de&q=net), so that a filtered list can be
bookmarked and shared. A value the directory does not know is left out, with a notice.
"""

from urllib.parse import urlencode

import django_filters
from django.core.cache import cache
from django.utils.translation import gettext as _, gettext_lazy

from netinfo.core.page_cache import tags_version
from netinfo.core.text import clean_query

from .models import PatientGroup, country_name, language_name

MAX_NAME_LENGTH = 100
# How long the filters' choices are kept: until a group or region changes (the "directory"
# tag's version in the key), or this many seconds.
OPTIONS_SECONDS = 3600


class DirectoryFilter(django_filters.FilterSet):
    region = django_filters.ChoiceFilter(
        label=gettext_lazy("Region"), empty_label=gettext_lazy("All regions"), method="in_region"
    )
    country = django_filters.ChoiceFilter(
        label=gettext_lazy("Country"),
        empty_label=gettext_lazy("All countries"),
        method="in_country",
    )
    language = django_filters.ChoiceFilter(
        label=gettext_lazy("Language"),
        empty_label=gettext_lazy("All languages"),
        method="serving_language",
    )
    q = django_filters.CharFilter(label=gettext_lazy("Name"), method="matching")

    class Meta:
        model = PatientGroup
        fields = []

    def __init__(self, data, *, regions, country_codes, language_codes):
        """`regions` in their order; the codes of the countries and languages groups list."""
        data = data.copy()
        # What a visitor types, as the filter reads it: capitals aside, printable text only.
        if data.get("country"):
            data["country"] = data["country"].strip().upper()
        if data.get("language"):
            data["language"] = data["language"].strip().lower()
        if data.get("q"):
            data["q"] = clean_query(data["q"])[0][:MAX_NAME_LENGTH]
        self.regions = {region.slug: region for region in regions}
        # Once a region is chosen, only its countries are offered. A country from elsewhere
        # (an old bookmark, a hand-made address) wins over the region, with a notice, rather
        # than a list of no groups.
        region = self.regions.get(data.get("region", ""))
        self.region_left_out = None
        if region is not None and data.get("country"):
            if not region.covers(data["country"]):
                self.region_left_out = (data["country"], region)
                del data["region"]
                region = None
        if region is not None:
            country_codes = [code for code in country_codes if region.covers(code)]
        super().__init__(data, queryset=PatientGroup.objects.active())
        self.filters["region"].extra["choices"] = [(r.slug, r.name) for r in regions]
        self.filters["country"].extra["choices"] = sorted(
            ((code, country_name(code)) for code in country_codes), key=lambda c: c[1]
        )
        self.filters["language"].extra["choices"] = sorted(
            ((code, language_name(code)) for code in language_codes), key=lambda c: c[1]
        )

    def in_region(self, queryset, name, value):
        return queryset.in_region(self.regions[value].pk)

    def in_country(self, queryset, name, value):
        return queryset.in_country(value)

    def serving_language(self, queryset, name, value):
        return queryset.serving_language(value)

    def matching(self, queryset, name, value):
        return queryset.matching(value)

    @property
    def chosen(self):
        """The filters in effect: {name: value} of those with a known value."""
        self.errors  # noqa: B018 (validates the form, which cleaned_data needs)
        return {name: value for name, value in self.form.cleaned_data.items() if value}

    def notices(self):
        """A polite note for each value the directory does not know (it is left out)."""
        raw = {name: str(self.data.get(name, ""))[:50] for name in self.form.errors}
        messages = {
            "region": _("There is no region “%(value)s”; showing all regions."),
            "country": _(
                "No groups are listed for the country “%(value)s”; showing all countries."
            ),
            "language": _(
                "No groups are listed for the language “%(value)s”; showing all languages."
            ),
        }
        notices = [
            messages[name] % {"value": value} for name, value in raw.items() if name in messages
        ]
        if self.region_left_out is not None:
            code, region = self.region_left_out
            notices.insert(
                0,
                _(
                    "%(country)s is not in the region “%(region)s”: showing all groups in %(country)s."
                )
                % {"country": country_name(code), "region": region.name},
            )
        return notices

    def query_string(self):
        """The chosen filters as they go into the address (for pages and the JSON link)."""
        return urlencode(self.chosen)


def filter_options():
    """
    (country codes, language codes) of the active groups, in one query; kept in the cache
    until content changes, as they change only when a group does.
    """
    key = f"netinfo:directory-options:{tags_version('directory')}"
    options = cache.get(key)
    if options is None:
        pairs = (
            PatientGroup.objects.active().order_by().values_list("country", "languages").distinct()
        )
        countries, languages = set(), set()
        for country, codes in pairs:
            if country:
                countries.add(country)
            languages.update(codes.split())
        options = (countries, languages)
        cache.set(key, options, OPTIONS_SECONDS)
    return options
