"""Prepared queries (netinfo/prepared.py): the article page's SQL, built once, same results."""

import datetime
from unittest import mock

from django.core.exceptions import ImproperlyConfigured
from django.test import TestCase
from django.utils import timezone, translation

from netinfo.models import Authorship, ChangeLogEntry, Citation, Contributor, Topic
from netinfo.prepared import PreparedQuery
from netinfo.views import ARTICLE_BY_PK, ARTICLE_BY_SLUG, AUTHORSHIPS, CITATIONS
from tests.factories import make_article, make_reference, make_topic


def citation_rows(citations):
    return [
        (c.pk, c.number, c.count, c.reference.pk, c.reference.rendered, c.reference.doi)
        for c in citations
    ]


class PreparedQueryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.topic = make_topic("diagnosis", name_de="Diagnose", slug_de="diagnose")
        cls.reviewer = Contributor.objects.create(
            family_name="Lind", given_names="Ada", credentials_en="MD", credentials_de="Dr. med."
        )
        references = [make_reference(f"ref{i}", doi=f"10.1/{i}") for i in range(3)]
        cls.articles = []
        for slug, cited in (("first", references), ("second", references[::-1])):
            body = " ".join(f"Fact [@{r.key}]. Again [@{r.key}]." for r in cited)
            article = make_article(
                slug,
                topic=cls.topic,
                body=body,
                body_de=f"Text [@{cited[0].key}].",
                title_de=f"{slug} (de)",
                slug_de=f"{slug}-de",
                summary_de="Kurz.",
                medical_reviewer=cls.reviewer,
            )
            Authorship.objects.create(article=article, contributor=cls.reviewer)
            cls.articles.append(article)
        cls.unreviewed = make_article("unreviewed", topic=cls.topic)

    def test_same_rows_as_the_orm_for_each_article_and_language(self):
        for article in self.articles:
            for language in ("en", "de"):
                with self.subTest(article=article.slug_en, language=language):
                    expected = (
                        Citation.objects.filter(article=article, language=language)
                        .select_related("reference")
                        .order_by("number")
                    )
                    prepared = CITATIONS(article=article.pk, language=language)
                    self.assertEqual(citation_rows(prepared), citation_rows(expected))
                    self.assertTrue(prepared)

    def test_joined_objects_come_with_the_one_query(self):
        article = self.articles[0]
        with self.assertNumQueries(1):
            [loaded] = ARTICLE_BY_PK(pk=article.pk)
            self.assertEqual(loaded.topic.name, "Diagnosis")
            self.assertEqual(loaded.medical_reviewer.with_credentials(), "Ada Lind, MD")
            self.assertEqual(loaded.body_html_en, article.body_html_en)
        with translation.override("de"), self.assertNumQueries(1):
            [loaded] = ARTICLE_BY_SLUG(slug="first-de")
            self.assertEqual(loaded.topic.get_absolute_url(), "/de/topics/diagnose/")
            self.assertEqual(loaded.medical_reviewer.with_credentials(), "Ada Lind, Dr. med.")
        with self.assertNumQueries(1):
            [authorship] = AUTHORSHIPS(article=article.pk)
            self.assertEqual(authorship.contributor, self.reviewer)

    def test_an_empty_foreign_key_joins_as_none(self):
        with self.assertNumQueries(1):
            [loaded] = ARTICLE_BY_PK(pk=self.unreviewed.pk)
            self.assertIsNone(loaded.medical_reviewer)

    def test_no_rows(self):
        self.assertEqual(ARTICLE_BY_SLUG(slug="no-such-article"), [])

    def test_built_once_per_language(self):
        built = []

        def build(article):
            built.append(article)
            return ChangeLogEntry.objects.filter(article_id=article)

        changes = PreparedQuery(build, article=int)
        with self.assertNumQueries(2):
            changes(article=self.articles[0].pk)
            changes(article=self.articles[1].pk)
        self.assertEqual(len(built), 1)
        with translation.override("de"):
            changes(article=self.articles[0].pk)
        self.assertEqual(len(built), 2)

    def test_refuses_a_value_that_django_changes_on_its_way_into_sql(self):
        # icontains wraps the value in % signs: the SQL would not compare what it is given.
        matching = PreparedQuery(
            lambda text: Topic.objects.filter(name_en__icontains=text), text=str
        )
        with self.assertRaisesMessage(ImproperlyConfigured, "do not reach the SQL unchanged"):
            matching(text="diag")

    def test_checks_the_values_it_is_given(self):
        with self.assertRaises(TypeError):
            CITATIONS(article=self.articles[0].pk)
        with self.assertRaises(TypeError):
            CITATIONS(article=str(self.articles[0].pk), language="en")
        with self.assertRaises(ImproperlyConfigured):
            PreparedQuery(lambda day: Topic.objects.all(), day=datetime.date)

    def test_a_scheduled_article_goes_live_after_the_page_was_prepared(self):
        # Whether an article is published depends on the time of the request; the prepared
        # SQL must not keep the moment it was first built.
        make_article(
            "later", topic=self.topic, published_at=timezone.now() + datetime.timedelta(hours=1)
        )
        self.assertEqual(self.client.get("/en/articles/later/").status_code, 404)
        two_hours_on = timezone.now() + datetime.timedelta(hours=2)
        with mock.patch("django.utils.timezone.now", return_value=two_hours_on):
            self.assertEqual(self.client.get("/en/articles/later/").status_code, 200)
