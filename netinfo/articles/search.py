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
from dataclasses import dataclass, field

from django.db import connection
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

MAX_TERMS = 8
# At most this many results in all, shown PAGE_SIZE at a time (snippets are made for those).
MAX_RESULTS = 100
PAGE_SIZE = 10

# The language's stemming after unaccent (migration 0014): "Bauchspeicheldruse" finds
# "Bauchspeicheldrüse" on PostgreSQL as SQLite's index (remove_diacritics) finds it.
SEARCH_CONFIGS = {"en": "netinfo_english", "de": "netinfo_german"}
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
        # ß both ways: "grosse" finds "große", and "große" the Swiss "grosse".
        return [term, umlauts, umlauts.replace("ss", "ß"), term.replace("ß", "ss")]
    return [term]


def query_spellings(query, language):
    """
    The query as typed, then in each spelling with every word changed alike, as an article
    spells consistently: "tumor diarrhoea" -> "tumour diarrhoea" (British), "tumor diarrhea";
    and an isotope in each way it is written ("177Lu", "Lu-177", "lutetium 177").
    """
    spelled = [term_spellings(word, language) for word in query.split()]
    other = [" ".join(form) for form in list(zip(*spelled, strict=True))[1:]]
    forms = [query, *dict.fromkeys(form for form in other if form != query.lower())]
    return list(dict.fromkeys(form for typed in forms for form in isotope_spellings(typed)))


# Radioactive isotopes used to find and treat NETs, by symbol: one thing written three ways.
ELEMENTS = {
    "lu": "lutetium",
    "ga": "gallium",
    "y": "yttrium",
    "in": "indium",
    "f": "fluorine",
    "cu": "copper",
    "tc": "technetium",
    "i": "iodine",
}
_SYMBOLS = "|".join(sorted(ELEMENTS, key=len, reverse=True))
_NAMES = "|".join(ELEMENTS.values())
# "177Lu", "177-Lu"; "Lu-177" (the hyphen required: "in 5" is no isotope); "lutetium-177".
ISOTOPE = re.compile(
    rf"\b(?:(?P<mass>\d{{1,3}}m?)\s*-?\s*(?P<symbol>{_SYMBOLS})"
    rf"|(?P<symbol2>{_SYMBOLS})-(?P<mass2>\d{{1,3}}m?)"
    rf"|(?P<name>{_NAMES})\s*-?\s*(?P<mass3>\d{{1,3}}m?))\b",
    re.IGNORECASE,
)


def isotope_spellings(query):
    """The query, and with its isotopes written each other way (the first isotope only)."""
    match = ISOTOPE.search(query)
    if match is None:
        return [query]
    mass = (match["mass"] or match["mass2"] or match["mass3"]).lower()
    if match["name"]:
        symbol = next(s for s, name in ELEMENTS.items() if name == match["name"].lower())
    else:
        symbol = (match["symbol"] or match["symbol2"]).lower()
    name = ELEMENTS[symbol]
    forms = [f"{mass}{symbol}", f"{symbol}-{mass}", f"{name}-{mass}", f"{name} {mass}"]
    before, after = query[: match.start()], query[match.end() :]
    return [query, *(f"{before}{form}{after}".strip() for form in forms)]


def marked(snippet):
    """Escape a snippet, then turn the START/STOP markers into <mark> elements."""
    escaped = escape(snippet)
    return mark_safe(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))  # escaped above


@dataclass
class SearchResults:
    """One page of results (SearchResult) and how many articles match in all."""

    total: int = 0
    page: int = 1
    pages: int = 1
    articles: list = field(default_factory=list)


@dataclass
class SearchResult:
    """An article as a result shows it, in the visitor's language (English where missing)."""

    title: str
    summary: str
    url: str
    snippet: str  # escaped, the matches in <mark>
    title_language: str = ""  # the language the title and summary are in
    summary_language: str = ""
    pk: int = 0


def search_articles(queryset, query, language, page=1):
    """The `page`-th PAGE_SIZE of `queryset`'s articles that match `query`, best first."""
    if connection.vendor == "postgresql":
        ranked = _postgres_ranked(queryset, query, language)
    else:
        ranked = _sqlite_ranked(query, language)
    # Of those, the ones `queryset` holds (the live ones), with what a result shows: as rows,
    # not as up to MAX_RESULTS model instances, of which a page shows PAGE_SIZE.
    fields = shown_fields(language)
    rows = {
        row[0]: dict(zip(fields, row[1:], strict=True))
        for row in queryset.filter(pk__in=ranked).values_list("pk", *fields)
    }
    ranked = [pk for pk in ranked if pk in rows]
    total = len(ranked)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    shown = ranked[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    if connection.vendor == "postgresql":
        snippets = _postgres_snippets(queryset.model, shown, query, language)
    else:
        snippets = _sqlite_snippets(shown, query, language)
    results = []
    for pk in shown:
        item = result(rows[pk], language)
        item.pk = pk
        item.snippet = marked(snippets.get(pk, ""))
        results.append(item)
    return SearchResults(total, page, pages, results)


def shown_fields(language):
    """What a result shows of its article: in the visitor's language, and English."""
    codes = dict.fromkeys([language, "en"])
    return [f"{name}_{code}" for name in ("title", "slug", "summary") for code in codes]


def result(row, language):
    def value(name):
        return row.get(f"{name}_{language}") or row[f"{name}_en"] or ""

    def language_of(name):
        return language if row.get(f"{name}_{language}") else "en"

    return SearchResult(
        title=value("title"),
        summary=value("summary"),
        url=reverse("netinfo:article-detail", kwargs={"slug": value("slug")}),
        snippet="",
        title_language=language_of("title"),
        summary_language=language_of("summary"),
    )


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


def _postgres_query(query, language):
    """
    Every word of the query as a prefix ("hartefall" finds "Härtefallprogramm"), in any one of
    its spellings: what SQLite's index is asked (fulltext_query), in PostgreSQL's syntax. The
    prefixed words are letters and digits only, so nothing typed is tsquery syntax.
    """
    from django.contrib.postgres.search import SearchQuery

    config = SEARCH_CONFIGS.get(language, "simple")
    spellings = query_spellings(query, language)
    phrases = [
        " & ".join(f"{term}:*" for term in terms)
        for terms in (query_terms(spelling) for spelling in spellings)
        if terms
    ]
    if not phrases:
        return None
    # Each spelling also as PostgreSQL parses a text: "PET/CT" and "Lutetium-177" are tokens
    # of their own kind there ('pet/ct'; 'lutetium', '-177'), not words apart.
    queries = [SearchQuery(phrase, search_type="raw", config=config) for phrase in phrases]
    queries += [SearchQuery(spelling, search_type="plain", config=config) for spelling in spellings]
    return functools.reduce(operator.or_, queries)


def query_terms(spelling):
    """The words searched for: letters and digits, two characters at least, MAX_TERMS at most."""
    return [term for term in re.findall(r"[^\W_]+", spelling.lower()) if len(term) > 1][:MAX_TERMS]


def _postgres_ranked(queryset, query, language):
    """The matching articles' keys, best first: the stored, GIN-indexed vectors find and rank."""
    from django.contrib.postgres.search import SearchRank
    from django.db.models import F

    field = f"search_vector_{language}"
    search_query = _postgres_query(query, language)
    if search_query is None:
        return []
    return list(
        queryset.filter(**{field: search_query})
        .annotate(rank=SearchRank(F(field), search_query))
        .order_by("-rank", "pk")
        .values_list("pk", flat=True)[:MAX_RESULTS]
    )


def _postgres_snippets(model, pks, query, language):
    """{key: snippet with START/STOP around matches}, for the shown results only."""
    from django.contrib.postgres.search import SearchHeadline

    headlines = model.objects.filter(pk__in=pks).annotate(
        snippet=SearchHeadline(
            f"body_text_{language}",
            _postgres_query(query, language),
            config=SEARCH_CONFIGS.get(language, "simple"),
            start_sel=START,
            stop_sel=STOP,
            max_words=35,
            min_words=15,
        )
    )
    return dict(headlines.values_list("pk", "snippet"))


# SQLite's full-text index (migration 0012): one row per article and language.
FULLTEXT_TABLE = "netinfo_article_search"
LANGUAGE_INDEX = {"en": 0, "de": 1}
SNIPPET_TOKENS = 30
FULLTEXT_TRIGGERS = [f"{FULLTEXT_TABLE}_{event}" for event in ("insert", "delete", "update")]


def ensure_sqlite_index(using, **kwargs):
    """
    After `migrate` (post_migrate), on SQLite: give the full-text index its triggers back, and
    fill it afresh, if they are gone. A migration that changes netinfo_article makes SQLite
    copy it into a new table, which drops the old table's triggers (as 0013 did); without them
    the index would no longer follow edits.
    """
    from django.db import connections

    db = connections[using]
    if db.vendor != "sqlite":
        return
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'netinfo_article'"
        )
        if {name for (name,) in cursor.fetchall()} >= set(FULLTEXT_TRIGGERS):
            return
        rows = " UNION ALL ".join(
            f"SELECT new.id * 2 + {index}, new.title_{code}, new.summary_{code}, "
            f"new.body_text_{code}, '{code}'"
            for code, index in LANGUAGE_INDEX.items()
        )
        insert = f"INSERT INTO {FULLTEXT_TABLE}(rowid, title, summary, body, language) {rows}"
        delete = f"DELETE FROM {FULLTEXT_TABLE} WHERE rowid IN (old.id * 2, old.id * 2 + 1)"
        columns = ", ".join(
            f"{name}_{code}"
            for name in ("title", "summary", "body_text")
            for code in LANGUAGE_INDEX
        )
        for statement in [
            f"CREATE TRIGGER IF NOT EXISTS {FULLTEXT_TABLE}_insert AFTER INSERT ON "
            f"netinfo_article BEGIN {insert}; END",
            f"CREATE TRIGGER IF NOT EXISTS {FULLTEXT_TABLE}_delete AFTER DELETE ON "
            f"netinfo_article BEGIN {delete}; END",
            f"CREATE TRIGGER IF NOT EXISTS {FULLTEXT_TABLE}_update AFTER UPDATE OF {columns} "
            f"ON netinfo_article BEGIN {delete}; {insert}; END",
            f"DELETE FROM {FULLTEXT_TABLE}",
            *(
                f"INSERT INTO {FULLTEXT_TABLE}(rowid, title, summary, body, language) "
                f"SELECT id * 2 + {index}, title_{code}, summary_{code}, body_text_{code}, "
                f"'{code}' FROM netinfo_article"
                for code, index in LANGUAGE_INDEX.items()
            ),
        ]:
            cursor.execute(statement)


def fulltext_query(query, language):
    """
    An FTS5 query for `query`: every word (as a prefix, an English plural as its singular too)
    in any one of the query's spellings. Words are quoted, so nothing typed is FTS5 syntax.
    """
    phrases = []
    for spelling in query_spellings(query, language):
        terms = query_terms(spelling)
        if not terms:
            continue
        groups = []
        for term in terms:
            options = simple_spellings(term.lower(), language)
            groups.append("(" + " OR ".join(f'"{option}"*' for option in options) + ")")
        phrases.append("(" + " AND ".join(groups) + ")")
    return " OR ".join(dict.fromkeys(phrases))


def _sqlite_ranked(query, language):
    """
    The matching articles' keys, best first, from SQLite's full-text index (FTS5): those that
    match in the title, then in the summary, then in the text; equal ones by age, as
    PostgreSQL orders equal ranks. (bm25, FTS5's own rank, favours short articles; PostgreSQL
    also counts how often a word occurs.) Django's ORM knows no FTS5, so this query is written
    out, one look-up in the index per column; the live ones among the results are left to the
    ORM (search_articles).
    """
    match = fulltext_query(query, language)
    if not match:
        return []
    part = (
        f"SELECT rowid / 2, %s FROM {FULLTEXT_TABLE} "
        f"WHERE {FULLTEXT_TABLE} MATCH %s AND rowid %% 2 = %s"
    )
    sql = " UNION ALL ".join([part] * 3)
    matches = [f"{{title}} : ({match})", f"{{summary}} : ({match})", match]
    language_row = LANGUAGE_INDEX.get(language, 0)
    params = [value for tier, text in enumerate(matches) for value in (tier, text, language_row)]
    tiers = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for pk, tier in cursor.fetchall():
            tiers[pk] = min(tier, tiers.get(pk, tier))
    return sorted(tiers, key=lambda pk: (tiers[pk], pk))[:MAX_RESULTS]


def _sqlite_snippets(pks, query, language):
    """{key: snippet with START/STOP around matches}, cut at word boundaries by FTS5."""
    if not pks:
        return {}
    rowids = [pk * 2 + LANGUAGE_INDEX.get(language, 0) for pk in pks]
    sql = (
        f"SELECT rowid / 2, snippet({FULLTEXT_TABLE}, 2, %s, %s, '…', {SNIPPET_TOKENS}) "
        f"FROM {FULLTEXT_TABLE} WHERE {FULLTEXT_TABLE} MATCH %s "
        f"AND rowid IN ({', '.join(['%s'] * len(rowids))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [START, STOP, fulltext_query(query, language), *rowids])
        return dict(cursor.fetchall())


def simple_spellings(term, language):
    options = term_spellings(term, language)
    if language == "en":
        options += [o[:-1] for o in options if len(o) > 4 and o.endswith("s") and o[-2] != "s"]
    return list(dict.fromkeys(options))


# The words of the articles, for "Did you mean ...?" (netinfo.articles.vocabulary) ----------

WORD = re.compile(r"\w+")


def words_of(text):
    """The words of a text worth suggesting: three letters or more, not a bare number."""
    return {
        word
        for word in WORD.findall((text or "").lower())
        if 3 <= len(word) <= 100 and not word.isdigit()
    }


def index_words(article):
    """The article's words per language it has text in (Article.save, with the text)."""
    # Through the article's own relation: this module does not import the models (which
    # import it), so the app's modules stay free of cycles (import-linter).
    words = article.search_words
    words.all().delete()
    words.model.objects.bulk_create(
        [
            words.model(article=article, language=code, word=word)
            for code in article.text_languages.split()
            for word in sorted(
                words_of(getattr(article, f"title_{code}"))
                | words_of(getattr(article, f"summary_{code}"))
                | words_of(getattr(article, f"body_text_{code}"))
            )
        ]
    )
