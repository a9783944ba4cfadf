from django.db import migrations

# A frozen copy of the seed data: migrations must not change when regions.py does.
REGIONS = [
    ("europe", "Europe", "Europa"),
    ("north-america", "North America", "Nordamerika"),
    ("south-america", "South America", "Südamerika"),
    ("asia-pacific", "Asia & Asia Pacific", "Asien & Asien-Pazifik"),
    ("africa", "Africa", "Afrika"),
    ("worldwide", "Worldwide", "Weltweit"),
]


def seed(apps, schema_editor):
    Region = apps.get_model("patient_groups", "Region")
    for order, (slug, name_en, name_de) in enumerate(REGIONS, start=1):
        Region.objects.get_or_create(
            slug=slug,
            defaults={"order": order, "name": name_en, "name_en": name_en, "name_de": name_de},
        )


def unseed(apps, schema_editor):
    Region = apps.get_model("patient_groups", "Region")
    Region.objects.filter(
        slug__in=[slug for slug, *_names in REGIONS], groups__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("patient_groups", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
