"""
Precise invalidation: an edit drops from the page cache the pages that show the edited object,
and only those; every page names what it shows in its Surrogate-Key header; after the commit
the front caches are told, retried when they fail, and never hold up the editor.
"""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory, TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from netinfo.articles import services
from netinfo.articles.services import ChangeNote
from netinfo.core import frontend_cache
from netinfo.core.page_cache import invalidate, public_page, renew
from tests.factories import make_article, make_group, make_term, make_topic, make_user


def is_cached(client, url):
    """A page served from the page cache reads nothing from the database."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(context.captured_queries) == 0


class InvalidationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor", groups=["Editors"])
        first, second = make_topic("first-topic"), make_topic("second-topic")
        cls.edited = make_article(
            "edited",
            topic=first,
            body="Somatostatin analogues slow the tumour.",
            slug_de="bearbeitet",
            title_de="Bearbeitet",
            summary_de="Zusammenfassung.",
            body_de="Ein deutscher Text.",
        )
        cls.related = make_article("lists-it", topic=first)
        cls.related.related_articles.add(cls.edited)
        cls.sibling = make_article("sibling", topic=first)
        cls.elsewhere = make_article("elsewhere", topic=second, body="Chromogranin is measured.")
        cls.group = make_group("Some group")
        cls.used_by_edited = make_term("somatostatin analogue", "ssa", forms_en=["somatostatin"])
        cls.used_elsewhere = make_term("chromogranin A", "cga", forms_en=["chromogranin"])

    PAGES_SHOWING_IT = [
        "/en/articles/edited/",
        "/de/articles/bearbeitet/",
        "/en/embed/articles/edited/",
        "/en/articles/edited/references.ris",
        "/en/articles/lists-it/",  # lists it as a related article
        "/en/topics/first-topic/",
        "/en/",
        "/en/updates/",
        "/en/updates/feed/",
        "/sitemap.xml",
        "/en/search/?q=tumour",
        "/en/glossary/",  # lists the articles that use each term
        "/en/glossary/ssa/",
    ]
    OTHER_PAGES = [
        "/en/articles/sibling/",  # same topic, but it does not show the edited article
        "/en/articles/elsewhere/",
        "/en/topics/second-topic/",
        "/en/glossary/cga/",
        "/en/patient-groups/",
    ]

    def test_an_article_edit_drops_the_pages_that_show_it_and_no_others(self):
        pages = self.PAGES_SHOWING_IT + self.OTHER_PAGES + [self.group.get_absolute_url()]
        for url in pages:
            self.client.get(url)
        self.assertEqual([url for url in pages if not is_cached(self.client, url)], [])

        self.edited.body_en = "Somatostatin analogues slow the growth of the tumour."
        with self.captureOnCommitCallbacks(execute=True):
            services.publish_editorial_fix(
                self.edited, self.editor, note=ChangeNote("editorial", {"en": "Clearer."})
            )

        dropped = [url for url in pages if not is_cached(self.client, url)]
        self.assertEqual(dropped, self.PAGES_SHOWING_IT)  # 13 of 20 pages
        self.assertContains(self.client.get("/en/articles/edited/"), "slow the growth")

    def test_a_group_edit_leaves_the_articles_cached(self):
        pages = ["/en/articles/edited/", "/en/patient-groups/", self.group.get_absolute_url()]
        for url in pages:
            self.client.get(url)
        self.group.city = "Hamburg"
        self.group.save()
        self.assertTrue(is_cached(self.client, "/en/articles/edited/"))
        self.assertFalse(is_cached(self.client, "/en/patient-groups/"))
        self.assertFalse(is_cached(self.client, self.group.get_absolute_url()))

    def test_a_page_made_while_something_was_edited_is_not_kept(self):
        made = []

        def view(request, edit):
            if edit:
                renew({"article-999"})  # another editor's save lands while this page renders
            made.append(edit)
            return HttpResponse("A page.")

        page = public_page(view, tags=["articles"])
        for edit in (True, True, False, False):
            page(RequestFactory().get("/en/a-page/"), edit)
        # Made again after the edit, then kept: the last visit came from the cache.
        self.assertEqual(made, [True, True, False])

    def test_pages_name_what_they_show(self):
        tags = self.client.get("/en/articles/edited/")["Surrogate-Key"].split()
        self.assertEqual(
            tags,
            sorted([f"article-{self.edited.pk}", f"topic-{self.edited.topic_id}", "site-chrome"]),
        )
        group_page = self.client.get(self.group.get_absolute_url())
        self.assertEqual(group_page["Surrogate-Key"], f"group-{self.group.pk} site-chrome")
        self.assertIn("directory", self.client.get("/en/patient-groups/")["Surrogate-Key"])
        # Pages that are not for everyone carry no tags and are not kept.
        preview = self.client.get(f"/en/preview/articles/{self.edited.pk}/")
        self.assertNotIn("public", preview.get("Cache-Control", ""))


class Recorder(BaseHTTPRequestHandler):
    """A stand-in for Varnish's BAN handling: fails the first `failures` requests."""

    def do_BAN(self):
        server = self.server
        with server.lock:
            server.received.append(self.headers.get("Surrogate-Key"))
            failing = len(server.received) <= server.failures
        self.send_response(503 if failing else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class FrontendPurgeTests(TestCase):
    def setUp(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
        self.server.lock = threading.Lock()
        self.server.received = []
        self.server.failures = 0
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)
        host, port = self.server.server_address
        self.url = f"http://{host}:{port}/"

    def wait_for(self, count, seconds=10):
        deadline = time.monotonic() + seconds
        while len(self.server.received) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.server.received)

    def test_purges_are_sent_after_the_commit_twice(self):
        with self.settings(NETINFO_FRONTEND_CACHES=[self.url]):
            with self.captureOnCommitCallbacks(execute=False) as callbacks:
                invalidate({"article-7", "articles"})
            self.assertEqual(self.server.received, [])  # nothing before the commit
            for callback in callbacks:
                callback()
            # Once at once, and once more a moment later for pages rendered meanwhile.
            received = self.wait_for(2)
        self.assertEqual(received, ["article-7 articles", "article-7 articles"])

    def test_a_failed_purge_is_logged_and_retried(self):
        self.server.failures = 2
        with (
            self.settings(NETINFO_FRONTEND_CACHES=[self.url]),
            self.assertLogs("netinfo.core.frontend_cache", "WARNING") as logs,
        ):
            frontend_cache.purge({"group-3"})
            received = self.wait_for(4, seconds=20)
        self.assertEqual(received, ["group-3"] * 4)  # 2 failures, the retry, the repeat
        self.assertIn("trying again", logs.output[0])

    @override_settings(NETINFO_FRONTEND_CACHES=["http://127.0.0.1:9/"])  # nothing listens
    def test_an_unreachable_cache_never_blocks_or_breaks_a_save(self):
        editor = make_user("editor", groups=["Editors"])
        article = make_article("saved")
        article.body_en = "A fix."
        # No retries here, so that the test sees the end of the story.
        with (
            mock.patch.object(frontend_cache, "RETRY_DELAYS", ()),
            mock.patch.object(frontend_cache, "REPEAT_AFTER_SECONDS", 0),
            self.assertLogs("netinfo.core.frontend_cache", "ERROR") as logs,
        ):
            with self.captureOnCommitCallbacks(execute=True):
                services.publish_editorial_fix(
                    article, editor, note=ChangeNote("editorial", {"en": "Fixed."})
                )
            self.assertEqual(article.__class__.objects.get(pk=article.pk).body_en, "A fix.")
            frontend_cache.SENDER.flush()  # what is left, at once, as when the process exits
        self.assertIn("Gave up purging", logs.output[0])
        self.assertIn(f"article-{article.pk}", logs.output[0])
