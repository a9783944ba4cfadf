from django.db import migrations

# The library's own rows; visitors see the translated texts in netinfo/consent/texts.py.
GROUPS = [
    {
        "varname": "essential",
        "name": "Strictly necessary",
        "description": "Needed for the site to work; set only when a visitor sends a form, logs in or saves cookie choices.",
        "is_required": True,
        "is_deletable": False,
        "ordering": 1,
        "cookies": [
            ("csrftoken", "Protects forms against cross-site request forgery. 1 year."),
            ("sessionid", "Keeps editors logged in to the admin. 2 weeks."),
            ("django_language", "A language chosen in the admin. Browser session."),
            ("cookie_consent", "The visitor's cookie choices. About 6 months."),
        ],
    },
    {
        "varname": "analytics",
        "name": "Audience measurement (Matomo)",
        "description": "Anonymous visit counts with the site's own Matomo. Optional.",
        "is_required": False,
        "is_deletable": True,
        "ordering": 2,
        # A trailing * makes the name a prefix: Matomo's cookies are _pk_id.<site>.<hash>.
        "cookies": [
            ("_pk_id.*", "Recognises a returning browser. 13 months."),
            ("_pk_ses.*", "Groups the pages of one visit. 30 minutes."),
            ("_pk_ref.*", "The referring website. 6 months."),
        ],
    },
]


def create_groups(apps, schema_editor):
    CookieGroup = apps.get_model("cookie_consent", "CookieGroup")
    Cookie = apps.get_model("cookie_consent", "Cookie")
    for data in GROUPS:
        fields = {k: v for k, v in data.items() if k not in ("varname", "cookies")}
        group, _created = CookieGroup.objects.get_or_create(
            varname=data["varname"], defaults=fields
        )
        for name, description in data["cookies"]:
            Cookie.objects.get_or_create(
                cookiegroup=group,
                name=name,
                domain="",
                defaults={"description": description, "path": "/"},
            )
    clear_library_cache()


def delete_groups(apps, schema_editor):
    apps.get_model("cookie_consent", "CookieGroup").objects.filter(
        varname__in=[data["varname"] for data in GROUPS]
    ).delete()
    clear_library_cache()


def clear_library_cache():
    # Historical models do not clear the library's cached groups; do it here.
    from cookie_consent.cache import delete_cache

    delete_cache()


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0001_initial"),
        ("cookie_consent", "0004_cookie_natural_key"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
