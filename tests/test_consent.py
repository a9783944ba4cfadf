"""Cookie consent: nothing optional without consent, decisions enforced on the server."""

import datetime
import io
import uuid

from cookie_consent.models import Cookie, CookieGroup
from django.core.management import call_command
from django.test import Client, TestCase, override_settings
from django.utils import timezone

from netinfo.consent.models import ConsentRecord
from tests.factories import make_article, make_superuser, make_user

MATOMO_COOKIES = {"_pk_id.1.abcd": "x.1", "_pk_ses.1.abcd": "1"}


def consent_value(response):
    return response.cookies["cookie_consent"].value


def deleted(response):
    return sorted(name for name, morsel in response.cookies.items() if morsel["max-age"] == 0)


@override_settings(ANALYTICS_STANDIN=True)
class ServerSideTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_article("page")

    def decide(self, action, client=None, **extra):
        client = client or self.client
        return client.post("/en/cookies/", {"action": action, **extra})

    def test_fresh_visitor_gets_no_cookie_at_all_on_public_pages(self):
        for url in [
            "/en/",
            "/de/",
            "/en/articles/page/",
            "/en/patient-groups/",
            "/en/search/?q=x",
            "/en/about/",
            "/sitemap.xml",
        ]:
            with self.subTest(url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.cookies, {})
                self.assertNotIn("Cookie", response.get("Vary", ""))
        html = self.client.get("/en/").content.decode()
        self.assertIn('<template id="consent-banner">', html)
        self.assertNotIn("analytics-script", html)  # only the banner script loads analytics

    def test_no_banner_or_analytics_code_when_analytics_is_not_configured(self):
        with self.settings(ANALYTICS_STANDIN=False, MATOMO_URL=""):
            html = self.client.get("/en/").content.decode()
            self.assertNotIn("consent.js", html)
            self.assertNotIn("consent-banner", html)
            page = self.client.get("/en/cookies/")
            self.assertContains(page, "uses no optional cookies")
            self.assertNotContains(page, "Audience measurement")

    def test_optional_cookies_are_deleted_until_accepted(self):
        self.client.cookies.load(MATOMO_COOKIES)
        response = self.client.get("/en/")
        self.assertEqual(deleted(response), ["_pk_id.1.abcd", "_pk_ses.1.abcd"])

    def test_declining_deletes_them_in_the_same_response(self):
        self.client.cookies.load(MATOMO_COOKIES)
        response = self.decide("reject_all")
        self.assertIn("analytics=-1", consent_value(response))
        self.assertEqual(deleted(response), ["_pk_id.1.abcd", "_pk_ses.1.abcd"])

    def test_accepting_keeps_them(self):
        response = self.decide("accept_all")
        value = consent_value(response)
        self.assertRegex(value, r"analytics=\d{4}-")
        morsel = response.cookies["cookie_consent"]
        self.assertTrue(morsel["httponly"])
        self.assertEqual(morsel["samesite"], "Lax")
        self.assertEqual(morsel["max-age"], 60 * 60 * 24 * 182)
        self.client.cookies.load(MATOMO_COOKIES)
        response = self.client.get("/en/")
        self.assertEqual(deleted(response), [])

    def test_consent_cookie_is_secure_outside_debug(self):
        from django.conf import settings

        self.assertTrue(settings.COOKIE_CONSENT_SECURE)
        self.assertTrue(self.decide("accept_all").cookies["cookie_consent"]["secure"])

    def test_a_new_cookie_in_the_group_makes_old_acceptance_undecided(self):
        self.decide("accept_all")
        group = CookieGroup.objects.get(varname="analytics")
        Cookie.objects.create(
            cookiegroup=group,
            name="_pk_cvar.*",
            created=timezone.now() + datetime.timedelta(seconds=1),
        )
        status = self.client.get("/consent/status/").json()
        self.assertEqual(status["notAcceptedOrDeclinedCookieGroups"], ["analytics"])
        self.client.cookies.load(MATOMO_COOKIES)
        self.assertEqual(deleted(self.client.get("/en/")), ["_pk_id.1.abcd", "_pk_ses.1.abcd"])
        self.assertContains(self.client.get("/en/cookies/"), "you have not decided yet")

    def test_accept_one_and_decline_another_in_one_post(self):
        media = CookieGroup.objects.create(varname="media", name="Media", ordering=3)
        Cookie.objects.create(cookiegroup=media, name="media_pref")
        response = self.decide("save", groups=["analytics"])
        value = consent_value(response)
        self.assertRegex(value, r"analytics=\d{4}-")
        self.assertIn("media=-1", value)
        record = ConsentRecord.objects.get()
        self.assertEqual((record.accepted, record.declined), (["analytics"], ["media"]))

    def test_record_has_no_personal_data_and_reuses_the_consent_id(self):
        self.decide("accept_all", HTTP_USER_AGENT="Secret Browser", REMOTE_ADDR="203.0.113.9")
        self.decide("reject_all")
        first, second = ConsentRecord.objects.order_by("created", "pk")
        self.assertEqual(first.consent_id, second.consent_id)
        self.assertIn(f"cid={first.consent_id.hex}", self.client.cookies["cookie_consent"].value)
        self.assertEqual(second.action, "reject_all")
        self.assertEqual(second.policy_version, "2026-11-21")
        fields = {f.name for f in ConsentRecord._meta.get_fields()}
        self.assertEqual(
            fields,
            {
                "id",
                "consent_id",
                "created",
                "action",
                "accepted",
                "declined",
                "versions",
                "policy_version",
            },
        )
        stored = str(list(ConsentRecord.objects.values()))
        self.assertNotIn("203.0.113.9", stored)
        self.assertNotIn("Secret Browser", stored)

    def test_tampered_consent_id_is_replaced(self):
        self.client.cookies.load({"cookie_consent": "cid=<script>"})
        self.decide("accept_all")
        self.assertIsInstance(ConsentRecord.objects.get().consent_id, uuid.UUID)

    def test_csrf_is_enforced(self):
        client = Client(enforce_csrf_checks=True)
        self.assertEqual(client.post("/en/cookies/", {"action": "accept_all"}).status_code, 403)
        self.assertEqual(ConsentRecord.objects.count(), 0)

    def test_next_cannot_redirect_off_site(self):
        response = self.decide("accept_all", next="https://evil.example/")
        self.assertEqual(response["Location"], "/en/cookies/?saved=1")
        response = self.decide("accept_all", next="/en/articles/page/")
        self.assertEqual(response["Location"], "/en/articles/page/")

    def test_banner_post_answers_without_redirect(self):
        response = self.client.post(
            "/en/cookies/", {"action": "reject_all"}, HTTP_X_REQUESTED_WITH="fetch"
        )
        self.assertEqual(response.status_code, 204)
        self.assertIn("analytics=-1", consent_value(response))

    def test_unknown_action_is_a_400(self):
        self.assertEqual(self.decide("accept_everything").status_code, 400)

    def test_status_endpoint_is_never_cached(self):
        response = self.client.get("/consent/status/")
        self.assertIn("no-store", response["Cache-Control"])
        data = response.json()
        self.assertEqual(data["notAcceptedOrDeclinedCookieGroups"], ["analytics"])
        self.assertEqual(data["saveUrl"], "/en/cookies/")

    def test_settings_page_lists_every_cookie_with_purpose_lifetime_provider(self):
        response = self.client.get("/de/cookies/")
        for text in [
            "csrftoken",
            "sessionid",
            "cookie_consent",
            "_pk_id.…",
            "Zielgruppenmessung",
            "13 Monate",
            "diese Website",
        ]:
            self.assertContains(response, text)
        self.assertContains(response, 'name="groups" value="analytics">')  # not pre-ticked
        self.assertContains(response, 'value="accept_all"')
        self.assertContains(response, 'value="reject_all"')
        self.decide("accept_all")
        self.assertContains(self.client.get("/en/cookies/"), 'value="analytics" checked>')

    def test_footer_links_to_the_settings_on_every_page(self):
        for url in ["/en/", "/de/patient-groups/", "/en/articles/page/"]:
            self.assertContains(self.client.get(url), "/cookies/")

    def test_cached_pages_never_replay_a_deletion(self):
        """The sitemap is cached per view: the cleaning middleware runs outside any page cache."""
        self.client.cookies.load(MATOMO_COOKIES)
        self.assertEqual(
            deleted(self.client.get("/sitemap.xml")), ["_pk_id.1.abcd", "_pk_ses.1.abcd"]
        )
        consenting = Client()
        consenting.post("/en/cookies/", {"action": "accept_all"})
        consenting.cookies.load(MATOMO_COOKIES)
        response = consenting.get("/sitemap.xml")
        self.assertEqual(response.cookies.keys() - {"cookie_consent"}, set())
        fresh = Client().get("/sitemap.xml")
        self.assertEqual(fresh.cookies, {})


class AdminTests(TestCase):
    def test_only_superusers_manage_cookie_groups(self):
        for group in ["Editors", "Medical reviewers", "Directory staff"]:
            self.client.force_login(make_user(group.lower().replace(" ", "-"), groups=[group]))
            with self.subTest(group):
                self.assertEqual(
                    self.client.get("/admin/cookie_consent/cookiegroup/").status_code, 403
                )
                self.assertEqual(self.client.get("/admin/consent/consentrecord/").status_code, 403)
        self.client.force_login(make_superuser())
        self.assertEqual(self.client.get("/admin/cookie_consent/cookiegroup/").status_code, 200)
        self.assertEqual(self.client.get("/admin/consent/consentrecord/").status_code, 200)

    def test_seeded_groups(self):
        groups = {g.varname: g for g in CookieGroup.objects.prefetch_related("cookie_set")}
        self.assertTrue(groups["essential"].is_required)
        self.assertEqual(
            sorted(c.name for c in groups["analytics"].cookie_set.all()),
            ["_pk_id.*", "_pk_ref.*", "_pk_ses.*"],
        )


class PruneTests(TestCase):
    def test_prune_old_records(self):
        old = ConsentRecord.objects.create(action="accept_all", policy_version="x")
        ConsentRecord.objects.filter(pk=old.pk).update(
            created=timezone.now() - datetime.timedelta(days=400)
        )
        ConsentRecord.objects.create(action="reject_all", policy_version="x")
        out = io.StringIO()
        call_command("prune_consent_records", "--older-than", "365", stdout=out)
        self.assertIn("Deleted 1", out.getvalue())
        self.assertEqual(ConsentRecord.objects.count(), 1)
