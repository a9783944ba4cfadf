"""
What visitors are told about each cookie group and cookie, translated with gettext (the
library's own rows hold English text for the admin only). Keyed by varname and cookie name.
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

GROUPS = {
    "essential": {
        "name": _("Strictly necessary"),
        "description": _(
            "These cookies are needed for the site to work. They are only set when you do more "
            "than follow links: send a form, log in, or save your cookie choices. They cannot "
            "be switched off."
        ),
    },
    "analytics": {
        "name": _("Audience measurement"),
        "description": _(
            "Counts visits and pages anonymously, so that the editors can see which information "
            "is used and improve it. Nothing is shared with advertisers. If you say no, nothing "
            "changes for you on this site."
        ),
    },
}

THIS_SITE = _("this website")

COOKIES = {
    "csrftoken": {
        "purpose": _("Protects forms on this site against misuse by other websites."),
        "lifetime": _("1 year"),
    },
    "sessionid": {
        "purpose": _("Keeps editors logged in to the editing area."),
        "lifetime": _("2 weeks"),
    },
    "django_language": {
        "purpose": _("Remembers a language you chose in the editing area."),
        "lifetime": _("until you close the browser"),
    },
    "cookie_consent": {
        "purpose": _("Remembers your cookie choices, so you are not asked on every page."),
        "lifetime": _("6 months"),
    },
    "_pk_id.*": {
        "purpose": _(
            "Recognises your browser on a later visit, without your name or address, to count returning visitors."
        ),
        "lifetime": _("13 months"),
    },
    "_pk_ses.*": {
        "purpose": _("Groups the pages you look at in one visit."),
        "lifetime": _("30 minutes"),
    },
    "_pk_ref.*": {
        "purpose": _("Remembers which website brought you here."),
        "lifetime": _("6 months"),
    },
}


def group_text(varname, field, default=""):
    return GROUPS.get(varname, {}).get(field, default)


def cookie_details(cookie, group_varname):
    details = COOKIES.get(cookie.name, {})
    provider = THIS_SITE
    if group_varname == "analytics" and settings.MATOMO_URL:
        from urllib.parse import urlsplit

        provider = _("%(host)s (the site's own Matomo server)") % {
            "host": urlsplit(settings.MATOMO_URL).hostname
        }
    return {
        "name": cookie.name.replace("*", "…"),
        "purpose": details.get("purpose", cookie.description),
        "lifetime": details.get("lifetime", ""),
        "provider": provider,
    }
