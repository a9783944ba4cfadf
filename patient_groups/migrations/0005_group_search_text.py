import unicodedata

from django.db import migrations, models


def folded(text):
    # A copy of folded() (then netinfo.search, now netinfo.core.text) as it was when this migration was written.
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def fill_search_text(apps, schema_editor):
    PatientGroup = apps.get_model("patient_groups", "PatientGroup")
    groups = list(PatientGroup.objects.only("name", "acronym", "former_names", "city"))
    for group in groups:
        group.search_text = folded(
            "\n".join([group.name, group.acronym, group.former_names, group.city])
        )
    PatientGroup.objects.bulk_update(groups, ["search_text"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("patient_groups", "0004_directory_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="patientgroup",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
    ]
