"""
Reading and writing reference files: CSL-JSON, RIS, BibTeX and PubMed's MEDLINE (.nbib).

Every reader turns a file into CSL-JSON items (the library's own shape, see Reference.to_csl);
every writer turns CSL-JSON items into a file. A file that cannot be read at all raises
MalformedFile with a message for the editor; entries are checked afterwards, in `imports`.

Fields without a standard place in RIS are kept in custom tags so that an export read back in
loses nothing: C2 holds the PMCID (as PubMed does), AN the PMID, C5 the "and others" flag.
"""

import json
import re

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


def read_csl_json(text):
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        raise MalformedFile(_("This is not valid JSON: %(error)s") % {"error": error}) from None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise MalformedFile(_("A CSL-JSON file holds a list of references."))
    return data


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


def read_ris(text):
    if "TY  -" not in text:
        raise MalformedFile(_("This is not a RIS file: no record starts with “TY  -”."))
    try:
        entries = rispy.loads(text, skip_unknown_tags=True)
    except Exception as error:  # rispy raises bare IOError/ValueError/IndexError on bad input
        raise MalformedFile(
            _("The RIS file cannot be read: %(error)s") % {"error": error}
        ) from None
    items = []
    for entry in entries:
        ris_type = _first(entry, "type_of_reference").upper()
        authors = entry.get("authors") or entry.get("first_authors") or []
        editors = (
            entry.get("secondary_authors") or [] if ris_type in ("CHAP", "ECHAP", "BOOK") else []
        )
        container = _first(entry, "secondary_title", "journal_name", "alternate_title3")
        issued = parse_date(_first(entry, "date")) or parse_date(
            _first(entry, "year", "publication_year")
        )
        pmid = _first(entry, "accession_number")
        items.append(
            compact(
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
                    "custom": {"and-others": True}
                    if _first(entry, "custom5") == "and-others"
                    else {},
                }
            )
        )
    return items


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


def read_bibtex(text):
    if "@" not in text:
        raise MalformedFile(_("This is not a BibTeX file: no entry starts with “@”."))
    try:
        library = bibtexparser.parse_string(text)
    except Exception as error:
        raise MalformedFile(
            _("The BibTeX file cannot be read: %(error)s") % {"error": error}
        ) from None
    if library.failed_blocks:
        block = library.failed_blocks[0]
        line = getattr(block, "start_line", 0) + 1
        raise MalformedFile(
            _("The BibTeX file cannot be read near line %(line)s: check its braces and commas.")
            % {"line": line}
        )
    items = []
    for entry in library.entries:
        fields = {f.key.lower(): str(f.value) for f in entry.fields}

        def field(name, fields=fields):
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
        items.append(
            compact(
                {
                    "id": entry.key,
                    "type": kind,
                    "author": [bibtex_name(n) for n in names],
                    "editor": [
                        bibtex_name(n) for n in split_bibtex_names(fields.get("editor", ""))
                    ],
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
        )
    return items


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


def read_nbib(text):
    """PubMed's MEDLINE format: 'TAG - value' lines, continuation lines indented by six spaces."""
    records, current, last_tag = [], None, None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = MEDLINE_LINE.match(line)
        if match and not line.startswith(" "):
            tag, value = match[1], match[2].strip()
            if tag == "PMID":
                current = {}
                records.append(current)
            if current is None:
                raise MalformedFile(
                    _("Line %(line)s: a PubMed record must start with “PMID- ”.") % {"line": number}
                )
            current.setdefault(tag, []).append(value)
            last_tag = tag
        elif line.startswith(" ") and current is not None and last_tag:
            current[last_tag][-1] += " " + line.strip()
        else:
            raise MalformedFile(
                _("Line %(line)s is not in PubMed's MEDLINE format (“TAG - value”).")
                % {"line": number}
            )
    if not records:
        raise MalformedFile(_("No PubMed record found (records start with “PMID- ”)."))
    items = []
    for record in records:

        def one(tag, record=record):
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
        items.append(
            compact(
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
        )
    return items


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

READERS = {"csl-json": read_csl_json, "ris": read_ris, "bibtex": read_bibtex, "nbib": read_nbib}
WRITERS = {"csl-json": write_csl_json, "ris": write_ris, "bibtex": write_bibtex}


def detect_format(filename, text):
    """The format named by the file extension, else guessed from the content."""
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


def decode(data):
    """Uploaded bytes as text: UTF-8 (with or without BOM), else Latin-1 as older tools write."""
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read(data, filename="", format=None):
    """CSL-JSON items from a file's contents, in the given or detected format."""
    text = decode(data)
    if "\x00" in text:
        raise MalformedFile(_("This is a binary file, not a reference file."))
    format = format or detect_format(filename, text)
    if format not in READERS:
        raise MalformedFile(_("Unknown format “%(format)s”.") % {"format": format})
    return READERS[format](text)


def write(items, format):
    return WRITERS[format](items)
