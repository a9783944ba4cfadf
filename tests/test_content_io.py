"""export_content / import_content: a round trip into an empty database loses nothing."""

import io
import json
import tempfile
from pathlib import Path

from cookie_consent.models import Cookie, CookieGroup
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.utils import timezone

from netinfo.articles import services
from netinfo.articles.models import Article, Contributor, ExternalResource, FigureSeries, Topic
from netinfo.site.backup import export_content
from patient_groups.models import PatientGroup, Region
from references.models import Reference
from tests.factories import (
    make_article,
    make_figure,
    make_group,
    make_reference,
    make_user,
    refresh,
)


def comparable(objects):
    """Django's serializer writes times to the millisecond, as "…45Z" when those are zero."""
    return json.loads(json.dumps(objects).replace('.000Z"', 'Z"'))


class RoundTripTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        checker = make_user("checker")
        make_reference("oronsky2017", verified_at=timezone.now(), verified_by=checker)
        make_reference("pape2000", and_others=True)
        reviewer = Contributor.objects.create(
            family_name="Rev", credentials_en="MD", credentials_de="Dr. med.", user=checker
        )
        one = make_article(
            "one",
            body="Fact [@oronsky2017].\n\n[[series:scans]]",
            slug_de="eins",
            title_de="Eins",
            summary_de="S",
            body_de="Tatsache [@pape2000].",
            medical_reviewer=reviewer,
        )
        two = make_article("two", topic=one.topic)
        two.slug_en = "two-renamed"
        services.import_article(two)  # "two" becomes a former address that redirects
        one.related_articles.add(two)
        two.related_articles.add(one)
        make_figure(one, 1, series="scans", caption_de="Bild")
        FigureSeries.objects.create(article=one, key="scans", caption_en="Both")
        ExternalResource.objects.create(article=one, title_en="NCI", url="https://www.cancer.gov/")
        one.save()
        from netinfo.articles.models import rebuild_citations

        rebuild_citations(one)
        from netinfo.articles.models import ChangeLogEntry

        ChangeLogEntry.objects.create(
            article=one, kind="clinical", summary_en="First.", summary_de="Erst.", user=checker
        )
        refresh(one)
        make_group(
            "Kept group", languages="de en", verified_by=checker, last_verified=timezone.localdate()
        )
        Region.objects.filter(slug="africa").update(description_en="Edited description")

    def wipe(self):
        Article.objects.all().delete()
        Topic.objects.all().delete()
        Contributor.objects.all().delete()
        Reference.objects.all().delete()
        PatientGroup.objects.all().delete()
        Region.objects.filter(slug="africa").update(description_en="")
        Cookie.objects.filter(name="_pk_ref.*").delete()
        get_user_model().objects.filter(username="checker").delete()

    def test_export_then_import_into_an_empty_database(self):
        before = export_content()
        self.assertGreater(len(before["objects"]), 20)
        self.assertEqual(before["users"], ["checker"])
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "content.json"
            call_command("export_content", str(path), stdout=io.StringIO())
            self.wipe()
            self.assertFalse(Article.objects.exists())
            out = io.StringIO()
            call_command("import_content", str(path), stdout=out)
            self.assertIn("Imported", out.getvalue())
        after = export_content()
        self.assertEqual(comparable(after["objects"]), comparable(before["objects"]))
        self.assertEqual(after["users"], before["users"])
        checker = get_user_model().objects.get(username="checker")
        self.assertFalse(checker.is_active)
        self.assertFalse(checker.has_usable_password())
        self.assertEqual(Region.objects.count(), 6)
        self.assertEqual(CookieGroup.objects.count(), 2)
        self.assertContains(self.client.get("/de/articles/eins/"), "Tatsache")
        self.assertRedirects(
            self.client.get("/en/articles/two/"), "/en/articles/two-renamed/", status_code=301
        )

    def test_import_refuses_a_database_with_content_or_a_wrong_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "content.json"
            path.write_text(json.dumps(export_content()))
            with self.assertRaisesMessage(CommandError, "already has content"):
                call_command("import_content", str(path))
            path.write_text('{"format": "something else"}')
            with self.assertRaisesMessage(CommandError, "not a NET Info content export"):
                call_command("import_content", str(path))
            path.write_text("{oops")
            with self.assertRaisesMessage(CommandError, "is not JSON"):
                call_command("import_content", str(path))


class WorkflowRoundTripTests(TestCase):
    """A backup made after editors worked restores into an empty database, page for page."""

    PAGES = [
        "/en/",
        "/de/",
        "/en/articles/worked/",
        "/de/articles/bearbeitet/",
        "/en/articles/waiting/",
        "/en/topics/topic-for-worked/",
        "/en/updates/",
        "/de/updates/feed/",
        "/sitemap.xml",
        "/en/articles/worked/references.ris",
    ]

    @classmethod
    def setUpTestData(cls):
        from netinfo.articles.services import ChangeNote
        from tests.factories import make_reviewer

        editor = make_user("editor-anna", groups=["Editors"])
        reviewer = make_reviewer("reviewer-ben")
        make_reference("oronsky2017")
        article = make_article(
            "worked",
            published=False,
            body="Fact [@oronsky2017].\n\n[[figure:1]]",
            title_de="Bearbeitet",
            slug_de="bearbeitet",
            summary_de="Z",
            body_de="Tatsache [@oronsky2017].",
        )
        make_figure(article, 1, caption_de="Bild")
        services.submit_for_review(article, editor)
        services.approve_and_publish(
            article, reviewer, note=ChangeNote("clinical", {"en": "First.", "de": "Erst."})
        )
        copy = services.propose_clinical_change(article, editor)
        copy.body_en = "A newer fact [@oronsky2017].\n\n[[figure:1]]"
        services.submit_for_review(copy, editor)
        services.approve_and_publish(
            copy, reviewer, note=ChangeNote("clinical", {"en": "Newer.", "de": "Neuer."})
        )
        article.refresh_from_db()
        article.body_de = "Tatsache, korrigiert [@oronsky2017]."
        services.publish_editorial_fix(
            article, editor, note=ChangeNote("editorial", {"en": "Typo.", "de": "Tippfehler."})
        )
        # Work in progress when the backup is made: a working copy and an article in review.
        services.propose_clinical_change(article, editor)
        waiting = make_article("waiting", published=False, topic=article.topic)
        services.submit_for_review(waiting, editor)
        services.approve_and_publish(
            waiting, reviewer, note=ChangeNote("clinical", {"en": "Published."})
        )

    def pages(self):
        from django.core.cache import cache

        cache.clear()
        return {url: self.client.get(url).content for url in self.PAGES}

    def test_the_same_public_pages_object_for_object_after_a_restore(self):
        before, pages_before = export_content(), self.pages()
        self.assertEqual(before["users"], ["editor-anna", "reviewer-ben"])
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "content.json"
            call_command("export_content", str(path), stdout=io.StringIO())
            Article.objects.all().delete()
            Topic.objects.all().delete()
            Contributor.objects.all().delete()
            Reference.objects.all().delete()
            get_user_model().objects.filter(is_superuser=False).delete()
            self.assertFalse(Article.objects.exists())
            call_command("import_content", str(path), stdout=io.StringIO())
        after = export_content()
        self.assertEqual(comparable(after["objects"]), comparable(before["objects"]))
        self.assertEqual(after["users"], before["users"])
        pages_after = self.pages()
        for url in self.PAGES:
            with self.subTest(url):
                self.assertEqual(pages_after[url], pages_before[url])
        working_copy = Article.objects.get(revision_of__slug_en="worked")
        self.assertEqual(working_copy.status, "draft")
        self.assertEqual(
            Article.objects.get(slug_en="worked").submitted_by, None
        )  # cleared on approval, as before
