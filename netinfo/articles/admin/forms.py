"""The article form and its inline forms: the workflow's rules checked while an editor types."""

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from netinfo.core.images import check_storage_takes, validate_image
from references.citations import citation_problems

from ..governance import (
    stored_status,
    transition_problems,
)
from ..models import (
    LANGUAGE_CODES,
    Article,
    ChangeLogEntry,
)
from ..rendering import marker_problems
from ..services import ChangeNote

CHANGE_KINDS = [
    ("", "---------"),
    (ChangeLogEntry.Kind.CLINICAL, _("Clinical update")),
    (ChangeLogEntry.Kind.EDITORIAL, _("Editorial change (typo, broken link)")),
]
NOTE_FIELDS = {"change_kind", "change_summary_en", "change_summary_de"}


def change_note(data):
    """The ChangeNote (kind, {language: summary}) of a submitted form's change-note fields."""
    summaries = {
        code: (data.get(f"change_summary_{code}") or "").strip() for code in LANGUAGE_CODES
    }
    return ChangeNote(
        kind=data.get("change_kind") or "",
        summaries={code: text for code, text in summaries.items() if text},
    )


class ArticleForm(forms.ModelForm):
    # The editor whose changes these are; ArticleAdmin.get_form() sets it.
    user = None

    change_kind = forms.ChoiceField(
        label=_("kind of change"),
        choices=CHANGE_KINDS,
        required=False,
        help_text=_("Needed to publish, and for any change to a published article."),
    )
    change_summary_en = forms.CharField(
        label=_("what changed (English)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text=_("One or two plain sentences; visitors see them under “What changed”."),
    )
    change_summary_de = forms.CharField(
        label=_("what changed (German)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text=_("Needed to approve an article that is written in German too."),
    )

    def clean(self):
        cleaned = super().clean()
        for code in LANGUAGE_CODES:
            name = f"body_{code}"
            body = cleaned.get(name) or ""
            for problem in citation_problems(body):
                self.add_error(name, problem)
        if self.user is not None and "status" in cleaned:
            note = change_note(cleaned)
            problems = transition_problems(
                self.user,
                self.instance,
                stored_status(self.instance),
                cleaned["status"],
                changed=any(name not in NOTE_FIELDS for name in self.changed_data),
                kind=note.kind,
                summaries=note.summaries,
                languages=[c for c in LANGUAGE_CODES if (cleaned.get(f"body_{c}") or "").strip()],
            )
            for field, message in problems:
                self.add_error(field if field in self.fields else None, message)
        return cleaned


class WorkflowFormSet(BaseInlineFormSet):
    """Inline changes to a published article follow the same rules as changes to its text."""

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.user is None or not self.has_changed():
            return
        article = self.instance
        old_status = stored_status(article)
        if old_status != Article.Status.PUBLISHED or article.status != old_status:
            return  # ArticleForm reports what a change of status needs
        if text_changed(article):
            return  # ArticleForm has reported the same rules for the text
        note = change_note(self.data)
        problems = transition_problems(
            self.user,
            article,
            old_status,
            old_status,
            changed=True,
            kind=note.kind,
            summaries=note.summaries,
        )
        if problems:
            raise forms.ValidationError([message for _field, message in problems])


def text_changed(article):
    """Whether the article's text in memory differs from what is saved."""
    names = [f"{name}_{code}" for name in ("title", "summary", "body") for code in LANGUAGE_CODES]
    saved = Article.objects.filter(pk=article.pk).values(*names).first() or {}
    return any((saved.get(name) or "") != (getattr(article, name) or "") for name in names)


class MarkerCheckingFormSet(WorkflowFormSet):
    """Checks [[figure:N]] and [[series:key]] in every language's body against the figures."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        numbers, series = set(), set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data and not data.get("DELETE"):
                if data.get("number") is not None:
                    numbers.add(str(data["number"]))
                if data.get("series"):
                    series.add(data["series"])
        problems = []
        for code in LANGUAGE_CODES:
            body = getattr(self.instance, f"body_{code}", "") or ""
            problems += [f"[{code}] {p}" for p in marker_problems(body, numbers, series)]
        if problems:
            raise forms.ValidationError(problems)


class FigureForm(forms.ModelForm):
    def clean_image(self):
        image = self.cleaned_data.get("image")
        if "image" in self.changed_data and isinstance(image, UploadedFile):
            validate_image(image)
            check_storage_takes(image)
        return image
