"""
Article bodies: Markdown in, sanitised HTML out, once per language when an article is saved.

Editors get what medical prose needs (h2-h4, paragraphs, emphasis, lists, links, quotes,
tables), numbered citations from the references app, and figures placed with [[figure:N]] or
[[series:key]] on a line of their own. Raw HTML and Markdown images are not available: images
are Figures, with alt text and credits, and everything the editor typed is escaped or passed
through nh3's allow-list.
"""

import html as html_lib
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import markdown
import nh3
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from markdown.extensions import Extension
from markdown.extensions.tables import TableExtension
from markdown.extensions.toc import TocExtension
from markdown.treeprocessors import Treeprocessor

from netinfo.core.languages import lang_attribute, translated_value
from references.citations import (
    CitationExtension,
    CitationNumbering,
    find_citations,
    lookup_references,
)

from .glossary import GlossaryExtension

ALLOWED_TAGS = {
    "p", "h2", "h3", "h4", "em", "strong", "a", "ul", "ol", "li", "blockquote",
    "table", "thead", "tbody", "tr", "th", "td", "sup", "sub", "span", "br", "hr", "code",
    "button",  # a glossary word's "?" (netinfo.articles.glossary)
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "id", "role", "rel", "class"},
    "sup": {"class"},
    "span": {"id", "class", "popover", "aria-hidden"},
    "button": {"type", "class", "popovertarget"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}
MARKER_RE = re.compile(r"\[\[(?P<kind>figure|series):(?P<key>[^\]\s]*)\]\]")
PLACED_MARKER_RE = re.compile(r"<p>\[\[(?P<kind>figure|series):(?P<key>[A-Za-z0-9_-]+)\]\]</p>")
CITATION_SUP_RE = re.compile(r'<sup class="citation[^"]*">.*?</sup>', re.DOTALL)
# The space a writer puts before [@key] becomes a narrow no-break space: the number must not
# start a line of its own, and its padded link (site.css) leaves room enough around it.
SPACE_BEFORE_CITATION_RE = re.compile(r'\s+(?=<sup class="citation)')
# A glossary word's button and definition, which are no part of the article's own text.
TERM_EXTRAS_RE = re.compile(
    r'<button[^>]*>.*?</button>|<span class="term__popover"[^>]*>.*?</span>', re.DOTALL
)
# A citation with the space before it, for the plain text ("a NET [1]." -> "a NET.").
CITATION_WITH_SPACE_RE = re.compile(r'\s*<sup class="citation[^"]*">.*?</sup>', re.DOTALL)
MIN_TOC_HEADINGS = 3


@dataclass
class RenderedBody:
    html: str = ""
    toc_html: str = ""
    text: str = ""
    citations: list = field(default_factory=list)  # [(reference pk, number, count)]
    terms: list = field(default_factory=list)  # pks of the glossary terms marked


class HeadingLevels(Treeprocessor):
    """The page title is the only h1: '#' becomes h2, and h5/h6 become h4."""

    def run(self, root):
        for element in root.iter():
            if element.tag == "h1":
                element.tag = "h2"
            elif element.tag in ("h5", "h6"):
                element.tag = "h4"


class ExternalLinks(Treeprocessor):
    """Links to other sites get rel="noopener" (no window.opener for the other site)."""

    def run(self, root):
        for link in root.iter("a"):
            if urlsplit(link.get("href", "")).scheme in ("http", "https"):
                link.set("rel", "noopener")


class MedicalProse(Extension):
    def extendMarkdown(self, md):
        # No raw HTML and no Markdown images: HTML typed in the body is shown as text, and
        # images are Figures with alt text and credits.
        md.preprocessors.deregister("html_block")
        for pattern in ("html", "image_link", "image_reference", "short_image_ref"):
            if pattern in md.inlinePatterns:
                md.inlinePatterns.deregister(pattern)
        md.treeprocessors.register(HeadingLevels(md), "heading_levels", 25)
        md.treeprocessors.register(ExternalLinks(md), "external_links", 4)


def heading_id(value, separator):
    # Prefixed so that no heading can take an id the page itself uses (references, main-content).
    return "section-" + (slugify(value) or "part")


def sanitize(html):
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )


def plain_text(html):
    text = CITATION_WITH_SPACE_RE.sub("", TERM_EXTRAS_RE.sub("", html))
    text = nh3.clean(re.sub(r"</(p|h[2-4]|li|td|th|blockquote)>", r" \g<0>", text), tags=set())
    return re.sub(r"\s+", " ", html_lib.unescape(text)).strip()


def figure_html(figure, language, lazy):
    alt, alt_lang = (
        ("", language) if figure.decorative else translated_value(figure, "alt", language)
    )
    caption, caption_lang = translated_value(figure, "caption", language)
    credit, credit_lang = translated_value(figure, "credit", language)
    licence = (
        format_html(' <span class="figure__licence">({})</span>', figure.licence)
        if figure.licence
        else ""
    )
    return format_html(
        '<figure class="figure"><img src="{src}" alt="{alt}"{alt_lang} width="{width}" '
        'height="{height}"{loading} decoding="async"><figcaption>{caption}'
        '<span class="figure__credit"{credit_lang}>{credit}</span>{licence}</figcaption></figure>',
        src=figure.image.url,
        alt=alt,
        alt_lang=lang_attribute(alt_lang, language) if alt else "",
        width=figure.width,
        height=figure.height,
        loading=mark_safe(' loading="lazy"') if lazy else "",  # a constant
        caption=format_html(
            '<span class="figure__caption"{}>{} </span>',
            lang_attribute(caption_lang, language),
            caption,
        )
        if caption
        else "",
        credit_lang=lang_attribute(credit_lang, language),
        credit=credit,
        licence=licence,
    )


def series_html(series_key, members, caption_source, language, lazy):
    items = format_html_join("", "{}", ((figure_html(f, language, lazy),) for f in members))
    caption = ""
    if caption_source is not None:
        text, used = translated_value(caption_source, "caption", language)
        if text:
            caption = format_html(
                "<figcaption{}>{}</figcaption>", lang_attribute(used, language), text
            )
    return format_html(
        '<figure class="figure-series"><div class="figure-series__items">{}</div>{}</figure>',
        items,
        caption,
    )


def place_figures(html, figures, series, language):
    """Swap the markers for figures; figures the body does not place follow at the end."""
    by_number = {str(f.number): f for f in figures}
    members = {}
    for figure in figures:
        if figure.series:
            members.setdefault(figure.series, []).append(figure)
    series_by_key = {s.key: s for s in series}
    placed = set()

    def replace(match):
        lazy = bool(placed)  # the first figure may be near the top: let it load at once
        if match["kind"] == "figure" and match["key"] in by_number:
            figure = by_number[match["key"]]
            placed.add(figure.pk)
            return figure_html(figure, language, lazy)
        if match["kind"] == "series" and match["key"] in members:
            placed.update(f.pk for f in members[match["key"]])
            return series_html(
                match["key"], members[match["key"]], series_by_key.get(match["key"]), language, lazy
            )
        return match[0]  # validation stops unknown markers; never drop text silently

    html = PLACED_MARKER_RE.sub(replace, html)
    rest = [f for f in figures if f.pk not in placed]
    done_series = set()
    for figure in rest:
        if figure.series:
            if figure.series not in done_series:
                done_series.add(figure.series)
                html += series_html(
                    figure.series,
                    members[figure.series],
                    series_by_key.get(figure.series),
                    language,
                    True,
                )
        else:
            html += figure_html(figure, language, True)
    return str(html)


def toc_html(tokens):
    headings = [token for token in tokens if token["level"] == 2]
    if len(headings) < MIN_TOC_HEADINGS:
        return ""
    items = format_html_join(
        "",
        '<li><a href="#{}">{}</a></li>',
        ((t["id"], html_lib.unescape(t["name"])) for t in headings),
    )
    return str(format_html("<ol>{}</ol>", items))


def render_markdown(source, language, references=None, glossary=None):
    """
    Markdown -> (sanitised HTML, toc tokens, CitationNumbering, pks of the glossary terms
    marked), in `language`; `glossary`: netinfo.articles.glossary.Glossary, or None.
    """
    if references is None:
        keys = {
            item.key for _line, _src, items in find_citations(source) if items for item in items
        }
        references = lookup_references(keys) if keys else {}
    numbering = CitationNumbering(references)
    with translation.override(language):
        extensions = [
            MedicalProse(),
            TableExtension(),
            "sane_lists",
            TocExtension(slugify=heading_id, toc_depth="2-4"),
            CitationExtension(numbering, label=_("Reference")),
        ]
        if glossary is not None:
            terms = GlossaryExtension(
                glossary,
                label=_("What does “%(term)s” mean?"),
                more=_("More about “%(term)s” in the glossary"),
            )
            extensions.append(terms)
        md = markdown.Markdown(extensions=extensions, output_format="html")
        html = SPACE_BEFORE_CITATION_RE.sub("\u202f", md.convert(source))
    used = terms.processor.used if glossary is not None else []
    return sanitize(html), md.toc_tokens, numbering, used


def render_article_body(source, language, *, figures=(), series=(), glossary=None):
    if not source.strip():
        return RenderedBody()
    html, tokens, numbering, terms = render_markdown(source, language, glossary=glossary)
    with translation.override(language):
        body = place_figures(html, list(figures), list(series), language)
    return RenderedBody(
        html=body,
        toc_html=toc_html(tokens),
        text=plain_text(html),
        citations=numbering.citations(),
        terms=terms,
    )


def marker_problems(source, figure_numbers, series_keys):
    """Messages for figure markers that point nowhere or share a line with other text."""
    problems = []
    for number, line in enumerate(source.splitlines(), start=1):
        for match in MARKER_RE.finditer(line):
            kind, key = match["kind"], match["key"]
            known = figure_numbers if kind == "figure" else series_keys
            if key not in known:
                if kind == "figure":
                    message = _(
                        "Line %(line)s places figure %(key)s, but there is no figure with that number."
                    )
                else:
                    message = _(
                        "Line %(line)s places series “%(key)s”, but no figure belongs to that series."
                    )
                problems.append(message % {"line": number, "key": key})
            elif line.strip() != match[0]:
                problems.append(
                    _("Line %(line)s: put %(marker)s on a line of its own.")
                    % {"line": number, "marker": match[0]}
                )
    return problems
