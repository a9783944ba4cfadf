"""The site shell: languages, home page, health check, error pages."""

import json
from unittest import mock

from django.db import OperationalError
from django.template import engines
from django.template.loader import render_to_string
from django.test import RequestFactory, SimpleTestCase, TestCase
from django.utils import translation
from django.views.defaults import server_error

from netinfo.core.templatetags import site_tags
from tests.subprocesses import REFUSED_DATABASE, run_script


class HealthCheckTests(TestCase):
    def test_ok_with_database(self):
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"status": "ok", "database": "ok"})
        self.assertIn("no-cache", response["Cache-Control"])

    def test_503_when_the_database_fails(self):
        with mock.patch(
            "netinfo.core.views.connection.cursor", side_effect=OperationalError("down")
        ):
            response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json()["database"], "unavailable")


def test_healthz_reports_a_database_that_refuses_connections():
    """A real, unreachable PostgreSQL server gives 503, not a crash."""
    result = run_script(
        "from django.test import Client\n"
        "r = Client().get('/healthz')\n"
        "print(r.status_code, r.content.decode())",
        DATABASE_URL=REFUSED_DATABASE,
        DJANGO_ALLOWED_HOSTS="testserver",
    )
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().split(" ", 1)
    assert status == "503"
    assert json.loads(body) == {
        "status": "error",
        "database": "unavailable",
        "error": "OperationalError",
    }


class LanguageTests(TestCase):
    def test_home_in_each_language(self):
        for code, heading in [("en", "Information about"), ("de", "Informationen über")]:
            with self.subTest(code):
                response = self.client.get(f"/{code}/")
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, f'<html lang="{code}">')
                self.assertContains(response, heading)

    def test_switcher_links_to_the_same_page_in_the_other_language(self):
        response = self.client.get("/en/about/")
        self.assertContains(response, 'href="/de/about/" lang="de" hreflang="de"')
        self.assertContains(response, 'href="/en/about/" lang="en" hreflang="en" aria-current')
        response = self.client.get("/de/about/")
        self.assertContains(response, 'href="/en/about/" lang="en" hreflang="en"')

    def test_switcher_keeps_the_rest_of_the_address(self):
        response = self.client.get("/en/patient-groups/", {"country": "DE", "q": "a&b"})
        self.assertContains(
            response, 'href="/de/patient-groups/?country=DE&amp;q=a%26b" lang="de" hreflang="de"'
        )
        # A page outside the language prefixes (a missing one) offers each language's home.
        response = self.client.get("/no-such-page", headers={"accept-language": "de"})
        self.assertContains(response, 'href="/en/" lang="en" hreflang="en"', status_code=404)
        self.assertContains(
            response, 'href="/de/" lang="de" hreflang="de" aria-current="true"', status_code=404
        )

    def test_root_redirects_by_accept_language(self):
        response = self.client.get("/", headers={"accept-language": "de-DE,de;q=0.9"})
        self.assertRedirects(response, "/de/", fetch_redirect_response=False)
        response = self.client.get("/", headers={"accept-language": "fr-FR,en;q=0.5"})
        self.assertRedirects(response, "/en/", fetch_redirect_response=False)
        response = self.client.get("/", headers={"accept-language": "ja"})
        self.assertRedirects(response, "/en/", fetch_redirect_response=False)

    def test_page_shell_is_accessible_markup(self):
        response = self.client.get("/en/")
        self.assertContains(response, '<a class="skip-link" href="#main-content">')
        self.assertContains(response, '<main id="main-content"')
        self.assertContains(response, 'href="/en/cookies/"')
        self.assertNotContains(response, "<script>")
        self.assertNotContains(response, "style=")


class ErrorPageTests(TestCase):
    def test_404_is_styled_and_translated(self):
        response = self.client.get("/de/no-such-page/")
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "Seite nicht gefunden", status_code=404)
        self.assertContains(response, '<html lang="de">', status_code=404)

    def test_404_offers_a_search_for_the_words_of_the_address(self):
        cases = {
            "/en/articles/carcinoid-syndrom/": "carcinoid syndrom",
            "/de/articles/bauchspeicheldrüse_tumor/": "bauchspeicheldrüse tumor",
            "/en/wp-login.php": "wp login",
            "/en/%3Cscript%3Ealert(1)%3C/script%3E/": "script",
            "/en/articles/%22onmouseover%3Dalert(1)/": "onmouseover alert 1",
            "/xx/": "xx",
        }
        for path, query in cases.items():
            with self.subTest(path):
                response = self.client.get(path)
                self.assertContains(
                    response, f'name="q" value="{query}"', status_code=404, html=False
                )
                self.assertNotContains(response, "<script>alert", status_code=404)
        response = self.client.get("/en/no/such/page/", {"q": "ignored"})
        self.assertContains(response, 'name="q" value="page"', status_code=404)


class ServerErrorPageTests(SimpleTestCase):
    """SimpleTestCase refuses any database query, so this proves the 500 page needs none."""

    def test_500_renders_without_database_or_context(self):
        request = RequestFactory().get("/en/")
        with translation.override("de"):
            response = server_error(request)
        self.assertEqual(response.status_code, 500)
        html = response.content.decode()
        self.assertIn('<html lang="de">', html)
        self.assertIn("Etwas ist schiefgelaufen", html)
        self.assertIn("/static/css/site.css", html)


class SiteFragmentTests(SimpleTestCase):
    """Parts of the page that are the same on every page of a language, rendered once."""

    def setUp(self):
        site_tags.FRAGMENTS.clear()
        self.addCleanup(site_tags.FRAGMENTS.clear)

    def render(self, context=None):
        template = engines["django"].from_string(
            '{% load site_tags %}{% site_fragment "includes/_footer.html" %}'
        )
        return template.render(context or {})

    def test_rendered_once_per_language(self):
        with mock.patch(
            "netinfo.core.templatetags.site_tags.render_to_string", wraps=render_to_string
        ) as rendered:
            english = [self.render() for _ in range(3)]
            with translation.override("de"):
                german = [self.render() for _ in range(3)]
        self.assertEqual(rendered.call_count, 2)
        self.assertEqual(len(set(english)), 1)
        self.assertEqual(len(set(german)), 1)
        self.assertIn('href="/en/about/">About this site<', english[0])
        self.assertIn('href="/de/about/">Über diese Website<', german[0])

    def test_sees_the_site_settings_only_never_the_page(self):
        with self.settings(CONTACT_EMAIL="help@netinfo.example"):
            html = self.render({"contact_email": "<script>x</script>", "site_name": "Other"})
        self.assertIn('href="mailto:help@netinfo.example"', html)
        self.assertNotIn("script", html)
        self.assertNotIn("Other", html)
        # A changed setting is a different fragment, not the one rendered before.
        with self.settings(CONTACT_EMAIL="desk@netinfo.example"):
            self.assertIn("mailto:desk@netinfo.example", self.render())

    def test_rendered_afresh_with_debug(self):
        with (
            self.settings(DEBUG=True),
            mock.patch(
                "netinfo.core.templatetags.site_tags.render_to_string", wraps=render_to_string
            ) as rendered,
        ):
            self.render()
            self.render()
        self.assertEqual(rendered.call_count, 2)
        self.assertEqual(site_tags.FRAGMENTS, {})
