"""
Importing reference files into the library: check every entry first, then save all or nothing.

`prepare_import` reads a file and sorts its entries into new, duplicate (already in the library,
found by DOI, then PMID, then PMCID, then title + year + first author) and invalid, with the
problems of each. `commit_import` saves the new ones in one transaction, and refuses when any
entry is invalid. The admin's upload page and `manage.py import_references` both use them.
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

    @property
    def label(self):
        if self.reference is None:
            return ""
        return self.reference.formatted("en") or self.reference.key


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


def prepare_import(data, filename="", format=None):
    """
    Read and check a file. Returns [ImportEntry]; raises ImportRefused for a file that cannot
    be read at all. Nothing is saved.
    """
    try:
        items = exchange.read(data, filename, format)
    except exchange.MalformedFile as error:
        raise ImportRefused([str(error)]) from None
    if not items:
        raise ImportRefused([_("The file holds no references.")])

    entries = []
    for number, item in enumerate(items, start=1):
        try:
            reference = Reference.from_csl(item)
        except ValueError as error:
            entries.append(ImportEntry(number, None, INVALID, [str(error)]))
            continue
        entries.append(ImportEntry(number, reference))

    # Everything the duplicate checks compare against, in a handful of queries.
    existing = list(
        Reference.objects.only(
            "key", "doi", "pmid", "pmcid", "title", "year", "authors", "rendered"
        )
    )
    by_field = {
        name: {getattr(ref, name): ref for ref in existing if getattr(ref, name)}
        for name in ("doi", "pmid", "pmcid")
    }
    by_fingerprint = {fingerprint(ref): ref for ref in existing if fingerprint(ref)}
    taken_keys = {ref.key for ref in existing}
    seen_in_file = {}

    for entry in entries:
        reference = entry.reference
        if reference is None:
            continue
        try:
            reference.full_clean(exclude=["key"], validate_unique=False)
        except ValidationError as error:
            entry.status, entry.problems = INVALID, messages(error)
            continue
        duplicate = None
        for name in ("doi", "pmid", "pmcid"):
            value = getattr(reference, name)
            if value and value in by_field[name]:
                duplicate = by_field[name][value]
                break
        if duplicate is None and fingerprint(reference):
            duplicate = by_fingerprint.get(fingerprint(reference))
        if duplicate is not None:
            entry.status, entry.duplicate_of = DUPLICATE, duplicate
            entry.problems = [_("Already in the library as “%(key)s”.") % {"key": duplicate.key}]
            continue
        signature = next(
            (
                (name, getattr(reference, name))
                for name in ("doi", "pmid", "pmcid")
                if getattr(reference, name)
            ),
            fingerprint(reference),
        )
        if signature and signature in seen_in_file:
            entry.status = DUPLICATE
            entry.problems = [
                _("Same source as entry %(number)s of this file.")
                % {"number": seen_in_file[signature]}
            ]
            continue
        if signature:
            seen_in_file[signature] = entry.number
        wanted = slugify(reference.key)[:100]
        if wanted and wanted not in taken_keys:
            reference.key = wanted
        else:
            reference.key = suggest_key(reference, taken_keys)
            if wanted:
                entry.renamed_from = wanted
        taken_keys.add(reference.key)
        try:
            reference.full_clean()
        except ValidationError as error:
            entry.status, entry.problems = INVALID, messages(error)
            continue
        reference.rendered = reference.render()
    return entries


def commit_import(entries):
    """Save the new entries in one transaction; refuse if any entry is invalid."""
    invalid = [entry for entry in entries if entry.status == INVALID]
    if invalid:
        raise ImportRefused(
            [
                _("Entry %(number)s: %(problems)s")
                % {"number": entry.number, "problems": " ".join(entry.problems)}
                for entry in invalid
            ]
        )
    created = []
    with transaction.atomic():
        for entry in entries:
            if entry.status == NEW:
                entry.reference.save()
                created.append(entry.reference)
    return created
