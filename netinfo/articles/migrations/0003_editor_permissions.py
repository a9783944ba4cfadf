from django.db import migrations

from netinfo.core.migration_permissions import grant, revoke

# Editors write articles and keep the reference library; they do not delete articles, topics
# or references (archive instead), nor manage users. Medical reviewers can do the same.
EDITOR_PERMISSIONS = {
    "netinfo": [
        *[
            f"{action}_{model}"
            for action in ("add", "change", "view")
            for model in ("article", "topic", "contributor")
        ],
        *[
            f"{action}_{model}"
            for action in ("add", "change", "delete", "view")
            for model in ("figure", "figureseries", "externalresource", "authorship")
        ],
        "view_citation",
    ],
    "references": ["add_reference", "change_reference", "view_reference"],
}
GROUPS = ["Editors", "Medical reviewers"]


def forwards(apps, schema_editor):
    for group in GROUPS:
        for app_label, codenames in EDITOR_PERMISSIONS.items():
            grant(apps, group, app_label, codenames)


def backwards(apps, schema_editor):
    for group in GROUPS:
        for app_label, codenames in EDITOR_PERMISSIONS.items():
            revoke(apps, group, app_label, codenames)


class Migration(migrations.Migration):
    dependencies = [
        ("netinfo", "0002_articles"),
        ("references", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
