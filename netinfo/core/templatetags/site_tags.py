# The standard library's escape() (patient_groups.templatetags.directory_tags says why).
from html import escape

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, get_language_info, gettext

from netinfo.core.context_processors import site

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


@register.simple_tag(takes_context=True)
def language_switcher(context):
    """
    The language switcher: a link to this page in each site language, the current one marked.

    Built in Python, every value escaped, like the directory's entries: it is on every page,
    and as a template it took a twentieth of the directory page's time.
    """
    items = []
    for link in language_links(context):
        code = escape(link["code"])
        current = ' aria-current="true"' if link["current"] else ""
        items.append(
            f'<li><a href="{escape(link["url"])}" lang="{code}" hreflang="{code}"{current}>'
            f"{escape(link['name'])}</a></li>"
        )
    label = escape(gettext("Language"))
    html = f'<nav class="language-switcher" aria-label="{label}"><ul>{"".join(items)}</ul></nav>'
    return mark_safe(html)  # every value is escaped above


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


@register.simple_tag
def breadcrumbs(current, topic=None):
    """
    The trail from the home page to this page (`current`, its title), through the page's
    topic when it has one. Built in Python, every value escaped, like the language switcher.
    """
    current = str(current)
    items = [f'<li><a href="{escape(reverse("netinfo:home"))}">{escape(gettext("Home"))}</a></li>']
    if topic and current != topic.name:
        items.append(
            f'<li><a href="{escape(topic.get_absolute_url())}">{escape(topic.name)}</a></li>'
        )
    items.append(f'<li><span aria-current="page">{escape(current)}</span></li>')
    label = escape(gettext("Breadcrumbs"))
    html = f'<nav class="breadcrumbs" aria-label="{label}"><ol>{"".join(items)}</ol></nav>'
    return mark_safe(html)  # every value is escaped above


@register.simple_tag
def select_options(choices, selected):
    """
    The <option> elements of a <select>, one per (value, label) in `choices`, the one whose
    value is `selected` marked as chosen. Built in Python, every value escaped, instead of by a
    loop of template tags: the directory's filters list every country and language of its
    groups, and the loop was a tenth of that page's time.
    """
    html = "\n".join(
        f'<option value="{escape(value)}"{" selected" if value == selected else ""}>'
        f"{escape(label)}</option>"
        for value, label in choices
    )
    return mark_safe(html)  # every value and label is escaped above
