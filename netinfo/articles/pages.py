"""
What an article's page shows besides its text, rendered when the article is saved rather than
on every visit: its authors, its reference list, further resources and the "What changed" list,
for each language of the site. A page in a language the article is not written in shows the
English text, its references and links under that language's headings, as the page itself does.

The parts are kept in Article.page_parts. The save pipeline (netinfo.articles.services) renders
them at the end of each step, and again (refresh_pages) when a reference or a contributor they
show changes; a release that changes how they look runs `manage.py render_articles`.
"""

from django.template.loader import render_to_string
from django.utils import translation

from netinfo.core.languages import LANGUAGE_CODES, translated_value
from references.lists import reference_list

from .models import Article, Citation


def render_page_parts(article):
    """{language: {"authors", "references", "resources", "changes"}} for a saved article."""
    written_in = article.translated_languages()
    authors = [
        authorship.contributor
        for authorship in article.authorships.select_related("contributor").order_by("order", "pk")
    ]
    citations = {code: [] for code in LANGUAGE_CODES}
    for citation in (
        Citation.objects.filter(article=article).select_related("reference").order_by("number")
    ):
        citations[citation.language].append(citation)
    resources = list(article.resources.all())
    changes = list(article.changes.public())
    parts = {}
    for language in LANGUAGE_CODES:
        content_language = language if language in written_in else "en"
        with translation.override(language):
            cited = reference_list(citations[content_language], content_language)
            parts[language] = {
                "authors": [author_entry(author, language) for author in authors],
                "references": render_to_string(
                    "references/includes/_reference_list.html", {"reference_list": cited}
                )
                if cited
                else "",
                "resources": render_to_string(
                    "netinfo/includes/_resources.html", {"resources": resources}
                )
                if resources
                else "",
                "changes": render_to_string(
                    "netinfo/includes/_changes.html",
                    {
                        "changes": [
                            (entry, *translated_value(entry, "summary", language))
                            for entry in changes
                        ]
                    },
                )
                if changes
                else "",
            }
    return parts


def author_entry(author, language):
    """An author as a page in `language` names them; credentials in English where missing."""
    credentials, credentials_language = translated_value(author, "credentials", language)
    return {
        "name": author.name,
        "family": author.family_name,
        "given": author.given_names,
        "credentials": credentials,
        "credentials_language": credentials_language,
    }


def refresh_page(article):
    """Render an article's page parts again and save them (a step of the save pipeline)."""
    article.page_parts = render_page_parts(article)
    article.save(update_fields=["page_parts"])


def refresh_pages(articles):
    """
    Render again the page parts of `articles` after something they show changed elsewhere (a
    reference's citation, a contributor's name or credentials). Their text, dates and History
    stay as they are: only what the pages show from those other records is new.
    """
    for article in articles:
        Article.objects.filter(pk=article.pk).update(page_parts=render_page_parts(article))
