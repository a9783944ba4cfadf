"""
Export and import of all content as one JSON file (manage.py export_content / import_content).

Content is articles with their translations, figures' metadata (not the image files), figure
series, further resources, authors, citations, the public change log, articles' former
addresses, working copies, topics, references, regions, patient groups and cookie groups.
Objects that have a natural key (slugs, reference keys, cookie group names) are written with
it, so seeded rows such as regions are matched, not duplicated. User accounts are not content:
the file names every user the content points to (USER_REFERENCES: who verified a reference,
who submitted an article, who wrote a change-log line ...), and an import creates missing ones
as inactive accounts without a password. Versions (History) and preview links stay behind:
they belong to the database's own backups.
"""

import datetime
import json

from cookie_consent.cache import delete_cache
from cookie_consent.models import Cookie, CookieGroup
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from netinfo.articles import models, services
from patient_groups.models import PatientGroup, Region
from references.models import Reference

FORMAT = "netinfo-content"
VERSION = 1


class ContentImportError(ValueError):
    pass


def content_querysets():
    """Everything that is content, in an order in which it can be loaded."""
    return [
        CookieGroup.objects.order_by("varname"),
        Cookie.objects.order_by("cookiegroup__varname", "name"),
        Region.objects.order_by("slug"),
        PatientGroup.objects.order_by("slug"),
        Reference.objects.order_by("key"),
        models.Topic.objects.order_by("pk"),
        models.Contributor.objects.order_by("pk"),
        models.Article.objects.order_by("pk"),
        models.FormerSlug.objects.order_by("pk"),
        models.Authorship.objects.order_by("pk"),
        models.FigureSeries.objects.order_by("pk"),
        models.Figure.objects.order_by("pk"),
        models.ExternalResource.objects.order_by("pk"),
        models.Citation.objects.order_by("pk"),
        models.ChangeLogEntry.objects.order_by("pk"),
    ]


# Every (model, foreign key to a user) in the content: the accounts the file must name.
USER_REFERENCES = [
    (Reference, "verified_by"),
    (PatientGroup, "verified_by"),
    (models.Contributor, "user"),
    (models.Article, "submitted_by"),
    (models.ChangeLogEntry, "user"),
]


def referenced_usernames():
    names = set()
    for model, field in USER_REFERENCES:
        names |= set(
            model.objects.exclude(**{field: None}).values_list(f"{field}__username", flat=True)
        )
    return sorted(names)


class ExactJSONEncoder(DjangoJSONEncoder):
    """
    Times to the microsecond. Django's encoder cuts them to the millisecond, and a restored
    backup must give the same pages (an article's "modified" time, the feed's dates).
    """

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def export_content():
    objects = []
    for queryset in content_querysets():
        objects += json.loads(
            serializers.serialize(
                "json",
                queryset,
                use_natural_foreign_keys=True,
                use_natural_primary_keys=True,
                cls=ExactJSONEncoder,
            )
        )
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported": timezone.now().isoformat(),
        "users": referenced_usernames(),
        "objects": objects,
    }


def has_content():
    return (
        models.Article.objects.exists()
        or Reference.objects.exists()
        or PatientGroup.objects.exists()
        or models.Topic.objects.exists()
    )


@transaction.atomic
def load_content(data):
    """Load an export into a database without content. Returns the number of objects."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ContentImportError("This is not a NET Info content export.")
    if data.get("version") != VERSION:
        raise ContentImportError(f"Unsupported export version {data.get('version')!r}.")
    if has_content():
        raise ContentImportError(
            "The database already has content. Import into an empty database (after migrate)."
        )
    User = get_user_model()
    for username in data.get("users", []):
        if not User.objects.filter(username=username).exists():
            user = User(username=username, is_active=False)
            user.set_unusable_password()
            user.save()
    deferred, count = [], 0
    try:
        for item in serializers.deserialize(
            "json", json.dumps(data["objects"]), handle_forward_references=True
        ):
            item.save()
            count += 1
            if item.deferred_fields:
                deferred.append(item)
        for item in deferred:
            item.save_deferred_fields()
    except serializers.base.DeserializationError as error:
        raise ContentImportError(f"The export cannot be loaded: {error}") from None
    delete_cache()  # raw saves do not clear django-cookie-consent's cached groups
    return count


def import_content(data, user=None):
    """
    Load a content export into an empty database, then render every article from its
    Markdown once per language (services.render_articles), so that no HTML is taken from the
    file. Returns the number of objects loaded.
    """
    with transaction.atomic():
        count = load_content(data)
        services.render_articles(
            models.Article.objects.order_by("pk"), user=user, comment="Imported from a backup."
        )
    return count
