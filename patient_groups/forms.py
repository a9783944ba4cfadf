"""The public forms of the directory: suggest a correction to a group, or add an association."""

import time

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from .models import LANGUAGE_NAMES, PROPOSED_FIELDS, Suggestion

# A person needs a few seconds to read and fill the form; a script posts at once. The token
# proves when the form was sent out without a cookie, so its page can be cached as others are.
MIN_SECONDS = 3
MAX_SECONDS = 24 * 60 * 60
TOKEN_SALT = "patient_groups.suggestion-form"


def form_token():
    return signing.dumps({"at": int(time.time())}, salt=TOKEN_SALT)


class SuggestionForm(forms.ModelForm):
    # Hidden from people (site.css, aria-hidden wrapper); scripts fill every field they find.
    # A filled one is thanked and dropped (SuggestionForm.is_spam).
    nickname = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    token = forms.CharField(widget=forms.HiddenInput)

    class Meta:
        model = Suggestion
        fields = [*PROPOSED_FIELDS, "message", "contact_email"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "message": forms.Textarea(attrs={"rows": 4}),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }

    def __init__(self, *args, kind, group=None, **kwargs):
        self.kind, self.group = kind, group
        if group is not None and not kwargs.get("data") and not args:
            kwargs["initial"] = {name: getattr(group, name) for name in PROPOSED_FIELDS}
        super().__init__(*args, **kwargs)
        self.instance.kind, self.instance.group = kind, group
        self.fields["token"].initial = form_token()
        self.fields["name"].required = kind == Suggestion.Kind.NEW
        if kind == Suggestion.Kind.NEW:
            self.fields["name"].label = _("Name of your association")

    def clean_token(self):
        try:
            sent = signing.loads(self.cleaned_data["token"], salt=TOKEN_SALT)
        except signing.BadSignature:
            sent = None
        age = time.time() - sent["at"] if sent else None
        if age is None or age > MAX_SECONDS:
            raise forms.ValidationError(
                _("This form is too old. Please check your details and send it again."),
                code="expired",
            )
        if age < MIN_SECONDS:
            raise forms.ValidationError(
                _("That was very quick. Please check your details, then send the form again."),
                code="too_quick",
            )
        return self.cleaned_data["token"]

    def clean_website(self):
        website = self.cleaned_data["website"]
        if website and not website.lower().startswith(("http://", "https://")):
            raise forms.ValidationError(
                _("Enter a web address that starts with https:// or http://.")
            )
        return website

    def clean_languages(self):
        codes = list(
            dict.fromkeys(self.cleaned_data["languages"].lower().replace(",", " ").split())
        )
        unknown = [code for code in codes if code not in LANGUAGE_NAMES]
        if unknown:
            raise forms.ValidationError(
                _("Unknown language codes: %(codes)s. Use ISO 639-1 codes such as de, en, fr.")
                % {"codes": ", ".join(unknown)}
            )
        return " ".join(codes)

    def clean(self):
        cleaned = super().clean()
        if self.kind == Suggestion.Kind.CORRECTION and not self.errors:
            suggestion = self.instance
            for name in self.Meta.fields:
                setattr(suggestion, name, cleaned.get(name, ""))
            if not suggestion.proposed_changes() and not cleaned.get("message", "").strip():
                raise forms.ValidationError(
                    _("Change at least one detail, or tell us in the message what is wrong."),
                    code="nothing",
                )
        return cleaned

    def detail_fields(self):
        """The association's public details (bound fields), as the form's first group."""
        return [self[name] for name in PROPOSED_FIELDS]

    def note_fields(self):
        return [self["message"], self["contact_email"]]

    def is_spam(self):
        return bool(self.cleaned_data.get("nickname"))
