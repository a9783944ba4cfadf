from django.db import migrations

from netinfo.core.migration_permissions import grant, revoke

# Directory staff keep the directory current: add and edit groups (inactive rather than
# deleted), edit regions, export. Nothing outside the directory.
PERMISSIONS = [
    "add_patientgroup",
    "change_patientgroup",
    "view_patientgroup",
    "export_patientgroup",
    "change_region",
    "view_region",
]


def forwards(apps, schema_editor):
    grant(apps, "Directory staff", "patient_groups", PERMISSIONS)


def backwards(apps, schema_editor):
    revoke(apps, "Directory staff", "patient_groups", PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("patient_groups", "0002_seed_regions"),
        ("netinfo", "0001_staff_groups"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
