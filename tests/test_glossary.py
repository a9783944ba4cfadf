"""
The glossary: terms explained where an article first uses them (marked when it is rendered),
an A-Z page and a page per term in each language, in the sitemap and in the search.
"""

import json
import re

from django.test import TestCase

from netinfo.articles import services
from netinfo.articles.models import Article, Term, TermUse
from netinfo.articles.rendering import render_article_body
from tests.factories import make_article, make_reference, make_term, refresh


def marked(html):
    """The words an article's HTML marks as glossary terms, in order."""
    return re.findall(r'class="term__link" href="[^"]*">([^<]*)</a>', html)


class MarkingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.ssa = make_term(
            "Somatostatin analogue",
            "somatostatin-analogue",
            forms_en=["somatostatin analogues", "SSA"],
            name_de="Somatostatin-Analogon",
            slug_de="somatostatin-analogon",
            forms_de=["Somatostatin-Analoga", "Somatostatinanaloga"],
        )
        cls.somatostatin = make_term(
            "Somatostatin", "somatostatin", name_de="Somatostatin", slug_de="somatostatin"
        )
        cls.imaging = make_term("Somatostatin receptor imaging", "somatostatin-receptor-imaging")
        make_reference("rindi2022")

    def render(self, source, language="en"):
        return render_article_body(source, language, glossary=Term.objects.glossary(language))

    def test_first_use_only_longest_match_first_capitals_aside(self):
        body = self.render(
            "Somatostatin receptor imaging finds NETs. SOMATOSTATIN ANALOGUES ease symptoms. "
            "A somatostatin analogue is a medicine; somatostatin is a hormone, and so is "
            "somatostatin."
        )
        self.assertEqual(
            marked(body.html),
            ["Somatostatin receptor imaging", "SOMATOSTATIN ANALOGUES", "somatostatin"],
        )
        self.assertEqual(body.terms, [self.imaging.pk, self.ssa.pk, self.somatostatin.pk])

    def test_never_in_headings_links_code_or_citations(self):
        body = self.render(
            "## Somatostatin\n\n"
            "[Somatostatin explained](https://example.org/) and `somatostatin` in code "
            "[@rindi2022].\n\n"
            "Then somatostatin in the text."
        )
        self.assertEqual(marked(body.html), ["somatostatin"])
        self.assertIn('<h2 id="section-somatostatin">Somatostatin</h2>', body.html)
        self.assertIn("<code>somatostatin</code>", body.html)
        self.assertEqual(body.html.count("term__link"), 1)
        # The plain text (search index) holds the article's words, not the definitions.
        self.assertNotIn("plain words", body.text)
        self.assertNotIn("What does", body.text)

    def test_german_inflections_come_from_the_other_forms(self):
        body = self.render("Man gibt Somatostatinanaloga als Spritze.", "de")
        self.assertEqual(marked(body.html), ["Somatostatinanaloga"])
        self.assertIn('href="/de/glossary/somatostatin-analogon/"', body.html)
        self.assertIn(
            "Somatostatin-Analogon</strong> Was Somatostatin-Analogon bedeutet.", body.html
        )

    def test_the_markup_works_without_script(self):
        html = self.render("An SSA helps.").html
        self.assertIn(
            f'<button class="term__toggle" popovertarget="term-{self.ssa.pk}" type="button">'
            '<span aria-hidden="true">?</span><span class="visually-hidden">What does '
            "“Somatostatin analogue” mean?</span></button>",
            html,
        )
        self.assertIn(f'<span class="term__popover" id="term-{self.ssa.pk}" popover="">', html)
        # The popover shows the definition's first paragraph only, and where to read more.
        self.assertIn("in plain words. <a", html)
        self.assertNotIn("More detail", html)

    def test_editors_can_switch_it_off_per_article(self):
        article = make_article("quiet", body="An SSA helps.")
        self.assertEqual(marked(article.body_html_en), ["SSA"])
        article.link_terms = False
        refresh(article)
        self.assertEqual(marked(article.body_html_en), [])
        self.assertFalse(TermUse.objects.filter(article=article).exists())

    def test_a_changed_term_renders_the_articles_that_use_it_again(self):
        using = make_article("using", body="An SSA helps.")
        other = make_article("other", body="Octreotide is given monthly.")
        self.assertEqual(
            list(TermUse.objects.values_list("article__slug_en", "term")), [("using", self.ssa.pk)]
        )
        # A new form: an article that did not use the term now does.
        self.ssa.other_forms_en += "\noctreotide"
        self.ssa.name_en = "Somatostatin analogue (SSA)"
        services.save_term(self.ssa)
        using.refresh_from_db()
        other.refresh_from_db()
        self.assertIn("Somatostatin analogue (SSA)</strong>", using.body_html_en)
        self.assertEqual(marked(other.body_html_en), ["Octreotide"])


class GlossaryPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.ssa = make_term(
            "Somatostatin analogue",
            "somatostatin-analogue",
            forms_en=["SSA"],
            name_de="Somatostatin-Analogon",
            slug_de="somatostatin-analogon",
            pronunciation_en="so-ma-to-STAT-in",
        )
        cls.ki67 = make_term("Ki-67", "ki-67", name_de="Ki-67", slug_de="ki-67")
        cls.ssa.related_terms.add(cls.ki67)
        cls.english_only = make_term("Biopsy", "biopsy")
        cls.article = make_article("treatment", title_en="Treatment", body="An SSA helps.")

    def test_terms_that_begin_with_a_number_can_be_jumped_to(self):
        make_term("5-HIAA", "5-hiaa")
        html = self.client.get("/en/glossary/").content.decode()
        self.assertIn('<li><a href="#letter-5">5</a></li>', html)
        self.assertLess(html.index("#letter-5"), html.index("#letter-B"))
        self.assertIn('id="letter-5"', html)

    def test_a_changed_term_reaches_the_cached_pages(self):
        self.assertContains(self.client.get("/en/glossary/biopsy/"), "What Biopsy means")
        self.assertContains(self.client.get("/en/glossary/"), "What Biopsy means")
        self.english_only.definition_en = "Taking a small piece of tissue to look at it."
        services.save_term(self.english_only)
        self.assertContains(self.client.get("/en/glossary/biopsy/"), "small piece of tissue")
        self.assertContains(self.client.get("/en/glossary/"), "small piece of tissue")
        self.english_only.related_terms.add(self.ki67)
        related = '<a href="/en/glossary/ki-67/">Ki-67</a>'
        self.assertContains(self.client.get("/en/glossary/biopsy/"), related)

    def test_a_to_z_in_each_language(self):
        html = self.client.get("/en/glossary/").content.decode()
        self.assertIn('<a href="#letter-S">S</a>', html)
        self.assertIn('<span aria-hidden="true">Q</span>', html)  # no term under Q
        self.assertLess(html.index("Biopsy"), html.index("Ki-67"))
        self.assertIn("so-ma-to-STAT-in", html)
        self.assertIn('Used in: <a href="/en/articles/treatment/">Treatment</a>', html)
        self.assertIn('Related: <a href="/en/glossary/ki-67/">Ki-67</a>', html)
        german = self.client.get("/de/glossary/").content.decode()
        self.assertIn("Somatostatin-Analogon", german)
        self.assertIn('lang="en">Biopsy</a>', german)  # not yet translated: marked English

    def test_a_page_per_term_with_defined_term_data(self):
        response = self.client.get("/de/glossary/somatostatin-analogon/")
        self.assertContains(response, "<h1>Somatostatin-Analogon</h1>")
        data = json.loads(
            response.content.decode()
            .split('<script type="application/ld+json">')[1]
            .split("</script>")[0]
        )
        self.assertEqual(data["@type"], "DefinedTerm")
        self.assertEqual(data["inDefinedTermSet"]["@type"], "DefinedTermSet")
        self.assertEqual(data["inDefinedTermSet"]["url"], "http://testserver/de/glossary/")
        self.assertRedirects(
            self.client.get("/de/glossary/somatostatin-analogue/"),
            "/de/glossary/somatostatin-analogon/",
            status_code=301,
        )
        self.assertEqual(self.client.get("/en/glossary/no-such-word/").status_code, 404)

    def test_in_the_sitemap_with_each_language(self):
        xml = self.client.get("/sitemap.xml").content.decode()
        self.assertIn("<loc>http://testserver/en/glossary/somatostatin-analogue/</loc>", xml)
        self.assertIn(
            'hreflang="de" href="http://testserver/de/glossary/somatostatin-analogon/"', xml
        )
        self.assertIn("<loc>http://testserver/de/glossary/</loc>", xml)

    def test_the_search_finds_terms(self):
        response = self.client.get("/en/search/", {"q": "SSA"})
        self.assertContains(response, "In the glossary (1)")
        self.assertContains(response, 'href="/en/glossary/somatostatin-analogue/"')

    def test_article_page_queries_stay(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as context:
            self.client.get("/en/articles/treatment/")
        self.assertLessEqual(len(context.captured_queries), 6)
        self.assertTrue(Article.objects.filter(term_uses__term=self.ssa).exists())
