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
    active patient groups.
    """
    texts = [f"{name}_{code}" for name in ("title", "body") for code in LANGUAGE_CODES]
    articles = (
        Article.objects.exclude(status=Article.Status.ARCHIVED)
        .only("pk", *texts)
        .prefetch_related("resources")
        .order_by("pk")
    )
    for article in articles:
        for field, language, url in article.external_links():
            yield article, field, language, url
    definitions = [f"definition_{code}" for code in LANGUAGE_CODES]
    for term in Term.objects.only("pk", *(f"name_{code}" for code in LANGUAGE_CODES), *definitions):
        for field, language, url in term.external_links():
            yield term, field, language, url
    resolver = settings.LINK_CHECK_DOI_RESOLVER
    for reference in Reference.objects.only("pk", "key", "url", "doi").order_by("key"):
        for field, language, url in reference.external_links(doi_resolver=resolver):
            yield reference, field, language, url
    for group in PatientGroup.objects.active().exclude(website="").only("pk", "name", "website"):
        for field, language, url in group.external_links():
            yield group, field, language, url
