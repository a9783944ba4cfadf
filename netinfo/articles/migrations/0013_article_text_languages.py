from django.db import migrations, models

LANGUAGE_CODES = ["en", "de"]  # the site's languages when this migration was written


def fill_text_languages(apps, schema_editor):
    """Which languages each article has its own text in, from its rendered bodies."""
    Article = apps.get_model("netinfo", "Article")
    fields = [f"body_html_{code}" for code in LANGUAGE_CODES]
    changed = []
    for article in Article.objects.only("pk", *fields).iterator(chunk_size=200):
        article.text_languages = " ".join(
            code for code in LANGUAGE_CODES if getattr(article, f"body_html_{code}")
        )
        changed.append(article)
    Article.objects.bulk_update(changed, ["text_languages"], batch_size=200)


class Migration(migrations.Migration):
    dependencies = [
        ("netinfo", "0012_article_fulltext_sqlite"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="text_languages",
            field=models.CharField(blank=True, default="", editable=False, max_length=50),
        ),
        migrations.RunPython(fill_text_languages, migrations.RunPython.noop),
    ]
