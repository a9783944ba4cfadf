"""Citations in article text: parsing, numbering, collapsing and the reference list."""

from django.test import SimpleTestCase, TestCase

from netinfo.articles.rendering import render_article_body
from references.citations import (
    CitationItem,
    citation_problems,
    collapsed_text,
    find_citations,
    parse_cluster,
)
from tests.factories import make_article, make_reference


class ParsingTests(SimpleTestCase):
    def test_clusters(self):
        self.assertEqual(parse_cluster("@oronsky2017"), [CitationItem("oronsky2017")])
        self.assertEqual(
            parse_cluster("@oronsky2017; @Pape2000"),
            [CitationItem("oronsky2017"), CitationItem("pape2000")],
        )
        self.assertEqual(
            parse_cluster("@papotti2002, p. 463"), [CitationItem("papotti2002", "p. 463")]
        )
        self.assertEqual(parse_cluster("@pmid:29091800"), [CitationItem("pmid:29091800")])
        self.assertEqual(
            parse_cluster("@doi:10.1016/j.neo.2017.09.002"),
            [CitationItem("doi:10.1016/j.neo.2017.09.002")],
        )

    def test_malformed_clusters(self):
        for body in ["@a @b", "@", "@a;", "@a, ", "@a; b", "@me@example.org", "@-x"]:
            with self.subTest(body):
                self.assertIsNone(parse_cluster(body))

    def test_what_is_not_a_citation(self):
        text = (
            "Mail me@example.org or [write to me@example.org]. A [plain bracket], a "
            "[link](https://x.org/) and an escaped \\[@key]. Also [see](@x)."
        )
        found = [(source, items) for _line, source, items in find_citations(text)]
        self.assertEqual(found, [])
        html = render_article_body(text, "en").html
        self.assertIn("[@key]", html)  # the escape keeps it literal on the page
        self.assertIn("me@example.org", html)
        self.assertIn("[plain bracket]", html)

    def test_problems_name_the_line(self):
        problems = citation_problems("ok\n\nBad [@a @b] here.\n\n[see @x]", known={})
        self.assertEqual(len(problems), 2)
        self.assertIn("Malformed citation [@a @b] (line 3)", problems[0])
        self.assertIn("Malformed citation [see @x] (line 5)", problems[1])

    def test_collapsing(self):
        self.assertEqual(collapsed_text([1, 2, 3, 5]), "1\u20133,5")
        self.assertEqual(collapsed_text([2, 1]), "1,2")
        self.assertEqual(collapsed_text([7, 1, 2, 3, 4, 9, 10, 11]), "1\u20134,7,9\u201311")


class NumberingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.a = make_reference("a", pmid="11111111")
        cls.b = make_reference("b")
        cls.c = make_reference("c")
        cls.d = make_reference("d")

    def test_numbers_by_first_appearance_and_one_number_per_reference(self):
        result = render_article_body(
            "First [@b]. Then [@a]. Again [@b]. Alias [@pmid:11111111]. All [@c; @b; @a]. "
            "With page [@d, p. 5].",
            "en",
        )
        pks = {self.a.pk: "a", self.b.pk: "b", self.c.pk: "c", self.d.pk: "d"}
        self.assertEqual(
            [(pks[pk], number, count) for pk, number, count in result.citations],
            [("b", 1, 3), ("a", 2, 3), ("c", 3, 1), ("d", 4, 1)],
        )
        html = result.html
        self.assertIn('<a href="#ref-1" id="cite-1-1" role="doc-noteref">', html)
        self.assertIn('id="cite-2-2"', html)  # the alias counts as a second citation of "a"
        # [@c; @b; @a] -> 1–3, with an anchor for the hidden middle number.
        self.assertRegex(
            html, r'id="cite-1-3".*?</a><span id="cite-2-3"></span>\u2013<a href="#ref-3"'
        )
        self.assertIn("4</a> (p. 5)</sup>", html)
        self.assertIn('<span class="visually-hidden">Reference </span>1', html)

    def test_german_label(self):
        html = render_article_body("Text [@a].", "de").html
        self.assertIn('<span class="visually-hidden">Quelle </span>1', html)

    def test_reference_list_with_back_links_and_identifier_links(self):
        make_reference(
            "linked", doi="10.1016/j.neo.2017.09.002", pmid="29091800", pmcid="PMC5678742"
        )
        make_article("listing", body="One [@linked]. Two [@b]. Three [@linked].")
        response = self.client.get("/en/articles/listing/")
        self.assertContains(response, '<li id="ref-1">')
        self.assertContains(response, 'href="https://doi.org/10.1016/j.neo.2017.09.002"')
        self.assertContains(response, 'href="https://pubmed.ncbi.nlm.nih.gov/29091800/"')
        self.assertContains(response, 'href="https://pmc.ncbi.nlm.nih.gov/articles/PMC5678742/"')
        self.assertContains(response, 'href="#cite-1-1"')
        self.assertContains(response, 'href="#cite-1-2"')
        # Back-links that say where they lead: one per place the source is cited.
        self.assertContains(
            response,
            '<span aria-hidden="true">↑ </span>Back to the text: <span class="reference-list__place">'
            '<a href="#cite-1-1" aria-label="1st mention of source 1 in the text">1st</a>,</span> '
            '<span class="reference-list__place"><a href="#cite-1-2" '
            'aria-label="2nd mention of source 1 in the text">2nd</a></span> mention',
        )
        self.assertContains(
            response,
            '<a href="#cite-2-1" aria-label="Back to the text where source 2 is cited">'
            '<span aria-hidden="true">↑ </span>Back to the text</a>',
        )
        # The number never starts a line of its own: the space before it does not break.
        self.assertContains(response, 'One\u202f<sup class="citation">')

    def test_reference_list_in_german(self):
        make_reference("pmc", pmid="29091800", pmcid="PMC5678742")
        make_reference("page", type="webpage", url='https://example.org/a?b=1&c="2"')
        make_article(
            "german-list",
            body="One [@pmc].",
            title_de="Deutsche Liste",
            slug_de="deutsche-liste",
            summary_de="Zusammenfassung.",
            body_de="Eins [@pmc]. Zwei [@page]. Drei [@pmc].",
        )
        response = self.client.get("/de/articles/deutsche-liste/")
        self.assertContains(response, ">Volltext frei verfügbar (PMC)</a>")
        self.assertContains(
            response,
            '<a href="https://example.org/a?b=1&amp;c=&quot;2&quot;" rel="noopener">Webseite</a>',
        )
        self.assertContains(
            response,
            'Zurück zum Text: <span class="reference-list__place"><a href="#cite-1-1" '
            'aria-label="1. Erwähnung von Quelle 1 im Text">1.</a>,</span> '
            '<span class="reference-list__place"><a href="#cite-1-2" '
            'aria-label="2. Erwähnung von Quelle 1 im Text">2.</a></span> Erwähnung',
        )
        self.assertContains(
            response,
            '<a href="#cite-2-1" aria-label="Zurück zum Text, wo Quelle 2 genannt wird">'
            '<span aria-hidden="true">↑ </span>Zurück zum Text</a>',
        )
        # The English page lists only what the English text cites.
        response = self.client.get("/en/articles/german-list/")
        self.assertContains(response, '<li id="ref-1">', count=1)
        self.assertNotContains(response, "example.org")

    def test_reference_text_is_escaped_on_the_page(self):
        make_reference("evil", title="<script>alert(1)</script> & more")
        make_article("escaped", body="See [@evil].")
        response = self.client.get("/en/articles/escaped/")
        self.assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more")
        self.assertNotContains(response, "<script>alert(1)")

    def test_article_reference_downloads(self):
        make_article("downloads", body="See [@a] and [@c].")
        for fmt, marker in [("ris", "TY  - JOUR"), ("bib", "@article{a,"), ("json", '"id": "c"')]:
            with self.subTest(fmt):
                response = self.client.get(f"/en/articles/downloads/references.{fmt}")
                self.assertEqual(response.status_code, 200)
                self.assertIn("attachment;", response["Content-Disposition"])
                self.assertIn(marker, response.content.decode())
        self.assertEqual(self.client.get("/en/articles/downloads/references.exe").status_code, 404)
