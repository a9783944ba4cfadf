"""
The site's own vocabulary, per language: the words its live articles use (SearchWord, written
with each article's text), from which the search offers a correction for a query that finds
nothing ("Did you mean ...?").
"""

import bisect

from django.core.cache import cache
from django.db import connection

from netinfo.core.page_cache import tags_version
from netinfo.core.text import folded

from .models import Article, SearchWord
from .search import query_terms

# A word typed is replaced only by one at least this close (rapidfuzz's ratio, 0-100).
NEAREST_SCORE = 75
MIN_CORRECTED_LENGTH = 4


def vocabulary(language):
    """
    {folded word: word} of the live articles in `language`; kept in the cache until content
    changes, as the vocabulary changes only with an article.
    """
    key = f"netinfo:search-vocabulary:{language}:{tags_version('articles')}"
    words = cache.get(key)
    if words is None:
        live = SearchWord.objects.filter(language=language, article__in=Article.objects.published())
        words = {folded(word): word for word in live.values_list("word", flat=True).distinct()}
        cache.set(key, words, 3600)
    return words


def corrected(query, language):
    """
    The query as the site's own words would have it, for a query that finds nothing: words
    typed apart that the site writes as one ("chemo therapy"), a compound it writes apart
    ("Somatostatinrezeptor"), and each word it does not know replaced by the nearest one it
    does ("everolimis", "carcinoyd"). None when no word needs changing or none is near enough.
    """
    words = query_terms(query)
    vocab = vocabulary(language)
    keys = sorted(vocab)

    def exact(word):
        return folded(word) in vocab

    def known(word):
        """As the search finds it: the word itself, or the beginning of one."""
        start = folded(word)
        index = bisect.bisect_left(keys, start)
        return index < len(keys) and keys[index].startswith(start)

    result, changed, index = [], False, 0
    while index < len(words):
        joined = next(
            (
                (vocab[folded("".join(words[index : index + n]))], n)
                for n in (3, 2)
                if index + n <= len(words) and exact("".join(words[index : index + n]))
            ),
            None,
        )
        word = words[index]
        if joined and not exact(word):
            result.append(joined[0])
            index += joined[1]
            changed = True
            continue
        index += 1
        if known(word):
            result.append(word)
            continue
        parts = split_compound(word, exact, known)
        near = None if parts else nearest(word, language, vocab)
        if parts:
            result.extend(parts)
        elif near:
            result.append(near)
        else:
            result.append(word)
            continue
        changed = True
    return " ".join(result) if changed else None


def split_compound(word, exact, known):
    """A German-style compound the site writes in two words: (first, second), or None."""
    for cut in range(len(word) - 3, 3, -1):
        first, second = word[:cut], word[cut:]
        if exact(first) and known(second):
            return [first, second]
    return None


def nearest(word, language, vocab):
    """The site's word closest to `word`: pg_trgm on PostgreSQL, rapidfuzz elsewhere."""
    if len(word) < MIN_CORRECTED_LENGTH:
        return None
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity

        return (
            SearchWord.objects.filter(
                language=language,
                article__in=Article.objects.published(),
                word__trigram_similar=word,
            )
            .annotate(similarity=TrigramSimilarity("word", word))
            .order_by("-similarity", "word")
            .values_list("word", flat=True)
            .first()
        )
    from rapidfuzz import fuzz, process

    match = process.extractOne(
        folded(word), list(vocab), scorer=fuzz.ratio, score_cutoff=NEAREST_SCORE
    )
    return vocab[match[0]] if match else None
