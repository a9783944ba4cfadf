from django.db import migrations

from netinfo.core.migration_permissions import granting

# Every role that keeps addresses sees what the checker found: editors and medical reviewers
# (articles, references), directory staff (groups' websites). Results come from the checker
# only, so nobody but a superuser changes them.
PERMISSIONS = ["view_link"]
ROLES = ["Editors", "Medical reviewers", "Directory staff"]


class Migration(migrations.Migration):
    dependencies = [
        ("links", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [granting("links", ROLES, PERMISSIONS)]
