"""
A forgiving search (issue 22): the site's own vocabulary per language (SearchWord) for "Did you
mean ...?", and on PostgreSQL text search configurations that fold accents (unaccent), so
that "Bauchspeicheldruse" finds "Bauchspeicheldrüse" there as it does in SQLite's index, and
pg_trgm to find the nearest known word. The vectors are made again with the new configurations.
"""

import re

import django.db.models.deletion
from django.db import migrations, models

LANGUAGES = {"en": "english", "de": "german"}
WORD = re.compile(r"\w+")


def words_of(text):
    """The words of a text, as netinfo.articles.search.words_of had them when this was written."""
    return {
        word
        for word in WORD.findall((text or "").lower())
        if 3 <= len(word) <= 100 and not word.isdigit()
    }


def postgres_search(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    execute = schema_editor.execute
    execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    with schema_editor.connection.cursor() as cursor:
        for code, config in LANGUAGES.items():
            cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = %s", [f"netinfo_{config}"])
            if cursor.fetchone() is None:
                execute(f"CREATE TEXT SEARCH CONFIGURATION netinfo_{config} (COPY = {config})")
                execute(
                    f"ALTER TEXT SEARCH CONFIGURATION netinfo_{config} ALTER MAPPING FOR "
                    f"hword, hword_part, word WITH unaccent, {config}_stem"
                )
            execute(
                f"UPDATE netinfo_article SET search_vector_{code} = "
                f"setweight(to_tsvector('netinfo_{config}', coalesce(title_{code}, '')), 'A') || "
                f"setweight(to_tsvector('netinfo_{config}', coalesce(summary_{code}, '')), 'B') || "
                f"setweight(to_tsvector('netinfo_{config}', coalesce(body_text_{code}, '')), 'C')"
            )
    execute(
        "CREATE INDEX IF NOT EXISTS searchword_word_trigram ON netinfo_searchword "
        "USING GIN (word gin_trgm_ops)"
    )


def fill_words(apps, schema_editor):
    """Idempotent, as tests/conftest.py runs data migrations again."""
    Article = apps.get_model("netinfo", "Article")
    SearchWord = apps.get_model("netinfo", "SearchWord")
    fields = [f"{name}_{code}" for name in ("title", "summary", "body_text") for code in LANGUAGES]
    for article in Article.objects.only("pk", *fields).iterator(chunk_size=100):
        rows = [
            SearchWord(article_id=article.pk, language=code, word=word)
            for code in LANGUAGES
            for word in sorted(
                words_of(getattr(article, f"title_{code}"))
                | words_of(getattr(article, f"summary_{code}"))
                | words_of(getattr(article, f"body_text_{code}"))
            )
        ]
        SearchWord.objects.bulk_create(rows, ignore_conflicts=True)


def undo_postgres_search(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for config in LANGUAGES.values():
        schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS netinfo_{config}")


class Migration(migrations.Migration):
    dependencies = [
        ("netinfo", "0013_article_text_languages"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("language", models.CharField(max_length=10)),
                ("word", models.CharField(max_length=100)),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="search_words",
                        to="netinfo.article",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["language", "word"], name="searchword_language_word")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("article", "language", "word"), name="searchword_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(postgres_search, undo_postgres_search),
        migrations.RunPython(fill_words, migrations.RunPython.noop),
    ]
