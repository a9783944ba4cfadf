"""
The fragment caches of the public pages (NETINFO_FRAGMENT_CACHE_SECONDS): a second visit reads
little or nothing from the database and shows the same page, and an edit shows at once. The
page cache is off here, as in `make bench`'s "cache off" rounds, so every visit renders.
"""

import datetime
from unittest import mock

from django.test import TestCase, override_settings
from django.utils import timezone

from netinfo.articles import services
from netinfo.articles.models import Contributor
from references.models import Reference

from .factories import make_article, make_group, make_reference, make_topic, refresh


@override_settings(PAGE_CACHE_SECONDS=0)
class ArticleFragmentTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        topic = make_topic("living-with-net")
        cls.reviewer = Contributor.objects.create(
            family_name="Moreau", given_names="Claire", credentials_en="MD"
        )
        make_reference("kunz2013", title="Consensus guidelines for the management of NETs")
        cls.article = make_article(
            "fatigue",
            topic=topic,
            body="Fatigue is common [@kunz2013].",
            medical_reviewer=cls.reviewer,
            last_reviewed=datetime.date(2026, 1, 10),
        )
        cls.other = make_article("diet", topic=topic, title_en="Eating well")
        cls.article.related_articles.add(cls.other)

    def test_a_second_visit_reads_one_row_and_shows_the_same_page(self):
        first = self.client.get("/en/articles/fatigue/")
        self.assertContains(first, "Eating well")  # related articles
        self.assertContains(first, "Claire Moreau, MD")  # the reviewer
        with self.assertNumQueries(1):  # the article; nothing its cached fragments show
            second = self.client.get("/en/articles/fatigue/")
        self.assertEqual(second.content, first.content)

    def test_an_edit_shows_at_once(self):
        self.client.get("/en/articles/fatigue/")
        self.article.body_en = "Tiredness is common [@kunz2013]."
        refresh(self.article)
        response = self.client.get("/en/articles/fatigue/")
        self.assertContains(response, "Tiredness is common")
        self.assertNotContains(response, "Fatigue is common")

    def test_a_changed_reviewer_reference_or_related_article_shows_at_once(self):
        self.client.get("/en/articles/fatigue/")
        self.reviewer.credentials_en = "MD, PhD"
        self.reviewer.save()
        reference = Reference.objects.get(key="kunz2013")
        reference.title = "Updated consensus guidelines"
        reference.save()
        services.refresh_citing_articles(reference)  # as the reference admin does
        self.other.title_en = "Food and NETs"
        refresh(self.other)
        response = self.client.get("/en/articles/fatigue/")
        self.assertContains(response, "Claire Moreau, MD, PhD", count=1)  # review box
        self.assertContains(response, '"description": "MD, PhD"')  # JSON-LD in the head
        self.assertContains(response, "Updated consensus guidelines")
        self.assertContains(response, "Food and NETs")
        self.assertNotContains(response, "Eating well")

    def test_cite_this_page_gives_the_day_of_the_visit(self):
        # The site's day (TIME_ZONE), not UTC's: they differ for an hour or two around midnight.
        now = timezone.localtime()
        today = self.client.get("/en/articles/fatigue/")
        self.assertContains(today, f"cited {now:%Y %b} {now.day}]")
        tomorrow = now + datetime.timedelta(days=1)
        with mock.patch("django.utils.timezone.now", return_value=tomorrow):
            response = self.client.get("/en/articles/fatigue/")
        self.assertContains(response, f"cited {tomorrow:%Y %b} {tomorrow.day}]")

    def test_each_language_has_its_own_fragments(self):
        english = self.client.get("/en/articles/fatigue/")
        german = self.client.get("/de/articles/fatigue/")
        self.assertContains(english, "Related articles")
        self.assertContains(german, "Verwandte Artikel")
        self.assertContains(german, "Er wird unten auf Englisch gezeigt.")  # the fallback notice


@override_settings(PAGE_CACHE_SECONDS=0)
class DirectoryFragmentTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.group = make_group("NET Patient Network", region="europe", country="DE")
        make_group("Pacific NET Support", region="asia-pacific", country="AU")

    def test_a_second_visit_reads_nothing_and_shows_the_same_page(self):
        first = self.client.get("/en/patient-groups/")
        self.assertContains(first, "NET Patient Network")
        with self.assertNumQueries(0):  # content version, form and list from the cache
            second = self.client.get("/en/patient-groups/")
        self.assertEqual(second.content, first.content)

    def test_each_filter_keeps_its_own_form_list_and_notices(self):
        europe = self.client.get("/en/patient-groups/?region=europe")
        pacific = self.client.get("/en/patient-groups/?region=asia-pacific")
        self.assertContains(europe, '<option value="europe" selected>')
        self.assertNotContains(europe, "Pacific NET Support")
        self.assertContains(pacific, '<option value="asia-pacific" selected>')
        self.assertNotContains(pacific, "NET Patient Network")
        for _visit in range(2):
            unknown = self.client.get("/en/patient-groups/?region=atlantis")
            self.assertContains(unknown, "There is no region “atlantis”")
            self.assertContains(unknown, "NET Patient Network")
        # Parameters the page does not read make no cache entry of their own.
        with self.assertNumQueries(0):
            tagged = self.client.get("/en/patient-groups/?region=europe&utm_source=mail")
        self.assertEqual(tagged.content, europe.content)

    def test_an_edit_shows_at_once(self):
        self.client.get("/en/patient-groups/")
        self.group.name = "NET Network Germany"
        self.group.save()
        make_group("New Group in Austria", region="europe", country="AT")
        response = self.client.get("/en/patient-groups/")
        self.assertContains(response, "NET Network Germany")
        self.assertContains(response, "New Group in Austria")
        self.assertContains(response, '<option value="AT">Austria</option>')  # a new country


@override_settings(PAGE_CACHE_SECONDS=0)
class SearchAndHomeFragmentTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_article("octreotide", title_en="Octreotide injections", topic=make_topic("drugs"))

    def test_a_second_search_reads_nothing_and_shows_the_same_results(self):
        first = self.client.get("/en/search/?q=octreotide")
        self.assertContains(first, "Octreotide injections")
        with self.assertNumQueries(0):
            second = self.client.get("/en/search/?q=octreotide")
        self.assertEqual(second.content, first.content)
        make_article("lanreotide", title_en="Lanreotide or octreotide?")
        self.assertContains(self.client.get("/en/search/?q=octreotide"), "Lanreotide or")

    def test_a_second_home_visit_reads_nothing_and_an_edit_shows_at_once(self):
        first = self.client.get("/en/")
        self.assertContains(first, "Octreotide injections")
        with self.assertNumQueries(0):
            second = self.client.get("/en/")
        self.assertEqual(second.content, first.content)
        make_article("scans", title_en="Scans explained", topic=make_topic("tests"))
        self.assertContains(self.client.get("/en/"), "Scans explained")
