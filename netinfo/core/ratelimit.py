"""
A limit on how often one client may do something (send a form), counted in the site's cache.

django-ratelimit is the usual library, but it refuses the file cache that a site on one machine
uses (its check E003: no atomic increment). Here a count that may, rarely, let a request or two
too many through is good enough: the limit only keeps a flood of suggestions out of the
directory staff's inbox.
"""

import time

from axes.helpers import get_client_ip_address
from django.core.cache import cache


def over_limit(request, scope, limit, seconds):
    """
    Count this request for its client address (as django-axes finds it, behind proxies too)
    and say whether that address has now done `scope` more than `limit` times in the current
    window of `seconds`. With the cache out of reach nothing is counted and nothing refused.
    """
    address = get_client_ip_address(request) or "unknown"
    window = int(time.time() // seconds)
    key = f"netinfo:rate:{scope}:{address}:{window}"
    cache.add(key, 0, seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # the key is gone (evicted, expired, or the cache is out of reach)
        return False
    return count > limit
