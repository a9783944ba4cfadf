from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .exchange import FORMATS, name_text, parse_name
from .models import Reference


class NamesField(forms.CharField):
    """Names as lines: 'Family, Given' for a person, an organisation as it is written."""

    widget = forms.Textarea(attrs={"rows": 4, "cols": 60})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(name_text(name) for name in value)
        return value

    def to_python(self, value):
        if isinstance(value, list):
            return value
        names = []
        for line in (value or "").splitlines():
            if line.strip():
                name = parse_name(line)
                if name.get("family") == "":
                    raise ValidationError(
                        _("“%(line)s”: a person needs a family name before the comma.")
                        % {"line": line.strip()}
                    )
                names.append(name)
        return names


NAMES_HELP = _(
    # The braces are literal, not a placeholder; without this, `make messages` marks the
    # translation fuzzy because "{geschweiften Klammern}" differs from "{braces}".
    # xgettext:no-python-brace-format
    "One per line. A person as “Family, Given names” (Oronsky, Bryan); an organisation as it is "
    "written (National Cancer Institute), in {braces} if its name contains a comma."
)


class ReferenceForm(forms.ModelForm):
    authors = NamesField(label=_("authors"), required=False, help_text=NAMES_HELP)
    editors = NamesField(
        label=_("editors"), required=False, help_text=_("For book chapters. ") + NAMES_HELP
    )

    class Meta:
        model = Reference
        fields = [
            "key", "type", "authors", "and_others", "title", "container_title",
            "container_title_short", "year", "month", "day", "volume", "issue", "pages",
            "edition", "editors", "publisher", "publisher_place", "doi", "pmid", "pmcid",
            "isbn", "url", "accessed", "note",
        ]  # fmt: skip
        widgets = {"title": forms.Textarea(attrs={"rows": 2, "cols": 80})}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "RIS, BibTeX, CSL-JSON or PubMed (.nbib), as exported by Zotero, EndNote, Mendeley or PubMed."
        ),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[("", _("Recognise from the file"))] + [(k, v[0]) for k, v in FORMATS.items()],
    )

    MAX_BYTES = 5 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise ValidationError(_("The file is larger than 5 MB. Split it into smaller files."))
        return upload


class ConfirmImportForm(forms.Form):
    payload = forms.CharField(widget=forms.HiddenInput)
