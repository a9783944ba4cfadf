# The standard library's escape(), which Django's own escape() calls: Django's adds a lazy-text
# check and a SafeString per call, a tenth of the directory's time at five values per entry.
from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

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
    names = display_names()
    labels = {
        "country": escape(_("Country")),
        "languages": escape(_("Languages")),
        "services": escape(_("Services")),
        "website": escape(_("Website")),
        "no_website": escape(_("website not listed")),
        "formerly": _("formerly %(names)s"),
    }
    # One reverse() for the page instead of one per group: the addresses differ only in the slug.
    url_prefix = reverse("patient_groups:group-detail", kwargs={"slug": "slug"}).removesuffix(
        "slug/"
    )
    html = "\n".join(entry(group, names, labels, url_prefix) for group in groups)
    return mark_safe(html)  # entry() escapes every value it inserts; the labels are escaped above


def entry(group, names, labels, url_prefix):
    html = [
        f'<li class="group"><h3 class="group__name">'
        f'<a href="{escape(url_prefix + group["slug"])}/">{escape(group["name"])}</a>'
    ]
    if group["acronym"]:
        html.append(f' <span class="group__acronym">({escape(group["acronym"])})</span>')
    html.append("</h3>")
    former = [line.strip() for line in group["former_names"].splitlines() if line.strip()]
    if former:
        formerly = labels["formerly"] % {"names": ", ".join(former)}
        html.append(f'<p class="group__former">{escape(formerly)}</p>')
    where = place(group["country"], group["coverage"], names)
    html.append(f'<dl class="group__facts"><dt>{labels["country"]}</dt><dd>{escape(where)}</dd>')
    languages = ", ".join(names["languages"].get(code, code) for code in group["languages"].split())
    if languages:
        html.append(f"<dt>{labels['languages']}</dt><dd>{escape(languages)}</dd>")
    services = ", ".join(
        names["services"][value]
        for value in group["services"].split()
        if value in names["services"]
    )
    if services:
        html.append(f"<dt>{labels['services']}</dt><dd>{escape(services)}</dd>")
    html.append(f"<dt>{labels['website']}</dt><dd>")
    if group["website"]:
        website = escape(group["website"])
        html.append(f'<a href="{website}" rel="noopener">{website}</a>')
    else:
        html.append(labels["no_website"])
    html.append("</dd></dl></li>")
    return "".join(html)
