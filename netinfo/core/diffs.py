"""
Readable differences between two saved versions (django-reversion) of an object: per field,
each language being a field of its own, old and new side by side with changed words marked.
"""

import difflib
import re

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

# Columns filled from others on save, or bookkeeping: never worth showing.
SKIPPED = re.compile(
    r"^(body_html|toc_html|body_text|search_vector|rendered|text_languages|content_hashes|"
    r"translation_sources|"
    r"readability|page_parts|updated|created|slug)(_[a-z]{2})?$|^(id|pk)$"
)
TOKENS = re.compile(r"\s+|[^\s]+")


def marked_words(old, new):
    """(old, new) as HTML with removed words in <del> and added words in <ins>."""
    a, b = TOKENS.findall(old), TOKENS.findall(new)
    left, right = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        removed, added = escape("".join(a[i1:i2])), escape("".join(b[j1:j2]))
        if tag == "equal":
            left.append(removed)
            right.append(added)
        else:
            if removed:
                left.append(f"<del>{removed}</del>")
            if added:
                right.append(f"<ins>{added}</ins>")
    # Every piece was escaped above; only the <del>/<ins> tags added here are markup.
    return mark_safe("".join(left)), mark_safe("".join(right))  # pieces escaped above


def as_text(value):
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "\n".join(as_text(item) for item in value)
    if isinstance(value, dict):
        return "\n".join(f"{key}: {as_text(item)}" for key, item in value.items())
    return str(value)


def translated_originals(model):
    """Fields modeltranslation splits per language: their own column holds no fixed language."""
    from modeltranslation.translator import NotRegistered, translator

    try:
        return set(translator.get_options_for_model(model).fields)
    except NotRegistered:
        return set()


def field_changes(model, old_fields, new_fields):
    """[(label, old_html, new_html)] for every field that differs between two field dicts."""
    changes = []
    originals = translated_originals(model)
    for name in new_fields.keys() | old_fields.keys():
        if SKIPPED.match(name) or name in originals:
            continue
        old, new = as_text(old_fields.get(name)), as_text(new_fields.get(name))
        if old == new:
            continue
        try:
            label = str(model._meta.get_field(name).verbose_name)
        except Exception:
            label = name
        changes.append((label, *marked_words(old, new)))
    return sorted(changes, key=lambda change: str(change[0]))


def revision_changes(version, previous):
    """
    The changes `version` made compared with `previous` (None for the first version), for the
    object and everything saved with it (figures, links ...), as
    [(object label, [(field, old, new)])].
    """
    sections = []
    old_fields = previous.field_dict if previous else {}
    own = field_changes(version.content_type.model_class(), old_fields, version.field_dict)
    if own:
        sections.append((version.object_repr, own))
    before = {}
    if previous is not None:
        for other in previous.revision.version_set.exclude(pk=previous.pk):
            before[(other.content_type_id, other.object_id)] = other
    after = {}
    for other in version.revision.version_set.exclude(pk=version.pk):
        after[(other.content_type_id, other.object_id)] = other
    for key, other in after.items():
        changes = field_changes(
            other.content_type.model_class(),
            before[key].field_dict if key in before else {},
            other.field_dict,
        )
        if changes:
            label = (
                other.object_repr if key in before else format_html("{} (new)", other.object_repr)
            )
            sections.append((label, changes))
    for key, other in before.items():
        if key not in after:
            sections.append((format_html("{} (removed)", other.object_repr), []))
    return sections
