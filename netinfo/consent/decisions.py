"""
Reading and storing consent decisions (the consent cookie is django-cookie-consent's).

`groups_in_use()` is what visitors are asked about; `save_decision()` writes the consent
cookie for accepted and declined groups in one response and keeps a ConsentRecord.
"""

import uuid

from cookie_consent.cache import all_cookie_groups
from cookie_consent.util import get_cookie_dict_from_request, set_cookie_dict_to_response
from django.conf import settings

from .models import ConsentRecord

CONSENT_ID_KEY = "cid"


def analytics_configured():
    return bool(settings.MATOMO_URL or settings.ANALYTICS_STANDIN)


def groups_in_use():
    """Optional cookie groups visitors are asked about: analytics only when it is set up."""
    return [
        group
        for varname, group in sorted(all_cookie_groups().items(), key=lambda item: item[1].ordering)
        if varname != "analytics" or analytics_configured()
    ]


def is_accepted(stored, group):
    """Accepted at the group's current version: a cookie added since asks again."""
    return (
        stored not in (None, "", settings.COOKIE_CONSENT_DECLINE) and stored >= group.get_version()
    )


def state(request, group):
    """True (accepted now), False (declined) or None (not decided, or decided for an older version)."""
    stored = get_cookie_dict_from_request(request).get(group.varname)
    if stored == settings.COOKIE_CONSENT_DECLINE:
        return False
    return True if is_accepted(stored, group) else None


def save_decision(request, response, accepted, declined, action):
    """
    Set the consent cookie for all given groups at once (accepting and declining in one
    response) and record the decision. Deleting declined cookies is left to the middleware,
    which sees this response's cookie.
    """
    values = get_cookie_dict_from_request(request)
    consent_id = values.get(CONSENT_ID_KEY) or uuid.uuid4().hex
    try:
        consent_id = uuid.UUID(consent_id).hex
    except ValueError:
        consent_id = uuid.uuid4().hex  # a tampered id is replaced, never stored
    versions = {}
    for group in accepted:
        values[group.varname] = versions[group.varname] = group.get_version()
    for group in declined:
        values[group.varname] = settings.COOKIE_CONSENT_DECLINE
    values[CONSENT_ID_KEY] = consent_id
    set_cookie_dict_to_response(response, values)
    return ConsentRecord.objects.create(
        consent_id=uuid.UUID(consent_id),
        action=action,
        accepted=sorted(group.varname for group in accepted),
        declined=sorted(group.varname for group in declined),
        versions=versions,
        policy_version=settings.CONSENT_POLICY_VERSION,
    )
