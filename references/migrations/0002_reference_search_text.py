import unicodedata

from django.db import migrations, models


def folded(text):
    # A copy of folded() (then netinfo.search, now netinfo.core.text) as it was when this migration was written.
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def fill_search_text(apps, schema_editor):
    # As Reference.searchable_text() did when this migration was written.
    Reference = apps.get_model("references", "Reference")
    references = list(Reference.objects.all())
    for reference in references:
        names = [
            " ".join(filter(None, (name.get("given"), name.get("family"), name.get("literal"))))
            for name in [*reference.authors, *reference.editors]
            if isinstance(name, dict)
        ]
        fields = [
            reference.key,
            reference.title,
            reference.container_title,
            reference.container_title_short,
        ]
        ids = [reference.doi or "", reference.pmid or "", reference.pmcid or ""]
        reference.search_text = folded("\n".join([*fields, *names, *ids]))
    Reference.objects.bulk_update(references, ["search_text"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("references", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="reference",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
    ]
