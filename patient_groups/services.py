"""
The directory's workflow steps for visitors' suggestions: one function each, called by the
public form (submit_suggestion) and by the admin (accept_suggestion, decline_suggestion).
"""

import reversion
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import PatientGroup, Region, Suggestion


def submit_suggestion(suggestion, *, language):
    """Store a visitor's suggestion for directory staff (the form has validated it)."""
    suggestion.language = language
    suggestion.status = Suggestion.Status.WAITING
    suggestion.save()
    return suggestion


@transaction.atomic
def accept_suggestion(suggestion, user):
    """
    Put what the suggestion proposes into the directory: the changed details into the group's
    record, or a new group. Raises ValidationError, changing nothing, when the result would
    not be a valid record (the admin shows why; staff then edit the group by hand).
    """
    if suggestion.status != Suggestion.Status.WAITING:
        raise ValidationError(_("This suggestion has been handled already."))
    changes = suggestion.proposed_changes()
    if suggestion.kind == Suggestion.Kind.CORRECTION:
        group = suggestion.group
        if group is None:
            raise ValidationError(_("The group this correction is for no longer exists."))
        comment = _("Accepted a visitor's correction (suggestion %(number)s).")
    else:
        group = PatientGroup(region=usual_region(suggestion))
        comment = _("Added from a visitor's suggestion (suggestion %(number)s).")
    for field, _current, proposed in changes:
        setattr(group, field.name, proposed)
    if suggestion.kind == Suggestion.Kind.NEW and not group.country:
        group.coverage = PatientGroup.Coverage.INTERNATIONAL
    try:
        group.full_clean()
    except ValidationError as error:
        raise ValidationError(
            [_("The suggestion cannot go into the record as it is:"), *error.messages]
        ) from error
    with reversion.create_revision():
        group.save()
        reversion.set_user(user)
        reversion.set_comment(comment % {"number": suggestion.pk})
    suggestion.group = group
    mark_handled(suggestion, user, Suggestion.Status.ACCEPTED)
    return group


def decline_suggestion(suggestion, user):
    """Leave the directory as it is; the suggestion stays on file as declined."""
    if suggestion.status != Suggestion.Status.WAITING:
        raise ValidationError(_("This suggestion has been handled already."))
    mark_handled(suggestion, user, Suggestion.Status.DECLINED)


def mark_handled(suggestion, user, status):
    suggestion.status = status
    suggestion.handled_by = user
    suggestion.handled_at = timezone.now()
    suggestion.save(update_fields=["status", "handled_by", "handled_at", "group"])


def usual_region(suggestion):
    """A new group's region: its country's, or "worldwide" without a country."""
    if suggestion.country:
        region = Region.objects.for_country(suggestion.country.code)
    else:
        region = Region.objects.filter(countries="").order_by("order").first()
    if region is None:
        raise ValidationError(
            _("No region lists this country yet: add the group by hand and choose its region.")
        )
    return region
