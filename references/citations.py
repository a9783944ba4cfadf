"""
Citations in Markdown text: Pandoc's syntax, numbered NLM-style.

Editors write `[@oronsky2017]`, `[@oronsky2017; @pape2000]` or `[@papotti2002, p. 463]`; a key
may also be an identifier (`[@pmid:29091800]`, `[@doi:10.1016/j.neo.2017.09.002]`). Numbers
follow the first appearance in the text, one number per reference; within a cluster numbers are
sorted and runs of three or more collapse to a range (1–3,5).

This module knows nothing about articles: `CitationExtension` renders clusters for any Markdown
text, and `CitationNumbering` reports which reference got which number and how often.
"""

import difflib
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass

from django.utils.translation import gettext as _
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor

# Pandoc's citation keys: start with a letter, digit or underscore; single internal punctuation.
KEY = r"[A-Za-z0-9_](?:[A-Za-z0-9_]|[:.#$%&\-+?<>~/](?=[A-Za-z0-9_]))*"
# A cluster starts with @ right after the bracket, is not escaped (\[@key] stays text) and is
# not a Markdown link ([..](..) or [..][..]).
CLUSTER_RE = re.compile(r"(?<!\\)\[(?P<body>[ \t]*-?@[^\[\]\n]*)\](?![(\[])")
ITEM_RE = re.compile(rf"^\s*-?@(?P<key>{KEY})\s*(?:,\s*(?P<locator>[^\s,;][^;]*?))?\s*$")
# Bracketed text with an @key after a space: meant as a citation, but not one. An e-mail
# address has no space before its @, so "[write to me@example.org]" is not caught.
LOOKS_LIKE_CITATION_RE = re.compile(
    rf"(?<!\\)\[[^\[\]\n]*?(?<=[\[\s;])-?@{KEY}[^\[\]\n]*\](?![(\[])"
)
IDENTIFIER_KEYS = ("doi", "pmid", "pmcid")
RANGE_DASH = "\u2013"


@dataclass(frozen=True)
class CitationItem:
    key: str
    locator: str = ""


def parse_cluster(body):
    """The items of a cluster's inner text, or None when it is not well formed."""
    items = []
    for part in body.split(";"):
        match = ITEM_RE.match(part)
        if not match:
            return None
        items.append(CitationItem(match["key"].lower(), (match["locator"] or "").strip()))
    return items


def line_of(text, position):
    return text.count("\n", 0, position) + 1


def find_citations(text):
    """
    All clusters in `text` as (line, source, items); `items` is None for a malformed one.

    Clusters are found in the raw Markdown, so a line number points at what the editor typed.
    """
    found = []
    seen = set()
    for match in CLUSTER_RE.finditer(text):
        seen.add(match.start())
        found.append((line_of(text, match.start()), match[0], parse_cluster(match["body"])))
    for match in LOOKS_LIKE_CITATION_RE.finditer(text):
        if match.start() not in seen:
            found.append((line_of(text, match.start()), match[0], None))
    return sorted(found, key=lambda entry: entry[0])


def lookup_references(keys):
    """{key: Reference} for the keys that exist, including identifier keys such as pmid:123."""
    from .identifiers import NORMALIZERS
    from .models import Reference

    keys = set(keys)
    found = {ref.key: ref for ref in Reference.objects.filter(key__in=keys)}
    by_identifier = {}
    for key in keys - set(found):
        scheme, _sep, value = key.partition(":")
        if scheme in IDENTIFIER_KEYS and value:
            try:
                by_identifier[key] = (scheme, NORMALIZERS[scheme](value))
            except ValueError:
                continue
    if by_identifier:
        query = Reference.objects.none()
        for scheme, value in by_identifier.values():
            query = query | Reference.objects.filter(**{scheme: value})
        matches = list(query)
        for key, (scheme, value) in by_identifier.items():
            for ref in matches:
                if getattr(ref, scheme) == value:
                    found[key] = ref
    return found


def citation_problems(text, known=None):
    """
    Messages for malformed clusters and unknown keys, each with its line and, for a key that
    is nearly right, a suggestion. `known` maps keys to references (looked up when omitted).
    """
    citations = find_citations(text)
    keys = {item.key for _line, _source, items in citations if items for item in items}
    if known is None:
        known = lookup_references(keys)
    problems = []
    all_keys = None
    for line, source, items in citations:
        if items is None:
            problems.append(
                _(
                    "Malformed citation %(source)s (line %(line)s). Write [@key], "
                    "[@key1; @key2] or [@key, p. 5]."
                )
                % {"source": source, "line": line}
            )
            continue
        for item in items:
            if item.key in known:
                continue
            if all_keys is None:
                from .models import Reference

                all_keys = list(Reference.objects.values_list("key", flat=True))
            guess = difflib.get_close_matches(item.key, all_keys, n=1, cutoff=0.6)
            message = _("Unknown reference “@%(key)s” (line %(line)s).") % {
                "key": item.key,
                "line": line,
            }
            if guess:
                message += " " + _("Did you mean “@%(guess)s”?") % {"guess": guess[0]}
            message += " " + _("Add it under References first, or correct the key.")
            problems.append(message)
    return problems


def collapse(numbers):
    """Sorted numbers with runs of three or more as (first, last): [1, 2, 3, 5] -> [(1, 3), 5]."""
    numbers = sorted(set(numbers))
    segments, start = [], 0
    while start < len(numbers):
        end = start
        while end + 1 < len(numbers) and numbers[end + 1] == numbers[end] + 1:
            end += 1
        if end - start >= 2:
            segments.append((numbers[start], numbers[end]))
        else:
            segments.extend(numbers[start : end + 1])
        start = end + 1
    return segments


def collapsed_text(numbers):
    return ",".join(
        f"{s[0]}{RANGE_DASH}{s[1]}" if isinstance(s, tuple) else str(s) for s in collapse(numbers)
    )


class CitationNumbering:
    """
    Hands out numbers by first appearance, keyed by the reference (so `@oronsky2017` and
    `@pmid:29091800` share one), and counts every place each reference is cited.
    """

    def __init__(self, references):
        self.references = references  # {key: Reference}
        self.numbers = {}  # reference pk -> number
        self.counts = {}  # reference pk -> times cited
        self.unknown = []

    def cite(self, reference):
        """(number, occurrence) for a reference cited once more."""
        number = self.numbers.setdefault(reference.pk, len(self.numbers) + 1)
        self.counts[reference.pk] = self.counts.get(reference.pk, 0) + 1
        return number, self.counts[reference.pk]

    def citations(self):
        """[(reference pk, number, count)] in number order."""
        return sorted(
            ((pk, number, self.counts[pk]) for pk, number in self.numbers.items()),
            key=lambda row: row[1],
        )


def anchor_id(number, occurrence):
    return f"cite-{number}-{occurrence}"


class CitationProcessor(InlineProcessor):
    def __init__(self, pattern, md, numbering, label):
        super().__init__(pattern, md)
        self.numbering = numbering
        self.label = label

    def handleMatch(self, m, data):
        items = parse_cluster(m["body"])
        if items is None:
            return None, None, None  # not a citation: leave the text as it is
        cited = {}  # number -> (occurrence, locator)
        cluster_references, unknown = [], False
        for item in items:
            reference = self.numbering.references.get(item.key)
            if reference is None:
                self.numbering.unknown.append(item.key)
                unknown = True
            elif reference.pk not in {ref.pk for ref, _locator in cluster_references}:
                # A reference named twice in one cluster (even by two keys) counts once.
                cluster_references.append((reference, item.locator))
        for reference, locator in cluster_references:
            number, occurrence = self.numbering.cite(reference)
            cited[number] = (occurrence, locator)
        sup = etree.Element("sup", {"class": "citation"})
        if unknown and not cited:
            sup.set("class", "citation citation--unknown")
            sup.text = "?"
            return sup, m.start(0), m.end(0)
        plain = [n for n, (_o, locator) in cited.items() if not locator]
        segments = collapse(plain) + sorted(n for n, (_o, loc) in cited.items() if loc)
        for index, segment in enumerate(segments):
            if index:
                self._append_text(sup, ",")
            if isinstance(segment, tuple):
                first, last = segment
                self._link(sup, first, cited[first][0])
                # The numbers inside a range have no link of their own; an empty anchor keeps
                # their back-links from the reference list working.
                for number in range(first + 1, last):
                    etree.SubElement(sup, "span", {"id": anchor_id(number, cited[number][0])})
                self._append_text(sup, RANGE_DASH)
                self._link(sup, last, cited[last][0])
            else:
                self._link(sup, segment, cited[segment][0])
                locator = cited[segment][1]
                if locator:
                    self._append_text(sup, f" ({locator})")
        return sup, m.start(0), m.end(0)

    def _link(self, parent, number, occurrence):
        link = etree.SubElement(
            parent,
            "a",
            {"href": f"#ref-{number}", "id": anchor_id(number, occurrence), "role": "doc-noteref"},
        )
        hidden = etree.SubElement(link, "span", {"class": "visually-hidden"})
        hidden.text = self.label + " "
        hidden.tail = str(number)

    @staticmethod
    def _append_text(parent, text):
        if len(parent):
            parent[-1].tail = (parent[-1].tail or "") + text
        else:
            parent.text = (parent.text or "") + text


class CitationExtension(Extension):
    """Python-Markdown extension: citation clusters become numbered superscript links."""

    def __init__(self, numbering, label="Reference", **kwargs):
        self.numbering = numbering
        self.label = label
        super().__init__(**kwargs)

    def extendMarkdown(self, md):
        # Above links (160) so that [@key] is not read as a reference-style link; below
        # backslash escapes (180) so that \[@key] stays literal text.
        md.inlinePatterns.register(
            CitationProcessor(CLUSTER_RE.pattern, md, self.numbering, self.label),
            "citation",
            175,
        )
