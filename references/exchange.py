"""
Reading and writing reference files: CSL-JSON, RIS, BibTeX and PubMed's MEDLINE (.nbib).

Every reader goes through a file record by record, from a text stream, so that a large file
never has to be in memory at once, and turns each record into a CSL-JSON item (the library's
own shape, see Reference.to_csl): `records(stream, format)` yields a Record per entry, which
holds the item or says why that entry cannot be read (a RIS record without its "ER" line,
unbalanced braces in a BibTeX entry), with its number, line and key; no entry is dropped
silently. A file that cannot be read at all raises MalformedFile with a message for the editor.
Every writer turns CSL-JSON items into a file. Entries are checked afterwards, in `imports`.

Fields without a standard place in RIS are kept in custom tags so that an export read back in
loses nothing: C2 holds the PMCID (as PubMed does), AN the PMID, C5 the "and others" flag.
"""

import codecs
import io
import json
import re
from dataclasses import dataclass

import bibtexparser
import rispy
from bibtexparser.model import Entry, Field
from django.utils.translation import gettext as _
from pylatexenc.latex2text import LatexNodes2Text

FORMATS = {
    "csl-json": ("CSL-JSON", "json", "application/vnd.citationstyles.csl+json"),
    "ris": ("RIS", "ris", "application/x-research-info-systems"),
    "bibtex": ("BibTeX", "bib", "application/x-bibtex"),
    "nbib": ("PubMed (MEDLINE)", "nbib", "application/nbib"),
}
EXPORT_FORMATS = ("ris", "bibtex", "csl-json")
EXTENSIONS = {extension: key for key, (_label, extension, _type) in FORMATS.items()}
EXTENSIONS.update({"txt": "nbib", "medline": "nbib", "bibtex": "bibtex", "csljson": "csl-json"})


class MalformedFile(ValueError):
    """The file cannot be read as the format it claims to be."""


@dataclass
class Record:
    """One entry of a file: its CSL-JSON item, or `problem`, why it cannot be read."""

    number: int  # its place in the file, from 1
    line: int  # the line it starts on
    key: str = ""  # the name the file gives it (BibTeX key, RIS ID, CSL id), if any
    item: dict | None = None
    problem: str = ""


def record_problems(records):
    """The records' problems as lines for the editor ("Entry 3 (line 14, smith2020): ...")."""
    return [f"{where(record)}: {record.problem}" for record in records if record.problem]


def where(record):
    place = _("line %(line)s") % {"line": record.line}
    if record.key:
        place += f", “{record.key}”"
    return _("Entry %(number)s (%(place)s)") % {"number": record.number, "place": place}


# Helpers ------------------------------------------------------------------------------------


def parse_name(text):
    """'Oronsky, Bryan' -> person, '{National Cancer Institute}' or a comma-free text -> organisation."""
    text = text.strip()
    if text.startswith("{") and text.endswith("}"):
        return {"literal": text[1:-1].strip()}
    if "," in text:
        family, given = text.split(",", 1)
        return {"family": family.strip(), "given": given.strip()}
    return {"literal": text}


def name_text(name):
    """The inverse of parse_name."""
    if name.get("literal"):
        literal = name["literal"]
        return "{" + literal + "}" if "," in literal else literal
    return f"{name.get('family', '')}, {name.get('given', '')}".strip().rstrip(",")


def split_pages(pages):
    match = re.match(r"^\s*([A-Za-z]*\d+)\s*[-\u2013]+\s*([A-Za-z]*\d+)\s*$", pages or "")
    return (match[1], match[2]) if match else (pages or "", "")


def join_pages(start, end):
    start, end = (start or "").strip(), (end or "").strip()
    return f"{start}-{end}" if start and end else start or end


def parse_date(text):
    """'2017/12/05/', '2017-12-05', '2017 Dec 5', '2017' -> [2017, 12, 5] (as far as known)."""
    text = (text or "").strip()
    match = re.match(r"^(\d{4})(?:[/\-. ](\d{1,2}|[A-Za-z]{3})\w*)?(?:[/\-. ](\d{1,2}))?", text)
    if not match:
        return []
    parts = [int(match[1])]
    month = match[2]
    if month:
        if month.isdigit():
            parts.append(int(month))
        else:
            months = [
                "jan",
                "feb",
                "mar",
                "apr",
                "may",
                "jun",
                "jul",
                "aug",
                "sep",
                "oct",
                "nov",
                "dec",
            ]
            if month.lower()[:3] not in months:
                return parts
            parts.append(months.index(month.lower()[:3]) + 1)
        if match[3]:
            parts.append(int(match[3]))
    return parts


def date_value(parts):
    return {"date-parts": [parts]} if parts else None


def get_date(item, name):
    try:
        return list(item[name]["date-parts"][0])
    except (KeyError, IndexError, TypeError):
        return []


def compact(item):
    """Drop empty values so that round trips compare equal."""
    return {key: value for key, value in item.items() if value not in (None, "", [], {})}


# CSL-JSON -----------------------------------------------------------------------------------


def csl_json_records(stream, chunk_size=1 << 16):
    """
    The items of a CSL-JSON list, one at a time. Python's json module reads whole documents
    only, and no streaming JSON parser is among the dependencies, so the list is taken apart
    here: JSONDecoder.raw_decode() reads one item from a buffer topped up in chunks.
    """
    decoder = json.JSONDecoder()
    state = {"buffer": "", "line": 1, "eof": False}

    def fill():
        chunk = stream.read(chunk_size)
        state["eof"] = not chunk
        state["buffer"] += chunk

    def skip_space():
        while True:
            buffer = state["buffer"]
            stripped = buffer.lstrip()
            state["line"] += buffer.count("\n", 0, len(buffer) - len(stripped))
            state["buffer"] = stripped
            if stripped or state["eof"]:
                return
            fill()

    def decode_one():
        while True:
            buffer = state["buffer"]
            try:
                value, end = decoder.raw_decode(buffer)
            except (json.JSONDecodeError, RecursionError) as error:
                if not state["eof"]:
                    fill()
                    continue
                line = state["line"] + buffer.count("\n", 0, getattr(error, "pos", 0))
                raise MalformedFile(
                    _("This is not valid JSON (line %(line)s): %(error)s")
                    % {"line": line, "error": getattr(error, "msg", error)}
                ) from None
            if end == len(buffer) and not state["eof"]:
                fill()  # a number or a word may go on in the next chunk
                continue
            state["line"] += buffer.count("\n", 0, end)
            state["buffer"] = buffer[end:]
            return value

    fill()
    skip_space()
    if state["buffer"].startswith("{"):
        # Some tools write a single reference as an object of its own.
        item = decode_one()
        skip_space()
        if state["buffer"] or not looks_like_csl(item):
            raise MalformedFile(_("A CSL-JSON file holds a list of references: [ … ]."))
        yield Record(1, 1, str(item.get("id") or ""), item)
        return
    if not state["buffer"].startswith("["):
        if not state["buffer"]:
            raise MalformedFile(_("The file is empty."))
        raise MalformedFile(_("A CSL-JSON file holds a list of references: [ … ]."))
    state["buffer"] = state["buffer"][1:]
    number = 0
    while True:
        skip_space()
        buffer = state["buffer"]
        if not buffer:
            raise MalformedFile(_("The file ends before its list of references does (“]”)."))
        if buffer.startswith("]"):
            state["buffer"] = buffer[1:]
            skip_space()
            if state["buffer"]:
                raise MalformedFile(
                    _("Line %(line)s: there is more after the end of the list.")
                    % {"line": state["line"]}
                )
            return
        if number:
            if not buffer.startswith(","):
                raise MalformedFile(
                    _("This is not valid JSON (line %(line)s): a comma or “]” is missing.")
                    % {"line": state["line"]}
                )
            state["buffer"] = buffer[1:]
            skip_space()
        line = state["line"]
        item = decode_one()
        number += 1
        if not isinstance(item, dict):
            yield Record(
                number, line, problem=_("This is not a reference (an object with fields).")
            )
        else:
            yield Record(number, line, str(item.get("id") or "")[:100], item)


def looks_like_csl(item):
    """A JSON object with the fields of a CSL-JSON reference, not any object."""
    return (
        isinstance(item, dict)
        and bool(item.get("type"))
        and bool(item.get("title") or item.get("id"))
    )


def read_csl_json(text):
    return items_of(csl_json_records(io.StringIO(text)))


def write_csl_json(items):
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


# RIS ----------------------------------------------------------------------------------------

RIS_TYPES = {
    "JOUR": "article-journal",
    "JFULL": "article-journal",
    "MGZN": "article-journal",
    "BOOK": "book",
    "EBOOK": "book",
    "CHAP": "chapter",
    "ECHAP": "chapter",
    "ELEC": "webpage",
    "WEB": "webpage",
    "BLOG": "webpage",
    "RPRT": "report",
    "GOVDOC": "report",
    "STAND": "report",
}
RIS_EXPORT_TYPES = {
    "article-journal": "JOUR",
    "book": "BOOK",
    "chapter": "CHAP",
    "webpage": "ELEC",
    "report": "RPRT",
}


def _first(entry, *names):
    for name in names:
        value = entry.get(name)
        if isinstance(value, list):
            value = value[0] if value else ""
        if value:
            return str(value).strip()
    return ""


RIS_START = re.compile(r"^TY  -")
RIS_END = re.compile(r"^ER  -")
# Some tools (rispy among them) number the records: "1." on a line of its own before "TY  -".
RIS_NUMBER = re.compile(r"^\s*\d+\.?\s*$")


def ris_records(lines):
    """
    Each record of a RIS file, from "TY  -" to "ER  -". rispy reads a whole file at once and
    drops a record whose "ER" line is missing without a word, so records are cut out here, one
    at a time, and each is handed to rispy on its own.
    """
    number, start, record = 0, 0, None
    found = False
    for line_number, line in enumerate(lines, start=1):
        if RIS_START.match(line):
            if record is not None:
                number += 1
                yield Record(number, start, problem=_("The record has no end line (“ER  -”)."))
            record, start, found = [line], line_number, True
        elif record is not None:
            record.append(line)
            if RIS_END.match(line):
                number += 1
                yield ris_record(number, start, "".join(record))
                record = None
        elif line.strip() and not RIS_NUMBER.match(line):
            if not found:
                raise MalformedFile(_("This is not a RIS file: no record starts with “TY  -”."))
            raise MalformedFile(
                _("Line %(line)s is outside any record (records run from “TY  -” to “ER  -”).")
                % {"line": line_number}
            )
    if record is not None:
        number += 1
        yield Record(
            number,
            start,
            problem=_("The record has no end line (“ER  -”): the file may be cut short."),
        )
    if not found:
        raise MalformedFile(_("This is not a RIS file: no record starts with “TY  -”."))


def ris_record(number, line, text):
    try:
        (entry,) = rispy.loads(text, skip_unknown_tags=True)
    except Exception as error:  # rispy raises bare IOError/ValueError/IndexError on bad input
        return Record(number, line, problem=_("It cannot be read: %(error)s") % {"error": error})
    return Record(number, line, _first(entry, "id")[:100], ris_item(entry))


def ris_item(entry):
    ris_type = _first(entry, "type_of_reference").upper()
    authors = entry.get("authors") or entry.get("first_authors") or []
    editors = entry.get("secondary_authors") or [] if ris_type in ("CHAP", "ECHAP", "BOOK") else []
    container = _first(entry, "secondary_title", "journal_name", "alternate_title3")
    issued = parse_date(_first(entry, "date")) or parse_date(
        _first(entry, "year", "publication_year")
    )
    pmid = _first(entry, "accession_number")
    return compact(
        {
            "id": _first(entry, "id"),
            "type": RIS_TYPES.get(ris_type, "report"),
            "author": [parse_name(name) for name in authors if name.strip()],
            "editor": [parse_name(name) for name in editors if name.strip()],
            "title": _first(entry, "title", "primary_title"),
            "container-title": container,
            "container-title-short": _first(entry, "alternate_title1", "alternate_title2"),
            "publisher": _first(entry, "publisher"),
            "publisher-place": _first(entry, "place_published"),
            "issued": date_value(issued),
            "volume": _first(entry, "volume"),
            "issue": _first(entry, "number"),
            "page": join_pages(_first(entry, "start_page"), _first(entry, "end_page")),
            "edition": _first(entry, "edition"),
            "DOI": _first(entry, "doi"),
            "PMID": re.sub(r"^PMID:?\s*", "", pmid, flags=re.I) if pmid else "",
            "PMCID": _first(entry, "custom2"),
            "ISBN": _first(entry, "issn") if ris_type in ("BOOK", "EBOOK", "CHAP") else "",
            "URL": _first(entry, "urls"),
            "accessed": date_value(parse_date(_first(entry, "access_date"))),
            "note": _first(entry, "notes", "note"),
            "custom": {"and-others": True} if _first(entry, "custom5") == "and-others" else {},
        }
    )


def read_ris(text):
    return items_of(ris_records(io.StringIO(text)))


def write_ris(items):
    entries = []
    for item in items:
        start, end = split_pages(item.get("page", ""))
        issued = get_date(item, "issued")
        accessed = get_date(item, "accessed")
        entry = {
            "type_of_reference": RIS_EXPORT_TYPES.get(item.get("type"), "GEN"),
            "id": item.get("id", ""),
            "authors": [name_text(n) for n in item.get("author", [])],
            "secondary_authors": [name_text(n) for n in item.get("editor", [])],
            "title": item.get("title", ""),
            "secondary_title": item.get("container-title", ""),
            "alternate_title1": item.get("container-title-short", ""),
            "publisher": item.get("publisher", ""),
            "place_published": item.get("publisher-place", ""),
            "year": str(issued[0]) if issued else "",
            "date": "/".join(f"{p:02d}" if i else str(p) for i, p in enumerate(issued)) + "/"
            if issued
            else "",
            "volume": item.get("volume", ""),
            "number": item.get("issue", ""),
            "start_page": start,
            "end_page": end,
            "edition": item.get("edition", ""),
            "doi": item.get("DOI", ""),
            "accession_number": item.get("PMID", ""),
            "custom2": item.get("PMCID", ""),
            "issn": item.get("ISBN", ""),
            "urls": [item["URL"]] if item.get("URL") else [],
            "access_date": "/".join(f"{p:02d}" if i else str(p) for i, p in enumerate(accessed))
            if accessed
            else "",
            "notes": [item["note"]] if item.get("note") else [],
            "custom5": "and-others" if (item.get("custom") or {}).get("and-others") else "",
        }
        entries.append({key: value for key, value in entry.items() if value})
    return rispy.dumps(entries)


# BibTeX -------------------------------------------------------------------------------------

BIBTEX_TYPES = {
    "article": "article-journal",
    "book": "book",
    "inbook": "chapter",
    "incollection": "chapter",
    "inproceedings": "chapter",
    "online": "webpage",
    "electronic": "webpage",
    "www": "webpage",
    "techreport": "report",
    "report": "report",
    "manual": "report",
}
BIBTEX_EXPORT_TYPES = {
    "article-journal": "article",
    "book": "book",
    "chapter": "incollection",
    "webpage": "online",
    "report": "techreport",
}
# LaTeX's special characters, written so that LatexNodes2Text reads them back unchanged.
LATEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_latex = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)
VERBATIM_FIELDS = {"url", "doi", "pmid", "pmcid", "isbn", "urldate", "year", "month", "day"}


def latex_escape(text):
    text = "".join(LATEX_ESCAPES.get(char, char) for char in text)
    return text.replace("--", "-{}-").replace("``", "`{}`").replace("''", "'{}'")


def latex_decode(text):
    if not re.search(r"[\\{}~$%]|--|``|''", text):
        return text
    try:
        decoded = _latex.latex_to_text(text)
    except Exception:  # pylatexenc gives up on some malformed input; keep the raw text then
        return text
    return decoded.replace("\u02c6", "^").replace("\xa0", " ")


def split_bibtex_names(text):
    """'A, B and {C and D} and others' -> ['A, B', '{C and D}', 'others'] (braces respected)."""
    names, depth, current = [], 0, ""
    tokens = re.split(r"(\{|\}|\s+and\s+)", text)
    for token in tokens:
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        if depth == 0 and re.fullmatch(r"\s+and\s+", token or ""):
            names.append(current.strip())
            current = ""
        else:
            current += token or ""
    if current.strip():
        names.append(current.strip())
    return names


def bibtex_name(text):
    """One BibTeX name ("Family, Given", "Given Family" or "{Organisation}") as a CSL name."""
    text = text.strip()
    if text.startswith("{") and text.endswith("}"):
        return {"literal": latex_decode(text[1:-1]).strip()}
    if "," in text:
        family, given = text.split(",", 1)
        return {"family": latex_decode(family).strip(), "given": latex_decode(given).strip()}
    words = latex_decode(text).split()
    if len(words) == 1:
        return {"literal": words[0]}
    return {"family": words[-1], "given": " ".join(words[:-1])}


BIBTEX_START = re.compile(r"^\s*@\s*([A-Za-z]+)\s*[{(]\s*([^,\s{}()]*)")
BIBTEX_SPECIAL = {"comment", "preamble", "string"}
# Another field's "name = {" inside a value: the comma between the two is missing.
RUN_ON_FIELD = re.compile(
    r"(?:^|\s)(?:author|editor|title|journal|journaltitle|booktitle|year|month|day|volume|"
    r"number|issue|pages|publisher|address|edition|doi|pmid|pmcid|isbn|url|urldate|note)"
    r"\s*=\s*[{\"\d]",
    re.IGNORECASE,
)


def bibtex_chunks(lines):
    """(line, type, key, text) of each "@type{...}" block; text between blocks is a comment."""
    start, kind, key, chunk = 0, None, "", []
    for line_number, line in enumerate(lines, start=1):
        match = BIBTEX_START.match(line)
        if match:
            if kind is not None:
                yield start, kind, key, "".join(chunk)
            start, kind, key, chunk = line_number, match[1].lower(), match[2], [line]
        elif kind is not None:
            chunk.append(line)
    if kind is not None:
        yield start, kind, key, "".join(chunk)


def brace_balance(text):
    """(opening, closing) braces in `text`, leaving out escaped ones (\\{ and \\})."""
    plain = re.sub(r"\\[{}]", "", text)
    return plain.count("{"), plain.count("}")


def bibtex_records(lines):
    """
    Each entry of a BibTeX file, parsed on its own by bibtexparser, so that one broken entry
    is named (by its key and line) instead of making the rest of the file unreadable or, with
    a stray closing brace, cutting off fields of its own without a word.
    """
    strings, number, found = [], 0, False
    for line, kind, key, text in bibtex_chunks(lines):
        found = True
        if kind == "string":
            strings.append(text)  # @string abbreviations, used by the entries that follow
            continue
        if kind in BIBTEX_SPECIAL:
            continue
        number += 1
        opening, closing = brace_balance(text)
        if opening != closing:
            yield Record(
                number,
                line,
                key,
                problem=_(
                    "Its braces do not balance (%(opening)s “{” and %(closing)s “}”): a value is cut short or runs on."
                )
                % {"opening": opening, "closing": closing},
            )
            continue
        try:
            library = bibtexparser.parse_string("".join(strings) + text)
        except Exception as error:  # bibtexparser raises various errors on broken input
            yield Record(
                number, line, key, problem=_("It cannot be read: %(error)s") % {"error": error}
            )
            continue
        if library.failed_blocks or len(library.entries) != 1:
            yield Record(
                number, line, key, problem=_("It cannot be read: check its commas and quotes.")
            )
            continue
        run_on = next(
            (f.key for f in library.entries[0].fields if RUN_ON_FIELD.search(str(f.value))), None
        )
        if run_on:
            # bibtexparser reads a missing comma as part of the value before it.
            yield Record(
                number,
                line,
                key,
                problem=_("A comma is missing after the field “%(field)s”.") % {"field": run_on},
            )
            continue
        yield Record(number, line, key, bibtex_item(library.entries[0]))
    if not found:
        raise MalformedFile(_("This is not a BibTeX file: no entry starts with “@”."))


def bibtex_item(entry):
    fields = {f.key.lower(): str(f.value) for f in entry.fields}

    def field(name):
        value = fields.get(name, "").strip()
        return value if name in VERBATIM_FIELDS else latex_decode(value).strip()

    names = split_bibtex_names(fields.get("author", ""))
    and_others = bool(names) and names[-1].strip().lower() == "others"
    names = [n for n in names if n.strip().lower() != "others"]
    month = fields.get("month", "").strip()
    issued = parse_date(" ".join(part for part in (field("year"), month, field("day")) if part))
    kind = BIBTEX_TYPES.get(entry.entry_type.lower(), "report")
    container = field("journaltitle") or field("journal") or field("booktitle")
    if kind in ("webpage", "report") and not container:
        container = field("organization") or field("howpublished")
    return compact(
        {
            "id": entry.key,
            "type": kind,
            "author": [bibtex_name(n) for n in names],
            "editor": [bibtex_name(n) for n in split_bibtex_names(fields.get("editor", ""))],
            "title": field("title"),
            "container-title": container,
            "container-title-short": field("shortjournal"),
            "publisher": field("publisher") or field("institution"),
            "publisher-place": field("address") or field("location"),
            "issued": date_value(issued),
            "volume": field("volume"),
            "issue": field("number") or field("issue"),
            "page": re.sub(r"\s*(--|\u2013|-)\s*", "-", field("pages")),
            "edition": field("edition"),
            "DOI": field("doi"),
            "PMID": field("pmid"),
            "PMCID": field("pmcid"),
            "ISBN": field("isbn"),
            "URL": field("url"),
            "accessed": date_value(parse_date(field("urldate"))),
            "note": field("note"),
            "custom": {"and-others": True} if and_others else {},
        }
    )


def read_bibtex(text):
    return items_of(bibtex_records(io.StringIO(text)))


def name_to_bibtex(name):
    """A CSL name as BibTeX writes it: "Family, Given", or a braced organisation name."""
    if name.get("literal"):
        return "{" + latex_escape(name["literal"]) + "}"
    return f"{latex_escape(name.get('family', ''))}, {latex_escape(name.get('given', ''))}".rstrip(
        ", "
    )


def write_bibtex(items):
    library = bibtexparser.Library()
    for item in items:
        issued = get_date(item, "issued")
        accessed = get_date(item, "accessed")
        authors = [name_to_bibtex(n) for n in item.get("author", [])]
        if (item.get("custom") or {}).get("and-others"):
            authors.append("others")
        editors = [name_to_bibtex(n) for n in item.get("editor", [])]
        kind = BIBTEX_EXPORT_TYPES.get(item.get("type"), "misc")
        container_field = "booktitle" if kind == "incollection" else "journal"
        if kind in ("online", "techreport", "book"):
            container_field = "organization"
        values = {
            "author": " and ".join(authors),
            "editor": " and ".join(editors),
            "title": latex_escape(item.get("title", "")),
            container_field: latex_escape(item.get("container-title", "")),
            "shortjournal": latex_escape(item.get("container-title-short", "")),
            "publisher": latex_escape(item.get("publisher", "")),
            "address": latex_escape(item.get("publisher-place", "")),
            "year": str(issued[0]) if issued else "",
            "month": str(issued[1]) if len(issued) > 1 else "",
            "day": str(issued[2]) if len(issued) > 2 else "",
            "volume": latex_escape(item.get("volume", "")),
            "number": latex_escape(item.get("issue", "")),
            "pages": latex_escape(item.get("page", "")).replace("-{}-", "--"),
            "edition": latex_escape(item.get("edition", "")),
            "doi": item.get("DOI", ""),
            "pmid": item.get("PMID", ""),
            "pmcid": item.get("PMCID", ""),
            "isbn": item.get("ISBN", ""),
            "url": item.get("URL", ""),
            "urldate": "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(accessed)),
            "note": latex_escape(item.get("note", "")),
        }
        fields = [Field(key, value) for key, value in values.items() if value]
        library.add(Entry(kind, item.get("id") or "ref", fields))
    return bibtexparser.write_string(library)


# PubMed MEDLINE (.nbib) ---------------------------------------------------------------------

MEDLINE_LINE = re.compile(r"^([A-Z][A-Z0-9]{0,3})\s*-\s?(.*)$")


def nbib_records(lines):
    """PubMed's MEDLINE format: 'TAG - value' lines, continuation lines indented by six spaces."""
    number, start, record, last_tag, problem = 0, 0, None, None, ""
    for line_number, line in enumerate(lines, start=1):
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        match = MEDLINE_LINE.match(line)
        if match and not line.startswith(" "):
            tag, value = match[1], match[2].strip()
            if tag == "PMID":
                if record is not None:
                    number += 1
                    yield nbib_record(number, start, record, problem)
                record, start, problem = {}, line_number, ""
            if record is None:
                raise MalformedFile(
                    _("Line %(line)s: a PubMed record must start with “PMID- ”.")
                    % {"line": line_number}
                )
            record.setdefault(tag, []).append(value)
            last_tag = tag
        elif line.startswith(" ") and record is not None and last_tag:
            record[last_tag][-1] += " " + line.strip()
        elif record is None:
            raise MalformedFile(
                _("Line %(line)s is not in PubMed's MEDLINE format (“TAG - value”).")
                % {"line": line_number}
            )
        else:
            problem = problem or _(
                "Line %(line)s is not in PubMed's MEDLINE format (“TAG - value”)."
            ) % {"line": line_number}
    if record is None:
        raise MalformedFile(_("No PubMed record found (records start with “PMID- ”)."))
    number += 1
    yield nbib_record(number, start, record, problem)


def nbib_record(number, line, record, problem):
    key = (record.get("PMID") or [""])[0][:100]
    if problem:
        return Record(number, line, key, problem=problem)
    return Record(number, line, key, nbib_item(record))


def nbib_item(record):
    def one(tag):
        return (record.get(tag) or [""])[0]

    doi = ""
    for value in record.get("LID", []) + record.get("AID", []):
        if value.endswith("[doi]"):
            doi = value[: -len("[doi]")].strip()
            break
    authors = [parse_name(name) for name in record.get("FAU", [])] or [
        _medline_short_name(name) for name in record.get("AU", [])
    ]
    authors += [{"literal": name} for name in record.get("CN", [])]
    publication_types = " ".join(record.get("PT", [])).lower()
    kind = "book" if "book" in publication_types else "article-journal"
    title = (
        one("TI").rstrip(".")
        if one("TI").endswith(".") and not one("TI").endswith("..")
        else one("TI")
    )
    return compact(
        {
            "id": "",
            "type": kind,
            "author": authors,
            "title": title,
            "container-title": one("JT"),
            "container-title-short": one("TA"),
            "issued": date_value(parse_date(one("DP"))),
            "volume": one("VI"),
            "issue": one("IP"),
            "page": _full_pages(one("PG")),
            "DOI": doi,
            "PMID": one("PMID"),
            "PMCID": one("PMC"),
            "publisher": one("PB"),
            "publisher-place": one("PL") if kind == "book" else "",
        }
    )


def read_nbib(text):
    return items_of(nbib_records(io.StringIO(text)))


def _medline_short_name(text):
    parts = text.rsplit(" ", 1)
    return {"family": parts[0], "given": parts[1]} if len(parts) == 2 else {"literal": text}


def _full_pages(pages):
    """PubMed writes NLM-elided pages (461-75); the library stores them in full (461-475)."""
    match = re.match(r"^([A-Za-z]*)(\d+)-([A-Za-z]*)(\d+)$", (pages or "").strip())
    if not match:
        return (pages or "").strip()
    prefix, first, last_prefix, last = match.groups()
    if len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    return f"{prefix}{first}-{last_prefix}{last}"


# Entry points -------------------------------------------------------------------------------

READERS = {
    "csl-json": csl_json_records,
    "ris": ris_records,
    "bibtex": bibtex_records,
    "nbib": nbib_records,
}
WRITERS = {"csl-json": write_csl_json, "ris": write_ris, "bibtex": write_bibtex}


def items_of(records):
    """The items of `records`, refusing the file at the first record that cannot be read."""
    items = []
    for record in records:
        if record.problem:
            raise MalformedFile(f"{where(record)}: {record.problem}")
        items.append(record.item)
    return items


def detect_format(filename, text):
    """The format named by the file extension, else guessed from the start of its content."""
    extension = (filename or "").rsplit(".", 1)[-1].lower() if "." in (filename or "") else ""
    if extension in EXTENSIONS:
        return EXTENSIONS[extension]
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        return "csl-json"
    if re.search(r"^TY  -", text, re.M):
        return "ris"
    if re.search(r"^PMID-", text, re.M):
        return "nbib"
    if "@" in text:
        return "bibtex"
    raise MalformedFile(
        _("The file format could not be recognised. Use RIS, BibTeX, CSL-JSON or PubMed (.nbib).")
    )


# Byte-order marks, and the encodings they announce.
BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


def encoding_of(head):
    """
    The text encoding of a file that starts with the bytes `head`: what a byte-order mark says
    (UTF-8, or UTF-16 as Windows tools write), else UTF-8 if the bytes are UTF-8 (up to a
    character cut off at the end), else Latin-1, as older tools write.
    """
    for bom, encoding in BOMS:
        if head.startswith(bom):
            return encoding
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 3:
            return "latin-1"
    return "utf-8"


def looks_binary(text):
    """Text with many control characters is a binary file (a PDF, a Word file, an image)."""
    sample = text[:4096]
    controls = sum(1 for char in sample if ord(char) < 32 and char not in "\t\n\r")
    return bool(sample) and controls > len(sample) // 100


def open_text(data):
    """
    A text stream over a file's bytes (bytes, or a binary file object), with its encoding
    found as encoding_of() says.
    """
    if isinstance(data, str):
        return io.StringIO(data.lstrip("\ufeff"))
    binary = io.BytesIO(data) if isinstance(data, bytes) else data
    head = binary.read(65536)
    binary.seek(0)
    encoding = encoding_of(head)
    stream = io.TextIOWrapper(binary, encoding=encoding, errors="strict", newline="")
    if looks_binary(head.decode(encoding, errors="replace")):
        raise MalformedFile(_("This is a binary file, not a reference file."))
    return stream


def records(data, filename="", format=None):
    """The Records of a file's contents (bytes, text or a binary file object)."""
    stream = open_text(data)
    head = stream.read(65536)
    stream.seek(0)
    format = format or detect_format(filename, head)
    if format not in READERS:
        raise MalformedFile(_("Unknown format “%(format)s”.") % {"format": format})
    reader = READERS[format]
    try:
        yield from reader(stream)
    except UnicodeDecodeError:
        raise MalformedFile(
            _("The file is not in a text encoding this site reads (UTF-8, UTF-16 or Latin-1).")
        ) from None


def read(data, filename="", format=None):
    """CSL-JSON items from a file's contents, in the given or detected format."""
    return items_of(records(data, filename, format))


def write(items, format):
    return WRITERS[format](items)
