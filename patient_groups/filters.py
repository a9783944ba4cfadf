"""The directory's filters: plain GET parameters, checked, with a polite note for bad values."""

import functools
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Func, IntegerField, OuterRef, Subquery
from django.utils.translation import gettext as _

from netinfo.core.prepared import PreparedRows
from netinfo.core.text import clean_query, folded

from .models import PatientGroup, Region, country_name, language_name

MAX_NAME_LENGTH = 100
# The filters' values as the queries compare them (DirectoryFilter.values()).
FILTER_KINDS = {"region": int, "country": str, "language": str, "name": str}


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
    def region_slug(self):
        return self.region.slug if self.region else ""

    @property
    def active(self):
        return bool(self.region or self.country or self.language or self.name)

    def values(self):
        """The chosen filters' values as the queries compare them: region id, name folded."""
        values = {
            "region": self.region.pk if self.region else None,
            "country": self.country,
            "language": self.language,
            "name": folded(self.name),
        }
        return {name: value for name, value in values.items() if value}

    def apply(self, queryset):
        return filtered(queryset, **self.values())

    def query_string(self):
        from urllib.parse import urlencode

        params = {
            "region": self.region_slug,
            "country": self.country,
            "language": self.language,
            "q": self.name,
        }
        return urlencode({k: v for k, v in params.items() if v})


def filtered(queryset, *, region=None, country=None, language=None, name=None):
    """`queryset` narrowed by the filters given, values as DirectoryFilter.values() gives them."""
    if region is not None:
        queryset = queryset.in_region(region)
    if country is not None:
        queryset = queryset.in_country(country)
    if language is not None:
        queryset = queryset.serving_language(language)
    if name is not None:
        queryset = queryset.matching_folded(name)
    return queryset


# COUNT(*) without GROUP BY: a subquery counts for each region what Django would count by
# grouping. The database then walks each region's part of the patientgroup_directory_order
# index once, without grouping rows, which on SQLite cost as much again as reading them.
COUNT_ROWS = Func(template="COUNT(*)", output_field=IntegerField())


# The directory's counts and pages are the same query on every request but for the filters'
# values, so they are prepared (netinfo/prepared.py): building and compiling them took Django
# longer than the database took to answer. One prepared query per combination of filters.
@functools.cache
def prepared_counts(chosen_filters):
    return PreparedRows(
        lambda **values: (
            Region.objects.order_by()
            .values("id")
            .annotate(
                n=Subquery(
                    filtered(PatientGroup.objects.active(), **values)
                    .filter(region=OuterRef("pk"))
                    .order_by()
                    .annotate(n=COUNT_ROWS)
                    .values("n")
                )
            )
        ),
        **{name: FILTER_KINDS[name] for name in chosen_filters},
    )


def filter_options():
    """
    (country codes, language codes) of the active groups, in one query.

    Thousands of groups have a few dozen countries and lists of languages between them. Each
    of those is found by one look-up in an index (patientgroup_countries, _languages): the
    smallest value after the last one found, a "loose index scan". SELECT DISTINCT would read
    every group instead, more than a fifth of the directory's time on SQLite. Django's ORM
    has no recursive query, so this one is written out; it runs on SQLite and PostgreSQL alike.
    """
    with connection.cursor() as cursor:
        cursor.execute(filter_options_sql(), [PatientGroup.Status.ACTIVE] * 4)
        rows = cursor.fetchall()
    country_codes, language_codes = set(), set()
    for column, value in rows:
        if column == "country":
            if value:
                country_codes.add(value)
        else:
            language_codes.update(value.split())
    return country_codes, language_codes


def distinct_values_sql(column):
    """
    The part of a recursive query that lists the distinct values of `column` among active
    groups as `<column>_found`, each found from the one before; it ends with a NULL.
    """
    quote = connection.ops.quote_name
    table = quote(PatientGroup._meta.db_table)
    status = quote(PatientGroup._meta.get_field("status").column)
    value = quote(PatientGroup._meta.get_field(column).column)
    found = f"{column}_found"
    return f"""
        {found}(value) AS (
            SELECT MIN({value}) FROM {table} WHERE {status} = %s
            UNION ALL
            SELECT (
                SELECT MIN({value}) FROM {table} WHERE {status} = %s AND {value} > {found}.value
            ) FROM {found} WHERE {found}.value IS NOT NULL
        )"""


@functools.cache
def filter_options_sql():
    return f"""
        WITH RECURSIVE {distinct_values_sql("country")}, {distinct_values_sql("languages")}
        SELECT 'country', value FROM country_found WHERE value IS NOT NULL
        UNION ALL
        SELECT 'languages', value FROM languages_found WHERE value IS NOT NULL
    """


def country_options(codes):
    """[(code, name in the visitor's language)], sorted by that name."""
    return sorted(((code, country_name(code)) for code in codes), key=lambda c: c[1])


def language_options(codes):
    return sorted(((code, language_name(code)) for code in codes), key=lambda c: c[1])


def counts_by_region(chosen):
    """{region id: count} of the active groups that `chosen` (a DirectoryFilter) lets through."""
    values = chosen.values()
    rows = prepared_counts(tuple(values))(**values)
    return {row["id"]: row["n"] for row in rows if row["n"]}
