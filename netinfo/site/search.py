"""
The site search: articles in the visitor's language, forgiving what they type, the same words
in the site's other languages, and the directory's groups, in one answer.
"""

from dataclasses import dataclass, field

from django.utils import translation

from netinfo.articles.models import LANGUAGE_CODES, Article, Term
from netinfo.articles.search import SearchResults
from netinfo.articles.vocabulary import corrected
from patient_groups.search import directory_matches

# At most this many articles offered from each other language, and glossary words shown.
OFFERED = 5
TERMS_SHOWN = 5
# Shorter text is part of too many words to say anything about them.
MIN_TERM_QUERY = 3


@dataclass
class SiteSearch:
    query: str
    articles: SearchResults
    # The query searched instead when the one typed found nothing ("Did you mean ...?").
    corrected_query: str = ""
    # {language code: [SearchResult]} that match in another language and are not listed above.
    elsewhere: dict = field(default_factory=dict)
    groups: dict = field(default_factory=dict)
    terms: list = field(default_factory=list)  # glossary terms whose names match

    @property
    def nothing(self):
        groups = self.groups.get("groups") or self.groups.get("group_countries")
        return not (self.articles.total or self.elsewhere or groups or self.terms)


def search_site(query, language, page=1):
    """Everything the search page shows for `query`, a few queries in all."""
    live = Article.objects.published()
    articles = live.search(query, language, page)
    correction = ""
    if not articles.total:
        better = corrected(query, language)
        if better:
            found = live.search(better, language, page)
            if found.total:
                articles, correction = found, better
    listed = {result.pk for result in articles.articles}
    elsewhere = {}
    for code in LANGUAGE_CODES:
        if code == language:
            continue
        # In that language's address, with that language's spellings and stemming.
        with translation.override(code):
            other = [
                result
                for result in live.search(query, code, 1).articles
                if result.pk not in listed and result.title_language == code
            ]
        if other:
            elsewhere[code] = other[:OFFERED]
    terms = []
    if len(query.strip()) >= MIN_TERM_QUERY:
        terms = sorted(
            Term.objects.matching(query.strip(), language)[:TERMS_SHOWN],
            key=lambda term: term.name_in(language).casefold(),
        )
    return SiteSearch(query, articles, correction, elsewhere, directory_matches(query), terms)
