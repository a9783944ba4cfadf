"""
Text as visitors and editors type it: cleaned of what is not text, and folded for matching
without regard to case or accents, the same on SQLite and PostgreSQL.
"""

import re
import unicodedata

MAX_QUERY_LENGTH = 200


def clean_query(raw):
    """(query, shortened): printable text only, at most MAX_QUERY_LENGTH characters."""
    text = "".join(" " if unicodedata.category(char)[0] in "CZ" else char for char in raw)
    text = re.sub(r"\s+", " ", text).strip()
    shortened = len(text) > MAX_QUERY_LENGTH
    return text[:MAX_QUERY_LENGTH].strip(), shortened


def folded(text):
    """
    Text for matching without regard to case or accents, the same on SQLite and PostgreSQL:
    "NET España", "net espana" and "NET ESPAÑA" all give "net espana"; "Straße" gives "strasse".
    Visitors abroad and editors often type names without their accents ("Oberg" for Öberg).
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))
