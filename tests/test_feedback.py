"""
"Was this page helpful?" on every article: answered without JavaScript or a cookie, kept
anonymous, and read by the editors, who mark comments handled and see where a page got worse.
"""

import csv
import io

from django.test import TestCase

from netinfo.articles import services
from netinfo.articles.feedback import redact
from netinfo.articles.models import Feedback
from tests.factories import make_article, make_reviewer, make_user

ORIGIN = "http://testserver"


class FeedbackFormTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = make_article("fatigue", title_en="Fatigue and NETs")

    def answer(self, helpful, **extra):
        extra.setdefault("HTTP_ORIGIN", ORIGIN)
        return self.client.post("/en/articles/fatigue/feedback/", {"helpful": helpful}, **extra)

    def test_the_question_is_part_of_the_cached_page(self):
        response = self.client.get("/en/articles/fatigue/")
        self.assertContains(response, "Was this page helpful?")
        self.assertContains(response, 'action="/en/articles/fatigue/feedback/"')
        self.assertNotContains(response, "csrfmiddlewaretoken")  # nothing per visitor
        self.assertEqual(response.cookies, {})
        self.assertIn("public", response["Cache-Control"])

    def test_no_then_what_was_missing_and_a_comment(self):
        response = self.answer("no")
        self.assertContains(response, "What was missing?")
        self.assertEqual(response.cookies, {})
        self.assertIn("no-cache", response["Cache-Control"])
        feedback = Feedback.objects.get()
        self.assertEqual((feedback.helpful, feedback.language), (False, "en"))
        token = response.context["form"]["feedback"].value()
        response = self.client.post(
            "/en/articles/fatigue/feedback/more/",
            {
                "feedback": token,
                "missing": ["unclear", "outdated"],
                "comment": "Too many long words. Call me on +49 30 1234567 or mail a@b.de.",
            },
            HTTP_ORIGIN=ORIGIN,
        )
        self.assertContains(response, "Thank you for your feedback")
        self.assertContains(response, 'href="/en/articles/fatigue/"')  # back to the page
        self.assertEqual(response.cookies, {})
        feedback.refresh_from_db()
        self.assertEqual(feedback.missing, "unclear outdated")
        self.assertEqual(
            feedback.comment,
            "Too many long words. Call me on [phone number removed] or mail "
            "[e-mail address removed].",
        )
        # The same form cannot write into the answer again.
        again = self.client.post(
            "/en/articles/fatigue/feedback/more/",
            {"feedback": token, "comment": "Changed."},
            HTTP_ORIGIN=ORIGIN,
        )
        self.assertContains(again, "This form has expired", status_code=400)
        # The article page still sets no cookie afterwards.
        self.assertEqual(self.client.get("/en/articles/fatigue/").cookies, {})

    def test_a_comment_too_long_comes_back_with_the_question_still_asked(self):
        token = self.answer("no").context["form"]["feedback"].value()
        response = self.client.post(
            "/en/articles/fatigue/feedback/more/",
            {"feedback": token, "comment": "x" * 501},
            HTTP_ORIGIN=ORIGIN,
        )
        self.assertContains(response, "at most 500 characters", status_code=400)
        self.assertContains(response, "What was missing?", status_code=400)
        self.assertEqual(response.cookies, {})
        self.assertEqual(Feedback.objects.get().comment, "")  # nothing half-stored

    def test_stored_with_the_version_read_and_the_language(self):
        editor = make_user("editor", groups=["Editors"])
        services.publish_editorial_fix(
            self.article,
            editor,
            note=services.ChangeNote("editorial", {"en": "Typo."}),
        )
        self.client.post("/de/articles/fatigue/feedback/", {"helpful": "yes"}, HTTP_ORIGIN=ORIGIN)
        feedback = Feedback.objects.get()
        self.assertEqual(feedback.language, "de")
        self.assertIsNotNone(feedback.version)

    def test_turned_away_from_elsewhere_too_often_or_by_scripts(self):
        response = self.answer("yes", HTTP_ORIGIN="https://elsewhere.example")
        self.assertContains(response, "can only be sent from its page", status_code=403)
        response = self.client.post(
            "/en/articles/fatigue/feedback/",
            {"helpful": "yes", "nickname": "bot"},
            HTTP_ORIGIN=ORIGIN,
        )
        self.assertContains(response, "Thank you for your feedback")
        self.assertFalse(Feedback.objects.exists())
        self.assertContains(self.answer("maybe"), "Please answer Yes or No", status_code=400)
        # Twenty answers an hour from one address, the two above included.
        for _number in range(18):
            self.assertEqual(self.answer("yes").status_code, 200)
        self.assertContains(self.answer("yes"), "several messages", status_code=429)
        self.assertEqual(Feedback.objects.count(), 18)
        self.assertEqual(self.client.get("/en/articles/fatigue/feedback/").status_code, 405)

    def test_redaction(self):
        self.assertEqual(
            redact("Write to jane.doe+net@example.co.uk"), "Write to [e-mail address removed]"
        )
        self.assertEqual(redact("Ring 0800-123 4567 today"), "Ring [phone number removed] today")
        self.assertEqual(
            redact("About 5 in 100,000 people; in 2019"), "About 5 in 100,000 people; in 2019"
        )


class FeedbackForEditorsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.article = make_article("fatigue", title_en="Fatigue and NETs")
        cls.editor = make_user("editor", groups=["Editors"])
        cls.reviewer = make_reviewer()
        for helpful in [True] * 8 + [False] * 2:
            Feedback.objects.create(article=cls.article, language="en", version=1, helpful=helpful)
        for helpful in [True] * 2 + [False] * 4:
            Feedback.objects.create(article=cls.article, language="en", version=2, helpful=helpful)
        cls.comment = Feedback.objects.create(
            article=cls.article,
            language="de",
            version=2,
            helpful=False,
            missing="unclear",
            comment='=HYPERLINK("x") Zu schwierig.',
        )

    def test_the_article_page_in_the_admin_shows_it_per_version(self):
        self.client.force_login(self.reviewer)
        html = self.client.get(f"/admin/netinfo/article/{self.article.pk}/change/").content.decode()
        self.assertIn("<td>2</td><td>7</td><td>29 %</td>", html.replace("\n", ""))
        self.assertIn("<td>1</td><td>10</td><td>80 %</td>", html.replace("\n", ""))
        self.assertIn("1 comment not yet handled", html)
        self.assertIn("Zu schwierig.", html)

    def test_the_dashboard_lists_comments_and_drops(self):
        self.client.force_login(self.editor)
        lists = self.client.get("/admin/dashboard/").context["lists"]
        self.assertEqual([(a, a.comments) for a in lists["feedback_comments"]], [(self.article, 1)])
        self.assertEqual(lists["feedback_drops"], [(self.article, 80, 29)])

    def test_marked_handled_with_a_note_and_exported(self):
        self.client.force_login(self.editor)
        response = self.client.post(
            f"/admin/netinfo/feedback/{self.comment.pk}/change/",
            {"note": "Shorter sentences in section 2."},
        )
        self.assertEqual(response.status_code, 302)
        self.comment.refresh_from_db()
        self.assertEqual(self.comment.handled_by, self.editor)
        self.assertEqual(self.comment.note, "Shorter sentences in section 2.")
        lists = self.client.get("/admin/dashboard/").context["lists"]
        self.assertEqual(lists["feedback_comments"], [])
        response = self.client.post(
            "/admin/netinfo/feedback/",
            {"action": "export_csv", "_selected_action": [self.comment.pk]},
        )
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        self.assertEqual(rows[0][:5], ["received", "article", "language", "version", "helpful"])
        self.assertEqual(rows[1][6], '\'=HYPERLINK("x") Zu schwierig.')  # never a formula
