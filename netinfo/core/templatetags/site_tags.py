from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.translation import get_language, get_language_info

from netinfo.core.context_processors import site
from netinfo.core.languages import lang_attribute, translated_value

register = template.Library()

# {(template name, language, site-wide values): HTML} of site_fragment().
FRAGMENTS = {}


@register.simple_tag
def site_fragment(template_name):
    """
    A part of the page that is the same on every page in a language, such as the footer or the
    main navigation: rendered once per process and language instead of on every request.

    It sees only the site-wide values (netinfo.core.context_processors.site), never the page's
    context, so nothing of one page or visitor can reach another. What it shows comes from
    templates, settings and translations, which a process loads once and never changes; with
    DEBUG it is rendered afresh, so that an edited template shows at once.
    """
    context = site(None)
    if settings.DEBUG:
        return render_to_string(template_name, context)
    key = (template_name, get_language(), *context.values())
    if key not in FRAGMENTS:
        FRAGMENTS[key] = render_to_string(template_name, context)
    return FRAGMENTS[key]


@register.inclusion_tag("includes/_language_switcher.html", takes_context=True)
def language_switcher(context):
    """The language switcher: a link to this page in each site language, the current one marked."""
    return {"links": language_links(context)}


def language_links(context):
    """
    One link per site language to the same page in that language.

    A view passes `switcher_urls` ({code: url}) when the address differs by more than its
    language prefix, as an article's translated slug does, or when the page exists in some
    languages only (a preview of a draft: the languages missing from it are not offered);
    otherwise only the prefix changes (every other public address is the same in each
    language), and a page outside the language prefixes links to each language's home page.
    """
    request = context.get("request")
    given = context.get("switcher_urls") or {}
    current = get_language()
    path = request.get_full_path() if request is not None else ""
    prefix = f"/{current}/"
    links = []
    for code, _name in settings.LANGUAGES:
        if given and code not in given:
            continue
        url = given.get(code)
        if url is None:
            url = (
                f"/{code}/" + path.removeprefix(prefix) if path.startswith(prefix) else f"/{code}/"
            )
        links.append(
            {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "url": url,
                "current": code == current,
            }
        )
    return links


@register.inclusion_tag("includes/_breadcrumbs.html")
def breadcrumbs(current, topic=None, current_language=None):
    """
    The trail from the home page to this page (`current`, its title, in `current_language`
    where that is not the page's), through its topic.
    """
    return {
        "current": str(current),
        "current_language": current_language,
        "topic": topic if topic and str(current) != topic.name else None,
    }


@register.filter
def fallback_lang(obj, field):
    """
    ' lang="en"' where `obj`'s `field` is shown in English on a page in another language (its
    own translation is missing), so that screen readers read it with the right voice; put it
    in the element's tag: <h2{{ topic|fallback_lang:"name" }}>{{ topic.name }}</h2>.
    """
    language = get_language()
    return lang_attribute(translated_value(obj, field, language)[1], language)


@register.filter
def name_with_credentials(person):
    """A contributor's name and credentials, the credentials marked when shown in English."""
    language = get_language()
    credentials, used = translated_value(person, "credentials", language)
    if not credentials:
        return person.name
    if used == language:
        return f"{person.name}, {credentials}"
    return format_html('{}, <span lang="{}">{}</span>', person.name, used, credentials)
