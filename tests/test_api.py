"""
The read-only content API for partners: published content only, public fields only, in the
shape its OpenAPI schema promises, cacheable, readable from any origin, without cookies.
"""

import io
import json
from unittest import mock

import yaml
from django.core.management import call_command
from django.test import TestCase
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse
from rest_framework.throttling import AnonRateThrottle

from netinfo.articles import services
from netinfo.articles.models import Article, ChangeLogEntry, Contributor
from tests.factories import (
    make_article,
    make_figure,
    make_group,
    make_reference,
    make_term,
    make_topic,
    make_user,
    refresh,
)

# Fields the admin keeps for editors, and what they hold in these tests: none may reach the API.
INTERNAL_NAMES = {
    "note", "search_text", "search_vector", "content_hashes", "page_parts", "submitted_by",
    "translation_sources", "readability", "verified_by", "status", "username", "password",
    "revision_of", "last_verified", "email_address", "body_text",
}  # fmt: skip
INTERNAL_VALUES = ["Editors only: check the dose", "Call the chair first", "editor-anna"]


def make_content():
    editor = make_user("editor-anna", groups=["Editors"])
    topic = make_topic("treatment", name_en="Treatment", name_de="Behandlung", slug_de="behandlung")
    make_reference("yao2011", doi="10.1056/x", pmid="21306238", note=INTERNAL_VALUES[0])
    make_term("Everolimus", "everolimus", name_de="Everolimus", slug_de="everolimus")
    article = make_article(
        "treatment-options",
        topic=topic,
        title_en="Treatment options",
        body="Intro.\n\n## Surgery\n\nSee [our page](/en/about/) [@yao2011].\n\n"
        "## Medicines\n\nEverolimus helps.\n\n[[figure:1]]",
        slug_de="behandlung",
        title_de="Behandlung",
        summary_de="Kurz.",
        body_de="## Operation\n\nDie Operation hilft [@yao2011].",
        last_reviewed="2026-01-10",
        next_review_due="2029-01-10",
    )
    make_figure(article, 1, alt_en="A scan.", caption_en="Before.")
    reviewer = Contributor.objects.create(
        family_name="Berg", given_names="Ute", credentials_en="MD"
    )
    Article.objects.filter(pk=article.pk).update(medical_reviewer=reviewer, submitted_by=editor)
    ChangeLogEntry.objects.create(
        article=article, kind="clinical", summary_en="First published.", summary_de="Neu."
    )
    article = refresh(Article.objects.get(pk=article.pk))
    make_article("a-draft", published=False, title_en="A draft")
    make_article("old-news", status=Article.Status.ARCHIVED, title_en="Old news")
    services.propose_clinical_change(article, make_user("reviewer-x", groups=["Medical reviewers"]))
    make_group("Netzwerk NeT", country="DE", languages="de en", note=INTERNAL_VALUES[1])
    make_group("Closed group", country="FR", status="closed")
    return article


def walk(data, path=""):
    """Every (path, key, value) in a JSON document."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield path, key, value
            yield from walk(value, f"{path}.{key}")
    elif isinstance(data, list):
        for number, value in enumerate(data):
            yield from walk(value, f"{path}[{number}]")


ENDPOINTS = [
    "/api/v1/articles/",
    "/api/v1/articles/?language=de&ordering=-last_reviewed",
    "/api/v1/articles/?topic=treatment&modified_since=2020-01-01T00:00:00Z",
    "/api/v1/articles/treatment-options/",
    "/api/v1/articles/behandlung/?language=de",
    "/api/v1/topics/?language=de",
    "/api/v1/glossary/",
    "/api/v1/patient-groups/?country=de&language=en",
]


class ApiContentTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = make_content()

    def test_the_schema_generates_without_warnings_and_describes_every_answer(self):
        out = io.StringIO()
        call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
        openapi = OpenAPI.from_dict(yaml.safe_load(out.getvalue()))
        for url in ENDPOINTS + ["/api/v1/articles/?language=xx", "/api/v1/articles/nope/"]:
            with self.subTest(url):
                response = self.client.get(url)
                self.assertIn(response.status_code, (200, 400, 404))
                if response.status_code == 200:
                    openapi.validate_response(
                        DjangoOpenAPIRequest(response.wsgi_request),
                        DjangoOpenAPIResponse(response),
                    )
        self.assertEqual(self.client.get("/api/v1/schema/").status_code, 200)
        self.assertContains(self.client.get("/api/v1/docs/"), "swagger-ui")

    def test_only_published_content(self):
        listed = [a["slug"] for a in self.client.get("/api/v1/articles/").json()["results"]]
        self.assertEqual(listed, ["treatment-options"])  # no draft, working copy or archive
        for slug in ("a-draft", "old-news"):
            self.assertEqual(self.client.get(f"/api/v1/articles/{slug}/").status_code, 404)
        copy = Article.objects.get(revision_of=self.article)
        self.assertEqual(self.client.get(f"/api/v1/articles/{copy.slug_en}/").status_code, 404)
        groups = self.client.get("/api/v1/patient-groups/").json()["results"]
        self.assertEqual([g["name"] for g in groups], ["Netzwerk NeT"])

    def test_no_internal_field_anywhere(self):
        for url in ENDPOINTS:
            with self.subTest(url):
                data = self.client.get(url).json()
                self.assertEqual(
                    [f"{path}.{key}" for path, key, _v in walk(data) if key in INTERNAL_NAMES], []
                )
                text = json.dumps(data)
                for value in INTERNAL_VALUES:
                    self.assertNotIn(value, text)

    def test_an_article_as_its_page_shows_it(self):
        data = self.client.get("/api/v1/articles/treatment-options/").json()
        self.assertEqual(data["title"], "Treatment options")
        self.assertEqual(data["last_reviewed"], "2026-01-10")
        self.assertEqual(data["review_due"], "2029-01-10")
        self.assertEqual(data["medical_reviewer"], {"name": "Ute Berg", "credentials": "MD"})
        self.assertEqual([s["headline"] for s in data["sections"]], ["", "Surgery", "Medicines"])
        self.assertIn('href="http://testserver/en/about/"', data["body"])  # absolute links
        self.assertEqual(data["references"][0]["number"], 1)
        self.assertEqual(data["references"][0]["doi"], "10.1056/x")
        self.assertTrue(data["figures"][0]["image"].startswith("http://testserver/media/"))
        self.assertEqual(data["figures"][0]["alt"], "A scan.")
        self.assertEqual(data["changes"][0]["summary"], "First published.")
        self.assertEqual(
            data["translations"],
            {
                "en": "http://testserver/en/articles/treatment-options/",
                "de": "http://testserver/de/articles/behandlung/",
            },
        )
        self.assertEqual(data["licence"]["name"], "CC BY-NC-ND 4.0")
        german = self.client.get("/api/v1/articles/treatment-options/?language=de").json()
        self.assertEqual((german["title"], german["changes"][0]["summary"]), ("Behandlung", "Neu."))
        self.assertEqual(german["sections"][0]["headline"], "Operation")

    def test_clear_errors_as_json(self):
        response = self.client.get("/api/v1/articles/?language=xx")
        self.assertEqual(response.status_code, 400)
        self.assertIn("Unknown language", response.json()["language"])
        response = self.client.get("/api/v1/articles/?ordering=title")
        self.assertEqual(response.status_code, 400)
        self.assertIn("ordering", response.json())
        self.assertEqual(self.client.get("/api/v1/articles/nope/").json(), {"detail": "Not found."})
        self.assertIn("no-cache", self.client.get("/api/v1/articles/nope/")["Cache-Control"])

    def test_cacheable_readable_from_anywhere_without_cookies(self):
        response = self.client.get(
            "/api/v1/articles/", headers={"origin": "https://partner.example"}
        )
        self.assertIn("public", response["Cache-Control"])
        self.assertEqual(response["Access-Control-Allow-Origin"], "*")
        self.assertNotIn("Access-Control-Allow-Credentials", response)
        self.assertEqual(response.cookies, {})
        again = self.client.get("/api/v1/articles/", headers={"if-none-match": response["ETag"]})
        self.assertEqual(again.status_code, 304)
        preflight = self.client.options(
            "/api/v1/articles/",
            headers={"origin": "https://partner.example", "access-control-request-method": "GET"},
        )
        self.assertEqual(preflight["Access-Control-Allow-Origin"], "*")
        # Everything else stays closed to other origins.
        page = self.client.get("/en/", headers={"origin": "https://partner.example"})
        self.assertNotIn("Access-Control-Allow-Origin", page)

    def test_queries_do_not_grow_with_the_page(self):
        for number in range(5):
            make_article(f"more-{number}", topic=self.article.topic)
            make_term(f"Term {number}", f"term-{number}")
            make_group(f"Group {number}", country="AT")
        for url, queries in [
            ("/api/v1/articles/", 2),
            ("/api/v1/topics/", 2),
            ("/api/v1/glossary/", 3),
            ("/api/v1/patient-groups/", 2),
        ]:
            with self.subTest(url), self.assertNumQueries(queries):
                self.assertEqual(self.client.get(url).status_code, 200)
        with self.assertNumQueries(4):  # the article (authors in it), changes, citations, figures
            self.client.get("/api/v1/articles/treatment-options/")


class ApiRateLimitTests(TestCase):
    # DRF reads the rates into the class when it is imported; a lower one for this test.
    @mock.patch.object(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/hour"})
    def test_one_address_is_slowed_down_politely(self):
        for _number in range(3):
            self.assertEqual(self.client.get("/api/v1/topics/").status_code, 200)
        response = self.client.get("/api/v1/topics/")
        self.assertEqual(response.status_code, 429)
        self.assertIn("Retry-After", response)
        self.assertIn("throttled", response.json()["detail"])
        self.assertEqual(response.cookies, {})
        other = self.client.get("/api/v1/topics/", REMOTE_ADDR="10.0.0.9")
        self.assertEqual(other.status_code, 200)
