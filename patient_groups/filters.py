"""The directory's filters: plain GET parameters, checked, with a polite note for bad values."""

from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext as _

from netinfo.search import clean_query

from .models import PatientGroup, country_name, language_name

MAX_NAME_LENGTH = 100


@dataclass
class DirectoryFilter:
    region: object = None
    country: str = ""
    language: str = ""
    name: str = ""
    notices: list = field(default_factory=list)

    @classmethod
    def from_params(cls, params, regions, country_codes, language_codes):
        """Read region, country, language and q; unknown values are dropped with a notice."""
        chosen = cls()
        region = params.get("region", "").strip()
        if region:
            chosen.region = next((r for r in regions if r.slug == region), None)
            if chosen.region is None:
                chosen.notices.append(
                    _("There is no region “%(value)s”; showing all regions.")
                    % {"value": region[:50]}
                )
        country = params.get("country", "").strip().upper()
        if country:
            if country in country_codes:
                chosen.country = country
            else:
                chosen.notices.append(
                    _("No groups are listed for the country “%(value)s”; showing all countries.")
                    % {"value": country[:50]}
                )
        language = params.get("language", "").strip().lower()
        if language:
            if language in language_codes:
                chosen.language = language
            else:
                chosen.notices.append(
                    _("No groups are listed for the language “%(value)s”; showing all languages.")
                    % {"value": language[:50]}
                )
        name, _shortened = clean_query(params.get("q", ""))
        chosen.name = name[:MAX_NAME_LENGTH]
        return chosen

    @property
    def active(self):
        return bool(self.region or self.country or self.language or self.name)

    def apply(self, queryset):
        if self.region:
            queryset = queryset.in_region(self.region)
        if self.country:
            queryset = queryset.in_country(self.country)
        if self.language:
            queryset = queryset.serving_language(self.language)
        if self.name:
            queryset = queryset.matching(self.name)
        return queryset

    def query_string(self):
        from urllib.parse import urlencode

        params = {
            "region": self.region.slug if self.region else "",
            "country": self.country,
            "language": self.language,
            "q": self.name,
        }
        return urlencode({k: v for k, v in params.items() if v})


def filter_options():
    """(country codes, language codes) of active groups, in one query."""
    country_codes, language_codes = set(), set()
    # order_by(): the model's default ordering would make every row distinct.
    pairs = PatientGroup.objects.active().order_by().values_list("country", "languages").distinct()
    for country, languages in pairs:
        if country:
            country_codes.add(country)
        language_codes.update(languages.split())
    return country_codes, language_codes


def country_options(codes):
    """[(code, name in the visitor's language)], sorted by that name."""
    return sorted(((code, country_name(code)) for code in codes), key=lambda c: c[1])


def language_options(codes):
    return sorted(((code, language_name(code)) for code in codes), key=lambda c: c[1])


def counts_by_region(queryset):
    return dict(
        queryset.order_by().values_list("region").annotate(n=Count("pk")).values_list("region", "n")
    )
