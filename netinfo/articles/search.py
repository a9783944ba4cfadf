"""
Article search: PostgreSQL's full-text search with the language's dictionary (english,
german), or SQLite's full-text index (FTS5) on the local site. Either way results come ranked,
title before summary before text, with an escaped snippet with the matches in <mark>.

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
    return _sqlite_search(queryset, query, language)


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


# SQLite's full-text index (migration 0012): one row per article and language.
FULLTEXT_TABLE = "netinfo_article_search"
LANGUAGE_INDEX = {"en": 0, "de": 1}
# Weights of the title, summary and text columns in bm25(), as PostgreSQL's A, B and C.
FULLTEXT_WEIGHTS = (10.0, 5.0, 1.0)
SNIPPET_TOKENS = 30
# How many of the best matches by bm25 are ranked again (see _sqlite_search).
CANDIDATES = 100


def fulltext_query(query, language):
    """
    An FTS5 query for `query`: every word (as a prefix, an English plural as its singular too)
    in any one of the query's spellings. Words are quoted, so nothing typed is FTS5 syntax.
    """
    phrases = []
    for spelling in query_spellings(query, language):
        terms = [term for term in re.findall(r"\w+", spelling) if len(term) > 1][:MAX_TERMS]
        if not terms:
            continue
        groups = []
        for term in terms:
            options = simple_spellings(term.lower(), language)
            groups.append("(" + " OR ".join(f'"{option}"*' for option in options) + ")")
        phrases.append("(" + " AND ".join(groups) + ")")
    return " OR ".join(dict.fromkeys(phrases))


def _sqlite_search(queryset, query, language):
    """
    SQLite's full-text index (FTS5): words matched in any spelling, snippets cut at word
    boundaries by FTS5 itself. Ranked as PostgreSQL ranks (title above summary above text,
    equal ranks by age) rather than by bm25, which favours short articles: the best
    CANDIDATES by bm25, then by matches in the title, the summary and the snippet. Django's
    ORM knows no FTS5, so this one query is written out.
    """
    match = fulltext_query(query, language)
    if not match:
        return []
    marks = [START, STOP]
    sql = (
        f"SELECT rowid / 2, highlight({FULLTEXT_TABLE}, 0, %s, %s), "
        f"highlight({FULLTEXT_TABLE}, 1, %s, %s), "
        f"snippet({FULLTEXT_TABLE}, 2, %s, %s, '…', {SNIPPET_TOKENS}) "
        f"FROM {FULLTEXT_TABLE} WHERE {FULLTEXT_TABLE} MATCH %s AND rowid %% 2 = %s "
        f"ORDER BY bm25({FULLTEXT_TABLE}, {', '.join(map(str, FULLTEXT_WEIGHTS))}) LIMIT %s"
    )
    params = [*marks, *marks, *marks, match, LANGUAGE_INDEX.get(language, 0), CANDIDATES]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    live = set(queryset.filter(pk__in=[row[0] for row in found]).values_list("pk", flat=True))

    def rank(row):
        _pk, title, summary, snippet = row
        hits = [(text or "").count(START) for text in (title, summary, snippet)]
        return 3 * hits[0] + 2 * hits[1] + min(hits[2], 10)

    ranked = sorted((row for row in found if row[0] in live), key=lambda r: (-rank(r), r[0]))
    ranked = ranked[:MAX_RESULTS]
    articles = queryset.model.objects.in_bulk([row[0] for row in ranked])
    results = []
    for pk, _title, _summary, snippet in ranked:
        article = articles[pk]
        article.snippet = marked(snippet)
        results.append(article)
    return results


def simple_spellings(term, language):
    options = term_spellings(term, language)
    if language == "en":
        options += [o[:-1] for o in options if len(o) > 4 and o.endswith("s") and o[-2] != "s"]
    return list(dict.fromkeys(options))
