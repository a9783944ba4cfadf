"""
Caching of public pages, which are the same for every visitor.

Each public view is wrapped in `public_page`: the response says `Cache-Control: public` (so a
CDN or nginx may keep it for a few minutes), gets an ETag from ConditionalGetMiddleware, and is
kept in the site's cache (Redis, or files shared by the worker processes) under a key made of
the host, language, date, path and the query parameters the page reads (`query`). Other
parameters (utm_source, a typo, a random value) are dropped from the request before the view
sees it, so they can neither make a new cache entry each nor appear in the page (a link that
keeps the query string).

Each page names what it shows in tags ("article-12 topic-3 site-chrome", the Surrogate-Key
header, which front caches such as Varnish use too). Every tag has a version in the cache; a
page is kept with the versions of its tags and served while they are current. An edit
invalidates the tags of what it changed (netinfo.site.invalidation), so it drops the pages that
show the edited object and no others; `migrate`, which every release runs, invalidates
site-chrome, which every page has. A hit takes one cache round trip while nothing was edited
since the page was stored (an "epoch" that every edit moves), and two after an edit elsewhere
(the page, then its tags' versions; it is then stored under the new epoch).
The consent middleware runs outside this cache.
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

from .frontend_cache import SURROGATE_KEY_HEADER, purge

TAG_PREFIX = "netinfo:tag:"
EPOCH_KEY = "netinfo:edit-epoch"
# Every public page has this tag: the header, footer and consent texts, templates and static
# files (a release) change them all.
SITE_CHROME = "site-chrome"
# The tag of pages that name nothing more precise.
CONTENT = "content"


def read_versions(tags):
    """(the edit epoch, {tag: its current version}) in one round trip; new tags get a version."""
    keys = {TAG_PREFIX + tag: tag for tag in tags}
    found = cache.get_many([EPOCH_KEY, *keys])
    missing = {key: uuid.uuid4().hex for key in keys if key not in found}
    if missing:
        cache.set_many(missing, None)
        found.update(missing)
    return found.get(EPOCH_KEY), {tag: found[key] for key, tag in keys.items()}


def tag_versions(tags):
    """{tag: its current version} for `tags`."""
    return read_versions(tags)[1]


def tags_version(*tags):
    """A short string that changes whenever one of `tags` is invalidated (for fragment keys)."""
    versions = tag_versions(tags)
    joined = " ".join(versions[tag] for tag in sorted(versions))
    return hashlib.md5(joined.encode(), usedforsecurity=False).hexdigest()[:16]


def renew(tags):
    versions = {TAG_PREFIX + tag: uuid.uuid4().hex for tag in tags}
    # Any edit also moves the epoch: a page stored in the same epoch needs no look at its tags.
    cache.set_many({**versions, EPOCH_KEY: uuid.uuid4().hex}, None)


def invalidate(tags):
    """
    Pages and fragments tagged with any of `tags` are out of date: in the site's cache now, and
    again when the transaction commits (until then other visitors still read the old content,
    and a page they render meanwhile would be kept under the new versions); the front caches
    are told after the commit (netinfo.core.frontend_cache), never during the editor's request.
    """
    tags = frozenset(tags)
    renew(tags)

    def after_commit():
        renew(tags)
        purge(tags)

    transaction.on_commit(after_commit)


def new_epoch():
    epoch = uuid.uuid4().hex
    # add(): another process may have just made one; theirs wins, this page is kept under it.
    if not cache.add(EPOCH_KEY, epoch, None):
        epoch = cache.get(EPOCH_KEY) or epoch
    return epoch


def add_tags(response, *tags):
    """Name what the response shows, for the page cache and the front caches."""
    shown = set(response.headers.get(SURROGATE_KEY_HEADER, "").split())
    response.headers[SURROGATE_KEY_HEADER] = " ".join(sorted(shown.union(tags)))
    return response


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


def public_page(view=None, *, query=(), tags=(CONTENT,)):
    """
    Mark a view's GET responses as shareable and keep them in the page cache. `query` names the
    query parameters the view reads; the others are dropped. `tags` name what every response
    shows; the view may add more with add_tags() (the article it shows). As `@public_page` or
    `@public_page(query=["q"], tags=["directory"])`.
    """
    if view is None:
        return functools.partial(public_page, query=query, tags=tags)

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        keep_only(request, query)
        store = settings.PAGE_CACHE_SECONDS > 0
        if store:
            key = page_key(request)
            # One round trip on a hit when nothing was edited since the page was stored: the
            # epoch, which every edit moves, and the page.
            found = cache.get_many([EPOCH_KEY, key])
            epoch = found.get(EPOCH_KEY) or new_epoch()
            entry = found.get(key)
            if entry is not None:
                kept_epoch, kept_versions, kept = entry
                if kept_epoch == epoch:
                    return kept
                # Something was edited since: the page counts while the versions of its own
                # tags are those it was made with; then it is kept under the new epoch.
                if read_versions(kept_versions) == (epoch, kept_versions):
                    cache.set(key, (epoch, kept_versions, kept), settings.PAGE_CACHE_SECONDS)
                    return kept
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if response.status_code == 200 and not response.cookies and not response.streaming:
            add_tags(response, SITE_CHROME, *tags)
            patch_cache_control(response, public=True, max_age=settings.PUBLIC_MAX_AGE)
            if store:
                # Hashed once here rather than by ConditionalGetMiddleware on every hit.
                digest = hashlib.md5(response.content, usedforsecurity=False).hexdigest()
                response.headers["ETag"] = f'"{digest}"'
                shown = response.headers[SURROGATE_KEY_HEADER].split()
                epoch_now, versions = read_versions(shown)
                # An edit while the page was made (the epoch moved) may have come after what
                # the page read: then it is not kept, and the next visit makes it again.
                if epoch_now == epoch:
                    cache.set(key, (epoch, versions, response), settings.PAGE_CACHE_SECONDS)
        return response

    return wrapped
