"""
Caching of public pages, which are the same for every visitor.

Each public view is wrapped in `public_page`: the response says `Cache-Control: public` (so a
CDN or nginx may keep it for a few minutes), gets an ETag from ConditionalGetMiddleware, and is
kept in the site's cache (Redis, or files shared by the worker processes) under a key made of
the host, language, date, path and the query parameters the page reads (`query`), together
with the content version it was made from. Other parameters (utm_source, a typo, a random
value) are dropped from the request before the view sees it, so they can neither make a new
cache entry each nor appear in the page (a link that keeps the query string).
Saving or deleting any content changes the version, so no stale page is served after an edit;
so does `migrate`, which every release runs. The consent middleware runs outside this cache.
"""

import functools
import hashlib
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language

VERSION_KEY = "netinfo:content-version"


def content_version():
    return cache.get_or_set(VERSION_KEY, lambda: uuid.uuid4().hex, None)


def new_content_version():
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def bump_content_version(**kwargs):
    """Connected to save/delete of every content model (netinfo.apps); any edit empties the page cache."""
    new_content_version()
    # Until the edit's transaction commits, other visitors still read the old content, and a
    # page they render meanwhile would be kept under the new version; so change it again then.
    transaction.on_commit(new_content_version)


def page_key(request):
    """The page's cache key; call it once the request keeps only the page's own parameters."""
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    # The date is part of the key because "cite this page" shows today's date.
    return ":".join(
        [
            "netinfo:page",
            request.get_host(),
            get_language() or "",
            timezone.localdate().isoformat(),
            path,
        ]
    )


def keep_only(request, names):
    """Drop every query parameter but `names` from the request, in a fixed order."""
    kept = QueryDict(mutable=True)
    for name in sorted(names):
        if name in request.GET:
            kept.setlist(name, request.GET.getlist(name)[:1])
    if kept.urlencode() != request.META.get("QUERY_STRING", ""):
        request.GET = kept
        request.META["QUERY_STRING"] = kept.urlencode()


def public_page(view=None, *, query=()):
    """
    Mark a view's GET responses as shareable and keep them in the page cache. `query` names the
    query parameters the view reads; the others are dropped. As `@public_page` or
    `@public_page(query=["q"])`.
    """
    if view is None:
        return functools.partial(public_page, query=query)

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        keep_only(request, query)
        store = settings.PAGE_CACHE_SECONDS > 0
        response = None
        if store:
            key = page_key(request)
            # One round trip to a shared cache: the content version and the page, which is kept
            # with the version it was made from and counts only while that is still current.
            found = cache.get_many([VERSION_KEY, key])
            version = found.get(VERSION_KEY) or content_version()
            entry = found.get(key)
            if entry is not None and entry[0] == version:
                response = entry[1]
        if response is None:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            if response.status_code == 200 and not response.cookies and not response.streaming:
                patch_cache_control(response, public=True, max_age=settings.PUBLIC_MAX_AGE)
                if store:
                    # Hashed once here rather than by ConditionalGetMiddleware on every hit.
                    digest = hashlib.md5(response.content, usedforsecurity=False).hexdigest()
                    response.headers["ETag"] = f'"{digest}"'
                    cache.set(key, (version, response), settings.PAGE_CACHE_SECONDS)
        return response

    return wrapped
