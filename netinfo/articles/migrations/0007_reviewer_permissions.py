from django.db import migrations

from netinfo.core.migration_permissions import grant, revoke

REVIEWER = {
    "netinfo": [
        "approve_article",
        "view_changelogentry",
        "add_previewlink",
        "change_previewlink",
        "view_previewlink",
    ]
}
EDITOR = {
    "netinfo": ["view_changelogentry", "add_previewlink", "change_previewlink", "view_previewlink"]
}


def forwards(apps, schema_editor):
    for app_label, codenames in REVIEWER.items():
        grant(apps, "Medical reviewers", app_label, codenames)
    for app_label, codenames in EDITOR.items():
        grant(apps, "Editors", app_label, codenames)


def backwards(apps, schema_editor):
    for app_label, codenames in REVIEWER.items():
        revoke(apps, "Medical reviewers", app_label, codenames)
    for app_label, codenames in EDITOR.items():
        revoke(apps, "Editors", app_label, codenames)


def backfill_hashes(apps, schema_editor):
    """Articles saved before translation tracking: take their translations as current."""
    import hashlib

    Article = apps.get_model("netinfo", "Article")
    for article in Article.objects.filter(content_hashes={}):
        hashes = {}
        for code in ("en", "de"):
            text = "\n".join(
                getattr(article, f"{f}_{code}") or "" for f in ("title", "summary", "body")
            )
            hashes[code] = hashlib.sha256(text.encode()).hexdigest() if text.strip() else ""
        article.content_hashes = hashes
        article.translation_sources = {"de": hashes["en"]} if hashes["de"] else {}
        article.save(update_fields=["content_hashes", "translation_sources"])


class Migration(migrations.Migration):
    dependencies = [("netinfo", "0006_clinical_governance")]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.RunPython(backfill_hashes, migrations.RunPython.noop),
    ]
