"""
NLM / Vancouver (ICMJE) reference formatting, from CSL-JSON.

A small formatter of its own rather than citeproc-py: citeproc-py needs four patches to produce
Citing Medicine's dates, page ranges and hyphens, does not escape HTML, and is slow enough that
it could only run at save time anyway. These functions are pure (no database, no request); the
Reference model stores their output per language when it is saved.

Rules (Citing Medicine, ICMJE samples):
- authors "Family Initials", comma separated; more than six: the first six, then "et al.";
- titles as written, followed by a period unless they end in ? or !;
- journal: the NLM abbreviation when known;
- "2017 Dec;19(12):991-1002." with page ranges elided the NLM way (461-475 -> 461-75);
- "doi:..." last, without a final period;
- web pages: "Title [Internet]. Place: Publisher; Year [cited 2025 Jan 15]. Available from: URL".
Month abbreviations stay in NLM's English form in every language; the connecting words
("cited", "Available from", "editors", "p.") are translated.
"""

import re

from django.utils import translation
from django.utils.html import escape
from django.utils.translation import pgettext

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MAX_AUTHORS = 6
_PAGE_RANGE = re.compile(r"^\s*([A-Za-z]*)(\d+)\s*[-\u2010-\u2015]+\s*([A-Za-z]*)(\d+)\s*$")


def elide_pages(pages):
    """
    NLM page ranges: drop the leading digits the last page shares with the first page.

    461-475 -> 461-75, 1002-1010 -> 1002-10, S93-S99 -> S93-9; ranges whose numbers differ in
    length (991-1002, 1-10, 95-105) stay in full. Anything else is returned unchanged, with
    dashes turned into hyphens.
    """
    pages = (pages or "").strip()
    match = _PAGE_RANGE.match(pages)
    if not match:
        return re.sub(r"\s*[\u2010-\u2015]\s*", "-", pages)
    first_prefix, first, last_prefix, last = match.groups()
    if last_prefix and last_prefix != first_prefix:
        return f"{first_prefix}{first}-{last_prefix}{last}"
    if len(first) != len(last) or first == last:
        return f"{first_prefix}{first}-{last}" if first != last else f"{first_prefix}{first}"
    shared = 0
    while shared < len(first) - 1 and first[shared] == last[shared]:
        shared += 1
    return f"{first_prefix}{first}-{last[shared:]}"


def initials(given):
    """'Patrick C.' -> 'PC', 'U.-F.' -> 'UF', 'Jean-Pierre' -> 'JP', 'PC' -> 'PC'."""
    letters = []
    for part in re.split(r"[\s.\-]+", given or ""):
        if not part:
            continue
        if part.isalpha() and part.isupper() and len(part) <= 3:
            letters.append(part)  # already initials, as PubMed writes them
        else:
            letters.append(part[0].upper())
    return "".join(letters)


def format_name(name):
    if name.get("literal"):
        return name["literal"].strip()
    family = " ".join(
        part for part in (name.get("non-dropping-particle", ""), name.get("family", "")) if part
    ).strip()
    return " ".join(part for part in (family, initials(name.get("given", ""))) if part)


def format_names(names, and_others=False):
    formatted = [format_name(name) for name in names if format_name(name)]
    if len(formatted) > MAX_AUTHORS:
        formatted, and_others = formatted[:MAX_AUTHORS], True
    if and_others and formatted:
        formatted.append("et al")
    return ", ".join(formatted)


def ends_sentence(text):
    """Add a period unless the text already ends a sentence."""
    text = text.strip()
    return text if not text or text[-1] in ".?!" else text + "."


def format_date(parts):
    """[[2017, 12, 5]] -> '2017 Dec 5' (NLM's order and English month abbreviations)."""
    if not parts or not parts[0] or not parts[0][0]:
        return ""
    year, *rest = parts[0]
    text = str(year)
    if rest and rest[0] and 1 <= int(rest[0]) <= 12:
        text += " " + MONTHS[int(rest[0]) - 1]
        if len(rest) > 1 and rest[1]:
            text += f" {int(rest[1])}"
    return text


def date_parts(csl, field):
    return (csl.get(field) or {}).get("date-parts") or []


def edition_text(edition):
    edition = str(edition or "").strip()
    if not edition:
        return ""
    if edition.isdigit():
        number = int(edition)
        if translation.get_language() == "de":
            return f"{number}. " + pgettext("citation edition", "ed.")
        suffix = (
            "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
        )
        return f"{number}{suffix} " + pgettext("citation edition", "ed.")
    return ends_sentence(edition)


def editors_text(editors):
    names = format_names(editors)
    if not names:
        return ""
    if len(editors) == 1:
        return f"{names}, " + pgettext("citation", "editor")
    return f"{names}, " + pgettext("citation", "editors")


def publication_text(csl, with_date=True):
    """'Place: Publisher; 2007' with whichever parts are known."""
    publisher = csl.get("publisher") or ""
    place = csl.get("publisher-place") or ""
    text = ": ".join(part for part in (place, publisher) if part)
    date = format_date(date_parts(csl, "issued")) if with_date else ""
    return "; ".join(part for part in (text, date) if part)


def cited_text(csl):
    """'[updated 2026 Mar 12; cited 2026 Nov 21]' with whichever dates are known."""
    parts = []
    updated = format_date(date_parts(csl.get("custom") or {}, "updated"))
    if updated:
        parts.append(pgettext("citation", "updated %(date)s") % {"date": updated})
    accessed = format_date(date_parts(csl, "accessed"))
    if accessed:
        parts.append(pgettext("citation", "cited %(date)s") % {"date": accessed})
    return "[" + "; ".join(parts) + "]" if parts else ""


def available_from(csl):
    url = csl.get("URL") or ""
    return pgettext("citation", "Available from:") + " " + url if url else ""


def join(*sentences):
    return " ".join(sentence for sentence in sentences if sentence)


def _authors(csl):
    return ends_sentence(format_names(csl.get("author") or [], bool(csl_custom(csl, "and-others"))))


def csl_custom(csl, name):
    return (csl.get("custom") or {}).get(name)


def format_journal_article(csl):
    journal = csl.get("container-title-short") or csl.get("container-title") or ""
    source = format_date(date_parts(csl, "issued"))
    volume, issue = csl.get("volume") or "", csl.get("issue") or ""
    pages = elide_pages(csl.get("page"))
    if volume or issue:
        source += ";" + volume + (f"({issue})" if issue else "")
    if pages:
        source += ":" + pages
    doi = f"doi:{csl['DOI']}" if csl.get("DOI") else ""
    return join(
        _authors(csl),
        ends_sentence(csl.get("title") or ""),
        ends_sentence(journal),
        ends_sentence(source),
        doi,
    )


def format_book(csl):
    title = csl.get("title") or ""
    if title and csl.get("URL"):
        title += " [Internet]"
    return join(
        _authors(csl),
        ends_sentence(title),
        edition_text(csl.get("edition")),
        ends_sentence(editors_text(csl.get("editor") or [])),
        ends_sentence(join(publication_text(csl), cited_text(csl))),
        available_from(csl),
    )


def format_chapter(csl):
    editors = editors_text(csl.get("editor") or [])
    book = csl.get("container-title") or ""
    pages = elide_pages(csl.get("page"))
    return join(
        _authors(csl),
        ends_sentence(csl.get("title") or ""),
        ends_sentence(join("In:", editors + "." if editors else "", book)) if book else "",
        edition_text(csl.get("edition")),
        ends_sentence(publication_text(csl)),
        ends_sentence(pgettext("citation pages", "p.") + " " + pages) if pages else "",
        available_from(csl),
    )


def format_webpage(csl):
    title = (csl.get("title") or "").strip()
    title = f"{title} [Internet]" if title else ""
    # A web page's publisher is usually the site itself (the container).
    publication = publication_text(
        {**csl, "publisher": csl.get("publisher") or csl.get("container-title") or ""}
    )
    cited = cited_text(csl)
    if publication:
        middle = join(ends_sentence(title), ends_sentence(join(publication, cited)))
    else:
        middle = ends_sentence(join(title, cited))
    return join(_authors(csl), middle, available_from(csl))


def format_report(csl):
    return join(
        _authors(csl),
        ends_sentence(csl.get("title") or ""),
        edition_text(csl.get("edition")),
        ends_sentence(publication_text(csl)),
        available_from(csl),
    )


FORMATTERS = {
    "article-journal": format_journal_article,
    "book": format_book,
    "chapter": format_chapter,
    "webpage": format_webpage,
    "report": format_report,
}


def format_reference(csl, language):
    """The NLM citation of one CSL-JSON item as plain text, in `language`."""
    with translation.override(language):
        formatter = FORMATTERS.get(csl.get("type"), format_report)
        return re.sub(r"\s+", " ", formatter(csl)).strip()


def format_reference_html(csl, language):
    """The same text as HTML: every field escaped, nothing else added."""
    return str(escape(format_reference(csl, language)))
