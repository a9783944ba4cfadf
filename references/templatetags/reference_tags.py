from string import ascii_lowercase

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()

# The Reference fields reference_items() reads; views load only these.
REFERENCE_LIST_FIELDS = ("rendered", "doi", "pmid", "pmcid", "url")


@register.simple_tag
def reference_items(citations, language):
    """
    An article's reference list, one <li> per citation: the stored NLM citation, links to the
    source, and links back to each place the text cites it.

    Built in Python, every value passed through escape(), rather than by a template per item:
    an article cites 20 or more references, and the item template was a third of the article
    page's time (README, "Performance").
    """
    html = "\n".join(reference_item(citation, language) for citation in citations)
    return mark_safe(html)  # reference_item escapes every value it inserts


def reference_item(citation, language):
    reference, number = citation.reference, citation.number
    # format_reference_html escaped every field when the reference was saved.
    html = [f'<li id="ref-{number}">{reference.formatted_html(language)}']
    links = []
    if reference.doi:
        links.append(f'<a href="{escape(reference.doi_url())}" rel="noopener">DOI</a>')
    if reference.pmid:
        links.append(f'<a href="{escape(reference.pubmed_url())}" rel="noopener">PubMed</a>')
    if reference.pmcid:
        label = escape(_("Free full text (PMC)"))
        links.append(f'<a href="{escape(reference.pmc_url())}" rel="noopener">{label}</a>')
    if reference.url and not reference.doi:
        label = escape(_("Web page"))
        links.append(f'<a href="{escape(reference.url)}" rel="noopener">{label}</a>')
    if links:
        html.append(f' <span class="reference-list__links">{" ".join(links)}</span>')
    html.append(' <span class="reference-list__back">')
    if citation.count == 1:
        label = _("Back to reference %(number)s in the text") % {"number": number}
        html.append(f'<a href="#cite-{number}-1" aria-label="{escape(label)}">↑</a>')
    else:
        html.append('<span aria-hidden="true">↑</span>')
        for anchor, letter in backlinks(citation):
            label = _("Back to reference %(number)s in the text, place %(letter)s") % {
                "number": number,
                "letter": letter,
            }
            html.append(f' <a href="#{anchor}" aria-label="{escape(label)}">{letter}</a>')
    html.append("</span></li>")
    return "".join(html)


def backlinks(citation):
    """[(anchor id, letter)] for each place a reference is cited: a, b, c ... z, aa, ab ..."""

    def letter(index):
        return (
            ascii_lowercase[index] if index < 26 else letter(index // 26 - 1) + letter(index % 26)
        )

    return [(anchor, letter(i)) for i, anchor in enumerate(citation.backlink_ids())]
