"""
"Was this page helpful?" on each article: the forms, and what is kept of a comment.

The question sits in the article's cached page as a plain form without a token; its answer
goes to a view that is never cached and sets no cookie (netinfo.core.public_forms checks
where it came from and how often). The follow-up form carries a signed reference to the answer
it adds to, so nobody can write into another reader's feedback.
"""

import re

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from .models import Feedback

TOKEN_SALT = "netinfo.feedback-details"
# Details are added within this time of the answer, or not at all.
DETAILS_SECONDS = 60 * 60

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Seven digits or more, with the spaces, dots, dashes and brackets phone numbers are written
# with: "+49 (0)30 123 45 67", "0800-123456". Shorter numbers ("100,000", "2019") stay.
PHONE = re.compile(r"\+?\(?\d[\d\s().\-/]{5,}\d")


def redact(text):
    """The comment without e-mail addresses or phone numbers: readers give them by mistake."""
    text = EMAIL.sub(str(_("[e-mail address removed]")), text)
    return PHONE.sub(
        lambda match: (
            str(_("[phone number removed]"))
            if len(re.sub(r"\D", "", match.group())) >= 7
            else match.group()
        ),
        text,
    )


class HelpfulForm(forms.Form):
    helpful = forms.ChoiceField(choices=[("yes", _("Yes")), ("no", _("No"))])
    # Hidden from people (site.css); scripts fill every field they find.
    nickname = forms.CharField(required=False)

    def is_spam(self):
        return bool(self.cleaned_data.get("nickname"))


class DetailsForm(forms.Form):
    comment = forms.CharField(
        label=_("Anything you would like to tell the editors? (optional)"),
        help_text=_("Please do not write your name, e-mail address or phone number."),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 500}),
    )
    missing = forms.MultipleChoiceField(
        label=_("What was missing?"),
        required=False,
        choices=Feedback.Missing.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    feedback = forms.CharField(widget=forms.HiddenInput)
    nickname = forms.CharField(required=False)

    def __init__(self, *args, helpful=True, **kwargs):
        super().__init__(*args, **kwargs)
        if helpful:
            del self.fields["missing"]

    def clean_feedback(self):
        feedback = answer_for(self.cleaned_data["feedback"])
        if feedback is None:
            raise forms.ValidationError(
                _("This form has expired. Thank you all the same for your answer."),
                code="expired",
            )
        return feedback

    def is_spam(self):
        return bool(self.cleaned_data.get("nickname"))


def details_token(feedback):
    return signing.dumps(feedback.pk, salt=TOKEN_SALT)


def answer_for(token):
    """The answer a follow-up form adds to, while it has nothing added yet; else None."""
    try:
        pk = signing.loads(token, salt=TOKEN_SALT, max_age=DETAILS_SECONDS)
        return Feedback.objects.get(pk=pk, comment="", missing="")
    except (signing.BadSignature, Feedback.DoesNotExist):
        return None


def feedback_summary(article):
    """
    What readers said about a live article, for its editors and reviewers: per version (newest
    first) the answers and the share that found it helpful, and the comments not yet handled.
    A working copy shows what readers said about the live article it will replace.
    """
    from django.db.models import Count, Q

    live = article.revision_of or article
    answers = Feedback.objects.filter(article=live)
    versions = list(
        answers.values("version")
        .annotate(answers=Count("pk"), helpful=Count("pk", filter=Q(helpful=True)))
        .order_by("-version")
    )
    for row in versions:
        row["share"] = round(100 * row["helpful"] / row["answers"])
    return {
        "article": live,
        "versions": versions,
        "comments": list(answers.unhandled()[:5]),
        "unhandled": answers.unhandled().count(),
    }
