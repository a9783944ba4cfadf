"""
What the site search shows from the directory.

Visitors type a group's name, or "support group germany", into the one search box they see,
not into the directory's filters; an answer of "0 articles found" would send them away. So the
search page also lists the groups whose names match, as the directory's name filter does, and
points to the directory of a country the search names.
"""

from django.db.models import Case, When
from django.db.models.functions import Lower

from netinfo.core.text import folded

from .models import PatientGroup, countries_named_in, country_name

GROUPS_SHOWN = 5
# Shorter text is part of too many names to say anything about them.
MIN_NAME_LENGTH = 3


def directory_matches(query):
    """
    {"groups": up to GROUPS_SHOWN matching groups, "more_groups": whether there are more,
    "group_countries": [(code, name)] of named countries that have groups}; two queries at most.
    """
    groups = []
    text = folded(query)
    if len(text) >= MIN_NAME_LENGTH:
        # Names that begin with the words typed first ("net" lists NET España before CNETS).
        begins = Case(When(search_text__startswith=text, then=0), default=1)
        matching = (
            PatientGroup.objects.active().matching(query).order_by(begins, Lower("name"), "pk")
        )
        fields = ["name", "slug", "acronym", "country", "coverage"]
        groups = list(matching.only(*fields)[: GROUPS_SHOWN + 1])
    countries = []
    named = countries_named_in(query)
    if named:
        listed = set(
            PatientGroup.objects.active()
            .filter(country__in=named)
            .order_by()
            .values_list("country", flat=True)
            .distinct()
        )
        countries = [(code, country_name(code)) for code in named if code in listed]
    return {
        "groups": groups[:GROUPS_SHOWN],
        "more_groups": len(groups) > GROUPS_SHOWN,
        "group_countries": countries,
    }
