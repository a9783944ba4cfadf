import unicodedata

from django.db import migrations, models


def folded(text):
    # A copy of folded() (then netinfo.search, now netinfo.core.text) as it was when this migration was written.
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def fill_search_text(apps, schema_editor):
    Contributor = apps.get_model("netinfo", "Contributor")
    contributors = list(Contributor.objects.all())
    for contributor in contributors:
        credentials = [contributor.credentials_en or "", contributor.credentials_de or ""]
        contributor.search_text = folded(
            "\n".join([contributor.given_names, contributor.family_name, *credentials])
        )
    Contributor.objects.bulk_update(contributors, ["search_text"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("netinfo", "0008_article_former_slugs"),
    ]

    operations = [
        migrations.AddField(
            model_name="contributor",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
    ]
