# The standard library's escape() (patient_groups.templatetags.directory_tags says why).
from html import escape
from string import ascii_lowercase

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .. import identifiers
from ..citations import anchor_id
from ..models import stored_citation

register = template.Library()

# What reference_items() reads of each reference; views load only these.
REFERENCE_LIST_FIELDS = ("rendered", "doi", "pmid", "pmcid", "url")


@register.simple_tag
def reference_items(cited, language):
    """
    A reference list, one <li> per cited reference: the stored NLM citation, links to the
    source, and links back to each place the text cites it.

    `cited` holds a dict per reference (a values() row): its REFERENCE_LIST_FIELDS, its
    `number` in the text and `count`, how many times the text cites it. Rows rather than model
    instances, and built in Python, every value passed through escape(), rather than by a
    template per item: an article cites 20 or more references, and making the instances and
    rendering the item template were each a tenth of the article page's time (README,
    "Performance").
    """
    html = "\n".join(reference_item(reference, language) for reference in cited)
    return mark_safe(html)  # reference_item escapes every value it inserts


def reference_item(reference, language):
    number = reference["number"]
    # Reference.save() escaped every field of the stored citation.
    html = [f'<li id="ref-{number}">{stored_citation(reference["rendered"], language, "html")}']
    links = []
    if reference["doi"]:
        url = identifiers.doi_url(reference["doi"])
        links.append(f'<a href="{escape(url)}" rel="noopener">DOI</a>')
    if reference["pmid"]:
        url = identifiers.pubmed_url(reference["pmid"])
        links.append(f'<a href="{escape(url)}" rel="noopener">PubMed</a>')
    if reference["pmcid"]:
        url, label = identifiers.pmc_url(reference["pmcid"]), escape(_("Free full text (PMC)"))
        links.append(f'<a href="{escape(url)}" rel="noopener">{label}</a>')
    if reference["url"] and not reference["doi"]:
        label = escape(_("Web page"))
        links.append(f'<a href="{escape(reference["url"])}" rel="noopener">{label}</a>')
    if links:
        html.append(f' <span class="reference-list__links">{" ".join(links)}</span>')
    html.append(' <span class="reference-list__back">')
    if reference["count"] == 1:
        label = _("Back to reference %(number)s in the text") % {"number": number}
        html.append(f'<a href="#{anchor_id(number, 1)}" aria-label="{escape(label)}">↑</a>')
    else:
        html.append('<span aria-hidden="true">↑</span>')
        for occurrence in range(1, reference["count"] + 1):
            letter = backlink_letter(occurrence - 1)
            label = _("Back to reference %(number)s in the text, place %(letter)s") % {
                "number": number,
                "letter": letter,
            }
            anchor = anchor_id(number, occurrence)
            html.append(f' <a href="#{anchor}" aria-label="{escape(label)}">{letter}</a>')
    html.append("</span></li>")
    return "".join(html)


def backlink_letter(index):
    """The letter of the index-th place a reference is cited: a, b, c ... z, aa, ab ..."""
    if index < 26:
        return ascii_lowercase[index]
    return backlink_letter(index // 26 - 1) + backlink_letter(index % 26)
