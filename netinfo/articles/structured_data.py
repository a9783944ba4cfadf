"""schema.org data for search engines, as JSON-LD."""

from django.utils.translation import gettext as _, override

from netinfo.core.jsonld import to_script_json

from .models import Article

AUDIENCE_TYPES = {Article.Audience.PATIENTS: "Patient", Article.Audience.PROFESSIONALS: "Clinician"}


def person(name, credentials):
    data = {"@type": "Person", "name": name}
    if credentials:
        data["description"] = credentials
    return data


def article_jsonld(article, authors, url, language):
    """A MedicalWebPage about neuroendocrine tumours, in the language the text is in."""
    with override(language):
        data = {
            "@context": "https://schema.org",
            "@type": "MedicalWebPage",
            "url": url,
            "headline": article.title,
            "description": article.summary,
            "inLanguage": language,
            "dateModified": article.updated.isoformat(),
            "about": {"@type": "MedicalCondition", "name": _("Neuroendocrine tumour")},
            "audience": {
                "@type": "MedicalAudience",
                "audienceType": AUDIENCE_TYPES.get(article.audience, "Patient"),
            },
            "publisher": {"@type": "Organization", "name": "NET Info"},
        }
    if article.published_at:
        data["datePublished"] = article.published_at.isoformat()
    if article.last_reviewed:
        data["lastReviewed"] = article.last_reviewed.isoformat()
    if article.medical_reviewer:
        reviewer = article.medical_reviewer
        data["reviewedBy"] = person(reviewer.name, reviewer.credentials)
    if authors:
        # Authors as the page shows them (Article.page_parts): dicts of name and credentials.
        data["author"] = [person(author["name"], author["credentials"]) for author in authors]
    return to_script_json(data)


def term_jsonld(term, url, glossary_url, language):
    """A DefinedTerm in the site's glossary (a DefinedTermSet)."""
    from .rendering import plain_text

    definition, _used = translated_definition(term, language)
    data = {
        "@context": "https://schema.org",
        "@type": "DefinedTerm",
        "name": term.name_in(language),
        "url": url,
        "description": plain_text(definition),
        "inLanguage": language,
        "inDefinedTermSet": {
            "@type": "DefinedTermSet",
            "name": _("NET Info glossary"),
            "url": glossary_url,
        },
    }
    forms = term.forms(language)[1:]
    if forms:
        data["alternateName"] = forms
    return to_script_json(data)


def translated_definition(term, language):
    """(definition HTML, the language it is in): the language's own, else the English one."""
    own = getattr(term, f"definition_html_{language}")
    return (own, language) if own else (term.definition_html_en, "en")
