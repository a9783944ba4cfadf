"""Clinical governance: revisions, the review workflow, the change log, dashboard, previews."""

import datetime
from unittest import mock

from django.test import TestCase
from django.utils import timezone
from reversion.models import Version

from netinfo.articles.models import Article, ChangeLogEntry, PreviewLink, add_years
from netinfo.articles.readability import measure
from tests.factories import (
    admin_article_data,
    make_article,
    make_figure,
    make_group,
    make_reference,
    make_reviewer,
    make_superuser,
    make_user,
    refresh,
)

TODAY = timezone.localdate()


def change_url(article):
    return f"/admin/netinfo/article/{article.pk}/change/"


class WorkflowTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor", groups=["Editors"])
        cls.reviewer = make_reviewer()
        cls.draft = make_article("draft-article", published=False, body="Draft text.")
        cls.live = make_article(
            "live-article",
            body="Reviewed text.",
            last_reviewed=datetime.date(2025, 1, 10),
            title_de="Geprüft",
            slug_de="gepruft",
            summary_de="Z",
            body_de="Geprüfter Text.",
        )

    def post(self, user, article, **changes):
        self.client.force_login(user)
        return self.client.post(change_url(article), admin_article_data(article, **changes))

    def test_editor_submits_a_draft_for_review(self):
        response = self.post(self.editor, self.draft, status="in_review")
        self.assertEqual(response.status_code, 302)
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.status, "in_review")
        self.assertEqual(self.draft.submitted_by, self.editor)
        self.assertIsNotNone(self.draft.submitted_at)

    def test_editor_cannot_publish_or_archive(self):
        for status in ("published", "archived"):
            with self.subTest(status):
                response = self.post(
                    self.editor,
                    self.draft,
                    status=status,
                    change_kind="clinical",
                    change_summary_en="x",
                )
                self.assertContains(response, "Only medical reviewers can publish or archive")
        self.assertEqual(Article.objects.get(pk=self.draft.pk).status, "draft")
        response = self.post(self.editor, self.live, status="draft")
        self.assertContains(
            response, "Only medical reviewers can take a published article off the site"
        )

    def test_reviewer_approval_records_reviewer_dates_and_change(self):
        response = self.post(
            self.reviewer,
            self.draft,
            status="published",
            change_kind="clinical",
            change_summary_en="First published.",
            change_summary_de="Erstmals veröffentlicht.",
        )
        self.assertEqual(response.status_code, 302)
        article = Article.objects.get(pk=self.draft.pk)
        self.assertEqual(article.status, "published")
        self.assertEqual(article.medical_reviewer.user, self.reviewer)
        self.assertEqual(article.last_reviewed, TODAY)
        self.assertEqual(article.next_review_due, add_years(TODAY, 3))
        entry = article.changes.get()
        self.assertEqual(
            (entry.kind, entry.summary_en, entry.summary_de),
            ("clinical", "First published.", "Erstmals veröffentlicht."),
        )
        self.assertEqual(entry.reviewer, article.medical_reviewer)

    def test_publishing_needs_a_summary_and_a_clinical_kind(self):
        response = self.post(self.reviewer, self.draft, status="published", change_kind="editorial")
        self.assertContains(response, "Publishing is a medical approval")
        self.assertContains(response, "Say in a sentence what is new")

    def test_reviewer_without_a_contributor_record_cannot_approve(self):
        bare = make_user("bare-reviewer", groups=["Medical reviewers"])
        response = self.post(
            bare, self.draft, status="published", change_kind="clinical", change_summary_en="x"
        )
        self.assertContains(response, "no contributor record")

    def test_editorial_change_by_an_editor_keeps_review_dates(self):
        before = Article.objects.get(pk=self.live.pk)
        response = self.post(
            self.editor,
            self.live,
            body_en="Reviewed text, without the typo.",
            change_kind="editorial",
            change_summary_en="Fixed a typo.",
        )
        self.assertEqual(response.status_code, 302)
        after = Article.objects.get(pk=self.live.pk)
        self.assertIn("without the typo", after.body_html_en)
        self.assertEqual(
            (after.last_reviewed, after.next_review_due),
            (before.last_reviewed, before.next_review_due),
        )
        self.assertEqual(after.changes.get().kind, "editorial")

    def test_editor_cannot_change_published_clinical_content(self):
        for kind in ("", "clinical"):
            with self.subTest(kind=kind):
                response = self.post(
                    self.editor,
                    self.live,
                    body_en="New dosage advice.",
                    change_kind=kind,
                    change_summary_en="x",
                )
                self.assertEqual(response.status_code, 200)
        self.assertContains(response, "need a new review")
        self.assertEqual(Article.objects.get(pk=self.live.pk).body_en, "Reviewed text.")

    def test_inline_changes_to_a_published_article_follow_the_rules(self):
        figure = make_figure(self.live, 1, caption_en="Old caption")
        data = admin_article_data(self.live, **{"figures-0-caption_en": "New caption"})
        self.client.force_login(self.editor)
        response = self.client.post(change_url(self.live), data)
        self.assertContains(response, "This article is published")
        figure.refresh_from_db()
        self.assertEqual(figure.caption_en, "Old caption")
        data.update(change_kind="editorial", change_summary_en="Clearer caption.")
        self.assertEqual(self.client.post(change_url(self.live), data).status_code, 302)
        figure.refresh_from_db()
        self.assertEqual(figure.caption_en, "New caption")

    def test_review_dates_cannot_be_typed_in(self):
        self.post(
            self.reviewer, self.live, last_reviewed="2030-01-01", next_review_due="2031-01-01"
        )
        article = Article.objects.get(pk=self.live.pk)
        self.assertEqual(article.last_reviewed, datetime.date(2025, 1, 10))

    def test_confirm_review_action(self):
        self.client.force_login(self.reviewer)
        self.client.post(
            "/admin/netinfo/article/",
            {"action": "mark_reviewed", "_selected_action": [self.live.pk]},
        )
        article = Article.objects.get(pk=self.live.pk)
        self.assertEqual(article.last_reviewed, TODAY)
        self.assertEqual(article.changes.get().kind, "review")
        self.client.force_login(self.editor)
        response = self.client.get("/admin/netinfo/article/")
        self.assertNotIn(
            "mark_reviewed", response.context["cl"].model_admin.get_actions(response.wsgi_request)
        )


class WorkingCopyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor", groups=["Editors"])
        cls.reviewer = make_reviewer()
        make_reference("oronsky2017")
        cls.live = make_article(
            "treatment", body="Old advice [@oronsky2017].", last_reviewed=datetime.date(2024, 5, 1)
        )
        make_figure(cls.live, 1, caption_en="Original figure")
        cls.live.save()

    def test_clinical_change_through_a_working_copy(self):
        self.client.force_login(self.editor)
        response = self.client.post(f"/admin/netinfo/article/{self.live.pk}/working-copy/")
        copy = Article.objects.get(revision_of=self.live)
        self.assertRedirects(response, change_url(copy), fetch_redirect_response=False)
        self.assertEqual(copy.status, "draft")
        self.assertEqual(copy.figures.count(), 1)

        response = self.client.post(
            change_url(copy),
            admin_article_data(
                copy, body_en="New advice [@oronsky2017].\n\n[[figure:1]]", status="in_review"
            ),
        )
        self.assertEqual(response.status_code, 302)
        # Visitors still see the reviewed text.
        self.assertContains(self.client.get("/en/articles/treatment/"), "Old advice")
        self.assertEqual(self.client.get(f"/en/articles/{copy.slug_en}/").status_code, 404)

        self.client.force_login(self.reviewer)
        copy.refresh_from_db()
        response = self.client.post(
            change_url(copy),
            admin_article_data(
                copy,
                status="published",
                change_kind="clinical",
                change_summary_en="New advice on treatment.",
            ),
        )
        self.assertRedirects(response, change_url(self.live), fetch_redirect_response=False)
        self.assertFalse(Article.objects.filter(pk=copy.pk).exists())
        original = Article.objects.get(pk=self.live.pk)
        self.assertEqual(original.slug_en, "treatment")
        self.assertIn("New advice", original.body_html_en)
        self.assertEqual(original.figures.get().caption_en, "Original figure")
        self.assertIn(original.figures.get().image.url, original.body_html_en)
        self.assertEqual(original.last_reviewed, TODAY)
        self.assertEqual(original.changes.get().summary_en, "New advice on treatment.")
        self.assertEqual(original.citations.count(), 1)
        page = self.client.get("/en/articles/treatment/")
        self.assertContains(page, "New advice")
        self.assertContains(page, "New advice on treatment.")


class RevisionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.superuser = make_superuser()
        make_reviewer("rev")

    def setUp(self):
        self.client.force_login(self.superuser)

    def test_every_admin_save_makes_a_revision_with_a_readable_diff_and_restore(self):
        article = make_article(
            "revised",
            published=False,
            body="First words here.",
            title_de="Erst",
            slug_de="erst",
            summary_de="s",
            body_de="Erste Worte.",
        )
        self.client.post(
            change_url(article), admin_article_data(article, body_en="First words changed here.")
        )
        self.client.post(
            change_url(article),
            admin_article_data(article, body_en="Third text.", title_de="Zweit"),
        )
        versions = list(
            Version.objects.get_for_object(article).order_by("revision__date_created", "pk")
        )
        self.assertEqual(len(versions), 2)
        response = self.client.get(f"/admin/netinfo/article/{article.pk}/history/")
        self.assertContains(
            response, f"/admin/netinfo/article/{article.pk}/history/{versions[1].pk}/changes/"
        )
        changes = self.client.get(
            f"/admin/netinfo/article/{article.pk}/history/{versions[1].pk}/changes/"
        )
        html = changes.content.decode()
        self.assertIn("<del>First</del>", html)
        self.assertIn("<ins>Third</ins>", html)
        self.assertIn("Body [en]", html)
        self.assertIn("Title [de]", html)
        self.assertIn("<ins>Zweit</ins>", html)
        self.assertNotIn("body_html", html)
        first = self.client.get(
            f"/admin/netinfo/article/{article.pk}/history/{versions[0].pk}/changes/"
        )
        self.assertContains(first, "This is the first saved version.")

        # Restore the first version of this draft: it comes back as a new, third version.
        restore_url = f"/admin/netinfo/article/{article.pk}/history/{versions[0].pk}/"
        page = self.client.get(restore_url)
        self.assertContains(page, "Restore this version")
        self.assertContains(page, "<del>Third</del>", html=False)
        article.refresh_from_db()
        self.assertEqual(article.body_en, "Third text.")  # looking changes nothing
        self.assertRedirects(self.client.post(restore_url), change_url(article))
        article.refresh_from_db()
        self.assertEqual((article.body_en, article.title_de), ("First words changed here.", "Erst"))
        self.assertIn("First words changed here.", article.body_html_en)
        self.assertEqual(Version.objects.get_for_object(article).count(), 3)
        newest = Version.objects.get_for_object(article).order_by("-pk").first()
        self.assertIn("Restored the version saved on", newest.revision.get_comment())

    def test_references_and_groups_are_versioned_too(self):
        reference = make_reference("versioned")
        self.client.post(
            f"/admin/references/reference/{reference.pk}/change/",
            {
                "key": "versioned",
                "type": "article-journal",
                "title": "New title",
                "authors": "Smith, J",
            },
        )
        self.assertEqual(Version.objects.get_for_object(reference).count(), 1)
        group = make_group("Versioned group")
        self.client.get(f"/admin/patient_groups/patientgroup/{group.pk}/history/")
        self.assertEqual(
            self.client.get(f"/admin/patient_groups/patientgroup/{group.pk}/history/").status_code,
            200,
        )


class ChangeLogPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = make_article(
            "logged", title_de="Protokoll", slug_de="protokoll", summary_de="Z", body_de="Text."
        )
        ChangeLogEntry.objects.create(
            article=cls.article,
            kind="clinical",
            summary_en="New dosing table.",
            summary_de="Neue Dosierungstabelle.",
            created=timezone.now() - datetime.timedelta(days=3),
        )
        ChangeLogEntry.objects.create(
            article=cls.article, kind="editorial", summary_en="Fixed a link."
        )
        refresh(cls.article)

    def test_newest_first_in_each_language(self):
        html = self.client.get("/en/articles/logged/").content.decode()
        self.assertIn("What changed", html)
        self.assertLess(html.index("Fixed a link."), html.index("New dosing table."))
        self.assertIn("Editorial change", html)
        html = self.client.get("/de/articles/protokoll/").content.decode()
        self.assertIn("Neue Dosierungstabelle.", html)
        self.assertIn(
            '<span lang="en">Fixed a link.</span>', html
        )  # no German summary: English, marked


class DashboardTests(TestCase):
    def test_lists(self):
        overdue = make_article("overdue", next_review_due=TODAY - datetime.timedelta(days=1))
        soon = make_article("soon", next_review_due=TODAY + datetime.timedelta(days=30))
        make_article("later", next_review_due=TODAY + datetime.timedelta(days=300))
        waiting = make_article("waiting", published=False, status="in_review")
        editor = make_user("editor", groups=["Editors"])
        Article.objects.filter(pk=waiting.pk).update(
            submitted_by=editor, submitted_at=timezone.now()
        )
        stale = make_article(
            "stale", title_de="Alt", slug_de="alt", summary_de="Z", body_de="Deutsch."
        )
        stale.body_en = "English text changed after the translation."
        stale.save()
        untranslated = make_article("english-only")
        make_reference("unchecked")
        make_group("Old group", last_verified=TODAY - datetime.timedelta(days=400))
        make_group("Fresh group", last_verified=TODAY)

        self.client.force_login(make_superuser())
        response = self.client.get("/admin/dashboard/")
        lists = response.context["lists"]
        self.assertEqual(lists["overdue"], [overdue])
        self.assertEqual(lists["due_soon"], [soon])
        self.assertEqual(lists["waiting"], [waiting])
        self.assertContains(response, "submitted by editor")
        translations = dict(lists["translations"])
        self.assertEqual(translations[stale], "stale")
        self.assertEqual(translations[untranslated], "missing")
        self.assertEqual([r.key for r in lists["unverified"]], ["unchecked"])
        self.assertEqual([g.name for g in lists["groups"]], ["Old group"])
        self.assertContains(response, f"/admin/netinfo/article/{overdue.pk}/change/")
        self.assertContains(self.client.get("/admin/"), "/admin/dashboard/")

    def test_directory_staff_see_only_their_list(self):
        self.client.force_login(make_user("directory", groups=["Directory staff"]))
        lists = self.client.get("/admin/dashboard/").context["lists"]
        self.assertEqual(set(lists), {"groups", "suggestions", "links"})


class ReadabilityTests(TestCase):
    def test_scores(self):
        easy = measure("The cat sat on the mat. It was a sunny day. We went home.", "en")
        hard = measure(
            "Notwithstanding considerable methodological heterogeneity, multicentre investigations "
            "demonstrated substantially prolonged progression-free survival.",
            "en",
        )
        self.assertGreater(easy["ease"], 90)
        self.assertTrue(easy["meets_target"])
        self.assertLess(hard["ease"], 30)
        self.assertFalse(hard["meets_target"])
        german = measure("Die Katze sitzt auf der Matte. Es ist ein schöner Tag.", "de")
        self.assertEqual(german["formula"], "Amstad / WSTF")
        self.assertGreater(german["ease"], 70)
        self.assertEqual(measure("", "en"), {})

    def test_medical_terms_do_not_count_as_long_words(self):
        """Scored like any two-syllable word, whatever their real length."""
        with_terms = measure(
            "Everolimus helps. Somatostatin binds. Neuroendocrine cells grow.", "en"
        )
        plain = measure("Garden helps. Yellow binds. Window cells grow.", "en")
        self.assertEqual(with_terms["grade"], plain["grade"])
        self.assertEqual(with_terms["ease"], plain["ease"])

    def test_computed_on_save_and_shown_in_the_admin(self):
        article = make_article("readable", body="Short words. Easy to read. Good for all.")
        self.assertIn("en", article.readability)
        self.client.force_login(make_superuser())
        self.assertContains(self.client.get(change_url(article)), "meets the target")


class PreviewLinkTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.draft = make_article("secret", published=False, body="Unpublished draft text.")

    def test_valid_link_shows_the_draft_with_a_banner_and_is_not_indexed(self):
        link = PreviewLink.objects.create(article=self.draft)
        response = self.client.get(link.get_absolute_url())
        self.assertContains(response, "Unpublished draft text.")
        self.assertContains(response, "Shared with you for review")
        self.assertContains(response, '<meta name="robots" content="noindex">')
        self.assertEqual(response["X-Robots-Tag"], "noindex, nofollow")
        self.assertIn("no-store", response["Cache-Control"])

    def test_expired_revoked_and_tampered_links_are_404(self):
        expired = PreviewLink.objects.create(
            article=self.draft, expires_at=timezone.now() - datetime.timedelta(seconds=1)
        )
        revoked = PreviewLink.objects.create(article=self.draft, revoked=True)
        good = PreviewLink.objects.create(article=self.draft)
        tampered = good.get_absolute_url().replace("/review/", "/review/x")
        for url in [
            expired.get_absolute_url(),
            revoked.get_absolute_url(),
            tampered,
            "/en/review/not-a-token/",
        ]:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        self.assertGreaterEqual((good.expires_at - timezone.now()).days, 13)

    def test_a_link_reads_the_same_every_time(self):
        """An editor who copies the link twice, a second apart, gets one address."""
        link = PreviewLink.objects.create(article=self.draft)
        first = link.get_absolute_url()
        later = timezone.now() + datetime.timedelta(seconds=5)
        with mock.patch("time.time", return_value=later.timestamp()):
            self.assertEqual(link.get_absolute_url(), first)
        other = PreviewLink.objects.create(article=self.draft)
        self.assertNotEqual(other.get_absolute_url(), first)

    def test_links_are_made_and_revoked_in_the_admin(self):
        editor = make_user("editor", groups=["Editors"])
        self.client.force_login(editor)
        data = admin_article_data(
            self.draft,
            **{
                "preview_links-TOTAL_FORMS": 1,
                "preview_links-0-note": "Dr Outside",
                "preview_links-0-expires_at_0": (TODAY + datetime.timedelta(days=14)).isoformat(),
                "preview_links-0-expires_at_1": "12:00:00",
            },
        )
        self.assertEqual(self.client.post(change_url(self.draft), data).status_code, 302)
        link = PreviewLink.objects.get(note="Dr Outside")
        self.assertContains(self.client.get(change_url(self.draft)), link.get_absolute_url())
        self.client.logout()
        self.assertEqual(self.client.get(link.get_absolute_url()).status_code, 200)
        link.revoked = True
        link.save()
        self.assertEqual(self.client.get(link.get_absolute_url()).status_code, 404)


class StorageFailureTests(TestCase):
    """An image upload the file storage cannot take: a form error, nothing saved, no orphans."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor", groups=["Editors"])
        cls.draft = make_article("with-upload", published=False, body="Text.\n\n[[figure:1]]")

    def post_with_image(self, image_bytes):
        from django.core.files.uploadedfile import SimpleUploadedFile

        data = admin_article_data(
            self.draft,
            **{
                "figures-TOTAL_FORMS": 1,
                "figures-INITIAL_FORMS": 0,
                "figures-0-number": 1,
                "figures-0-alt_en": "A scan",
                "figures-0-credit_en": "Courtesy of a test",
                "figures-0-image": SimpleUploadedFile("scan.png", image_bytes, "image/png"),
            },
        )
        self.client.force_login(self.editor)
        return self.client.post(change_url(self.draft), data)

    def assert_nothing_saved(self, response, media_root):
        import os

        self.assertContains(response, "The image could not be stored, so nothing was saved")
        self.assertFalse(self.draft.figures.exists())
        stored = [name for _dir, _dirs, names in os.walk(media_root) for name in names]
        self.assertEqual(stored, [])

    def test_a_media_folder_that_cannot_be_written(self):
        import tempfile
        from pathlib import Path

        from tests.factories import png_bytes

        with tempfile.TemporaryDirectory() as folder:
            blocker = Path(folder) / "not-a-folder"
            blocker.write_text("a file where the media folder should be")
            with self.settings(MEDIA_ROOT=blocker / "media"):
                response = self.post_with_image(png_bytes())
            self.assertContains(response, "The image could not be stored, so nothing was saved")
            self.assertFalse(self.draft.figures.exists())
            self.assertEqual(sorted(p.name for p in Path(folder).iterdir()), ["not-a-folder"])

    def test_a_full_disk(self):
        """A write that fails half-way (the file size limit stands in for a full disk)."""
        import tempfile

        with tempfile.TemporaryDirectory() as folder, self.settings(MEDIA_ROOT=folder):
            with file_size_limit(100_000):
                response = self.post_with_image(noisy_png(300_000))
            self.assert_nothing_saved(response, folder)

    def test_the_storage_removes_a_half_written_file(self):
        import os
        import tempfile

        from django.core.files.base import ContentFile

        from netinfo.core.storage import MediaStorage

        with tempfile.TemporaryDirectory() as folder:
            storage = MediaStorage(location=folder)
            with file_size_limit(100_000), self.assertRaises(OSError):
                storage.save("figures/big.png", ContentFile(noisy_png(300_000)))
            self.assertEqual([names for _d, _s, names in os.walk(folder) if names], [])


def noisy_png(size):
    """A PNG of about `size` bytes: random pixels do not compress."""
    import io
    import os

    from PIL import Image

    side = int((size / 3) ** 0.5) + 1
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, "PNG")
    return buffer.getvalue()


class file_size_limit:
    """Files this process writes stop growing at `limit` bytes (EFBIG), as on a full disk."""

    def __init__(self, limit):
        self.limit = limit

    def __enter__(self):
        import resource
        import signal

        self.previous_signal = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        self.previous = resource.getrlimit(resource.RLIMIT_FSIZE)
        resource.setrlimit(resource.RLIMIT_FSIZE, (self.limit, self.previous[1]))

    def __exit__(self, *exc_info):
        import resource
        import signal

        resource.setrlimit(resource.RLIMIT_FSIZE, self.previous)
        signal.signal(signal.SIGXFSZ, self.previous_signal)
