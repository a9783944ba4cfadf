"""
Article search: PostgreSQL full-text search with the language's dictionary (english, german),
or a plain substring match on SQLite. Either way results carry an escaped snippet with the
matches in <mark>.

Visitors come from many countries and type as they spell: "tumor" finds the British
"tumour", "diarrhea" the "diarrhoea", and a German typed without umlauts ("Bauchspeicheldruese")
finds "Bauchspeicheldrüse". The query is searched as typed and in each spelling (see
query_spellings); the dictionaries' stemming cannot do this, as it keeps those spellings apart.
"""

import functools
import operator
import re

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import mark_safe

MAX_TERMS = 8
MAX_RESULTS = 25
SEARCH_CONFIGS = {"en": "english", "de": "german"}
SNIPPET_CHARS = 220
# Markers PostgreSQL puts around matches; control characters never occur in article text.
START, STOP = "\x02", "\x03"


# British and American spellings of words patients look up: (British, American) parts of a word.
# The British one is tried first because it may contain the American one (oesophagus, esophagus).
SPELLINGS_EN = [
    ("tumour", "tumor"),
    ("diarrhoea", "diarrhea"),
    ("oesophag", "esophag"),
    ("oedema", "edema"),
    ("oestrogen", "estrogen"),
    ("anaemi", "anemi"),
    ("leukaemi", "leukemi"),
    ("haemorrh", "hemorrh"),
    ("haemoglobin", "hemoglobin"),
    ("haematolog", "hematolog"),
    ("paediatric", "pediatric"),
    ("gynaecolog", "gynecolog"),
    ("ischaemi", "ischemi"),
    ("centre", "center"),
    ("fibre", "fiber"),
    ("litre", "liter"),
    ("programme", "program"),
    ("randomis", "randomiz"),
    ("specialis", "specializ"),
    ("organis", "organiz"),
]
# German typed without umlauts or ß, as on keyboards of other countries.
UMLAUTS = [("ae", "ä"), ("oe", "ö"), ("ue", "ü")]


def term_spellings(term, language):
    """
    One search term's spellings, always in the same order for a language: as typed, then (en)
    British and American, or (de) with umlauts and then also with ß.
    """
    term = term.lower()
    if language == "en":
        british, american = term, term
        for uk, us in SPELLINGS_EN:
            if uk in british:
                american = american.replace(uk, us)
            elif us in american:
                british = british.replace(us, uk)
        return [term, british, american]
    if language == "de":
        umlauts = term
        for plain, umlaut in UMLAUTS:
            umlauts = umlauts.replace(plain, umlaut)
        return [term, umlauts, umlauts.replace("ss", "ß")]
    return [term]


def query_spellings(query, language):
    """
    The query as typed, then in each spelling with every word changed alike, as an article
    spells consistently: "tumor diarrhoea" -> "tumour diarrhoea" (British), "tumor diarrhea".
    """
    spelled = [term_spellings(word, language) for word in query.split()]
    other = [" ".join(form) for form in list(zip(*spelled, strict=True))[1:]]
    return [query, *dict.fromkeys(form for form in other if form != query.lower())]


def marked(snippet):
    """Escape a snippet, then turn the START/STOP markers into <mark> elements."""
    escaped = escape(snippet)
    return mark_safe(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))  # escaped above


def search_articles(queryset, query, language):
    if connection.vendor == "postgresql":
        return _postgres_search(queryset, query, language)
    return _simple_search(queryset, query, language)


def language_vector(language):
    """Title (weight A), summary (B) and text (C) of one language, as a PostgreSQL tsvector."""
    from django.contrib.postgres.search import SearchVector

    config = SEARCH_CONFIGS.get(language, "simple")
    return (
        SearchVector(f"title_{language}", weight="A", config=config)
        + SearchVector(f"summary_{language}", weight="B", config=config)
        + SearchVector(f"body_text_{language}", weight="C", config=config)
    )


def search_vector_updates():
    """{field: expression} that refreshes the stored vectors of every language."""
    return {f"search_vector_{code}": language_vector(code) for code in SEARCH_CONFIGS}


def _postgres_search(queryset, query, language):
    from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
    from django.db.models import F

    config = SEARCH_CONFIGS.get(language, "simple")
    field = f"search_vector_{language}"
    search_query = functools.reduce(
        operator.or_,
        [
            SearchQuery(spelling, search_type="websearch", config=config)
            for spelling in query_spellings(query, language)
        ],
    )
    # The stored, GIN-indexed vector finds and ranks; headlines are made for the shown results only.
    ranked = list(
        queryset.filter(**{field: search_query})
        .annotate(rank=SearchRank(F(field), search_query))
        .order_by("-rank", "pk")
        .values_list("pk", flat=True)[:MAX_RESULTS]
    )
    found = queryset.model.objects.filter(pk__in=ranked).annotate(
        snippet=SearchHeadline(
            f"body_text_{language}",
            search_query,
            config=config,
            start_sel=START,
            stop_sel=STOP,
            max_words=35,
            min_words=15,
        )
    )
    by_pk = {article.pk: article for article in found}
    results = [by_pk[pk] for pk in ranked if pk in by_pk]
    for article in results:
        article.snippet = marked(article.snippet)
    return results


def _simple_search(queryset, query, language):
    from django.db.models import Q

    terms = [term for term in query.split() if len(term) > 1][:MAX_TERMS] or [query]
    fields = [f"title_{language}", f"summary_{language}", f"body_text_{language}"]
    # Each term in any of its spellings, and an English plural as its singular ("carcinoids"
    # finds "carcinoid"), which PostgreSQL's stemming does there.
    spellings = [simple_spellings(term, language) for term in terms]
    for options in spellings:
        match = Q()
        for option in options:
            for field in fields:
                match |= Q(**{f"{field}__icontains": option})
        queryset = queryset.filter(match)
    results = list(queryset[: MAX_RESULTS * 4])
    lowered = [option for options in spellings for option in options]

    def rank(article):
        title = (getattr(article, fields[0]) or "").lower()
        summary = (getattr(article, fields[1]) or "").lower()
        body = (getattr(article, fields[2]) or "").lower()
        return sum(
            3 * title.count(t) + 2 * summary.count(t) + min(body.count(t), 10) for t in lowered
        )

    results.sort(key=lambda article: (-rank(article), article.pk))
    results = results[:MAX_RESULTS]
    for article in results:
        article.snippet = marked(_snippet(getattr(article, fields[2]) or "", lowered))
    return results


def simple_spellings(term, language):
    options = term_spellings(term, language)
    if language == "en":
        options += [o[:-1] for o in options if len(o) > 4 and o.endswith("s") and o[-2] != "s"]
    return list(dict.fromkeys(options))


def _snippet(text, terms):
    lower = text.lower()
    positions = [lower.find(term) for term in terms if lower.find(term) >= 0]
    start = max(0, min(positions) - SNIPPET_CHARS // 3) if positions else 0
    snippet = text[start : start + SNIPPET_CHARS]
    pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
    snippet = pattern.sub(lambda m: f"{START}{m[0]}{STOP}", snippet)
    return ("… " if start else "") + snippet + (" …" if start + SNIPPET_CHARS < len(text) else "")
