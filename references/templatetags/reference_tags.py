from string import ascii_lowercase

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def reference_html(reference, language):
    """The stored NLM citation as HTML."""
    html = reference.formatted_html(language)
    return mark_safe(html)  # format_reference_html escaped every field when it was saved


@register.filter
def backlinks(citation):
    """[(anchor id, letter)] for each place a reference is cited: a, b, c ... z, aa, ab ..."""

    def letter(index):
        return (
            ascii_lowercase[index] if index < 26 else letter(index // 26 - 1) + letter(index % 26)
        )

    return [(anchor, letter(i)) for i, anchor in enumerate(citation.backlink_ids())]
