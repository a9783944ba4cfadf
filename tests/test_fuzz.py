"""No input gets a 500: random query parameters and slugs for every public URL, and random text
for the Markdown renderer and the citation parser (the importers have their own fuzz tests)."""

from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.extra.django import TestCase

from netinfo.articles.rendering import render_article_body
from references.citations import citation_problems, find_citations
from tests.factories import make_article, make_group

ALLOWED = {200, 301, 302, 400, 404}
TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=300
) | st.sampled_from(
    ["", " ", "\x00", "a" * 5000, "%", "../../etc/passwd", "1e999", "-1", "🙂" * 50]
)
PUBLIC = [
    ("/en/search/", ["q"]),
    ("/de/search/", ["q"]),
    ("/en/patient-groups/", ["region", "country", "language", "q", "page"]),
    ("/de/patient-groups.json", ["region", "country", "language", "q"]),
    ("/en/", ["q"]),
    ("/en/cookies/", ["saved", "next"]),
    ("/sitemap.xml", ["p", "section"]),
]
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class PublicUrlFuzzTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_article("fuzzed", body="Text.")
        make_group("Fuzzed group")

    @FUZZ
    @given(values=st.lists(TEXT, min_size=7, max_size=7), which=st.integers(0, len(PUBLIC) - 1))
    def test_query_parameters(self, values, which):
        url, names = PUBLIC[which]
        params = dict(zip(names, values, strict=False))
        response = self.client.get(url, params)
        self.assertIn(response.status_code, ALLOWED, (url, params))

    @FUZZ
    @given(
        slug=TEXT,
        prefix=st.sampled_from(
            [
                "/en/articles/",
                "/de/topics/",
                "/en/patient-groups/",
                "/en/articles/fuzzed/references.",
                "/de/preview/articles/",
                "/media/",
                "/",
            ]
        ),
    )
    def test_path_slugs(self, slug, prefix):
        from urllib.parse import quote

        response = self.client.get(
            prefix + quote(slug, safe="") + ("/" if "references." not in prefix else "")
        )
        self.assertIn(response.status_code, ALLOWED | {403}, prefix + slug[:50])


class RendererFuzzTests(TestCase):
    @FUZZ
    @given(TEXT | st.text(alphabet="[]@;,.#*_-|>\n `!()0123456789abc:/<", max_size=400))
    def test_markdown_renderer(self, text):
        result = render_article_body(text, "en")
        self.assertNotIn("<script", result.html)

    @FUZZ
    @given(st.text(alphabet="[]@;, p.-abc123:/\\\n", max_size=200))
    def test_citation_parser(self, text):
        find_citations(text)
        for problem in citation_problems(text, known={}):
            self.assertIsInstance(problem, str)
