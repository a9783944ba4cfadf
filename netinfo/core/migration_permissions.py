"""
Helpers for data migrations that give the staff groups their permissions.

Django creates Permission rows in a post_migrate handler, after every migration has run, so a
migration that grants them must create them first. Used by the articles' and the directory's
migrations, so it lives here, below both.
"""

from django.contrib.auth import get_permission_codename
from django.db import migrations


def model_permissions(model):
    """{codename: name} of a (historical) model's permissions: the default ones and its own."""
    options = model._meta
    permissions = {
        get_permission_codename(action, options): f"Can {action} {options.verbose_name_raw}"
        for action in options.default_permissions
    }
    permissions.update(dict(options.permissions))
    return permissions


def ensure_permissions(apps, app_label):
    """Create the Permission rows of `app_label`'s models that do not exist yet."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for model in apps.get_app_config(app_label).get_models():
        content_type, _created = ContentType.objects.get_or_create(
            app_label=app_label, model=model._meta.model_name
        )
        for codename, name in model_permissions(model).items():
            Permission.objects.get_or_create(
                content_type=content_type, codename=codename, defaults={"name": str(name)}
            )


def grant(apps, group_name, app_label, codenames):
    """Give `group_name` the permissions `codenames` of `app_label`, creating them if needed."""
    ensure_permissions(apps, app_label)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=group_name)
    permissions = Permission.objects.filter(
        content_type__app_label=app_label, codename__in=codenames
    )
    missing = set(codenames) - set(permissions.values_list("codename", flat=True))
    if missing:
        raise RuntimeError(f"Unknown permissions for {app_label}: {sorted(missing)}")
    group.permissions.add(*permissions)


def revoke(apps, group_name, app_label, codenames):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=group_name).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )


def granting(app_label, roles, codenames):
    """A migration operation giving each of `roles` the permissions `codenames`, and back."""

    def forwards(apps, schema_editor):
        for role in roles:
            grant(apps, role, app_label, codenames)

    def backwards(apps, schema_editor):
        for role in roles:
            revoke(apps, role, app_label, codenames)

    return migrations.RunPython(forwards, backwards)
