"""
Embeds: an article for partners' <iframe>s, framable by any site while every other page
refuses to be framed, attributed, uncookied, not indexed; and the box that offers the code.
"""

from django.test import TestCase

from netinfo.articles.models import Article
from tests.factories import make_article, make_reference, make_reviewer


def frame_ancestors(response):
    policy = response["Content-Security-Policy"]
    return next(p.strip() for p in policy.split(";") if p.strip().startswith("frame-ancestors"))


class EmbedTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_reviewer()
        make_reference("yao2011")
        cls.article = make_article(
            "fatigue",
            title_en="Fatigue and NETs",
            body="## Rest\n\nTiredness is common [@yao2011].",
            slug_de="muedigkeit",
            title_de="Müdigkeit",
            summary_de="Kurz.",
            body_de="## Ruhe\n\nMüdigkeit ist häufig.",
            last_reviewed="2026-03-01",
            next_review_due="2029-03-01",
        )
        make_article("a-draft", published=False)

    def test_framable_by_any_site_attributed_and_not_indexed(self):
        response = self.client.get("/en/embed/articles/fatigue/")
        self.assertEqual(frame_ancestors(response), "frame-ancestors *")
        self.assertNotIn("X-Frame-Options", response)
        self.assertEqual(response.cookies, {})
        self.assertIn("public", response["Cache-Control"])
        html = response.content.decode()
        self.assertIn('<link rel="canonical" href="http://testserver/en/articles/fatigue/">', html)
        self.assertIn('<meta name="robots" content="noindex">', html)
        self.assertIn("Tiredness is common", html)
        self.assertIn("Last reviewed", html)
        self.assertIn('From <a href="http://testserver/en/articles/fatigue/">NET Info</a>', html)
        self.assertIn("CC BY-NC-ND 4.0", html)
        # Links leave the frame, but not a jump to a reference and back.
        self.assertIn('<base target="_blank">', html)
        self.assertRegex(html, r'<a target="_self" href="#ref-1"')
        self.assertRegex(html, r'<a target="_self" href="#cite-1')
        for absent in ("site-header", "consent", "<script", "site-footer"):
            self.assertNotIn(absent, html)
        # Cached, it stays framable.
        again = self.client.get("/en/embed/articles/fatigue/")
        self.assertEqual(frame_ancestors(again), "frame-ancestors *")

    def test_every_other_page_still_refuses_frames(self):
        for url in ("/en/", "/en/articles/fatigue/", "/en/about/", "/en/glossary/"):
            with self.subTest(url):
                response = self.client.get(url)
                self.assertEqual(frame_ancestors(response), "frame-ancestors 'none'")
                self.assertEqual(response["X-Frame-Options"], "DENY")

    def test_in_german_and_only_for_published_articles(self):
        response = self.client.get("/de/embed/articles/muedigkeit/")
        self.assertContains(response, "Müdigkeit ist häufig.")
        self.assertContains(response, '<html lang="de">')
        self.assertRedirects(
            self.client.get("/de/embed/articles/fatigue/"),
            "/de/embed/articles/muedigkeit/",
            status_code=301,
        )
        self.assertEqual(self.client.get("/en/embed/articles/a-draft/").status_code, 404)
        Article.objects.filter(pk=self.article.pk).update(status=Article.Status.ARCHIVED)
        self.assertEqual(self.client.get("/en/embed/articles/fatigue/").status_code, 404)

    def test_each_article_offers_the_code_and_the_api_address(self):
        html = self.client.get("/en/articles/fatigue/").content.decode()
        self.assertIn("Show this page on your website", html)
        self.assertIn('&lt;iframe src="http://testserver/en/embed/articles/fatigue/"', html)
        self.assertIn("http://testserver/api/v1/articles/fatigue/?language=en", html)
        self.assertIn('data-copy="embed-code"', html)
        about = self.client.get("/en/about/").content.decode()
        self.assertIn('href="https://creativecommons.org/licenses/by-nc-nd/4.0/"', about)
