"""
What lets a public page carry a form and stay cacheable, without a cookie: no CSRF token in the
page (it would differ per visitor), so the view checks that the POST comes from a page of this
site (same_origin) and limits how often one address may send (over_limit).

django-ratelimit is the usual library for the limit, but it refuses the file cache that a site
on one machine uses (its check E003: no atomic increment). Here a count that may, rarely, let a
request or two too many through is good enough: the limit keeps floods of suggestions and
feedback out of the editors' lists.
"""

import hashlib
import time
from urllib.parse import urlsplit

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext


def over_limit(request, scope, limit, seconds):
    """
    Count this request for its client address (as django-axes finds it, behind proxies too)
    and say whether that address has now done `scope` more than `limit` times in the current
    window of `seconds`. With the cache out of reach nothing is counted and nothing refused.
    """
    address = get_client_ip_address(request) or "unknown"
    # Counted under a keyed hash of the address: the cache never holds readers' addresses.
    client = hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:32]
    window = int(time.time() // seconds)
    key = f"netinfo:rate:{scope}:{client}:{window}"
    cache.add(key, 0, seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # the key is gone (evicted, expired, or the cache is out of reach)
        return False
    return count > limit


def same_origin(request):
    """
    Whether a POST comes from a page of this site: browsers name the page's origin (Origin,
    or Referer where they leave it out). What CSRF protection checks besides its cookie.
    """
    sender = request.headers.get("Origin") or request.headers.get("Referer") or ""
    parts = urlsplit(sender)
    if not parts.scheme or not parts.netloc:
        return False
    ours = {f"{request.scheme}://{request.get_host()}", *settings.CSRF_TRUSTED_ORIGINS}
    return f"{parts.scheme}://{parts.netloc}" in ours


def refusal(request, scope, limit, seconds=3600):
    """
    (status, message) when a public form's POST must be turned away: sent from another site
    (403), or more than `limit` times from the address in `seconds` (429); else None.
    """
    if not same_origin(request):
        return 403, gettext("This form can only be sent from its page on this site.")
    if over_limit(request, scope, limit, seconds):
        return 429, gettext(
            "We have received several messages from your connection in the last hour. Please "
            "try again later, or write to us by e-mail."
        )
    return None
