"""
A reference list as an article shows it: each cited reference with its number, its stored NLM
citation, links to the source, and links back to each place the text cites it. The HTML is
templates/references/includes/_reference_list.html.
"""

from dataclasses import dataclass, field

from django.contrib.humanize.templatetags.humanize import ordinal
from django.utils.translation import gettext as _

from . import identifiers
from .citations import anchor_id
from .models import stored_citation


@dataclass
class ListedReference:
    number: int
    citation: str  # the stored NLM citation as HTML, every field escaped by Reference.save()
    links: list = field(default_factory=list)  # [(url, label)]
    # Links back to each place the text cites it: [(anchor, visible text, accessible name)];
    # one place: the text is "Back to the text"; more: "1st", "2nd" ... after that phrase.
    backlinks: list = field(default_factory=list)


def reference_list(citations, language):
    """
    ListedReference for each of `citations` (the Citation rows of one language of an article,
    in number order, with their references), its citation text in `language`.
    """
    return [
        listed(citation.reference, citation.number, citation.count, language)
        for citation in citations
    ]


def listed(reference, number, count, language):
    item = ListedReference(number, stored_citation(reference.rendered, language, "html"))
    if reference.doi:
        item.links.append((identifiers.doi_url(reference.doi), "DOI"))
    if reference.pmid:
        item.links.append((identifiers.pubmed_url(reference.pmid), "PubMed"))
    if reference.pmcid:
        item.links.append((identifiers.pmc_url(reference.pmcid), _("Free full text (PMC)")))
    if reference.url and not reference.doi:
        item.links.append((reference.url, _("Web page")))
    if count == 1:
        # The accessible name begins with the visible words (WCAG 2.5.3, label in name).
        label = _("Back to the text where source %(number)s is cited") % {"number": number}
        item.backlinks.append((anchor_id(number, 1), _("Back to the text"), label))
    else:
        for occurrence in range(1, count + 1):
            place = ordinal(occurrence)
            label = _("%(ordinal)s mention of source %(number)s in the text") % {
                "ordinal": place,
                "number": number,
            }
            item.backlinks.append((anchor_id(number, occurrence), place, label))
    return item
