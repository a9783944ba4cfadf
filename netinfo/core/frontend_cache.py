"""
Telling the front caches (Varnish now; a CDN's purge API later) which pages to drop.

Public pages name what they show in a Surrogate-Key header (netinfo.core.page_cache). After an
edit commits, `purge(tags)` asks every cache in NETINFO_FRONTEND_CACHES to drop the pages with
one of those tags. It never makes the editor wait: a background thread per process sends the
requests, retries a failed one with growing pauses and logs what it could not do, and sends
every purge a second time a moment later, for a page that a visitor had rendered from the old
content while the first was on its way. When the process ends, what is still waiting is sent
at once.

Adding a CDN: a class with `purge(tags)` that raises on failure, registered in ADAPTERS under
the URL scheme its setting uses (e.g. "cloudflare://ZONE-ID").
"""

import atexit
import heapq
import itertools
import logging
import threading
import time
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 3
RETRY_DELAYS = (1, 2, 4, 8, 16, 32)  # about a minute of retries before giving up
REPEAT_AFTER_SECONDS = 2
SURROGATE_KEY_HEADER = "Surrogate-Key"


class PurgeFailed(Exception):
    pass


class VarnishBan:
    """`BAN /` with the tags in Surrogate-Key; deploy/varnish/default.vcl bans what has one."""

    def __init__(self, url):
        self.url = url
        # Straight to the cache: no proxy from the environment.
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def purge(self, tags):
        request = urllib.request.Request(
            self.url, method="BAN", headers={SURROGATE_KEY_HEADER: " ".join(sorted(tags))}
        )
        try:
            with self.opener.open(request, timeout=TIMEOUT_SECONDS) as response:
                status = response.status
        except OSError as error:  # urllib's HTTPError and URLError are OSErrors
            raise PurgeFailed(f"{self.url}: {error}") from error
        if status != 200:
            raise PurgeFailed(f"{self.url}: HTTP {status}")

    def __str__(self):
        return self.url


ADAPTERS = {"http": VarnishBan, "https": VarnishBan}


def configured_caches():
    return [ADAPTERS[urlsplit(url).scheme](url) for url in settings.NETINFO_FRONTEND_CACHES]


class Sender:
    """One background thread per process, sending purges in the order they are due."""

    def __init__(self):
        self.condition = threading.Condition()
        self.waiting = []  # heap of (due, sequence, cache, tags, attempt)
        self.sequence = itertools.count()
        self.thread = None
        self.sending = 0

    def add(self, cache, tags, delay=0.0, attempt=0):
        with self.condition:
            due = time.monotonic() + delay
            heapq.heappush(self.waiting, (due, next(self.sequence), cache, tags, attempt))
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(
                    target=self.run, name="frontend-cache-purge", daemon=True
                )
                self.thread.start()
            self.condition.notify()

    def run(self):
        while True:
            with self.condition:
                while not self.waiting or self.waiting[0][0] > time.monotonic():
                    timeout = self.waiting[0][0] - time.monotonic() if self.waiting else None
                    self.condition.wait(timeout)
                _due, _seq, cache, tags, attempt = heapq.heappop(self.waiting)
                # What else is due for the same cache goes in the same request (an import
                # saves many objects at once).
                now = time.monotonic()
                later = []
                while self.waiting and self.waiting[0][0] <= now:
                    item = heapq.heappop(self.waiting)
                    if item[2] is cache:
                        tags, attempt = tags | item[3], min(attempt, item[4])
                    else:
                        later.append(item)
                for item in later:
                    heapq.heappush(self.waiting, item)
                self.sending += 1
            try:
                self.send(cache, tags, attempt)
            finally:
                with self.condition:
                    self.sending -= 1
                    self.condition.notify_all()

    def send(self, cache, tags, attempt):
        try:
            cache.purge(tags)
        except Exception as error:  # a purge must never take the process down
            if attempt < len(RETRY_DELAYS):
                delay = RETRY_DELAYS[attempt]
                logger.warning(
                    "Purging %s failed (%s); trying again in %s s",
                    " ".join(sorted(tags)),
                    error,
                    delay,
                )
                self.add(cache, tags, delay, attempt + 1)
            else:
                logger.error("Gave up purging %s from %s: %s", " ".join(sorted(tags)), cache, error)

    def flush(self, timeout=10.0):
        """Send what is waiting now, without further retries (when the process exits)."""
        deadline = time.monotonic() + timeout
        with self.condition:
            pending = [(cache, tags) for _d, _s, cache, tags, _a in self.waiting]
            self.waiting.clear()
            while self.sending and time.monotonic() < deadline:
                self.condition.wait(deadline - time.monotonic())
        for cache, tags in dict.fromkeys(pending, None):
            try:
                cache.purge(tags)
            except Exception as error:
                logger.error(
                    "Gave up purging %s from %s: %s",
                    " ".join(sorted(tags)),
                    cache,
                    error,
                )


SENDER = Sender()
atexit.register(SENDER.flush)


def purge(tags):
    """Ask every configured front cache to drop the pages tagged with any of `tags`."""
    tags = frozenset(tags)
    for cache in configured_caches():
        SENDER.add(cache, tags)
        SENDER.add(cache, tags, delay=REPEAT_AFTER_SECONDS)
