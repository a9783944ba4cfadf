"""Every user-facing string has a German translation, and the compiled catalogue is current."""

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "de" / "LC_MESSAGES"


def translations(catalogue):
    return {
        (entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural
        for entry in catalogue
        if entry.msgid
        and (entry.msgstr or any(entry.msgstr_plural.values()))
        and "fuzzy" not in entry.flags
    }


def test_every_message_is_translated():
    po = polib.pofile(LOCALE / "django.po")
    untranslated = [e.msgid for e in po if not e.translated() and not e.obsolete]
    assert untranslated == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_compiled_catalogue_matches_the_source():
    """The .mo file is committed (a fresh machine has no msgfmt); it must match the .po."""
    po = translations(polib.pofile(LOCALE / "django.po"))
    mo = translations(polib.mofile(LOCALE / "django.mo"))
    assert mo == po, "run `make messages` (or manage.py compilemessages) and commit django.mo"
