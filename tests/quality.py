"""Shared content for the accessibility and HTML quality gates: one page of each kind."""

from netinfo.articles.models import ChangeLogEntry, FigureSeries, rebuild_citations
from tests.factories import (
    make_article,
    make_figure,
    make_group,
    make_reference,
    make_term,
    make_topic,
)


def make_pages():
    """Create the content and return {name: URL} for every public page type."""
    topic = make_topic("treatment", name_en="Treatment", name_de="Behandlung", slug_de="behandlung")
    for key in ("oronsky2017", "pape2000", "papotti2002"):
        make_reference(key, doi=f"10.1000/{key}", pmid=str(abs(hash(key)) % 10**8 + 1))
    # Saved before the article, which then marks "operation" as a glossary word.
    term = make_term(
        "Operation",
        "operation",
        forms_en=["surgery"],
        name_de="Operation",
        slug_de="operation",
        pronunciation_en="op-er-AY-shun",
        definition_en="Treatment in which a surgeon removes a tumour [@oronsky2017].",
    )
    article = make_article(
        "treatment-options",
        topic=topic,
        title_en="Treatment options",
        body=(
            "## Surgery\n\nAn operation is the main treatment [@oronsky2017].\n\n"
            "## Medicines\n\n| Medicine | Use |\n|---|---|\n| Everolimus | NETs of the pancreas |\n\n"
            "- one\n- two\n\n> A quote [@pape2000; @papotti2002; @oronsky2017, p. 3].\n\n"
            "## Scans\n\n[[series:scans]]"
        ),
        slug_de="behandlung",
        # A long German compound: cards and headings must wrap it on a phone.
        title_de="Behandlungsmöglichkeiten",
        summary_de="Die Operation ist die wichtigste Behandlung.",
        body_de="## Operation\n\nDie Operation ist die wichtigste Behandlung [@oronsky2017].",
    )
    for number in (1, 2):
        make_figure(article, number, series="scans", caption_en=f"Scan {number}.")
    FigureSeries.objects.create(article=article, key="scans", caption_en="Two scans.")
    article.save()
    rebuild_citations(article)
    ChangeLogEntry.objects.create(
        article=article,
        kind="clinical",
        summary_en="First published.",
        summary_de="Erstmals veröffentlicht.",
    )
    group = make_group(
        "Netzwerk Neuroendokrine Tumoren",
        acronym="NeT",
        languages="de en",
        services="helpline information",
        website="https://example.org/",
        former_names="NET Germany",
    )
    return {
        "home": "/en/",
        "home-de": "/de/",
        "topic": topic.get_absolute_url(),
        "article": article.get_absolute_url(),
        "article-de": "/de/articles/behandlung/",
        "search": "/en/search/?q=operation",
        "search-de": "/de/search/?q=operation",
        # Finds the group by name and names a country with groups: the search's directory part.
        "search-groups": "/en/search/?q=NET+Germany",
        "glossary": "/en/glossary/",
        "glossary-de": "/de/glossary/",
        "term": term.get_absolute_url(),
        "term-de": "/de/glossary/operation/",
        "embed": "/en/embed/articles/treatment-options/",
        "embed-de": "/de/embed/articles/behandlung/",
        "directory": "/en/patient-groups/",
        "directory-de": "/de/patient-groups/?region=europe&country=JP",  # with a notice
        "group": group.get_absolute_url(),
        "group-suggest": f"/en/patient-groups/{group.slug}/suggest/",
        "group-add-de": "/de/patient-groups/add/",
        "suggestion-sent": "/en/patient-groups/thank-you/",
        "cookie-settings": "/en/cookies/",
        "about": "/en/about/",
        "updates": "/en/updates/",
        "not-found": "/en/no-such-page/",
    }
