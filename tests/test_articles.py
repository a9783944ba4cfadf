"""Disease articles: publishing rules, languages, rendering, structured data, sitemap, search."""

import datetime
import json
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from netinfo.articles import services
from netinfo.articles.models import Article, add_years
from netinfo.articles.rendering import marker_problems, render_article_body
from netinfo.articles.services import ChangeNote
from tests.factories import (
    make_article,
    make_figure,
    make_reference,
    make_reviewer,
    make_superuser,
    make_topic,
    make_user,
    png_bytes,
    refresh,
)

NOW = timezone.now()


class PublishingRulesTests(TestCase):
    """published() compares with now: no cron job is needed for scheduled articles."""

    @classmethod
    def setUpTestData(cls):
        cls.topic = make_topic("rules")
        cls.live = make_article("live", topic=cls.topic)
        cls.draft = make_article("draft", topic=cls.topic, published=False)
        cls.archived = make_article(
            "archived", topic=cls.topic, status=Article.Status.ARCHIVED, published_at=NOW
        )
        cls.future = make_article(
            "future", topic=cls.topic, published_at=NOW + datetime.timedelta(days=2)
        )

    def test_published_queryset(self):
        self.assertEqual(list(Article.objects.published()), [self.live])

    def test_scheduled_article_goes_live_when_its_time_comes(self):
        self.assertEqual(self.client.get("/en/articles/future/").status_code, 404)
        Article.objects.filter(pk=self.future.pk).update(
            published_at=timezone.now() - datetime.timedelta(seconds=1)
        )
        self.assertIn(self.future, Article.objects.published())
        self.assertEqual(self.client.get("/en/articles/future/").status_code, 200)

    def test_unpublished_articles_answer_404(self):
        self.assertEqual(self.client.get("/en/articles/live/").status_code, 200)
        for slug in ("draft", "archived", "future"):
            with self.subTest(slug):
                self.assertEqual(self.client.get(f"/en/articles/{slug}/").status_code, 404)

    def test_publishing_without_a_date_publishes_now(self):
        article = make_article("now", topic=self.topic, published=False)
        article.status = Article.Status.PUBLISHED
        article.save()
        self.assertIsNotNone(article.published_at)
        self.assertIn(article, Article.objects.published())

    def test_next_review_defaults_to_three_years_after_the_last(self):
        article = make_article(
            "reviewed", topic=self.topic, last_reviewed=datetime.date(2024, 2, 29)
        )
        self.assertEqual(article.next_review_due, datetime.date(2027, 2, 28))
        self.assertEqual(add_years(datetime.date(2026, 3, 12), 3), datetime.date(2029, 3, 12))


class LanguageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.topic = make_topic("diagnosis", slug_de="diagnose", name_de="Diagnose")
        cls.both = make_article(
            "what-are-nets",
            topic=cls.topic,
            slug_de="was-sind-net",
            title_de="Was sind NET?",
            summary_de="Kurz erklärt.",
            body_de="Deutscher Text.",
        )
        cls.english_only = make_article("english-only", topic=cls.topic, body="Only English.")

    def test_each_language_has_its_own_slug(self):
        response = self.client.get("/de/articles/was-sind-net/")
        self.assertContains(response, "Deutscher Text.")
        self.assertContains(response, '<html lang="de">')

    def test_slug_from_the_other_language_redirects_permanently(self):
        response = self.client.get("/de/articles/what-are-nets/")
        self.assertRedirects(response, "/de/articles/was-sind-net/", status_code=301)
        response = self.client.get("/en/articles/was-sind-net/")
        self.assertRedirects(response, "/en/articles/what-are-nets/", status_code=301)
        response = self.client.get("/de/topics/diagnosis/")
        self.assertRedirects(response, "/de/topics/diagnose/", status_code=301)

    def test_english_shown_on_german_pages_is_marked_as_english(self):
        """Screen readers read each fallback with an English voice (lang="en")."""
        from netinfo.articles.models import Authorship, ChangeLogEntry, Contributor

        author = Contributor.objects.create(
            family_name="Moreau", given_names="Claire", credentials_en="MD, oncologist"
        )
        reviewer = Contributor.objects.create(
            family_name="Berg", given_names="Jonas", credentials_en="PhD", credentials_de="Dr."
        )
        Authorship.objects.create(article=self.both, contributor=author, order=1)
        self.both.medical_reviewer = reviewer
        self.both.last_reviewed = datetime.date(2026, 1, 10)
        ChangeLogEntry.objects.create(
            article=self.both, kind="editorial", summary_en="Clearer wording."
        )
        ChangeLogEntry.objects.create(
            article=self.both, kind="editorial", summary_en="Typo.", summary_de="Tippfehler."
        )
        self.both.related_articles.add(self.english_only)
        refresh(self.both)
        html = self.client.get("/de/articles/was-sind-net/").content.decode()
        self.assertIn('Claire Moreau, <span lang="en">MD, oncologist</span>', html)
        self.assertIn("Jonas Berg, Dr.", html)  # German credentials: no mark
        self.assertIn('<span lang="en">Clearer wording.</span>', html)
        self.assertIn("<span>Tippfehler.</span>", html)
        self.assertIn('<a href="/de/articles/english-only/" lang="en">English only</a>', html)
        self.assertIn('<p lang="en">Summary of english-only.</p>', html)
        # An untranslated article's own page: its title in the breadcrumbs too.
        html = self.client.get("/de/articles/english-only/").content.decode()
        self.assertIn('<span aria-current="page" lang="en">English only</span>', html)
        self.assertIn('<a href="/de/topics/diagnose/">Diagnose</a>', html)  # translated
        # Lists of articles: the home page and the topic page.
        for address in ["/de/", "/de/topics/diagnose/"]:
            with self.subTest(address):
                html = self.client.get(address).content.decode()
                self.assertIn('lang="en">English only</a>', html)
                self.assertNotIn('lang="en">Was sind NET?</a>', html)
        # English pages mark nothing.
        html = self.client.get("/en/articles/what-are-nets/").content.decode()
        self.assertNotIn('lang="en"', html.split("<main")[1])

    def test_an_address_in_other_capitals_redirects_to_the_canonical_one(self):
        make_article("gep-nets", topic=self.topic, slug_de="gep-net")
        for address, canonical in [
            ("/en/articles/GEP-NETs/", "/en/articles/gep-nets/"),
            ("/en/articles/Gep-Nets/", "/en/articles/gep-nets/"),
            ("/de/articles/GEP-NET/", "/de/articles/gep-net/"),
            ("/de/articles/GEP-NETS/", "/de/articles/gep-net/"),  # the English slug
            ("/en/articles/What-Are-NETs/", "/en/articles/what-are-nets/"),
            ("/en/topics/Diagnosis/", "/en/topics/diagnosis/"),
            ("/de/topics/DIAGNOSE/", "/de/topics/diagnose/"),
        ]:
            with self.subTest(address):
                self.assertRedirects(self.client.get(address), canonical, status_code=301)
        self.assertEqual(self.client.get("/en/articles/gep-nets/").status_code, 200)
        self.assertEqual(self.client.get("/en/articles/GEP-NETX/").status_code, 404)

    def test_a_changed_slug_keeps_its_old_address(self):
        """Links, bookmarks and printed pages name the old address: it leads to the article."""
        editor = make_user("slug-editor", groups=["Editors"])
        article = make_article("carcinoid", topic=self.topic, slug_de="karzinoid")

        def rename(**slugs):
            for name, value in slugs.items():
                setattr(article, name, value)
            note = ChangeNote("editorial", {"en": "New address."})
            services.publish_editorial_fix(article, editor, note=note)

        rename(slug_en="carcinoid-syndrome", slug_de="karzinoid-syndrom")
        for old, new in [
            ("/en/articles/carcinoid/", "/en/articles/carcinoid-syndrome/"),
            ("/de/articles/karzinoid/", "/de/articles/karzinoid-syndrom/"),
            # An old slug of the other language leads to the page in the visitor's language.
            ("/de/articles/carcinoid/", "/de/articles/karzinoid-syndrom/"),
        ]:
            with self.subTest(old):
                self.assertRedirects(self.client.get(old), new, status_code=301)
        # An old address in other capitals too.
        self.assertRedirects(
            self.client.get("/en/articles/Carcinoid/"),
            "/en/articles/carcinoid-syndrome/",
            status_code=301,
        )

        # Renamed again: every old address leads straight to the newest, in one step.
        rename(slug_en="carcinoid-syndrome-explained")
        for old in ["/en/articles/carcinoid/", "/en/articles/carcinoid-syndrome/"]:
            with self.subTest(old):
                self.assertRedirects(
                    self.client.get(old),
                    "/en/articles/carcinoid-syndrome-explained/",
                    status_code=301,
                )

        # Back to its first slug: that address is live again, the others lead to it.
        rename(slug_en="carcinoid")
        self.assertEqual(self.client.get("/en/articles/carcinoid/").status_code, 200)
        self.assertRedirects(
            self.client.get("/en/articles/carcinoid-syndrome-explained/"),
            "/en/articles/carcinoid/",
            status_code=301,
        )
        self.assertEqual(
            sorted(article.former_slugs.values_list("language", "slug")),
            [
                ("de", "karzinoid"),
                ("en", "carcinoid-syndrome"),
                ("en", "carcinoid-syndrome-explained"),
            ],
        )

        # A save that leaves the slug alone records nothing.
        rename(title_en="A new title")
        self.assertEqual(article.former_slugs.count(), 3)

        # A live article that takes over an old slug wins; an unpublished article leads nowhere.
        make_article("carcinoid-syndrome", topic=self.topic, title_en="Another page")
        self.assertContains(self.client.get("/en/articles/carcinoid-syndrome/"), "Another page")
        article.status = Article.Status.DRAFT
        services.withdraw(article, make_reviewer("slug-reviewer"))
        self.assertEqual(self.client.get("/en/articles/karzinoid/").status_code, 404)
        self.assertEqual(self.client.get("/en/articles/never-existed/").status_code, 404)

    def test_switcher_leads_to_the_same_article_in_the_other_language(self):
        response = self.client.get("/en/articles/what-are-nets/")
        self.assertContains(response, 'href="/de/articles/was-sind-net/" lang="de"')

    def test_untranslated_article_shows_english_marked_as_english(self):
        response = self.client.get("/de/articles/english-only/")
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn('<html lang="de">', html)
        self.assertIn('<article class="article" lang="en">', html)
        self.assertIn("Only English.", html)
        self.assertIn("noch nicht in Ihrer Sprache", html)
        self.assertIn('<meta name="robots" content="noindex">', html)

    def test_hreflang_only_for_languages_that_exist(self):
        html = self.client.get("/en/articles/what-are-nets/").content.decode()
        self.assertEqual(
            set(re.findall(r'hreflang="(\w+)" href="http://testserver/(\w+)/', html)),
            {("en", "en"), ("de", "de")},
        )
        html = self.client.get("/en/articles/english-only/").content.decode()
        self.assertEqual(re.findall(r'<link rel="alternate" hreflang="(\w+)"', html), ["en"])
        self.assertIn(
            '<link rel="canonical" href="http://testserver/en/articles/english-only/">', html
        )

    def test_duplicate_slug_in_one_language_is_refused(self):
        from django.core.exceptions import ValidationError

        article = Article(topic=self.topic, title_en="x", slug_en="x", summary_en="x", body_en="x")
        article.slug_de = "was-sind-net"
        with self.assertRaises(ValidationError) as caught:
            article.full_clean()
        self.assertIn("slug_de", str(caught.exception))

    def test_many_untranslated_articles_do_not_collide(self):
        make_article("a-one", topic=self.topic)
        make_article("a-two", topic=self.topic)
        self.assertEqual(Article.objects.filter(slug_de__isnull=True).count(), 3)


class RenderingTests(TestCase):
    def render(self, markdown, **kwargs):
        return render_article_body(markdown, "en", **kwargs).html

    def test_markdown_subset(self):
        html = self.render(
            "# Big\n\nSome *em* and **strong**.\n\n- one\n- two\n\n> quote\n\n"
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n##### deep"
        )
        self.assertIn('<h2 id="section-big">Big</h2>', html)
        self.assertIn("<em>em</em>", html)
        self.assertIn("<ul>", html)
        self.assertIn("<blockquote>", html)
        self.assertIn("<table>", html)
        self.assertIn('<h4 id="section-deep">deep</h4>', html)
        self.assertNotIn("<h1", html)
        self.assertNotIn("style=", html)

    def test_sanitiser_strips_scripts_handlers_and_dangerous_links(self):
        html = self.render(
            '<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\n'
            "[click](javascript:alert(3)) [data](data:text/html;base64,PHNjcmlwdD4=) "
            '<a href="#" onclick="alert(4)">x</a>'
        )
        self.assertNotIn("<script", html)
        self.assertNotIn("<img", html)
        self.assertNotIn("javascript:", html)
        self.assertNotIn("data:", html)
        self.assertNotRegex(html, r"<[^>]+onerror")
        self.assertNotRegex(html, r"<[^>]+onclick")
        self.assertIn("&lt;script&gt;", html)  # shown as text, not lost

    def test_external_links_get_noopener(self):
        html = self.render("[NCI](https://www.cancer.gov/) and [home](/en/)")
        self.assertIn('<a href="https://www.cancer.gov/" rel="noopener">NCI</a>', html)
        self.assertIn('<a href="/en/">home</a>', html)

    def test_table_of_contents_for_long_articles_only(self):
        long = render_article_body("## One\n\ntext\n\n## Two\n\ntext\n\n## Three\n\ntext", "en")
        self.assertIn('<a href="#section-one">One</a>', long.toc_html)
        short = render_article_body("## One\n\ntext\n\n## Two", "en")
        self.assertEqual(short.toc_html, "")

    def test_heading_ids_cannot_take_the_pages_own_ids(self):
        html = self.render("## References\n\n## Main content")
        self.assertIn('id="section-references"', html)
        self.assertNotIn('id="references"', html)


class FigureTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = make_article("figures", body="Intro.\n\n[[figure:1]]\n\n[[series:scans]]")
        cls.one = make_figure(cls.article, 1, caption_en="One caption", licence="CC BY 4.0")
        cls.two = make_figure(cls.article, 2, series="scans", decorative=True, alt_en="")
        cls.three = make_figure(cls.article, 3, series="scans", caption_de="Drei")
        from netinfo.articles.models import FigureSeries

        FigureSeries.objects.create(article=cls.article, key="scans", caption_en="Before and after")
        cls.article.save()

    def test_markers_become_figures_with_size_credit_and_lazy_loading(self):
        html = self.article.body_html_en
        self.assertIn(f'src="{self.one.image.url}"', html)
        self.assertIn('width="40" height="30"', html)
        self.assertIn("Courtesy of the test suite", html)
        self.assertIn("(CC BY 4.0)", html)
        self.assertIn('<figure class="figure-series">', html)
        self.assertIn("<figcaption>Before and after</figcaption>", html)
        self.assertIn('alt=""', html)  # the decorative one
        self.assertEqual(html.count('loading="lazy"'), 2)  # all but the first figure
        self.assertNotIn("[[figure:1]]", html)

    def test_german_page_marks_english_fallback_captions(self):
        self.article.body_de = "Text.\n\n[[figure:1]]"
        self.article.title_de = "Abbildungen"
        self.article.save()
        self.assertIn(
            '<span class="figure__caption" lang="en">One caption', self.article.body_html_de
        )

    def test_unplaced_figures_are_not_lost(self):
        article = make_article("unplaced", body="No markers.")
        make_figure(article, 1)
        article.save()
        self.assertIn("<figure", article.body_html_en)

    def test_unknown_or_inline_markers_are_reported(self):
        problems = marker_problems(
            "[[figure:9]]\n\n[[series:nope]]\n\nSee [[figure:1]] here.", {"1"}, set()
        )
        self.assertEqual(len(problems), 3)
        self.assertIn("Line 1 places figure 9", problems[0])
        self.assertIn("series “nope”", problems[1])
        self.assertIn("Line 5: put [[figure:1]] on a line of its own", problems[2])

    def test_image_upload_rules(self):
        from django.core.exceptions import ValidationError

        from netinfo.core.images import validate_image

        validate_image(SimpleUploadedFile("ok.png", png_bytes(), "image/png"))
        svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
        for name, data in [
            ("x.svg", svg),
            ("fake.png", b"not an image at all"),
            ("anim.gif", png_bytes(image_format="GIF")),
        ]:
            with self.subTest(name), self.assertRaises(ValidationError):
                validate_image(SimpleUploadedFile(name, data))
        big = SimpleUploadedFile("big.png", b"0" * (5 * 1024 * 1024 + 1))
        with (
            translation.override("en"),
            self.assertRaisesMessage(ValidationError, "the limit is 5.0"),
        ):
            validate_image(big)

    def test_uploaded_file_names_are_random(self):
        self.assertRegex(self.one.image.name, r"^figures/\d{4}/\d{2}/[0-9a-f]{32}\.png$")


class ArticlePageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.reviewer = None
        from netinfo.articles.models import Authorship, Contributor, ExternalResource

        cls.reviewer = Contributor.objects.create(
            family_name="Reviewer", given_names="Rita", credentials_en="MD, endocrinologist"
        )
        author = Contributor.objects.create(family_name="Writer", given_names="Will")
        cls.article = make_article(
            "page",
            body="Text [@oronsky2017].",
            medical_reviewer=cls.reviewer,
            last_reviewed=datetime.date(2026, 3, 12),
        )
        Authorship.objects.create(article=cls.article, contributor=author)
        ExternalResource.objects.create(
            article=cls.article,
            title_en="Cancer.Net",
            url="https://www.cancer.net/",
            publisher="ASCO",
        )
        refresh(cls.article)

    def test_review_box(self):
        response = self.client.get("/en/articles/page/")
        self.assertContains(
            response, "Last reviewed 12 March 2026 by Rita Reviewer, MD, endocrinologist"
        )
        self.assertContains(response, "next review due March 2029")
        self.assertContains(response, "Written by")
        self.assertContains(response, "Will Writer")
        self.assertContains(
            response, '<a href="https://www.cancer.net/" rel="noopener">Cancer.Net</a>'
        )

    def test_breadcrumbs_lead_home_through_the_topic(self):
        topic = self.article.topic
        trail = (
            '<nav class="breadcrumbs" aria-label="Breadcrumbs"><ol>'
            '<li><a href="/en/">Home</a></li>'
            f'<li><a href="{topic.get_absolute_url()}">{topic.name}</a></li>'
            '<li><span aria-current="page">Page</span></li></ol></nav>'
        )
        self.assertContains(self.client.get("/en/articles/page/"), trail, html=True)
        # On the topic's own page the topic is the current page, not a step on the way.
        response = self.client.get(topic.get_absolute_url())
        self.assertContains(response, f'<span aria-current="page">{topic.name}</span>')
        self.assertNotContains(response, f'<a href="{topic.get_absolute_url()}">')
        response = self.client.get("/de/patient-groups/")
        self.assertContains(response, '<nav class="breadcrumbs" aria-label="Sie sind hier">')
        self.assertContains(response, '<li><a href="/de/">Startseite</a></li>')

    def test_overdue_review_says_so(self):
        Article.objects.filter(pk=self.article.pk).update(
            next_review_due=timezone.localdate() - datetime.timedelta(days=1)
        )
        self.assertContains(
            self.client.get("/en/articles/page/"), "due for its regular medical review"
        )

    def test_json_ld_and_open_graph(self):
        html = self.client.get("/en/articles/page/").content.decode()
        raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1]
        data = json.loads(raw)
        self.assertEqual(data["@type"], "MedicalWebPage")
        self.assertEqual(data["headline"], "Page")
        self.assertEqual(data["inLanguage"], "en")
        self.assertEqual(data["lastReviewed"], "2026-03-12")
        self.assertEqual(data["reviewedBy"]["name"], "Rita Reviewer")
        self.assertEqual(data["author"][0]["name"], "Will Writer")
        self.assertEqual(
            data["about"], {"@type": "MedicalCondition", "name": "Neuroendocrine tumour"}
        )
        self.assertEqual(data["audience"]["audienceType"], "Patient")
        for key in ("description", "datePublished", "dateModified"):
            self.assertIn(key, data)
        self.assertIn('<meta property="og:title" content="Page">', html)

    def test_json_ld_cannot_break_out_of_its_script(self):
        self.article.title_en = "</script><script>alert(1)</script>"
        self.article.save()
        html = self.client.get("/en/articles/page/").content.decode()
        self.assertNotIn("<script>alert(1)", html)

    def test_cite_this_page(self):
        response = self.client.get("/en/articles/page/")
        self.assertContains(response, "Writer W. Page [Internet]. NET Info;")
        self.assertContains(response, "Available from: http://testserver/en/articles/page/")

    def test_related_articles_are_only_published_ones(self):
        topic = self.article.topic
        live = make_article("live-related", topic=topic, title_en="Live related")
        draft = make_article(
            "draft-related", topic=topic, title_en="Draft related", published=False
        )
        later = make_article(
            "later-related",
            topic=topic,
            title_en="Later related",
            published_at=timezone.now() + datetime.timedelta(days=1),
        )
        self.article.related_articles.add(live, draft, later)
        response = self.client.get("/en/articles/page/")
        self.assertContains(response, "Live related")
        self.assertNotContains(response, "Draft related")
        self.assertNotContains(response, "Later related")


class QueryCountTests(TestCase):
    """The article page runs the same few queries however much it holds."""

    def build(self, slug, n):
        from netinfo.articles.models import ExternalResource

        references = [make_reference(f"{slug}-ref{i}") for i in range(n)]
        body = " ".join(f"Fact [@{r.key}]." for r in references)
        article = make_article(
            slug, body=body + "\n\n" + "\n\n".join(f"[[figure:{i}]]" for i in range(1, n + 1))
        )
        for i in range(1, n + 1):
            make_figure(article, i)
            related = make_article(f"{slug}-related-{i}", topic=article.topic)
            article.related_articles.add(related)
            ExternalResource.objects.create(
                article=article, title_en=f"R{i}", url="https://example.org/"
            )
        article.save()
        from netinfo.articles.models import rebuild_citations

        rebuild_citations(article)
        return article

    def queries(self, url):
        with CaptureQueriesContext(connection) as context:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(context.captured_queries)

    def test_constant_queries_with_1_or_20_figures_and_links(self):
        self.build("small", 1)
        self.build("large", 20)
        small, large = self.queries("/en/articles/small/"), self.queries("/en/articles/large/")
        self.assertEqual(small, large)
        self.assertLessEqual(large, 6)

    def test_constant_queries_with_1_or_50_citations(self):
        self.build("one-citation", 1)
        big = self.build("fifty-citations", 50)
        self.assertEqual(big.citations.filter(language="en").count(), 50)
        self.assertEqual(
            self.queries("/en/articles/one-citation/"),
            self.queries("/en/articles/fifty-citations/"),
        )

    def test_home_queries(self):
        for i in range(5):
            make_article(f"home-{i}")
        self.assertLessEqual(self.queries("/en/"), 4)


class PreviewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.draft = make_article("secret-draft", published=False, body="Draft text.")
        cls.editor = make_user("editor", groups=["Editors"])

    def test_staff_preview_shows_the_draft_with_a_banner(self):
        self.client.force_login(self.editor)
        response = self.client.get(f"/en/preview/articles/{self.draft.pk}/")
        self.assertContains(response, "Draft text.")
        self.assertContains(response, "Draft – not public.")
        self.assertContains(response, '<meta name="robots" content="noindex">')
        self.assertEqual(response["X-Robots-Tag"], "noindex, nofollow")
        self.assertIn("no-store", response["Cache-Control"])

    def test_visitors_cannot_preview(self):
        response = self.client.get(f"/en/preview/articles/{self.draft.pk}/")
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])
        self.client.force_login(make_user("nobody", is_staff=True))
        self.assertEqual(self.client.get(f"/en/preview/articles/{self.draft.pk}/").status_code, 403)


class SitemapTests(TestCase):
    def test_published_articles_with_alternates_and_no_drafts(self):
        make_article("both", slug_de="beide", title_de="Beide", summary_de="x", body_de="x")
        make_article("english-only")
        make_article("hidden-draft", published=False)
        xml = self.client.get("/sitemap.xml").content.decode()
        self.assertIn("<loc>http://testserver/en/articles/both/</loc>", xml)
        self.assertIn("<loc>http://testserver/de/articles/beide/</loc>", xml)
        self.assertIn('hreflang="de" href="http://testserver/de/articles/beide/"', xml)
        self.assertIn('hreflang="x-default"', xml)
        self.assertIn("<loc>http://testserver/en/articles/english-only/</loc>", xml)
        self.assertNotIn("/de/articles/english-only/", xml)
        self.assertNotIn("hidden-draft", xml)
        self.assertIn("<loc>http://testserver/de/updates/</loc>", xml)

    def test_robots_txt(self):
        response = self.client.get("/robots.txt")
        self.assertContains(response, "Disallow: /admin/")
        self.assertContains(response, "Sitemap: http://testserver/sitemap.xml")


class SearchTests(TestCase):
    """Runs on whichever database DATABASE_URL selects: CI runs it on SQLite and PostgreSQL."""

    @classmethod
    def setUpTestData(cls):
        topic = make_topic("search")
        make_article(
            "everolimus",
            topic=topic,
            title_en="Everolimus treatment",
            body="Everolimus is a targeted drug for tumours of the pancreas.",
            title_de="Behandlung mit Everolimus",
            slug_de="everolimus-de",
            summary_de="Zusammenfassung.",
            body_de="Everolimus ist ein zielgerichtetes Medikament.",
        )
        make_article(
            "surgery", topic=topic, title_en="Surgery", body="An operation removes tumours."
        )
        make_article("drafted", topic=topic, published=False, body="Everolimus draft.")
        make_article(
            "symptoms",
            topic=topic,
            title_en="Symptoms",
            body="A carcinoid can cause diarrhoea. Few NETs start in the oesophagus.",
            title_de="Beschwerden",
            slug_de="beschwerden",
            summary_de="Beschwerden.",
            body_de="Manche NET wachsen in der Bauchspeicheldrüse und sind große Knoten.",
        )

    def test_finds_published_articles_in_the_current_language(self):
        response = self.client.get("/en/search/", {"q": "everolimus"})
        self.assertContains(response, "1 article found")
        self.assertContains(response, "Everolimus treatment")
        self.assertContains(response, "<mark>")
        self.assertNotContains(response, "draft")
        response = self.client.get("/de/search/", {"q": "Medikament"})
        self.assertContains(response, "Behandlung mit Everolimus")

    def test_ranking_and_stemming_friendly_words(self):
        response = self.client.get("/en/search/", {"q": "tumours"})
        self.assertContains(response, "2 articles found")

    def test_any_spelling_finds_the_article(self):
        """American spellings, German without umlauts or ß, and plurals find the articles."""
        found = {
            ("en", "tumor"): ["Everolimus treatment", "Surgery"],
            ("en", "Tumors pancreas"): ["Everolimus treatment"],
            ("en", "diarrhea"): ["Symptoms"],
            ("en", "esophagus diarrhea"): ["Symptoms"],
            ("en", "carcinoids"): ["Symptoms"],
            ("de", "Bauchspeicheldruese"): ["Beschwerden"],
            ("de", "grosse Knoten"): ["Beschwerden"],
        }
        for (language, query), titles in found.items():
            with self.subTest(query=query):
                response = self.client.get(f"/{language}/search/", {"q": query})
                self.assertEqual(
                    [a.title for a in response.context["results"]().articles.articles], titles
                )
                self.assertContains(response, "<mark>")
        response = self.client.get("/en/search/", {"q": "tumor"})
        self.assertContains(response, "<mark>tumour")
        # Spellings are alternatives: every word must still be found.
        response = self.client.get("/en/search/", {"q": "tumor diarrhea"})
        self.assertEqual(list(response.context["results"]().articles.articles), [])

    def test_query_spellings(self):
        from netinfo.articles.search import query_spellings

        self.assertEqual(
            query_spellings("tumor diarrhoea", "en"),
            ["tumor diarrhoea", "tumour diarrhoea", "tumor diarrhea"],
        )
        self.assertEqual(query_spellings("oesophagus", "en"), ["oesophagus", "esophagus"])
        self.assertEqual(query_spellings("esophagus", "en"), ["esophagus", "oesophagus"])
        self.assertEqual(query_spellings("NET", "en"), ["NET"])
        self.assertEqual(
            query_spellings("grosse Tumoren", "de"), ["grosse Tumoren", "große tumoren"]
        )
        self.assertEqual(query_spellings("Quelle", "de"), ["Quelle", "qülle"])
        self.assertEqual(query_spellings("", "en"), [""])

    def test_odd_queries_get_a_friendly_page(self):
        for query in [
            "",
            "   ",
            "a" * 5000,
            "\x00\x01<script>",
            "'\"&|!():*",
            "ü" * 300,
            "🙂 OR NOT",
        ]:
            with self.subTest(query=query[:20]):
                response = self.client.get("/en/search/", {"q": query})
                self.assertEqual(response.status_code, 200)
                self.assertNotContains(response, "<script>")
        self.assertContains(
            self.client.get("/en/search/", {"q": "a" * 5000}), "first 200 characters"
        )
        self.assertContains(self.client.get("/en/search/", {"q": "zzzqqq"}), "Try fewer words")

    def test_the_index_follows_every_change(self):
        """SQLite's full-text index (triggers) and PostgreSQL's vectors alike."""
        article = Article.objects.get(slug_en="surgery")
        article.body_en = "An operation removes the primary lesion."
        refresh(article)
        found = (
            self.client.get("/en/search/", {"q": "lesion"}).context["results"]().articles.articles
        )
        self.assertEqual([a.title for a in found], ["Surgery"])
        self.assertEqual(
            [
                a.title
                for a in self.client.get("/en/search/", {"q": "tumours"})
                .context["results"]()
                .articles.articles
            ],
            ["Everolimus treatment"],
        )
        Article.objects.filter(pk=article.pk).delete()
        self.assertEqual(
            list(
                self.client.get("/en/search/", {"q": "lesion"})
                .context["results"]()
                .articles.articles
            ),
            [],
        )

    def test_migrate_gives_the_index_back_its_triggers(self):
        """A migration that changes netinfo_article makes SQLite copy the table, triggers lost."""
        if connection.vendor != "sqlite":
            self.skipTest("SQLite's full-text index; PostgreSQL's vectors are columns")
        from django.core.management import call_command

        from netinfo.articles.search import FULLTEXT_TRIGGERS

        with connection.cursor() as cursor:
            for name in FULLTEXT_TRIGGERS:
                cursor.execute(f"DROP TRIGGER {name}")
        article = Article.objects.get(slug_en="surgery")
        article.body_en = "An operation removes the primary lesion."
        refresh(article)  # not indexed: no triggers
        self.assertEqual(
            list(
                self.client.get("/en/search/", {"q": "lesion"})
                .context["results"]()
                .articles.articles
            ),
            [],
        )
        call_command("migrate", verbosity=0)  # nothing to apply; post_migrate still runs
        found = (
            self.client.get("/en/search/", {"q": "lesion"}).context["results"]().articles.articles
        )
        self.assertEqual([a.title for a in found], ["Surgery"])  # filled afresh
        article.body_en = "An operation removes the primary tumour."
        refresh(article)  # and followed again
        found = (
            self.client.get("/en/search/", {"q": "lesion"}).context["results"]().articles.articles
        )
        self.assertEqual(list(found), [])

    def test_the_same_results_on_sqlite_and_postgresql(self):
        """The results contract both databases keep (CI runs this on each)."""
        contract = {
            ("en", "Everolimus"): ["Everolimus treatment"],
            ("en", "EVEROLIMUS pancreas"): ["Everolimus treatment"],
            ("en", "tumours"): ["Everolimus treatment", "Surgery"],
            ("en", "tumor"): ["Everolimus treatment", "Surgery"],
            ("en", "carcinoids"): ["Symptoms"],
            ("en", "oesophagus"): ["Symptoms"],
            ("en", "drug"): ["Everolimus treatment"],
            ("en", "draft"): [],
            ("en", "zzzqqq"): [],
            ("de", "Medikament"): ["Behandlung mit Everolimus"],
            ("de", "Bauchspeicheldrüse"): ["Beschwerden"],
            ("de", "Bauchspeicheldruese"): ["Beschwerden"],
            ("de", "grosse Knoten"): ["Beschwerden"],
        }
        for (language, query), titles in contract.items():
            with self.subTest(language=language, query=query):
                response = self.client.get(f"/{language}/search/", {"q": query})
                self.assertEqual(
                    [a.title for a in response.context["results"]().articles.articles], titles
                )

    def test_search_queries(self):
        # The language's index, rows and snippets; the other language's index (and its rows
        # when it matches); the directory's names.
        with CaptureQueriesContext(connection) as context:
            self.client.get("/en/search/", {"q": "tumours"})
        self.assertLessEqual(len(context.captured_queries), 6)


class ArticleAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.superuser = make_superuser()
        cls.topic = make_topic("admin-topic")
        make_reference("oronsky2017")

    def setUp(self):
        self.client.force_login(self.superuser)

    def post_data(self, **changes):
        data = {
            "title_en": "New article",
            "slug_en": "new-article",
            "summary_en": "Short.",
            "body_en": "Body.",
            "title_de": "",
            "slug_de": "",
            "summary_de": "",
            "body_de": "",
            "topic": self.topic.pk,
            "order": 0,
            "audience": "patients",
            "status": "draft",
            "review_interval_years": 3,
        }
        for prefix in ("authorships", "figures", "figure_series", "resources", "preview_links"):
            data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
        data.update(changes)
        return data

    def test_changelist_columns_and_filters(self):
        make_article("listed", topic=self.topic, next_review_due=datetime.date(2020, 1, 1))
        response = self.client.get("/admin/netinfo/article/?review=overdue&missing=de")
        self.assertContains(response, "Listed")
        self.assertContains(response, "overdue")
        response = self.client.get("/admin/netinfo/article/", {"q": "Summary of listed"})
        self.assertContains(response, "Listed")

    def test_change_page_uses_self_hosted_tabs(self):
        article = make_article("tabbed", topic=self.topic)
        html = self.client.get(f"/admin/netinfo/article/{article.pk}/change/").content.decode()
        self.assertIn("vendor/jquery-ui/jquery-ui.min.js", html)
        self.assertIn("tabbed_translation_fields.js", html)
        self.assertNotIn("googleapis", html)
        self.assertIn(f"/en/preview/articles/{article.pk}/", html)

    def test_unknown_citation_key_is_refused_with_line_and_suggestion(self):
        response = self.client.post(
            "/admin/netinfo/article/add/",
            self.post_data(body_en="First line.\n\nSecond [@oronsky2071]."),
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Unknown reference “@oronsky2071” (line 3).")
        self.assertContains(response, "Did you mean “@oronsky2017”?")
        self.assertFalse(Article.objects.filter(slug_en="new-article").exists())

    def test_saving_renders_and_records_citations(self):
        response = self.client.post(
            "/admin/netinfo/article/add/", self.post_data(body_en="Fact [@oronsky2017].")
        )
        self.assertEqual(response.status_code, 302)
        article = Article.objects.get(slug_en="new-article")
        self.assertIn('href="#ref-1"', article.body_html_en)
        self.assertEqual(article.citations.get().reference.key, "oronsky2017")

    def test_a_changed_slug_tells_the_editor_the_old_address_still_works(self):
        article = make_article("first-name", topic=self.topic, published=False)
        response = self.client.post(
            f"/admin/netinfo/article/{article.pk}/change/",
            self.post_data(slug_en="second-name", title_en=article.title_en),
            follow=True,
        )
        self.assertContains(response, "The old address /en/articles/first-name/ now leads")
        self.assertEqual(
            list(article.former_slugs.values_list("language", "slug")), [("en", "first-name")]
        )
        response = self.client.post(
            f"/admin/netinfo/article/{article.pk}/change/",
            self.post_data(slug_en="second-name", title_en="Retitled"),
            follow=True,
        )
        self.assertNotContains(response, "now leads to this article")

    def test_duplicate_german_slug_is_a_form_error_not_a_crash(self):
        make_article(
            "taken", topic=self.topic, slug_de="vergeben", title_de="x", body_de="x", summary_de="x"
        )
        response = self.client.post(
            "/admin/netinfo/article/add/", self.post_data(slug_de="vergeben", title_de="T")
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "already exists")

    def test_unknown_figure_marker_is_refused(self):
        response = self.client.post(
            "/admin/netinfo/article/add/", self.post_data(body_en="[[figure:3]]")
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "no figure with that number")

    def test_figure_upload_through_the_admin(self):
        data = self.post_data(body_en="[[figure:1]]")
        data.update(
            {
                "figures-TOTAL_FORMS": 1,
                "figures-0-number": 1,
                "figures-0-alt_en": "A test image",
                "figures-0-credit_en": "Courtesy of a tester",
                "figures-0-image": SimpleUploadedFile("x.png", png_bytes(), "image/png"),
            }
        )
        response = self.client.post("/admin/netinfo/article/add/", data)
        self.assertEqual(response.status_code, 302, response.content.decode()[:3000])
        article = Article.objects.get(slug_en="new-article")
        figure = article.figures.get()
        self.assertEqual((figure.width, figure.height), (40, 30))
        self.assertIn(figure.image.url, article.body_html_en)

    def test_figure_needs_alt_text_unless_decorative_and_a_credit(self):
        data = self.post_data(body_en="[[figure:1]]")
        data.update(
            {
                "figures-TOTAL_FORMS": 1,
                "figures-0-number": 1,
                "figures-0-image": SimpleUploadedFile("x.png", png_bytes(), "image/png"),
            }
        )
        response = self.client.post("/admin/netinfo/article/add/", data)
        self.assertContains(response, "Describe the image, or mark it as decorative.")
        self.assertContains(response, "This field is required.")


class TranslationOverrideTests(TestCase):
    def test_render_uses_the_language_of_the_text(self):
        with translation.override("de"):
            result = render_article_body("Text [@x].", "en")
        self.assertEqual(
            result.html, '<p>Text\u202f<sup class="citation citation--unknown">?</sup>.</p>'
        )


def make_change(article, summary_en, days_ago=0, **fields):
    """A "What changed" line written straight to the database, dated in the past."""
    from netinfo.articles.models import ChangeLogEntry

    entry = ChangeLogEntry.objects.create(
        article=article,
        created=NOW - datetime.timedelta(days=days_ago),
        kind=fields.pop("kind", ChangeLogEntry.Kind.CLINICAL),
        summary_en=summary_en,
        **fields,
    )
    refresh(article)
    return entry


class UpdatesTests(TestCase):
    """/updates/ and its Atom feed: the latest "What changed" lines of live articles."""

    @classmethod
    def setUpTestData(cls):
        cls.article = make_article(
            "lutetium", title_en="Lutetium therapy", title_de="Lutetium-Therapie"
        )
        cls.older = make_change(
            cls.article, "Reviewed.", days_ago=40, kind="review", summary_de="Geprüft."
        )
        cls.newer = make_change(cls.article, "New trial results added.", days_ago=2)
        cls.other = make_change(
            make_article("surgery"), "Typo fixed.", days_ago=10, kind="editorial"
        )
        # Not live: a draft, an article scheduled for tomorrow, an archived one.
        make_change(make_article("draft", published=False), "Draft change.")
        scheduled = make_article("scheduled", published_at=NOW + datetime.timedelta(days=1))
        make_change(scheduled, "Scheduled change.")
        make_change(make_article("old", status=Article.Status.ARCHIVED), "Archived change.")

    def test_the_page_lists_changes_of_live_articles_newest_first(self):
        response = self.client.get("/en/updates/")
        updates = response.context["updates"]
        self.assertEqual(
            [update.summary for update in updates],
            ["New trial results added.", "Typo fixed.", "Reviewed."],
        )
        self.assertContains(
            response,
            f'<a href="/en/articles/lutetium/#change-{self.newer.pk}">Lutetium therapy</a>',
            html=True,
        )
        self.assertContains(response, "<strong>Clinical update</strong>", html=True)
        self.assertContains(response, "<strong>Reviewed, no changes</strong>", html=True)
        for hidden in ("Draft change", "Scheduled change", "Archived change"):
            self.assertNotContains(response, hidden)
        # The link leads to the entry's own line in the article's "What changed" list.
        article_page = self.client.get("/en/articles/lutetium/")
        self.assertContains(article_page, f'<li id="change-{self.newer.pk}">')
        self.assertContains(response, '<link rel="alternate" type="application/atom+xml"', count=1)
        self.assertContains(self.client.get("/en/"), '<a href="/en/updates/">Recent updates</a>')

    def test_german_page_marks_what_is_only_in_english(self):
        response = self.client.get("/de/updates/")
        self.assertContains(response, "<h1>Neueste Änderungen</h1>", html=True)
        self.assertContains(response, "Lutetium-Therapie</a>")
        self.assertContains(response, "<span>Geprüft.</span>", html=True)
        self.assertContains(response, '<span lang="en">New trial results added.</span>', html=True)
        self.assertContains(response, '<a href="/de/articles/surgery/#change-', count=1)
        self.assertContains(response, 'lang="en">Surgery</a>')
        # Dates as each language writes them: "22. November 2026", "22 November 2026".
        local = timezone.localtime(self.newer.created)
        german_months = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August"]
        german_months += ["September", "Oktober", "November", "Dezember"]
        self.assertContains(
            response, f"{local.day}. {german_months[local.month - 1]} {local.year}</time>"
        )
        self.assertContains(
            self.client.get("/en/updates/"), f"{local.day} {local:%B} {local.year}</time>"
        )

    def test_the_feed_has_one_entry_per_change(self):
        from xml.etree import ElementTree

        response = self.client.get("/en/updates/feed/")
        self.assertEqual(response["Content-Type"], "application/atom+xml; charset=utf-8")
        self.assertIn("public", response["Cache-Control"])
        atom = "{http://www.w3.org/2005/Atom}"
        feed = ElementTree.fromstring(response.content)
        self.assertEqual(feed.get("{http://www.w3.org/XML/1998/namespace}lang"), "en")
        self.assertEqual(feed.find(f"{atom}title").text, "NET Info: recent updates")
        entries = feed.findall(f"{atom}entry")
        self.assertEqual(
            [entry.find(f"{atom}title").text for entry in entries],
            [
                "Lutetium therapy: Clinical update",
                "Surgery: Editorial change",
                "Lutetium therapy: Reviewed, no changes",
            ],
        )
        self.assertEqual(
            entries[0].find(f"{atom}link").get("href"),
            f"http://testserver/en/articles/lutetium/#change-{self.newer.pk}",
        )
        ids = [entry.find(f"{atom}id").text for entry in entries]
        self.assertEqual(len(set(ids)), 3)
        german = ElementTree.fromstring(self.client.get("/de/updates/feed/").content)
        self.assertEqual(german.find(f"{atom}title").text, "NET Info: neueste Änderungen")
        self.assertEqual(
            german.find(f"{atom}entry/{atom}title").text,
            "Lutetium-Therapie: Medizinische Aktualisierung",
        )

    def test_text_is_escaped_for_feed_readers_and_pages(self):
        make_change(self.article, '<img src=x onerror="alert(1)"> Bad', days_ago=0)
        from xml.etree import ElementTree

        feed = ElementTree.fromstring(self.client.get("/en/updates/feed/").content)
        summary = feed.find(
            "{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}summary"
        )
        # A feed reader reads the summary as HTML: the tag must arrive as text.
        self.assertEqual(summary.text, "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; Bad")
        page = self.client.get("/en/updates/")
        self.assertNotContains(page, "<img src=x")

    def test_queries_do_not_grow_with_the_number_of_changes(self):
        def queries(url):
            with CaptureQueriesContext(connection) as context:
                self.assertEqual(self.client.get(url).status_code, 200)
            return len(context.captured_queries)

        few = queries("/en/updates/"), queries("/en/updates/feed/")
        for number in range(40):
            make_change(self.article, f"Change {number}.", days_ago=1)
        many = queries("/en/updates/"), queries("/en/updates/feed/")
        self.assertEqual(few, many)
        self.assertEqual(many, (1, 1))
        self.assertContains(self.client.get("/en/updates/"), '<li class="updates__item">', count=30)

    def test_no_updates_yet(self):
        from netinfo.articles.models import ChangeLogEntry

        ChangeLogEntry.objects.all().delete()
        self.assertContains(self.client.get("/en/updates/"), "No updates yet.")
