from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context):
    """
    One link per site language to the same page in that language.

    A view may pass `switcher_urls` ({code: url}) when the URL differs by more than the prefix,
    such as an article's translated slug; otherwise the current path is translated.
    """
    request = context.get("request")
    given = context.get("switcher_urls") or {}
    current = get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        url = given.get(code)
        if url is None and request is not None:
            url = translate_url(request.get_full_path(), code)
        links.append(
            {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "url": url or f"/{code}/",
                "current": code == current,
            }
        )
    return links
