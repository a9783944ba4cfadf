"""
Content checks an editor sees while writing: accessibility and plain language, read from an
article's Markdown in each language (no rendering, no JavaScript). Each finding names its rule,
its line and how to fix it. Errors (a link to no published article, an image without alt text)
stop publishing; warnings are for the reviewer to weigh.

Findings are kept as data ({"rule", "level", "line", "params"}) and worded when shown, so that
each editor reads them in their own language.
"""

import re

from django.utils.translation import gettext_lazy as _

from netinfo.core.languages import LANGUAGE_CODES

ERROR, WARNING = "error", "warning"

# Link text that says nothing out of context (WCAG 2.4.4), in the site's languages.
VAGUE_LINK_TEXT = {
    "click here", "here", "this link", "link", "more", "read more", "this page", "this",
    "hier", "hier klicken", "mehr", "weiter", "weiterlesen", "mehr erfahren", "dieser link",
    "diese seite",
}  # fmt: skip
# Brand names that must follow the medicine's generic name on first use.
BRANDS = {
    "lutathera": ("lutetium-177 dotatate", "lutetium-177-dotatate", "177lu-dotatate"),
    "afinitor": ("everolimus",),
    "sandostatin": ("octreotide", "octreotid"),
    "somatuline": ("lanreotide", "lanreotid"),
    "sutent": ("sunitinib",),
}
LONG_SENTENCE_WORDS = 35
LONG_PARAGRAPH_WORDS = 120

RULES = {
    "heading-level": (
        WARNING,
        _("The heading “%(text)s” skips from level %(before)s to level %(level)s."),
        _("Use the next level down (one more #), so that screen readers can follow the outline."),
    ),
    "heading-title": (
        WARNING,
        _("The heading “%(text)s” is a first-level heading or repeats the title."),
        _("Start the text's headings at ## and give them their own words."),
    ),
    "vague-link": (
        WARNING,
        _("The link text “%(text)s” does not say where the link leads."),
        _("Name the page or the source the link leads to."),
    ),
    "internal-link": (
        ERROR,
        _("The link to %(url)s leads to no published article."),
        _("Check the address, or link to the article once it is published."),
    ),
    "image-alt": (
        ERROR,
        _("An image has no alternative text."),
        _("Describe what the image shows between the brackets: ![what it shows](…)."),
    ),
    "table-header": (
        WARNING,
        _("A table has an empty header row."),
        _("Name each column in the table's first row."),
    ),
    "long-sentence": (
        WARNING,
        _("A sentence of %(words)s words: “%(start)s …”."),
        _("Split it: patients read sentences of up to 20 words most easily."),
    ),
    "long-paragraph": (
        WARNING,
        _("A paragraph of %(words)s words."),
        _("Split it into shorter paragraphs, or a list."),
    ),
    "all-caps": (
        WARNING,
        _("“%(text)s” is in capitals, which is hard to read and sounds like shouting."),
        _("Write it in normal case; use bold for emphasis."),
    ),
    "brand-first": (
        WARNING,
        _("The brand name %(brand)s comes before the medicine's generic name."),
        _("Name the medicine first, e.g. “%(generic)s (%(brand)s)”."),
    ),
}

HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
LINK_RE = re.compile(r"(?<!!)\[([^\]]*)\]\(([^)\s]+)[^)]*\)")
AUTOLINK_RE = re.compile(r"<(https?://[^>]+)>")
IMAGE_RE = re.compile(r"!\[([^\]]*)\]\(([^)]*)\)")
INTERNAL_RE = re.compile(r"^/(?P<language>[a-z]{2})/articles/(?P<slug>[\w-]+)/?(?:[#?].*)?$")
CAPS_RE = re.compile(r"\b[A-ZÄÖÜ]{2,}(?:[\s,]+[A-ZÄÖÜ]{2,}\b){2,}")
SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+")
CITATION_RE = re.compile(r"\[@[^\]]*\]|\[\[[^\]]*\]\]")


def finding(rule, line, **params):
    return {"rule": rule, "level": RULES[rule][0], "line": line, "params": params}


def blocks(source):
    """(first line number, lines) of each paragraph-like block, code blocks left out."""
    block, start, fenced = [], 0, False
    for number, line in enumerate(source.splitlines(), 1):
        if line.strip().startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            continue
        if line.strip():
            if not block:
                start = number
            block.append(line)
        elif block:
            yield start, block
            block = []
    if block:
        yield start, block


def check_markdown(source, *, title="", published_slugs=frozenset()):
    """The findings for one language's Markdown."""
    findings = []
    level_before = 1  # the page's title is the only first-level heading
    lowered = source.casefold()
    for start, lines in blocks(source):
        first = lines[0]
        heading = HEADING_RE.match(first)
        if heading and len(lines) == 1:
            level, text = len(heading.group(1)), heading.group(2)
            if level == 1 or text.casefold() == title.casefold():
                findings.append(finding("heading-title", start, text=text))
            elif level > level_before + 1:
                findings.append(
                    finding("heading-level", start, text=text, before=level_before, level=level)
                )
            level_before = level
            continue
        for offset, line in enumerate(lines):
            number = start + offset
            for text, url in LINK_RE.findall(line):
                shown = text.strip()
                if shown.casefold() in VAGUE_LINK_TEXT or re.match(r"(https?://|www\.)", shown):
                    findings.append(finding("vague-link", number, text=shown))
                internal = INTERNAL_RE.match(url)
                if internal and internal.group("slug") not in published_slugs:
                    findings.append(finding("internal-link", number, url=url))
            for url in AUTOLINK_RE.findall(line):
                findings.append(finding("vague-link", number, text=url))
            for alt, _url in IMAGE_RE.findall(line):
                if not alt.strip():
                    findings.append(finding("image-alt", number))
            for caps in CAPS_RE.findall(CITATION_RE.sub("", line)):
                findings.append(finding("all-caps", number, text=caps))
        if first.lstrip().startswith("|"):
            cells = [cell.strip() for cell in first.strip().strip("|").split("|")]
            if not any(cells):
                findings.append(finding("table-header", start))
            continue
        if first.lstrip().startswith((">", "-", "*", "+")) or re.match(r"\s*\d+\.", first):
            continue  # lists and quotes: their items are read one by one
        text = CITATION_RE.sub("", " ".join(lines))
        words = len(text.split())
        if words > LONG_PARAGRAPH_WORDS:
            findings.append(finding("long-paragraph", start, words=words))
        for sentence in SENTENCE_END_RE.split(text):
            count = len(sentence.split())
            if count > LONG_SENTENCE_WORDS:
                start_words = " ".join(sentence.split()[:6])
                findings.append(finding("long-sentence", start, words=count, start=start_words))
    for brand, generics in BRANDS.items():
        at = lowered.find(brand)
        if at < 0:
            continue
        generic_at = [lowered.find(generic) for generic in generics if generic in lowered]
        if not generic_at or min(generic_at) > at:
            line = lowered.count("\n", 0, at) + 1
            findings.append(
                finding("brand-first", line, brand=brand.capitalize(), generic=generics[0])
            )
    return sorted(findings, key=lambda item: (item["line"], item["rule"]))


def external_urls(source):
    """The http(s) addresses the Markdown links to, in order, each once."""
    found = [url for _text, url in LINK_RE.findall(source)] + AUTOLINK_RE.findall(source)
    return list(dict.fromkeys(url for url in found if re.match(r"https?://", url, re.I)))


def check_article(article, published_slugs):
    """{language: findings} for each language the article has text in."""
    results = {}
    for code in LANGUAGE_CODES:
        source = getattr(article, f"body_{code}") or ""
        if source.strip():
            title = getattr(article, f"title_{code}") or ""
            results[code] = check_markdown(source, title=title, published_slugs=published_slugs)
    return results


def describe(item):
    """(message, how to fix) of a finding, in the active language."""
    _level, message, fix = RULES[item["rule"]]
    return str(message) % item["params"], str(fix) % item["params"]


def errors(results):
    """Each error as (language, line, message, fix)."""
    return [
        (code, item["line"], *describe(item))
        for code, items in results.items()
        for item in items
        if item["level"] == ERROR
    ]


def counts(results):
    """(errors, warnings) over every language."""
    levels = [item["level"] for items in results.values() for item in items]
    return levels.count(ERROR), levels.count(WARNING)
