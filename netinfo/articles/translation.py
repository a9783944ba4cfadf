"""Which fields editors write per language (django-modeltranslation adds *_en and *_de)."""

from modeltranslation.translator import TranslationOptions, register

from .models import (
    Article,
    ChangeLogEntry,
    Contributor,
    ExternalResource,
    Figure,
    FigureSeries,
    Term,
    Topic,
)


@register(Topic)
class TopicTranslation(TranslationOptions):
    fields = ("name", "slug", "description")
    # NULL, not "", for a missing slug, so many untranslated rows do not collide on uniqueness.
    empty_values = {"slug": None}
    required_languages = {"en": ("name", "slug")}


@register(Contributor)
class ContributorTranslation(TranslationOptions):
    fields = ("credentials",)


@register(Article)
class ArticleTranslation(TranslationOptions):
    fields = (
        "title", "slug", "summary", "body", "body_html", "toc_html", "body_text", "search_vector",
    )  # fmt: skip
    empty_values = {"slug": None}
    required_languages = {"en": ("title", "slug", "summary", "body")}


@register(Figure)
class FigureTranslation(TranslationOptions):
    fields = ("alt", "caption", "credit")
    required_languages = {"en": ("credit",)}


@register(FigureSeries)
class FigureSeriesTranslation(TranslationOptions):
    fields = ("caption",)


@register(ExternalResource)
class ExternalResourceTranslation(TranslationOptions):
    fields = ("title",)
    required_languages = {"en": ("title",)}


@register(ChangeLogEntry)
class ChangeLogEntryTranslation(TranslationOptions):
    fields = ("summary",)
    required_languages = {"en": ("summary",)}


@register(Term)
class TermTranslation(TranslationOptions):
    fields = ("name", "slug", "other_forms", "definition", "definition_html", "pronunciation")
    empty_values = {"slug": None}
    required_languages = {"en": ("name", "slug", "definition")}
