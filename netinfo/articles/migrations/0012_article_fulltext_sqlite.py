"""
SQLite only: a full-text index of the articles (FTS5), kept by triggers on netinfo_article, so
that the local site searches as PostgreSQL does with its vectors (migration 0005) instead of
reading every article's text. One row per article and language, rowid = id * 2 + language
(0 en, 1 de); diacritics folded by the tokenizer, as visitors type "munchen" for München.
"""

from django.db import migrations

LANGUAGES = ["en", "de"]
TABLE = "netinfo_article_search"
COLUMNS = ["title_en", "title_de", "summary_en", "summary_de", "body_text_en", "body_text_de"]


def rows(prefix):
    """The INSERT of one article's rows from the trigger's `new` columns."""
    values = [
        f"SELECT {prefix}id * 2 + {index}, {prefix}title_{code}, {prefix}summary_{code}, "
        f"{prefix}body_text_{code}, '{code}'"
        for index, code in enumerate(LANGUAGES)
    ]
    return f"INSERT INTO {TABLE}(rowid, title, summary, body, language) " + " UNION ALL ".join(
        values
    )


def create(apps, schema_editor):
    """Idempotent, as tests/conftest.py runs data migrations again."""
    if schema_editor.connection.vendor != "sqlite":
        return
    execute = schema_editor.execute
    execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(title, summary, body, language UNINDEXED, "
        "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
    )
    execute(
        f"CREATE TRIGGER IF NOT EXISTS {TABLE}_insert AFTER INSERT ON netinfo_article BEGIN {rows('new.')}; END"
    )
    execute(
        f"CREATE TRIGGER IF NOT EXISTS {TABLE}_delete AFTER DELETE ON netinfo_article BEGIN "
        f"DELETE FROM {TABLE} WHERE rowid IN (old.id * 2, old.id * 2 + 1); END"
    )
    execute(
        f"CREATE TRIGGER IF NOT EXISTS {TABLE}_update AFTER UPDATE OF {', '.join(COLUMNS)} ON netinfo_article "
        f"BEGIN DELETE FROM {TABLE} WHERE rowid IN (old.id * 2, old.id * 2 + 1); "
        f"{rows('new.')}; END"
    )
    for index, code in enumerate(LANGUAGES):
        execute(
            f"INSERT OR REPLACE INTO {TABLE}(rowid, title, summary, body, language) "
            f"SELECT id * 2 + {index}, "
            f"title_{code}, summary_{code}, body_text_{code}, '{code}' FROM netinfo_article"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for trigger in ("insert", "delete", "update"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{trigger}")
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("netinfo", "0011_figure_image_checked_by_form"),
    ]

    operations = [migrations.RunPython(create, drop)]
