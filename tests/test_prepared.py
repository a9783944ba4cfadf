"""Prepared queries (netinfo/prepared.py): the article page's SQL, built once, same results."""

import datetime
from unittest import mock

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Max
from django.test import TestCase
from django.utils import timezone, translation

from netinfo.articles.models import Authorship, ChangeLogEntry, Citation, Contributor, Topic
from netinfo.core.prepared import PreparedQuery, PreparedRows
from netinfo.core.text import folded
from netinfo.articles.views import ARTICLE_BY_PK, ARTICLE_BY_SLUG, AUTHORSHIPS, CITATIONS
from patient_groups.models import PatientGroup
from tests.factories import make_article, make_group, make_reference, make_topic


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
                    expected = [
                        {
                            "number": citation.number,
                            "count": citation.count,
                            "rendered": citation.reference.rendered,
                            "doi": citation.reference.doi,
                            "pmid": citation.reference.pmid,
                            "pmcid": citation.reference.pmcid,
                            "url": citation.reference.url,
                        }
                        for citation in Citation.objects.filter(article=article, language=language)
                        .select_related("reference")
                        .order_by("number")
                    ]
                    prepared = CITATIONS(article=article.pk, language=language)
                    self.assertEqual(prepared, expected)
                    self.assertTrue(prepared)
                    # JSON from the database, as the ORM gives it.
                    self.assertIsInstance(prepared[0]["rendered"], dict)

    def test_joined_objects_come_with_the_one_query(self):
        article = self.articles[0]
        with self.assertNumQueries(1):
            [loaded] = ARTICLE_BY_PK(pk=article.pk)
            self.assertEqual(loaded.topic.name, "Diagnosis")
            self.assertEqual(loaded.medical_reviewer.with_credentials(), "Ada Lind, MD")
            self.assertEqual(loaded.body_html_en, article.body_html_en)
            # Values converted from the database as the ORM does (SQLite stores text).
            self.assertEqual(loaded.published_at, article.published_at)
            self.assertEqual(loaded.next_review_due, article.next_review_due)
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

    def test_like_lookups_get_the_value_escaped_and_wrapped_as_django_does(self):
        for name in ("50% off", "50 off", "a_b", "axb", "back\\slash", "Diagnosis"):
            make_topic(f"topic-{len(Topic.objects.all())}", name_en=name)
        lookups = ["icontains", "contains", "startswith", "endswith", "iexact"]
        for lookup in lookups:
            prepared = PreparedQuery(
                lambda text, lookup=lookup: Topic.objects.filter(
                    **{f"name_en__{lookup}": text}
                ).order_by("pk"),
                text=str,
            )
            for text in ("%", "_", "0%", "a_", "\\", "DIAG", "b", "50"):
                with self.subTest(lookup=lookup, text=text):
                    expected = Topic.objects.filter(**{f"name_en__{lookup}": text}).order_by("pk")
                    self.assertEqual(prepared(text=text), list(expected))
        # A value the SQL wraps in more text: the language filter of the directory.
        first_word = PreparedQuery(
            lambda word: Topic.objects.filter(name_en__startswith=f"{word} ").order_by("pk"),
            word=str,
        )
        self.assertEqual([t.name_en for t in first_word(word="50%")], ["50% off"])
        self.assertEqual(first_word(word="5"), [])

    def test_refuses_a_value_that_the_build_changes(self):
        # The SQL would compare the value as given, not as the build meant to change it.
        for change in (str.lower, str.upper, str.strip, folded):
            with self.subTest(change=change.__name__):
                changed = PreparedQuery(
                    lambda text, change=change: Topic.objects.filter(name_en=change(text)),
                    text=str,
                )
                with self.assertRaisesMessage(ImproperlyConfigured, "do not reach the SQL"):
                    changed(text="diagnosis")

    def test_refuses_what_one_query_cannot_load(self):
        for build in (
            lambda: Topic.objects.prefetch_related("articles"),
            lambda: Topic.objects.values("slug_en"),
        ):
            with self.subTest(build=build), self.assertRaises(ImproperlyConfigured):
                PreparedQuery(build)()

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


class PreparedRowsTests(TestCase):
    """The directory's queries (patient_groups), prepared as values() rows."""

    @classmethod
    def setUpTestData(cls):
        for i in range(7):
            make_group(f"Group {i}", country="DE" if i % 2 else "FR", languages="de en")
        make_group("Elsewhere", region="asia-pacific", country="JP", languages="ja")

    def test_same_rows_as_the_orm_with_values_converted(self):
        counts = PreparedRows(
            lambda country: (
                PatientGroup.objects.filter(country=country)
                .order_by("region")
                .values("region")
                .annotate(n=Count("pk"), newest=Max("created"))
            ),
            country=str,
        )
        for country in ("DE", "FR", "JP", "XX"):
            with self.subTest(country=country):
                expected = (
                    PatientGroup.objects.filter(country=country)
                    .order_by("region")
                    .values("region")
                    .annotate(n=Count("pk"), newest=Max("created"))
                )
                with self.assertNumQueries(1):
                    rows = counts(country=country)
                self.assertEqual(rows, list(expected))
        [row] = counts(country="JP")
        self.assertIsInstance(row["newest"], datetime.datetime)

    def test_pages_by_limit_and_offset(self):
        names = PreparedRows(
            lambda language: (
                PatientGroup.objects.serving_language(language).order_by("name").values("name")
            ),
            paged=True,
            language=str,
        )
        everyone = [row["name"] for row in PatientGroup.objects.order_by("name").values("name")]
        for limit, offset in ((3, 0), (3, 3), (3, 6), (10, 0), (2, 20)):
            with self.subTest(limit=limit, offset=offset):
                rows = names(language="de", limit=limit, offset=offset)
                german = [name for name in everyone if name != "Elsewhere"]
                self.assertEqual([row["name"] for row in rows], german[offset : offset + limit])
        self.assertEqual(names(language="ja", limit=5, offset=0), [{"name": "Elsewhere"}])
        with self.assertRaises(TypeError):
            names(language="de")
        with self.assertRaises(TypeError):
            names(language="de", limit="5", offset=0)

    def test_refuses_what_it_cannot_run(self):
        for build in (
            lambda: PatientGroup.objects.all(),
            lambda: PatientGroup.objects.values("name")[:5],
        ):
            with self.subTest(build=build), self.assertRaises(ImproperlyConfigured):
                PreparedRows(build)()
