"""
The save pipeline (netinfo.articles.services): every workflow step by every role, restoring versions,
renders per publish, the reviewer's comparison, and what stays internal.
"""

import datetime
import json
from unittest import mock

import reversion
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.test import TestCase
from django.utils import timezone
from reversion.models import Version

from netinfo.articles import rendering, services
from netinfo.articles.models import Article, ChangeLogEntry, Contributor, Figure
from netinfo.articles.services import ChangeNote, WorkflowError
from references import exchange
from tests.factories import (
    admin_article_data,
    make_article,
    make_figure,
    make_reference,
    make_reviewer,
    make_superuser,
    make_user,
)

TODAY = timezone.localdate()


def note(en="A change.", de=None, kind="clinical"):
    summaries = {"en": en}
    if de:
        summaries["de"] = de
    return ChangeNote(kind, summaries)


def change_url(article):
    return f"/admin/netinfo/article/{article.pk}/change/"


def versions_of(article):
    return list(Version.objects.get_for_object(article).order_by("revision__date_created", "pk"))


def reload(article):
    return Article.objects.get(pk=article.pk)


class RolesTests(TestCase):
    """Each step called by an Editor, a Medical reviewer and Directory staff."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor", groups=["Editors"])
        cls.reviewer = make_reviewer()
        cls.staff = make_user("directory", groups=["Directory staff"])

    def draft(self, status="draft"):
        return make_article(f"draft-{Article.objects.count()}", published=False, status=status)

    def live(self):
        return make_article(f"live-{Article.objects.count()}", last_reviewed=TODAY)

    def steps(self):
        """(name, who may, call(user)) for every step an editor's form or page can ask for."""
        return [
            ("save_draft", "editor", lambda u: services.save_draft(self.draft(), u)),
            ("submit_for_review", "editor", lambda u: services.submit_for_review(self.draft(), u)),
            (
                "approve_and_publish",
                "reviewer",
                lambda u: services.approve_and_publish(self.draft("in_review"), u, note=note()),
            ),
            (
                "propose_clinical_change",
                "editor",
                lambda u: services.propose_clinical_change(self.live(), u),
            ),
            ("merge_working_copy", "reviewer", self.approve_a_copy),
            (
                "confirm_review",
                "reviewer",
                lambda u: services.confirm_review(self.live(), u, note=note(kind="review")),
            ),
            (
                "publish_editorial_fix",
                "editor",
                lambda u: services.publish_editorial_fix(
                    self.live(), u, note=note("Typo.", kind="editorial")
                ),
            ),
            ("archive", "reviewer", lambda u: services.archive(self.live(), u)),
            ("withdraw", "reviewer", self.withdraw),
            ("restore_version", "editor", self.restore),
            ("recover_deleted", "editor", self.recover),
        ]

    def approve_a_copy(self, user):
        copy = services.propose_clinical_change(self.live(), self.editor)
        copy.body_en = "Changed on the copy."
        return services.approve_and_publish(copy, user, note=note())

    def withdraw(self, user):
        article = self.live()
        article.status = "draft"
        return services.withdraw(article, user)

    def restore(self, user):
        article = self.draft()
        services.save_draft(article, self.editor)
        article.body_en = "Second text."
        services.save_draft(article, self.editor)
        return services.restore_version(article, versions_of(article)[0], user)

    def recover(self, user):
        article = self.draft()
        services.save_draft(article, self.editor)
        version = versions_of(article)[0]
        Article.objects.filter(pk=article.pk).delete()
        return services.recover_deleted(version, user)

    def test_each_step_by_each_role(self):
        for name, allowed, call in self.steps():
            for role in ("editor", "reviewer", "staff"):
                user = getattr(self, role)
                may = role == "reviewer" or (role == "editor" and allowed == "editor")
                with self.subTest(step=name, role=role):
                    if may:
                        self.assertIsInstance(call(user), Article)
                    else:
                        with self.assertRaises(PermissionDenied):
                            call(user)

    def test_a_refused_step_writes_nothing(self):
        live = self.live()
        live.body_en = "New dosing advice."
        with self.assertRaises(WorkflowError) as refused:
            services.publish_editorial_fix(live, self.editor, note=note("", kind="editorial"))
        self.assertIn("Say in a sentence what changed", str(refused.exception))
        self.assertEqual(reload(live).body_en, "Some text.")
        self.assertFalse(live.changes.exists())
        self.assertEqual(versions_of(live), [])
        # An editor's clinical change to live text is not an editorial fix.
        with self.assertRaises(WorkflowError):
            services.publish_editorial_fix(live, self.editor, note=note("x", kind="clinical"))

    def test_approval_needs_a_note_in_each_language_of_the_article(self):
        article = make_article(
            "two-languages",
            published=False,
            title_de="Zwei",
            slug_de="zwei",
            summary_de="Z",
            body_de="Deutscher Text.",
        )
        with self.assertRaises(WorkflowError) as refused:
            services.approve_and_publish(article, self.reviewer, note=note("First published."))
        self.assertEqual([field for field, _m in refused.exception.problems], ["change_summary_de"])
        self.assertEqual(reload(article).status, "draft")
        services.approve_and_publish(
            article, self.reviewer, note=note("First published.", "Erstmals veröffentlicht.")
        )
        entry = reload(article).changes.get()
        self.assertEqual(
            (entry.summary_en, entry.summary_de), ("First published.", "Erstmals veröffentlicht.")
        )

    def test_each_step_records_one_revision_with_the_user_and_the_note(self):
        article = self.draft("in_review")
        services.approve_and_publish(article, self.reviewer, note=note("Checked and published."))
        (version,) = versions_of(article)
        self.assertEqual(version.revision.user, self.reviewer)
        self.assertEqual(version.revision.get_comment(), "Checked and published.")
        self.assertEqual(version.field_dict["status"], "published")


class RenderCountTests(TestCase):
    """Publishing renders each language's Markdown once."""

    @classmethod
    def setUpTestData(cls):
        cls.reviewer = make_reviewer()
        make_reference("oronsky2017")
        cls.article = make_article(
            "counted",
            published=False,
            status="in_review",
            body="Text [@oronsky2017].\n\n[[figure:1]]",
            title_de="Gezählt",
            slug_de="gezaehlt",
            summary_de="Z",
            body_de="Text [@oronsky2017].\n\n[[figure:1]]",
        )
        make_figure(cls.article, 1)

    def count_renders(self, do):
        with mock.patch.object(
            rendering, "render_markdown", wraps=rendering.render_markdown
        ) as spy:
            do()
        return spy.call_count

    def test_publishing_in_the_admin_renders_once_per_language(self):
        self.client.force_login(self.reviewer)
        data = admin_article_data(
            reload(self.article),
            status="published",
            change_kind="clinical",
            change_summary_en="First published.",
            change_summary_de="Erstmals veröffentlicht.",
        )
        renders = self.count_renders(lambda: self.client.post(change_url(self.article), data))
        self.assertEqual(renders, 2)
        article = reload(self.article)
        self.assertEqual(article.status, "published")
        self.assertIn("<figure", article.body_html_de)
        self.assertEqual(article.citations.count(), 2)

    def test_approving_a_working_copy_renders_once_per_language(self):
        services.approve_and_publish(self.article, self.reviewer, note=note("First.", "Erst."))
        copy = services.propose_clinical_change(self.article, self.reviewer)
        self.client.force_login(self.reviewer)
        data = admin_article_data(
            copy,
            body_en="New text [@oronsky2017].\n\n[[figure:1]]",
            status="published",
            change_kind="clinical",
            change_summary_en="New text.",
            change_summary_de="Neuer Text.",
        )
        renders = self.count_renders(lambda: self.client.post(change_url(copy), data))
        self.assertEqual(renders, 2)
        self.assertIn("New text", reload(self.article).body_html_en)


class RestoreTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor", groups=["Editors"])
        cls.reviewer = make_reviewer()

    def make_live_with_history(self):
        """A reviewed live article in two languages with two saved versions of its text."""
        article = make_article(
            "history",
            published=False,
            body="The first reviewed text.",
            title_de="Verlauf",
            slug_de="verlauf",
            summary_de="Z",
            body_de="Der erste geprüfte Text.",
        )
        make_figure(article, 1, caption_en="First caption")
        article.body_en = "The first reviewed text.\n\n[[figure:1]]"
        services.approve_and_publish(article, self.reviewer, note=note("First.", "Erst."))
        article.body_en = "The second reviewed text.\n\n[[figure:1]]"
        article.body_de = "Der zweite geprüfte Text."
        services.approve_and_publish(article, self.reviewer, note=note("Second.", "Zweit."))
        return reload(article)

    def test_an_editor_restoring_a_live_article_gets_a_working_copy(self):
        article = self.make_live_with_history()
        reviewed = (article.medical_reviewer_id, article.last_reviewed, article.next_review_due)
        first = versions_of(article)[0]
        self.client.force_login(self.editor)
        restore_url = f"/admin/netinfo/article/{article.pk}/history/{first.pk}/"
        page = self.client.get(restore_url)
        self.assertContains(page, "Make a working copy from this version")
        self.assertContains(page, "visitors go on seeing the published article")

        response = self.client.post(restore_url)
        copy = Article.objects.get(revision_of=article)
        self.assertRedirects(response, change_url(copy), fetch_redirect_response=False)
        self.assertEqual(copy.status, "draft")
        self.assertEqual(copy.body_en, "The first reviewed text.\n\n[[figure:1]]")
        self.assertEqual(copy.body_de, "Der erste geprüfte Text.")
        self.assertEqual(copy.figures.get().caption_en, "First caption")
        self.assertEqual((copy.medical_reviewer, copy.last_reviewed), (None, None))

        # Visitors see the live text, and its change log, exactly as before.
        after = reload(article)
        self.assertEqual(after.status, "published")
        self.assertEqual(
            (after.medical_reviewer_id, after.last_reviewed, after.next_review_due), reviewed
        )
        self.assertIn("second reviewed text", self.client.get("/en/articles/history/").text)
        self.assertEqual(after.changes.count(), 2)

        # An editor cannot publish it; a reviewer approves it with a note in both languages.
        data = admin_article_data(copy, status="published", change_kind="clinical")
        data.update(change_summary_en="Back to the first text.")
        self.assertContains(
            self.client.post(change_url(copy), data), "Only medical reviewers can publish"
        )
        self.client.force_login(self.reviewer)
        response = self.client.post(change_url(copy), data)
        self.assertContains(response, "Say what changed in this language too")
        data.update(change_summary_de="Zurück zum ersten Text.")
        self.assertRedirects(
            self.client.post(change_url(copy), data),
            change_url(article),
            fetch_redirect_response=False,
        )
        page = self.client.get("/de/articles/verlauf/").text
        self.assertIn("Der erste geprüfte Text.", page)
        self.assertIn("Zurück zum ersten Text.", page)
        self.assertEqual(reload(article).changes.count(), 3)

    def test_restoring_a_draft_replaces_its_text_figures_and_links(self):
        draft = make_article("draft-history", published=False, body="One.\n\n[[figure:1]]")
        make_figure(draft, 1, caption_en="Kept in the version")
        services.save_draft(draft, self.editor)
        Figure.objects.filter(article=draft).delete()
        draft.body_en = "Two, without a figure."
        draft.status = "in_review"
        services.submit_for_review(draft, self.editor)
        restored = services.restore_version(draft, versions_of(draft)[0], self.editor)
        self.assertEqual(restored.pk, draft.pk)
        draft = reload(draft)
        self.assertEqual(draft.status, "draft")  # the text under review changed
        self.assertIsNone(draft.submitted_by)
        self.assertEqual(draft.figures.get().caption_en, "Kept in the version")
        self.assertIn('<figure class="figure">', draft.body_html_en)

    def test_a_version_whose_image_file_is_gone_is_refused_naming_it(self):
        article = self.make_live_with_history()
        figure = article.figures.get()
        default_storage.delete(figure.image.name)
        first = versions_of(article)[0]
        self.client.force_login(self.reviewer)
        url = f"/admin/netinfo/article/{article.pk}/history/{first.pk}/"
        page = self.client.get(url)
        self.assertContains(page, "cannot be restored, and nothing was changed")
        self.assertContains(page, f"The image file of figure 1 ({figure.image.name})")
        self.assertNotContains(page, "Make a working copy from this version")
        response = self.client.post(url)
        self.assertContains(response, "is no longer stored")
        self.assertFalse(Article.objects.filter(revision_of=article).exists())
        self.assertEqual(reload(article).body_en, "The second reviewed text.\n\n[[figure:1]]")

    def test_the_approved_version_of_a_working_copy_restores_with_its_figures(self):
        """Approval deletes the copy; its version must still bring the figures back."""
        article = self.make_live_with_history()
        copy = services.propose_clinical_change(article, self.editor)
        copy.body_en = "Approved copy text.\n\n[[figure:1]]"
        Figure.objects.filter(article=copy).update(caption_en="Caption of the copy")
        services.approve_and_publish(copy, self.reviewer, note=note("Copy.", "Kopie."))
        approved = versions_of(article)[-1]
        article = reload(article)
        article.body_en = "A later editorial text.\n\n[[figure:1]]"
        services.publish_editorial_fix(article, self.editor, note=note("Later.", kind="editorial"))
        Figure.objects.filter(article=article).delete()  # gone from the live article since
        restored = services.restore_version(reload(article), approved, self.reviewer)
        self.assertEqual(restored.revision_of_id, article.pk)
        self.assertEqual(restored.figures.get().caption_en, "Caption of the copy")
        self.assertIn("Approved copy text", restored.body_html_en)

    def test_a_version_saved_by_the_old_approval_still_restores(self):
        """
        Before the pipeline, approving a copy kept the figures in the revision as the copy had
        them, pointing at the deleted copy; restoring such a version must find them.
        """
        article = self.make_live_with_history()
        copy = services.propose_clinical_change(article, self.editor)
        with reversion.create_revision():
            copy.body_en = "Old-style approval.\n\n[[figure:1]]"
            copy.save()  # the revision takes the copy's figure, pointing at the copy
            Figure.objects.filter(article=article).delete()
            Figure.objects.filter(article=copy).update(article=article)
            copy.delete()
            article.body_en = "Old-style approval.\n\n[[figure:1]]"
            article.save()
        old_style = versions_of(article)[-1]
        restored = services.restore_version(reload(article), old_style, self.reviewer)
        self.assertEqual(restored.figures.count(), 1)
        self.assertIn("Old-style approval.", restored.body_html_en)

    def test_a_version_whose_author_was_deleted_is_refused(self):
        draft = make_article("authored", published=False)
        author = Contributor.objects.create(family_name="Gone", given_names="Al")
        draft.authorships.create(contributor=author)
        services.save_draft(draft, self.editor)
        draft.authorships.all().delete()
        author.delete()
        with self.assertRaisesMessage(WorkflowError, "The author “Al Gone” of this version"):
            services.restore_version(draft, versions_of(draft)[0], self.editor)

    def test_directory_staff_cannot_restore(self):
        article = self.make_live_with_history()
        self.client.force_login(make_user("directory", groups=["Directory staff"]))
        url = f"/admin/netinfo/article/{article.pk}/history/{versions_of(article)[0].pk}/"
        self.assertEqual(self.client.post(url).status_code, 403)
        self.assertFalse(Article.objects.filter(revision_of=article).exists())

    def test_a_deleted_article_comes_back_as_a_draft(self):
        article = self.make_live_with_history()
        version = versions_of(article)[-1]
        Article.objects.filter(pk=article.pk).delete()
        self.client.force_login(self.editor)
        response = self.client.post(f"/admin/netinfo/article/recover/{version.pk}/")
        recovered = Article.objects.get(slug_en="history")
        self.assertRedirects(response, change_url(recovered), fetch_redirect_response=False)
        self.assertEqual(recovered.status, "draft")
        self.assertIsNone(recovered.last_reviewed)
        self.assertEqual(self.client.get("/en/articles/history/").status_code, 404)


class ReviewerComparisonTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor", groups=["Editors"])
        cls.reviewer = make_reviewer()
        cls.live = make_article("compared", body="Take one tablet daily.", last_reviewed=TODAY)
        make_figure(cls.live, 1, caption_en="A scan")

    def test_a_working_copy_shows_what_it_changes_against_the_live_article(self):
        copy = services.propose_clinical_change(self.live, self.editor)
        copy.body_en = "Take two tablets daily."
        services.save_draft(copy, self.editor)
        Figure.objects.filter(article=copy).update(caption_en="A clearer scan")
        self.client.force_login(self.reviewer)
        html = self.client.get(change_url(copy)).content.decode()
        self.assertIn("What this changes", html)
        self.assertIn("against the published article that visitors see now", html)
        self.assertIn("<del>one</del>", html)
        self.assertIn("<ins>two</ins>", html)
        self.assertIn("<del>tablet</del>", html)
        self.assertIn("Figure 1", html)
        self.assertIn("A <ins>clearer </ins>scan", html)
        # The live article's own page has no comparison.
        self.assertNotContains(self.client.get(change_url(self.live)), "What this changes")

    def test_a_withdrawn_article_is_compared_with_its_last_published_version(self):
        services.publish_editorial_fix(
            self.live, self.editor, note=note("Wording.", kind="editorial")
        )
        self.live.status = "draft"
        services.withdraw(self.live, self.reviewer)
        self.live.body_en = "Take one tablet every morning."
        services.save_draft(self.live, self.editor)
        self.client.force_login(self.reviewer)
        html = self.client.get(change_url(self.live)).content.decode()
        self.assertIn("against the version that visitors last saw", html)
        self.assertIn("<del>daily.</del>", html)
        self.assertIn("<ins>every morning.</ins>", html)


class AdminListAndDashboardTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor", groups=["Editors"])
        cls.reviewer = make_reviewer()
        cls.unreviewed = make_article("unreviewed", title_en="Never reviewed page")
        cls.reviewed = make_article(
            "reviewed", title_en="Reviewed page", last_reviewed=TODAY, next_review_due=None
        )
        make_article("a-draft", published=False, title_en="Draft page")

    def test_dashboard_lists_live_articles_never_medically_reviewed(self):
        self.client.force_login(self.reviewer)
        response = self.client.get("/admin/dashboard/")
        self.assertEqual(response.context["lists"]["never_reviewed"], [self.unreviewed])
        section = response.content.decode().split('id="never-heading"')[1].split("</section>")[0]
        self.assertIn("Live but never medically reviewed (1)", section)
        self.assertIn(change_url(self.unreviewed), section)
        # Confirming the review takes it off the list.
        services.confirm_review(self.unreviewed, self.reviewer, note=note(kind="review"))
        response = self.client.get("/admin/dashboard/")
        self.assertEqual(response.context["lists"]["never_reviewed"], [])

    def test_dashboard_lists_what_german_pages_show_in_english(self):
        from netinfo.articles.models import Authorship

        draft = Article.objects.get(slug_en="a-draft")
        untranslated = ChangeLogEntry.objects.create(
            article=self.reviewed, kind="editorial", summary_en="Clearer wording."
        )
        ChangeLogEntry.objects.create(
            article=self.reviewed, kind="editorial", summary_en="Typo.", summary_de="Tippfehler."
        )
        ChangeLogEntry.objects.create(article=draft, kind="editorial", summary_en="Not live.")
        english_only = Contributor.objects.create(family_name="Moreau", credentials_en="MD")
        translated = Contributor.objects.create(
            family_name="Berg", credentials_en="PhD", credentials_de="Dr."
        )
        on_a_draft = Contributor.objects.create(family_name="Lund", credentials_en="RN")
        Authorship.objects.create(article=self.reviewed, contributor=english_only, order=1)
        Authorship.objects.create(article=self.reviewed, contributor=translated, order=2)
        Authorship.objects.create(article=draft, contributor=on_a_draft, order=1)
        reviewer_record = Contributor.objects.get(user=self.reviewer)  # credentials in English
        Article.objects.filter(pk=self.unreviewed.pk).update(medical_reviewer=reviewer_record)

        self.client.force_login(self.reviewer)
        with self.assertNumQueries(15):  # session, user, permissions and one query per list
            response = self.client.get("/admin/dashboard/")
        lists = response.context["lists"]
        self.assertEqual(lists["german_changes"], [untranslated])
        self.assertEqual(lists["german_credentials"], [english_only, reviewer_record])
        html = response.content.decode()
        self.assertIn("“What changed” lines shown in English on German pages (1)", html)
        self.assertIn('<span lang="en">Clearer wording.</span>', html)
        self.assertIn("Credentials shown in English on German pages (2)", html)
        self.assertIn(f"/admin/netinfo/contributor/{english_only.pk}/change/", html)

    def test_working_copies_are_marked_filtered_and_carry_no_review_dates(self):
        copy = services.propose_clinical_change(self.reviewed, self.editor)
        self.assertEqual(
            (copy.last_reviewed, copy.next_review_due, copy.medical_reviewer), (None,) * 3
        )
        self.client.force_login(self.editor)
        html = self.client.get("/admin/netinfo/article/").content.decode()
        self.assertIn("(working copy of “Reviewed page”)", html)
        only = self.client.get("/admin/netinfo/article/?copies=only")
        self.assertEqual(list(only.context["cl"].result_list), [copy])
        none = self.client.get("/admin/netinfo/article/?copies=none")
        self.assertNotIn(copy, list(none.context["cl"].result_list))


class PublicExportTests(TestCase):
    """Downloads, feeds and sitemaps never carry what is meant for editors."""

    SECRET = "Editors only: ask Dr Example before citing this."

    @classmethod
    def setUpTestData(cls):
        checker = make_user("checker-account")
        make_reference(
            "noted",
            note=cls.SECRET,
            doi="10.1000/xyz123",
            verified_at=timezone.now(),
            verified_by=checker,
        )
        cls.article = make_article("exported", body="A fact [@noted].")

    def test_reference_downloads_hold_public_fields_only(self):
        readers = {
            "ris": exchange.read_ris,
            "bib": exchange.read_bibtex,
            "json": exchange.read_csl_json,
        }
        for extension, read in readers.items():
            with self.subTest(extension):
                response = self.client.get(f"/en/articles/exported/references.{extension}")
                self.assertEqual(response.status_code, 200)
                text = response.content.decode()
                self.assertNotIn("Dr Example", text)
                self.assertNotIn("checker-account", text)
                (item,) = read(text)
                self.assertNotIn("note", item)
                self.assertEqual(item["DOI"], "10.1000/xyz123")
                self.assertLessEqual(set(item), {"id", *PUBLIC_FIELDS})

    def test_the_admin_export_keeps_the_note_for_backups(self):
        self.client.force_login(make_superuser())
        response = self.client.post(
            "/admin/references/reference/",
            {
                "action": "export_csl_json",
                "_selected_action": [self.article.citations.get().reference_id],
            },
        )
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertEqual(json.loads(response.content)[0]["note"], self.SECRET)

    def test_feeds_and_sitemaps_hold_no_internal_field(self):
        ChangeLogEntry.objects.create(
            article=self.article, kind="editorial", summary_en="Fixed a link.", user=make_user("u")
        )
        for url in ["/sitemap.xml", "/en/updates/feed/", "/en/updates/"]:
            with self.subTest(url):
                text = self.client.get(url).content.decode()
                self.assertNotIn("Dr Example", text)
                self.assertNotIn("checker-account", text)


PUBLIC_FIELDS = {
    *("type", "author", "editor", "title", "container-title", "container-title-short"),
    *("publisher", "publisher-place", "volume", "issue", "page", "edition", "issued"),
    *("DOI", "PMID", "PMCID", "ISBN", "URL", "accessed", "custom"),
}


class SmallHolesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_user("editor", groups=["Editors"])
        cls.other = make_user("someone-else", groups=["Editors"])

    def test_editors_link_their_own_account_to_their_contributor_record(self):
        self.client.force_login(self.editor)
        page = self.client.get("/admin/netinfo/contributor/add/?user=me")
        html = page.content.decode()
        self.assertNotIn("/admin/autocomplete/", html)  # the lookup editors may not use
        self.assertIn(f'<option value="{self.editor.pk}" selected>editor</option>', html)
        self.assertNotIn("someone-else", html)
        data = {"family_name": "Weber", "given_names": "Eva", "credentials_en": "RN"}
        response = self.client.post(
            "/admin/netinfo/contributor/add/", {**data, "user": self.other.pk}
        )
        self.assertContains(response, "Select a valid choice")
        self.client.post("/admin/netinfo/contributor/add/", {**data, "user": self.editor.pk})
        self.assertEqual(Contributor.objects.get(family_name="Weber").user, self.editor)

    def test_a_record_linked_to_someone_else_cannot_be_relinked_by_an_editor(self):
        record = Contributor.objects.create(family_name="Other", user=self.other)
        self.client.force_login(self.editor)
        url = f"/admin/netinfo/contributor/{record.pk}/change/"
        self.assertNotContains(self.client.get(url), 'name="user"')
        self.client.post(url, {"family_name": "Other", "user": self.editor.pk})
        record.refresh_from_db()
        self.assertEqual(record.user, self.other)

    def test_the_preview_switcher_stays_in_the_preview(self):
        both = make_article(
            "both", published=False, title_de="Beide", slug_de="beide", summary_de="Z", body_de="T."
        )
        english = make_article("english", published=False)
        self.client.force_login(self.editor)
        html = self.client.get(f"/en/preview/articles/{both.pk}/").content.decode()
        self.assertIn(f'href="/de/preview/articles/{both.pk}/" lang="de"', html)
        self.assertEqual(self.client.get(f"/de/preview/articles/{both.pk}/").status_code, 200)
        html = self.client.get(f"/en/preview/articles/{english.pk}/").content.decode()
        self.assertNotIn('lang="de" hreflang="de"', html)
        link = both.preview_links.create()
        self.client.logout()
        html = self.client.get(link.get_absolute_url()).content.decode()
        german = link.get_absolute_url().replace("/en/", "/de/")
        self.assertIn(f'href="{german}"', html)
        self.assertEqual(self.client.get(german).status_code, 200)

    def test_a_refused_admin_page_says_what_is_missing_in_the_admins_look(self):
        article = make_article("refused")
        self.client.force_login(self.editor)
        response = self.client.get(
            f"/admin/netinfo/article/{article.pk}/delete/",
            HTTP_REFERER=f"http://testserver/admin/netinfo/article/{article.pk}/change/",
        )
        self.assertEqual(response.status_code, 403)
        html = response.content.decode()
        self.assertIn('id="site-name"', html)  # the admin's header
        self.assertIn("Can delete article", html)
        self.assertIn("netinfo.delete_article", html)
        self.assertIn(f'href="http://testserver/admin/netinfo/article/{article.pk}/change/"', html)
        self.assertIn('href="/admin/"', html)
        response = self.client.get("/admin/auth/user/", HTTP_REFERER="https://evil.example/")
        self.assertContains(response, "Can view user", status_code=403)
        self.assertNotContains(response, "evil.example", status_code=403)
        # A working copy of a draft is refused with the reason.
        draft = make_article("refused-draft", published=False)
        response = self.client.post(f"/admin/netinfo/article/{draft.pk}/working-copy/")
        self.assertContains(response, "Only a published article can have", status_code=403)

    def test_a_refused_public_page_uses_the_sites_look(self):
        draft = make_article("hidden-draft", published=False)
        self.client.force_login(make_user("no-articles", groups=["Directory staff"]))
        response = self.client.get(f"/en/preview/articles/{draft.pk}/")
        self.assertContains(response, "Not allowed", status_code=403)
        self.assertContains(response, 'class="site-header', status_code=403)


class ChangeNoteAfterDaysTests(TestCase):
    def test_confirm_review_keeps_the_text_and_renders_nothing(self):
        reviewer = make_reviewer()
        article = make_article("kept", last_reviewed=TODAY - datetime.timedelta(days=900))
        with mock.patch.object(
            rendering, "render_markdown", wraps=rendering.render_markdown
        ) as spy:
            services.confirm_review(article, reviewer, note=note("Still right.", kind="review"))
        self.assertEqual(spy.call_count, 0)
        self.assertEqual(reload(article).last_reviewed, TODAY)
