from cookie_consent.cache import all_cookie_groups
from cookie_consent.middleware import CleanCookiesMiddleware
from cookie_consent.util import parse_cookie_str
from django.conf import settings

from .decisions import is_accepted


class StrictCleanCookiesMiddleware(CleanCookiesMiddleware):
    """
    Deletes optional cookies the visitor has not accepted at their group's current version.

    Stricter than the library's middleware in three ways: a cookie name ending in "*" is a
    prefix (Matomo's real names are _pk_id.<site>.<hash>); an acceptance of an older version
    counts as no acceptance; and a decision set on this very response counts, so declining
    cleans up at once. It must be the outermost middleware: inside a page cache it would
    have its deletions stored and replayed to every visitor.
    """

    def process_response(self, request, response):
        if request.COOKIES.keys() <= essential_cookie_names():
            return response  # nothing but essential cookies sent: no cache lookup needed
        name = settings.COOKIE_CONSENT_NAME
        if name in response.cookies and response.cookies[name].value:
            decisions = parse_cookie_str(response.cookies[name].value)
        else:
            decisions = parse_cookie_str(request.COOKIES.get(name, ""))
        for group in all_cookie_groups().values():
            if not group.is_deletable or is_accepted(decisions.get(group.varname), group):
                continue
            for cookie in group.cookie_set.all():
                if cookie.name.endswith("*"):
                    prefix = cookie.name[:-1]
                    sent = [n for n in request.COOKIES if n.startswith(prefix)]
                else:
                    sent = [cookie.name] if cookie.name in request.COOKIES else []
                for cookie_name in sent:
                    response.delete_cookie(cookie_name, cookie.path or "/", cookie.domain or None)
        return response


def essential_cookie_names():
    return {
        settings.CSRF_COOKIE_NAME,
        settings.SESSION_COOKIE_NAME,
        settings.LANGUAGE_COOKIE_NAME,
        settings.COOKIE_CONSENT_NAME,
    }
