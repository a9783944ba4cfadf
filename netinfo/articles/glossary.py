"""
Glossary words explained where an article first uses them, marked when the article is rendered.

The first use of each term in an article (its name or one of its other forms, longest first,
capitals aside) becomes a link to the term's page and a small button that opens the short
definition in place: the HTML popover attribute, which works without JavaScript, by keyboard
(Enter opens, Escape closes) and with screen readers (the button says which word it explains).
Headings, links, code, citation numbers and figures are left alone.
"""

import re
from dataclasses import dataclass, field
from xml.etree import ElementTree as etree

from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

# Where a word is never marked: what it would break or where it is no prose.
SKIPPED_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "a", "code", "pre", "sup", "figure", "button"}


@dataclass
class Entry:
    """A term as one language's articles mark it."""

    pk: int
    name: str
    url: str
    summary: str  # plain text, the definition's first paragraph
    forms: list = field(default_factory=list)  # the name and every other form, as written


@dataclass
class Glossary:
    """The terms of one language, and the pattern that finds any of their forms."""

    entries: list

    def __post_init__(self):
        self.by_form = {}
        for entry in self.entries:
            for form in entry.forms:
                self.by_form.setdefault(form.casefold(), entry)
        forms = sorted(self.by_form, key=len, reverse=True)  # longest first
        self.pattern = (
            re.compile(
                r"(?<!\w)(" + "|".join(re.escape(form) for form in forms) + r")(?!\w)",
                re.IGNORECASE,
            )
            if forms
            else None
        )


class MarkTerms(Treeprocessor):
    def __init__(self, md, glossary, label, more):
        super().__init__(md)
        self.glossary, self.label, self.more = glossary, label, more
        self.used = []  # pks of the terms marked, in order

    def run(self, root):
        if self.glossary.pattern is not None:
            self.walk(root)

    def walk(self, element):
        if element.tag in SKIPPED_TAGS or element.get("class", "").startswith("term"):
            return  # (and never into the marks this makes)
        children = list(element)
        self.mark(element, "text", position=0)
        for child in children:
            self.walk(child)
            position = list(element).index(child) + 1
            self.mark(child, "tail", position=position, parent=element)

    def mark(self, node, attribute, position, parent=None):
        """Mark the first unmarked term in node.text (inside node) or node.tail (after it)."""
        text = getattr(node, attribute)
        if not text:
            return
        for match in self.glossary.pattern.finditer(text):
            entry = self.glossary.by_form[match.group(1).casefold()]
            if entry.pk in self.used:
                continue
            self.used.append(entry.pk)
            before, after = text[: match.start()], text[match.end() :]
            setattr(node, attribute, before)
            term, popover = self.build(entry, match.group(1))
            target = node if attribute == "text" else parent
            target.insert(position, term)
            target.insert(position + 1, popover)
            popover.tail = after
            # The rest of the text may hold other terms.
            self.mark(popover, "tail", position + 2, parent=target)
            return

    def build(self, entry, words):
        ident = f"term-{entry.pk}"
        term = etree.Element("span", {"class": "term"})
        link = etree.SubElement(term, "a", {"href": entry.url, "class": "term__link"})
        link.text = words
        button = etree.SubElement(
            term,
            "button",
            {"type": "button", "class": "term__toggle", "popovertarget": ident},
        )
        mark = etree.SubElement(button, "span", {"aria-hidden": "true"})
        mark.text = "?"
        name = etree.SubElement(button, "span", {"class": "visually-hidden"})
        name.text = self.label % {"term": entry.name}
        popover = etree.Element("span", {"class": "term__popover", "id": ident, "popover": ""})
        strong = etree.SubElement(popover, "strong")
        strong.text = entry.name
        strong.tail = f" {entry.summary} "
        more = etree.SubElement(popover, "a", {"href": entry.url})
        more.text = self.more % {"term": entry.name}
        return term, popover


class GlossaryExtension(Extension):
    def __init__(self, glossary, label, more, **kwargs):
        self.glossary, self.label, self.more = glossary, label, more
        super().__init__(**kwargs)

    def extendMarkdown(self, md):
        self.processor = MarkTerms(md, self.glossary, self.label, self.more)
        # After the inline patterns (20), so that links and citations are elements by then.
        md.treeprocessors.register(self.processor, "glossary", 5)
