"""
Importing reference files into the library: every entry is checked first, then all new ones are
saved at once, or none.

`checked_entries` reads a file record by record (references.exchange) and checks each entry as
it comes: new, duplicate (already in the library, found by DOI, then PMID, then PMCID, then
title + year + first author, or earlier in the same file) or invalid, with its problems: a
record that cannot be read, a control character, a field too long, a value the library refuses.
No entry is dropped without a word. The checks run in memory against what the library held
when the import began (Library), so that a file of thousands of entries costs a handful of
queries, not several per entry.

`prepare_import` checks a whole (uploaded) file for the admin's preview; `commit_import` saves
its new entries in one transaction, in batches, after checking them again against the library
as it is then. `manage.py import_references` streams a file of any size through the same checks
twice, once to report and once to save, keeping only what duplicates are found by.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from . import exchange
from .models import Reference

NEW, DUPLICATE, INVALID = "new", "duplicate", "invalid"
# Control characters no reference text holds (tab, line feed and carriage return aside); a NUL
# cannot even be stored in PostgreSQL.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
BATCH_SIZE = 500


class ImportRefused(ValueError):
    """The file cannot be imported; `problems` says why, entry by entry where possible."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass
class ImportEntry:
    number: int
    reference: Reference | None
    status: str = NEW
    problems: list = field(default_factory=list)
    duplicate_of: Reference | None = None
    renamed_from: str = ""
    line: int = 0
    source_key: str = ""

    @property
    def label(self):
        if self.reference is None:
            return ""
        return self.reference.formatted("en") or self.reference.key

    @property
    def where(self):
        record = exchange.Record(self.number, self.line, self.source_key)
        return (
            exchange.where(record) if self.line else _("Entry %(number)s") % {"number": self.number}
        )


def normalized_title(text):
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def first_family(reference):
    for name in reference.authors or []:
        return normalized_title(name.get("family") or name.get("literal") or "")
    return ""


def fingerprint(reference):
    """Title + year + first author, for sources without identifiers."""
    title = normalized_title(reference.title)
    return (title, reference.year, first_family(reference)) if title else None


def messages(error):
    if hasattr(error, "message_dict"):
        return [
            f"{_field_label(name)}: {message}" if name != "__all__" else message
            for name, values in error.message_dict.items()
            for message in values
        ]
    return list(error.messages)


def _field_label(name):
    try:
        return str(Reference._meta.get_field(name).verbose_name)
    except Exception:
        return name


def suggest_key(reference, taken):
    base = slugify(f"{first_family(reference) or 'ref'}{reference.year or ''}")[:90] or "ref"
    key, suffix = base, 0
    while key in taken:
        suffix += 1
        key = base + (chr(ord("a") + suffix - 1) if suffix <= 26 else str(suffix))
    return key


def control_character_problems(value, name=""):
    """A message for each field of a CSL item (nested in names too) with a control character."""
    if isinstance(value, str):
        match = CONTROL_CHARACTER.search(value)
        if match:
            return [
                _(
                    "The field “%(field)s” contains a control character (U+%(code)04X), which a reference cannot hold."
                )
                % {"field": name, "code": ord(match[0])}
            ]
        return []
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in control_character_problems(item, key)]
    if isinstance(value, list):
        return [p for item in value for p in control_character_problems(item, name)]
    return []


class Library:
    """
    What the library holds, loaded once (keys, identifiers, fingerprints), and what the file
    being checked has brought so far: the entries' duplicates and free keys come from here.
    """

    def __init__(self):
        existing = Reference.objects.only("key", "doi", "pmid", "pmcid", "title", "year", "authors")
        self.by_field = {"doi": {}, "pmid": {}, "pmcid": {}}
        self.by_fingerprint = {}
        self.keys = set()
        for reference in existing.iterator(chunk_size=2000):
            for name, found in self.by_field.items():
                value = getattr(reference, name)
                if value:
                    found[value] = reference
            if fingerprint(reference):
                self.by_fingerprint[fingerprint(reference)] = reference
            self.keys.add(reference.key)
        self.seen_in_file = {}

    def check(self, entry):
        """Sort a readable, valid entry into new or duplicate, and give a new one a free key."""
        reference = entry.reference
        duplicate = None
        for name in ("doi", "pmid", "pmcid"):
            value = getattr(reference, name)
            if value and value in self.by_field[name]:
                duplicate = self.by_field[name][value]
                break
        if duplicate is None and fingerprint(reference):
            duplicate = self.by_fingerprint.get(fingerprint(reference))
        if duplicate is not None:
            entry.status, entry.duplicate_of = DUPLICATE, duplicate
            entry.problems = [_("Already in the library as “%(key)s”.") % {"key": duplicate.key}]
            return
        signature = next(
            (
                (name, getattr(reference, name))
                for name in ("doi", "pmid", "pmcid")
                if getattr(reference, name)
            ),
            fingerprint(reference),
        )
        if signature and signature in self.seen_in_file:
            entry.status = DUPLICATE
            entry.problems = [
                _("Same source as entry %(number)s of this file.")
                % {"number": self.seen_in_file[signature]}
            ]
            return
        if signature:
            self.seen_in_file[signature] = entry.number
        wanted = slugify(entry.renamed_from or reference.key)[:100]
        entry.renamed_from = ""
        if wanted and wanted not in self.keys:
            reference.key = wanted
        else:
            reference.key = suggest_key(reference, self.keys)
            if wanted:
                entry.renamed_from = wanted
        self.keys.add(reference.key)


def entry_of(record):
    """An ImportEntry for a record of a file: its reference, or why it has none."""
    entry = ImportEntry(record.number, None, line=record.line, source_key=record.key)
    if record.problem:
        entry.status, entry.problems = INVALID, [record.problem]
        return entry
    problems = control_character_problems(record.item)
    if problems:
        entry.status, entry.problems = INVALID, problems
        return entry
    try:
        reference = Reference.from_csl(record.item)
    except ValueError as error:
        entry.status, entry.problems = INVALID, [str(error)]
        return entry
    entry.reference = reference
    try:
        # Field by field and the model's own rules; uniqueness and the constraint are what
        # Library.check() and clean() decide, without a query per entry.
        reference.clean_fields(exclude=["key"])
        reference.clean()
    except ValidationError as error:
        entry.status, entry.problems = INVALID, messages(error)
    return entry


def checked_entries(data, filename="", format=None, library=None):
    """
    Each entry of a file, checked, one at a time (a generator: a file of any size). Raises
    ImportRefused for a file that cannot be read at all.
    """
    library = library or Library()
    try:
        for record in exchange.records(data, filename, format):
            entry = entry_of(record)
            if entry.status != INVALID:
                library.check(entry)
            if entry.status == NEW:
                entry.reference.rendered = entry.reference.render()
                entry.reference.search_text = entry.reference.searchable_text()
            yield entry
    except exchange.MalformedFile as error:
        raise ImportRefused([str(error)]) from None


def prepare_import(data, filename="", format=None):
    """
    Read and check a file. Returns [ImportEntry]; raises ImportRefused for a file that cannot
    be read at all. Nothing is saved.
    """
    entries = list(checked_entries(data, filename, format))
    if not entries:
        raise ImportRefused([_("The file holds no references.")])
    return entries


def refusal(entries):
    return ImportRefused(
        [
            _("%(where)s: %(problems)s")
            % {"where": entry.where, "problems": " ".join(entry.problems)}
            for entry in entries
            if entry.status == INVALID
        ]
    )


def commit_import(entries):
    """
    Save the new entries in one transaction, checked again against the library as it is now
    (someone may have added a source or taken a key since the preview); refuse if any entry
    is invalid. Returns the references saved.
    """
    if any(entry.status == INVALID for entry in entries):
        raise refusal(entries)
    library = Library()
    created = []
    with transaction.atomic():
        for entry in entries:
            if entry.status == NEW:
                library.check(entry)
                if entry.status == NEW:
                    created.append(entry.reference)
        Reference.objects.bulk_create(created, batch_size=BATCH_SIZE)
    return created


def import_stream(open_file, filename="", format=None, *, progress=None):
    """
    Check a file, then save its new entries, reading it twice (`open_file()` opens it anew)
    and keeping no entry in memory: for files of any size. Returns (counts, [ImportEntry that
    are not plainly new]); raises ImportRefused, saving nothing, when any entry is invalid.
    """
    counts = dict.fromkeys((NEW, DUPLICATE, INVALID), 0)
    noted = []
    with open_file() as stream:
        for entry in checked_entries(stream, filename, format):
            counts[entry.status] += 1
            if entry.status != NEW or entry.renamed_from:
                noted.append(entry)
            if progress:
                progress("checked", sum(counts.values()))
    if counts[INVALID]:
        raise refusal(noted)
    return counts, noted


def save_stream(open_file, filename="", format=None, *, progress=None):
    """Save the new entries of a file checked by import_stream(), in batches, all or none."""
    saved, batch = 0, []
    with transaction.atomic(), open_file() as stream:
        for entry in checked_entries(stream, filename, format):
            if entry.status == INVALID:
                raise refusal([entry])  # the file changed since it was checked
            if entry.status == NEW:
                batch.append(entry.reference)
            if len(batch) >= BATCH_SIZE:
                Reference.objects.bulk_create(batch)
                saved += len(batch)
                batch = []
                if progress:
                    progress("saved", saved)
        Reference.objects.bulk_create(batch)
        saved += len(batch)
    return saved
