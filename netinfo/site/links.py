"""Every external web address the site shows, for the link checker (netinfo.links)."""

from django.conf import settings

from netinfo.articles.models import Article, Term
from netinfo.core.languages import LANGUAGE_CODES
from patient_groups.models import PatientGroup
from references.models import Reference


def external_links():
    """
    (object, field, language, address) for each external address in articles that are not
    archived (drafts too: better found before publishing), glossary definitions, references and
    active patient groups: what each object's external_links() names.
    """
    names = [f"name_{code}" for code in LANGUAGE_CODES]
    texts = [f"{name}_{code}" for name in ("title", "body") for code in LANGUAGE_CODES]
    definitions = [f"definition_{code}" for code in LANGUAGE_CODES]
    sources = [
        (
            Article.objects.exclude(status=Article.Status.ARCHIVED)
            .only("pk", *texts)
            .prefetch_related("resources")
            .order_by("pk"),
            {},
        ),
        (Term.objects.only("pk", *names, *definitions).order_by("pk"), {}),
        (
            Reference.objects.only("pk", "key", "url", "doi").order_by("key"),
            {"doi_resolver": settings.LINK_CHECK_DOI_RESOLVER},
        ),
        (PatientGroup.objects.active().exclude(website="").only("pk", "name", "website"), {}),
    ]
    for objects, options in sources:
        for obj in objects:
            for field, language, url in obj.external_links(**options):
                yield obj, field, language, url
