import functools

# The standard library's escape(), which Django's own escape() calls: Django's adds a lazy-text
# check and a SafeString per call, a tenth of the directory's time at five values per entry.
from html import escape

from django import template
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext as _

from ..models import display_names, place

register = template.Library()


@register.simple_tag
def directory_entries(groups):
    """
    The directory's entries, one <li> per group (dicts of the fields in views.LISTED).

    Built in Python, every value passed through escape(), rather than by a template per entry,
    the way Django's admin builds its change list rows: a page shows 50 groups, and an entry
    template rendered 50 times was most of the directory's time (README, "Performance").
    """
    fixed = entry_parts(get_language())
    html = "\n".join([entry(group, fixed) for group in groups])
    return mark_safe(html)  # entry() escapes every value it inserts; entry_parts() its own


@functools.lru_cache(maxsize=8)
def entry_parts(language):
    """
    What every entry of a page in `language` shares, escaped once: labels, the names of
    countries, languages and services, and the address of a group's page without the slug.
    Names and addresses are fixed for the life of the process, as in display_names().
    """
    with translation.override(language):
        names = display_names()
        return {
            "labels": {
                "country": escape(_("Country")),
                "languages": escape(_("Languages")),
                "services": escape(_("Services")),
                "website": escape(_("Website")),
                "no_website": escape(_("website not listed")),
            },
            "formerly": _("formerly %(names)s"),
            **{kind: {key: escape(name) for key, name in names[kind].items()} for kind in names},
            # The addresses differ only in the slug.
            "url_prefix": reverse(
                "patient_groups:group-detail", kwargs={"slug": "slug"}
            ).removesuffix("slug/"),
        }


def entry(group, fixed):
    labels = fixed["labels"]
    html = [
        f'<li class="group"><h3 class="group__name"><a href="{fixed["url_prefix"]}'
        f'{escape(group["slug"])}/">{escape(group["name"])}</a>'
    ]
    if group["acronym"]:
        html.append(f' <span class="group__acronym">({escape(group["acronym"])})</span>')
    html.append("</h3>")
    former = [line.strip() for line in group["former_names"].splitlines() if line.strip()]
    if former:
        formerly = fixed["formerly"] % {"names": ", ".join(former)}
        html.append(f'<p class="group__former">{escape(formerly)}</p>')
    country = group["country"]
    if country:
        where = fixed["countries"].get(country) or escape(place(country, ""))
    else:
        where = fixed["coverage"].get(group["coverage"], "")
    html.append(f'<dl class="group__facts"><dt>{labels["country"]}</dt><dd>{where}</dd>')
    language_names = fixed["languages"]
    languages = ", ".join(
        [language_names.get(code) or escape(code) for code in group["languages"].split()]
    )
    if languages:
        html.append(f"<dt>{labels['languages']}</dt><dd>{languages}</dd>")
    service_names = fixed["services"]
    services = ", ".join(
        [service_names[value] for value in group["services"].split() if value in service_names]
    )
    if services:
        html.append(f"<dt>{labels['services']}</dt><dd>{services}</dd>")
    html.append(f"<dt>{labels['website']}</dt><dd>")
    if group["website"]:
        website = escape(group["website"])
        html.append(f'<a href="{website}" rel="noopener">{website}</a>')
    else:
        html.append(labels["no_website"])
    html.append("</dd></dl></li>")
    return "".join(html)
