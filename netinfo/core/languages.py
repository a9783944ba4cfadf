"""
The site's languages: which an object is translated into, its address in each, and a
translated value with the language it is really in (English where a translation is missing).
"""

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import get_language

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def translated_languages(obj, *fields):
    """The site languages in which every one of `fields` is filled in."""
    return [
        code for code in LANGUAGE_CODES if all(getattr(obj, f"{field}_{code}") for field in fields)
    ]


def url_in(language, obj):
    with translation.override(language):
        return obj.get_absolute_url()


def translated_value(obj, name, language):
    """(text, language it is in): the language's own value, else the English one."""
    own = getattr(obj, f"{name}_{language}", None)
    if own:
        return own, language
    return getattr(obj, f"{name}_en", None) or "", "en"


def lang_attribute(used, language):
    return format_html(' lang="{}"', used) if used != language else ""


def find_by_translated_slug(queryset, slug):
    """
    The object whose slug in the current language is `slug`, else one whose slug in another
    language is (the caller redirects to the right address). One query either way.
    """
    candidates = list(queryset.filter(slug_query(slug)).order_by("pk")[: len(LANGUAGE_CODES)])
    if not candidates:
        candidates = list(
            queryset.filter(slug_query(slug, "iexact")).order_by("pk")[: len(LANGUAGE_CODES)]
        )
    return pick_by_translated_slug(candidates, slug)


def slug_query(slug, lookup="exact"):
    """
    Objects with `slug` in any language. With "iexact", also in other capitals: addresses are
    typed from print and shared by people ("/en/articles/GEP-NETs/"), and the callers redirect
    to the canonical one (a second query, made only when the exact one finds nothing).
    """
    query = Q()
    for code in LANGUAGE_CODES:
        query |= Q(**{f"slug_{code}__{lookup}": slug})
    return query


def pick_by_translated_slug(candidates, slug):
    """Of the objects that have `slug` in some language, the one that has it in the current one."""
    language = get_language()
    for candidate in candidates:
        if getattr(candidate, f"slug_{language}") == slug:
            return candidate
    for candidate in candidates:
        if (getattr(candidate, f"slug_{language}") or "").lower() == slug.lower():
            return candidate
    if not candidates:
        raise Http404
    return candidates[0]
