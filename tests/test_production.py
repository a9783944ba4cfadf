"""Production behaviour: security headers, login lockout, failure handling, caching, budgets."""

import json
import os
import re
from pathlib import Path
from unittest import mock, skipUnless

from django.conf import settings
from django.core.cache import cache
from django.test import Client, TestCase, override_settings
from django.urls import reverse

from netinfo.core.page_cache import SITE_CHROME, tag_versions, tags_version
from tests.factories import make_article, make_figure, make_group, make_reference, make_user
from tests.stalled import StalledServer
from tests.subprocesses import REFUSED_DATABASE, run_django, run_script

BASE_DIR = Path(__file__).resolve().parent.parent


class SecurityHeaderTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_article("secure")

    def test_strict_content_security_policy_everywhere(self):
        for url in [
            "/en/",
            "/en/articles/secure/",
            "/en/patient-groups/",
            "/en/cookies/",
            "/admin/login/",
        ]:
            with self.subTest(url):
                policy = self.client.get(url)["Content-Security-Policy"]
                directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
                self.assertEqual(directives["default-src"], "'self'")
                self.assertEqual(directives["script-src"], "'self'")
                self.assertEqual(directives["object-src"], "'none'")
                self.assertEqual(directives["base-uri"], "'self'")
                self.assertEqual(directives["frame-ancestors"], "'none'")
                self.assertNotIn("unsafe-inline", policy)
                self.assertNotIn("unsafe-eval", policy)

    def test_analytics_origin_only_when_configured(self):
        script = run_script(
            "from django.conf import settings\n"
            "print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src'])",
            MATOMO_URL="https://stats.example.org",
            MATOMO_SITE_ID="3",
        )
        self.assertIn("https://stats.example.org", script.stdout, script.stderr)

    def test_other_headers(self):
        response = self.client.get("/en/")
        self.assertEqual(response["Referrer-Policy"], "strict-origin-when-cross-origin")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Cross-Origin-Opener-Policy"], "same-origin")
        self.assertEqual(response["X-Frame-Options"], "DENY")
        self.assertIn("camera=()", response["Permissions-Policy"])

    @override_settings(
        SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True, SECURE_HSTS_PRELOAD=True
    )
    def test_hsts_when_enabled(self):
        response = self.client.get("/en/", secure=True)
        self.assertEqual(
            response["Strict-Transport-Security"], "max-age=31536000; includeSubDomains; preload"
        )

    def test_cookies_are_secure_and_http_only(self):
        self.assertTrue(settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE)
        self.assertTrue(settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY)

    def test_uploaded_media_cannot_run_as_a_page(self):
        article = make_article("with-image")
        figure = make_figure(article)
        response = self.client.get(figure.image.url)
        self.assertEqual(response["Content-Type"], "image/png")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertIn("sandbox", response["Content-Security-Policy"])
        self.assertTrue(response["Content-Disposition"].startswith("inline; filename="))
        self.assertEqual(self.client.get("/media/figures/evil.svg").status_code, 404)
        self.assertEqual(self.client.get("/media/../netinfo/settings.py").status_code, 404)


class LoginLockoutTests(TestCase):
    def attempt(self, password, address="198.51.100.7"):
        return self.client.post(
            "/admin/login/?next=/admin/",
            {"username": "editor", "password": password},
            REMOTE_ADDR=address,
        )

    def test_five_failures_lock_the_account_from_that_address_for_an_hour(self):
        make_user("editor", groups=["Editors"])
        for _attempt in range(5):
            response = self.attempt("wrong")
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "locked for one hour", status_code=429)
        self.assertEqual(self.attempt("pw").status_code, 429)  # even the right password
        self.assertEqual(self.attempt("pw", address="198.51.100.8").status_code, 302)
        self.assertEqual(settings.AXES_COOLOFF_TIME, 1)

    @override_settings(
        AXES_IPWARE_PROXY_ORDER="left-most",
        AXES_IPWARE_PROXY_COUNT=0,
        AXES_IPWARE_META_PRECEDENCE_ORDER=("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"),
        IPWARE_STRICT=False,
    )
    def test_behind_one_proxy_a_second_address_is_not_locked(self):
        """As DJANGO_BEHIND_PROXY=1 sets it: nginx at 127.0.0.1 adds the client's address."""
        make_user("editor", groups=["Editors"])

        def attempt(password, client):
            return self.client.post(
                "/admin/login/?next=/admin/",
                {"username": "editor", "password": password},
                REMOTE_ADDR="127.0.0.1",
                HTTP_X_FORWARDED_FOR=client,
            )

        for _attempt in range(5):
            response = attempt("wrong", "81.2.69.1")
        self.assertEqual(response.status_code, 429)
        # The attacker's own header is on the left; nginx appends the real address.
        self.assertEqual(attempt("pw", "81.2.69.2, 81.2.69.1").status_code, 429)
        self.assertEqual(attempt("pw", "81.2.69.2").status_code, 302)
        self.assertEqual(attempt("pw", "81.2.69.1, 81.2.69.2").status_code, 302)

    def test_lockout_message_is_translated(self):
        make_user("editor", groups=["Editors"])
        for _attempt in range(5):
            response = self.client.post(
                "/admin/login/",
                {"username": "editor", "password": "x"},
                headers={"accept-language": "de"},
            )
        self.assertContains(response, "Zu viele fehlgeschlagene Anmeldungen", status_code=429)


CLIENT_ADDRESS_SCRIPT = """
import json
from axes.helpers import get_client_ip_address
from django.test import RequestFactory
requests = json.loads({cases!r})
factory = RequestFactory()
print(json.dumps([
    get_client_ip_address(factory.get("/admin/login/", **meta)) for meta in requests
]))
"""


def client_addresses(cases, **env):
    """The client address django-axes sees for each request's META, with `env` set."""
    script = run_script(CLIENT_ADDRESS_SCRIPT.format(cases=json.dumps(cases)), **env)
    assert script.returncode == 0, script.stderr
    return json.loads(script.stdout.strip().splitlines()[-1])


class ClientAddressTests(TestCase):
    """The address the login lockout counts, with 0, 1 and 2 proxies and spoofed headers."""

    def test_without_a_proxy_the_header_is_ignored(self):
        cases = [
            {"REMOTE_ADDR": "81.2.69.1"},
            {"REMOTE_ADDR": "81.2.69.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6"},
        ]
        self.assertEqual(
            client_addresses(cases, DJANGO_BEHIND_PROXY="0"), ["81.2.69.1", "81.2.69.1"]
        )

    def test_behind_one_proxy(self):
        cases = [
            {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "81.2.69.1"},
            {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "81.2.69.2"},
            # The client sent a header of its own; nginx appended the real address.
            {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 81.2.69.1"},
            # A health check from the proxy's machine, without the header.
            {"REMOTE_ADDR": "127.0.0.1"},
        ]
        self.assertEqual(
            client_addresses(cases, DJANGO_BEHIND_PROXY="1"),
            ["81.2.69.1", "81.2.69.2", "81.2.69.1", "127.0.0.1"],
        )

    def test_behind_two_proxies(self):
        """A CDN adds the client, nginx adds the CDN; REMOTE_ADDR is nginx."""
        cases = [
            {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "81.2.69.1, 203.0.113.5"},
            {
                "REMOTE_ADDR": "10.0.0.2",
                "HTTP_X_FORWARDED_FOR": "6.6.6.6, 81.2.69.1, 203.0.113.5",
            },
            {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "81.2.69.2, 203.0.113.5"},
        ]
        self.assertEqual(
            client_addresses(cases, DJANGO_BEHIND_PROXY="1", DJANGO_PROXY_COUNT="2"),
            ["81.2.69.1", "81.2.69.1", "81.2.69.2"],
        )

    def test_a_proxy_count_below_one_is_refused(self):
        script = run_script("", DJANGO_BEHIND_PROXY="1", DJANGO_PROXY_COUNT="0")
        self.assertNotEqual(script.returncode, 0)
        self.assertIn("DJANGO_PROXY_COUNT must be 1 or more", script.stderr)


class DatabaseDownTests(TestCase):
    def test_public_pages_answer_503_when_the_database_refuses_connections(self):
        """Real refusal: the site pointed at a PostgreSQL port where nothing listens."""
        script = (
            "from django.test import Client;"
            "c = Client(raise_request_exception=False);"
            "import json;"
            "out = {};"
            "r = c.get('/de/');"
            "out['de'] = [r.status_code, r.get('Retry-After'), r.content.decode()];"
            "r = c.get('/en/articles/anything/');"
            "out['article'] = [r.status_code, r.get('Retry-After'), r.content.decode()];"
            "r = c.get('/healthz');"
            "out['healthz'] = [r.status_code, r.content.decode()];"
            "print(json.dumps(out))"
        )
        result = run_script(
            script, DATABASE_URL=REFUSED_DATABASE, DJANGO_ALLOWED_HOSTS="testserver", REDIS_URL=""
        )
        self.assertEqual(result.returncode, 0, result.stderr[-2000:])
        out = json.loads(result.stdout.strip().splitlines()[-1])
        status, retry, html = out["de"]
        self.assertEqual((status, retry), (503, "60"))
        self.assertIn("vorübergehend nicht erreichbar", html)
        self.assertNotIn("Traceback", html)
        self.assertEqual(out["article"][0], 503)
        self.assertEqual(out["healthz"][0], 503)


PAGES_SCRIPT = """
import json, sys, time
from django.test import Client
client = Client(raise_request_exception=False)
def visit(url):
    started = time.monotonic()
    response = client.get(url)
    return [response.status_code, response.get("Retry-After"), time.monotonic() - started,
            response.content.decode()]
"""


def visits(urls, **env):
    """[status, Retry-After, seconds, body] of each URL, in a Django process with `env`."""
    script = PAGES_SCRIPT + f"print(json.dumps([visit(url) for url in {urls!r}]))"
    result = run_script(script, DJANGO_ALLOWED_HOSTS="testserver", REDIS_URL="", **env)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


class StalledDatabaseTests(TestCase):
    """A database that accepts connections and never answers: a prompt 503, not a hung worker."""

    def test_a_stalled_server_gives_the_503_page_within_the_connect_timeout(self):
        with StalledServer() as database:
            home, healthz = visits(
                ["/en/", "/healthz"],
                DATABASE_URL=f"postgres://netinfo:secret@127.0.0.1:{database.port}/netinfo",
                DJANGO_DB_CONNECT_TIMEOUT="1",
            )
            connections = database.connections
        self.assertEqual(home[:2], [503, "60"])
        self.assertIn("The site is briefly unavailable", home[3])
        self.assertEqual(healthz[:2], [503, "10"])
        self.assertEqual(json.loads(healthz[3])["database"], "unavailable")
        # One attempt per request, each given up after the connect timeout (1 s), not 30 s.
        self.assertEqual(connections, 2)
        self.assertLess(home[2] + healthz[2], 10)

    def test_a_locked_sqlite_database_gives_the_503_page_after_the_busy_timeout(self):
        import sqlite3
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "locked.sqlite3"
            holder = sqlite3.connect(path, isolation_level=None)
            holder.execute("CREATE TABLE django_migrations (id INTEGER PRIMARY KEY)")
            holder.execute("BEGIN EXCLUSIVE")  # another process writing, for too long
            try:
                home, healthz = visits(
                    ["/en/", "/healthz"],
                    DATABASE_URL=f"sqlite:///{path}",
                    DJANGO_DB_BUSY_TIMEOUT="1",
                )
            finally:
                holder.rollback()
                holder.close()
        self.assertEqual(home[:2], [503, "60"])
        self.assertEqual(healthz[:2], [503, "10"])
        self.assertEqual(json.loads(healthz[3])["error"], "OperationalError")

    @skipUnless(
        settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        "needs a PostgreSQL server to stall (DATABASE_URL)",
    )
    def test_a_server_that_stops_answering_on_an_open_connection(self):
        """Connected, then silent: only the request deadline can end the wait."""
        import subprocess
        import sys

        from django.db import connection

        from tests.stalled import FreezableProxy
        from tests.subprocesses import BASE_DIR as PROJECT, collected_static

        database = connection.settings_dict
        with FreezableProxy(
            database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432)
        ) as proxy:
            url = (
                f"postgres://{database['USER']}:{database['PASSWORD']}@127.0.0.1:{proxy.port}"
                f"/{database['NAME']}"
            )
            script = PAGES_SCRIPT + (
                "import django\n"
                "print(json.dumps(visit('/healthz')), flush=True)\n"
                "sys.stdin.readline()\n"
                "print(json.dumps([visit('/en/'), visit('/healthz')]), flush=True)\n"
            )
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
                "DJANGO_SETTINGS_MODULE": "netinfo.settings",
                "DATABASE_URL": url,
                "REDIS_URL": "",
                "DJANGO_ALLOWED_HOSTS": "testserver",
                "DJANGO_STATIC_ROOT": collected_static(),  # pages render as deployed
                "NETINFO_REQUEST_DEADLINE": "2",
            }
            process = subprocess.Popen(
                [sys.executable, "-c", "import django; django.setup()\n" + script],
                cwd=PROJECT,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            try:
                before = json.loads(process.stdout.readline())
                proxy.freeze()
                process.stdin.write("go\n")
                process.stdin.flush()
                home, healthz = json.loads(process.stdout.readline())
            finally:
                process.kill()
                process.communicate(timeout=30)
        self.assertEqual(before[0], 200)
        self.assertEqual(home[:2], [503, "60"])
        self.assertLess(home[2], 5)
        self.assertEqual(healthz[0], 503)


# Nothing listens on port 1: every connection to this "Redis" is refused.
UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "netinfo.core.redis_cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
    }
}


@override_settings(CACHES=UNREACHABLE_REDIS)
class CacheDownTests(TestCase):
    """The cache holds nothing the database cannot rebuild: its outage must not be the site's."""

    @classmethod
    def setUpTestData(cls):
        cls.article = make_article("uncached", body="Text before.")
        make_group("Still listed")

    def test_public_pages_are_served_without_the_cache(self):
        with self.assertLogs("netinfo.core.redis_cache", "WARNING") as logs:
            for url in [
                "/en/",
                "/en/articles/uncached/",
                "/en/patient-groups/",
                "/en/cookies/",
                "/consent/status/",
            ]:
                with self.subTest(url):
                    self.assertEqual(self.client.get(url).status_code, 200)
        self.assertIn("The cache server is unreachable", logs.output[0])

    def test_edits_still_save_and_show(self):
        with self.assertLogs("netinfo.core.redis_cache", "WARNING"):
            self.article.body_en = "Text after."
            self.article.save()
            self.assertContains(self.client.get("/en/articles/uncached/"), "Text after.")
        self.article.refresh_from_db()
        self.assertEqual(self.article.body_en, "Text after.")


def stalled_redis(port, timeout=0.2):
    return {
        "default": {
            "BACKEND": "netinfo.core.redis_cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": timeout, "SOCKET_TIMEOUT": timeout},
        }
    }


class StalledCacheTests(TestCase):
    """A Redis that accepts connections and never answers costs one timeout, not one per call."""

    @classmethod
    def setUpTestData(cls):
        cls.article = make_article("stalled", body="Text before.")

    def test_after_one_timeout_the_cache_is_skipped_and_the_outage_logged_once(self):
        from django.core.cache import caches

        with StalledServer() as redis:
            with self.settings(CACHES=stalled_redis(redis.port)):
                stalled = caches["default"]
                with self.assertLogs("netinfo.core.redis_cache", "WARNING") as logs:
                    for number in range(50):
                        self.assertIsNone(stalled.get(f"key-{number}"))
                        stalled.set(f"key-{number}", "value")
                    self.assertEqual(stalled.get_many(["a", "b"]), {})
                    self.assertEqual(stalled.get_or_set("c", "computed"), "computed")
                self.assertEqual(len(logs.output), 1)
                self.assertIn("unreachable", logs.output[0])
                # One call waited for an answer; the 102 others never asked.
                self.assertLessEqual(redis.connections, 1)

    def test_redis_is_tried_again_after_a_few_seconds(self):
        from django.core.cache import caches

        from netinfo.core import redis_cache

        with StalledServer() as redis, mock.patch.object(redis_cache, "RETRY_AFTER_SECONDS", 0):
            with self.settings(CACHES=stalled_redis(redis.port, timeout=0.1)):
                stalled = caches["default"]
                with self.assertLogs("netinfo.core.redis_cache", "WARNING") as logs:
                    stalled.get("x")
                    stalled.get("y")
                self.assertEqual(len(logs.output), 1)  # still down: not logged again
                self.assertEqual(redis.connections, 2)

    def test_pages_and_edits_work_while_redis_stalls(self):
        with StalledServer() as redis:
            with self.settings(CACHES=stalled_redis(redis.port)):
                with self.assertLogs("netinfo.core.redis_cache", "WARNING"):
                    for _visit in range(10):
                        for url in ["/en/", "/en/articles/stalled/", "/consent/status/"]:
                            self.assertEqual(self.client.get(url).status_code, 200)
                    self.article.body_en = "Text after."
                    self.article.save()
                    self.assertContains(self.client.get("/en/articles/stalled/"), "Text after.")
                self.assertLessEqual(redis.connections, 1)


class PageCacheTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = make_article("cached", body="First text.")

    def test_public_pages_are_shareable_and_answer_304(self):
        response = self.client.get("/en/articles/cached/")
        self.assertIn("public", response["Cache-Control"])
        self.assertIn("max-age=300", response["Cache-Control"])
        self.assertNotIn("Cookie", response.get("Vary", ""))
        self.assertEqual(response.cookies, {})
        etag = response["ETag"]
        again = self.client.get("/en/articles/cached/", headers={"if-none-match": etag})
        self.assertEqual(again.status_code, 304)
        # The page cache keeps the ETag it computed once; hits carry the same one.
        self.assertEqual(self.client.get("/en/articles/cached/")["ETag"], etag)

    def test_second_request_comes_from_the_cache_and_edits_invalidate_it(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.client.get("/en/articles/cached/")
        with CaptureQueriesContext(connection) as context:
            self.assertContains(self.client.get("/en/articles/cached/"), "First text.")
        self.assertEqual(len(context.captured_queries), 0)
        tag = f"article-{self.article.pk}"
        version = tags_version(tag)
        self.article.body_en = "Second text."
        self.article.save()
        self.assertNotEqual(tags_version(tag), version)
        self.assertContains(self.client.get("/en/articles/cached/"), "Second text.")

    def test_only_the_query_parameters_a_page_reads_make_a_cache_entry(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.client.get("/en/articles/cached/")
        with CaptureQueriesContext(connection) as context:
            for number in range(5):
                response = self.client.get(
                    f"/en/articles/cached/?utm_source=campaign-{number}&fbclid={number}"
                )
                self.assertContains(response, "First text.")
                # Not in the page either: the language switcher keeps only real parameters.
                self.assertNotContains(response, "campaign-")
        self.assertEqual(len(context.captured_queries), 0)

        first = self.client.get("/en/search/?q=text&utm_medium=mail")
        self.assertNotContains(first, "utm_medium")
        self.assertContains(first, 'href="/de/search/?q=text"')
        with CaptureQueriesContext(connection) as context:
            self.client.get("/en/search/?utm_medium=other&q=text")
        self.assertEqual(len(context.captured_queries), 0)
        with CaptureQueriesContext(connection) as context:
            self.client.get("/en/search/?q=other")
        self.assertGreater(len(context.captured_queries), 0)

    @skipUnless(os.environ.get("REDIS_URL"), "needs a real Redis server (REDIS_URL)")
    def test_the_cache_is_used_again_once_redis_answers(self):
        from netinfo.core import redis_cache

        breaker = redis_cache.breaker_for(settings.CACHES["default"]["LOCATION"])
        with mock.patch.object(redis_cache, "RETRY_AFTER_SECONDS", 0):
            breaker.failed("get", "a test outage")
            with self.assertLogs("netinfo.core.redis_cache", "WARNING") as logs:
                cache.set("back", "again")
            self.assertIn("answers again", logs.output[0])
        self.assertEqual(cache.get("back"), "again")

    def test_change_log_line_written_after_the_save_reaches_the_cached_page(self):
        # Publishing saves the article first and writes its "What changed" line afterwards
        # (services.log_change); a visit in between must not keep the page without it.
        from netinfo.articles.pages import refresh_page
        from netinfo.articles.services import log_change

        self.article.save()
        self.assertNotContains(self.client.get("/en/articles/cached/"), "Dosing table added.")
        log_change(self.article, None, "clinical", {"en": "Dosing table added."})
        refresh_page(self.article)
        self.assertContains(self.client.get("/en/articles/cached/"), "Dosing table added.")

    def test_page_cached_from_old_content_during_an_edit_is_dropped_when_it_commits(self):
        from netinfo.core.page_cache import page_key

        key = page_key(self.client.get("/en/articles/cached/").wsgi_request)
        _epoch, _versions, old_page = cache.get(key)
        with self.captureOnCommitCallbacks(execute=True):
            self.article.body_en = "Committed text."
            self.article.save()
            # Another visitor, who cannot see the uncommitted edit yet, stores the old page
            # under the version the save has just set.
            epoch = cache.get("netinfo:edit-epoch")
            versions = tag_versions(old_page["Surrogate-Key"].split())
            cache.set(key, (epoch, versions, old_page), 600)
            self.assertContains(self.client.get("/en/articles/cached/"), "First text.")
        self.assertContains(self.client.get("/en/articles/cached/"), "Committed text.")

    def test_a_release_empties_the_page_cache(self):
        from django.core.management import call_command

        self.client.get("/en/articles/cached/")
        version = tags_version(SITE_CHROME)
        call_command("migrate", verbosity=0)
        self.assertNotEqual(tags_version(SITE_CHROME), version)

    def test_languages_are_cached_separately(self):
        make_article(
            "bilingual",
            slug_de="zweisprachig",
            title_de="Zweisprachig",
            summary_de="x",
            body_de="Deutsch.",
        )
        self.assertContains(self.client.get("/en/articles/bilingual/"), '<html lang="en">')
        self.assertContains(self.client.get("/de/articles/zweisprachig/"), '<html lang="de">')
        self.assertContains(self.client.get("/en/articles/bilingual/"), '<html lang="en">')

    def test_staff_and_personal_pages_are_never_cached(self):
        self.client.force_login(make_user("editor", groups=["Editors"]))
        for url in [
            f"/en/preview/articles/{self.article.pk}/",
            "/en/cookies/",
            "/consent/status/",
            "/healthz",
        ]:
            with self.subTest(url):
                self.assertIn("no-store", self.client.get(url)["Cache-Control"])

    def test_directory_edit_through_bulk_action_invalidates(self):
        group = make_group("Before")
        self.client.get("/en/patient-groups/")
        staff = make_user("directory", groups=["Directory staff"])
        self.client.force_login(staff)
        self.client.post(
            "/admin/patient_groups/patientgroup/",
            {"action": "mark_verified_today", "_selected_action": [group.pk]},
        )
        Client().get("/en/patient-groups/")
        group.refresh_from_db()
        self.assertIsNotNone(group.last_verified)


class StaticFileTests(TestCase):
    def test_collectstatic_hashes_and_compresses_for_a_year(self):
        """The production storage, in a separate process (tests otherwise serve unhashed files)."""
        import tempfile

        with tempfile.TemporaryDirectory() as root:
            env = {
                "DJANGO_STATIC_ROOT": root,
                "DJANGO_ALLOWED_HOSTS": "testserver",
                "REDIS_URL": "",
            }
            collect = run_django(
                ["manage.py", "collectstatic", "--noinput", "-v0"], timeout=300, **env
            )
            self.assertEqual(collect.returncode, 0, collect.stderr[-2000:])
            result = run_script(
                "from django.templatetags.static import static; from django.test import Client;"
                "url = static('css/site.css'); r = Client().get(url);"
                "print(url, r.status_code, r['Cache-Control'], r.get('Content-Encoding', ''))",
                **env,
            )
            self.assertEqual(result.returncode, 0, result.stderr[-2000:])
            url, status, cache_control = result.stdout.split(" ", 2)
            self.assertRegex(url, r"^/static/css/site\.[0-9a-f]{12}\.css$")
            self.assertEqual(status, "200")
            self.assertIn("max-age=315360000", cache_control)
            self.assertIn("immutable", cache_control)
            self.assertTrue(any((Path(root) / "css").glob("site.*.css.gz")))


class BudgetTests(TestCase):
    """Page weight budgets from DESIGN.md, measured on real responses and files."""

    def test_article_html_stays_under_60_kb_with_20_citations_and_3_figures(self):
        references = [
            make_reference(f"ref{i}", title="A long study title about neuroendocrine tumours " * 2)
            for i in range(20)
        ]
        paragraphs = "\n\n".join(
            f"## Section {i}\n\n"
            + ("Plain words about this part of the illness. " * 12)
            + f"[@{references[i].key}]"
            for i in range(20)
        )
        article = make_article(
            "heavy", body=paragraphs + "\n\n[[figure:1]]\n\n[[figure:2]]\n\n[[figure:3]]"
        )
        for number in (1, 2, 3):
            make_figure(article, number, caption_en="A caption that says what the picture shows.")
        article.save()
        from netinfo.articles.models import rebuild_citations

        rebuild_citations(article)
        size = len(self.client.get("/en/articles/heavy/").content)
        self.assertLessEqual(size, 60 * 1024, f"article page is {size} bytes")

    def test_css_and_javascript_budgets(self):
        static = BASE_DIR / "static"
        css = sum(p.stat().st_size for p in static.rglob("*.css") if "vendor" not in p.parts)
        js = sum(p.stat().st_size for p in (static / "js").rglob("*.js"))
        self.assertLessEqual(css, 20 * 1024, f"CSS is {css} bytes")
        self.assertLessEqual(js, 10 * 1024, f"JavaScript is {js} bytes")

    def test_no_public_page_references_another_host(self):
        article = make_article("links-only-here")
        group = make_group("Local group", website="https://group.example.org/")
        for url in [
            "/en/",
            article.get_absolute_url(),
            "/en/patient-groups/",
            group.get_absolute_url(),
            "/en/cookies/",
            "/en/search/?q=x",
            "/admin/login/",
        ]:
            with self.subTest(url):
                html = self.client.get(url).content.decode()
                tags = re.findall(r"<(?:script|link|img|iframe|source)\b[^>]*>", html)
                # canonical and alternate links name this site's own pages; they load nothing
                tags = [t for t in tags if not re.search(r'rel="(canonical|alternate)"', t)]
                loaded = [m for t in tags for m in re.findall(r'(?:src|href)="([^"]+)"', t)]
                external = [u for u in loaded if u.startswith(("http:", "https:", "//"))]
                self.assertEqual(external, [], url)


class HealthAndDeployTests(TestCase):
    def test_robots_and_sitemap_are_public(self):
        self.assertEqual(self.client.get(reverse("robots-txt")).status_code, 200)
        self.assertEqual(self.client.get(reverse("sitemap")).status_code, 200)
