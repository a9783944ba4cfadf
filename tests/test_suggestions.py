"""
Visitors suggest a correction to a group or an association to add, without an account or a
cookie; directory staff accept a suggestion into the record with one click, or decline it.
"""

import time
from unittest import mock

from django.core import signing
from django.test import TestCase, override_settings

from patient_groups.forms import TOKEN_SALT
from patient_groups.models import PatientGroup, Region, Suggestion
from tests.factories import make_group, make_user

ORIGIN = "http://testserver"


def sent_token(seconds_ago=60):
    """The form's token as a page sent `seconds_ago` would have carried it."""
    return signing.dumps({"at": int(time.time()) - seconds_ago}, salt=TOKEN_SALT)


def correction_data(group, **changes):
    data = {
        "name": group.name,
        "acronym": group.acronym,
        "country": group.country.code,
        "city": group.city,
        "website": group.website,
        "email": group.email,
        "phone": group.phone,
        "languages": group.languages,
        "description": group.description,
        "message": "",
        "contact_email": "",
        "nickname": "",
        "token": sent_token(),
    }
    data.update(changes)
    return data


class SuggestionFormTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.group = make_group("NET Patient Network", country="DE", city="Berlin")
        cls.address = f"/en/patient-groups/{cls.group.slug}/suggest/"

    def post(self, address, data, **headers):
        headers.setdefault("HTTP_ORIGIN", ORIGIN)
        return self.client.post(address, data, **headers)

    def test_the_form_page_sets_no_cookie_and_can_be_cached(self):
        response = self.client.get(self.address)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.cookies, {})
        self.assertIn("public", response["Cache-Control"])
        self.assertContains(response, 'value="NET Patient Network"')  # the record, to correct
        self.assertContains(response, 'value="Berlin"')
        self.assertNotContains(response, "csrfmiddlewaretoken")
        self.assertContains(response, 'class="honeypot" aria-hidden="true"')

    def test_a_correction_is_stored_for_staff_and_the_visitor_thanked(self):
        data = correction_data(
            self.group,
            email="info@net-network.example",
            phone="+49 30 1234567",
            message="We have an e-mail address and a helpline now.",
            contact_email="secretary@example.org",
        )
        response = self.post(self.address, data)
        self.assertRedirects(response, "/en/patient-groups/thank-you/")
        self.assertEqual(response.cookies, {})
        suggestion = Suggestion.objects.get()
        self.assertEqual(
            (suggestion.kind, suggestion.group, suggestion.status, suggestion.language),
            ("correction", self.group, "waiting", "en"),
        )
        self.assertEqual(suggestion.contact_email, "secretary@example.org")
        self.assertEqual(
            [(field.name, now, proposed) for field, now, proposed in suggestion.proposed_changes()],
            [("email", "", "info@net-network.example"), ("phone", "", "+49 30 1234567")],
        )
        # Nothing reaches the public record before staff accept it.
        self.group.refresh_from_db()
        self.assertEqual(self.group.email, "")
        thanks = self.client.get("/en/patient-groups/thank-you/")
        self.assertContains(thanks, "Your suggestion has reached the directory")

    def test_a_new_association(self):
        address = "/de/patient-groups/add/"
        self.assertContains(self.client.get(address), "Ihre Organisation eintragen")
        data = {"name": "", "country": "AT", "message": "", "token": sent_token()}
        response = self.post(address, data)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Dieses Feld ist zwingend erforderlich.", status_code=400)
        data["name"] = "NET Selbsthilfe Österreich"
        response = self.post(address, data)
        self.assertRedirects(response, "/de/patient-groups/thank-you/")
        suggestion = Suggestion.objects.get()
        self.assertEqual(
            (suggestion.kind, suggestion.group, suggestion.language), ("new", None, "de")
        )

    def test_a_correction_that_changes_nothing_asks_for_a_message(self):
        response = self.post(self.address, correction_data(self.group))
        self.assertContains(
            response, "Change at least one detail, or tell us in the message", status_code=400
        )
        self.assertFalse(Suggestion.objects.exists())

    def test_checked_like_the_admin_checks_a_record(self):
        data = correction_data(self.group, website="ftp://example.org", languages="de xx")
        response = self.post(self.address, data)
        self.assertContains(response, "starts with https://", status_code=400)
        self.assertContains(response, "Unknown language codes: xx", status_code=400)
        self.assertContains(response, 'aria-invalid="true"', status_code=400)

    def test_other_sites_cannot_send_it(self):
        data = correction_data(self.group, message="Spam from elsewhere.")
        for headers in [
            {"HTTP_ORIGIN": "https://elsewhere.example"},
            {"HTTP_ORIGIN": "", "HTTP_REFERER": "https://elsewhere.example/page"},
            {"HTTP_ORIGIN": ""},  # neither header: not a page of this site
        ]:
            with self.subTest(headers=headers):
                response = self.post(self.address, data, **headers)
                self.assertContains(response, "can only be sent from its page", status_code=403)
        # A browser that sends only the Referer, from this site, is fine.
        response = self.post(
            self.address, data, HTTP_ORIGIN="", HTTP_REFERER=f"{ORIGIN}{self.address}"
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Suggestion.objects.count(), 1)

    def test_scripts_are_turned_away(self):
        # Sent the moment the form arrived: people take longer.
        data = correction_data(self.group, message="Quick.", token=sent_token(seconds_ago=0))
        self.assertContains(self.post(self.address, data), "very quick", status_code=400)
        # A forged or day-old token.
        for token in ["forged", sent_token(seconds_ago=2 * 24 * 3600)]:
            data = correction_data(self.group, message="Old.", token=token)
            self.assertContains(self.post(self.address, data), "too old", status_code=400)
        # The hidden field filled in: thanked, and dropped.
        data = correction_data(self.group, message="Buy now", nickname="bot")
        self.assertRedirects(self.post(self.address, data), "/en/patient-groups/thank-you/")
        self.assertFalse(Suggestion.objects.exists())

    def test_one_address_may_send_five_an_hour(self):
        for number in range(5):
            data = correction_data(self.group, message=f"Note {number}.")
            self.assertEqual(self.post(self.address, data).status_code, 302)
        response = self.post(self.address, correction_data(self.group, message="Sixth."))
        self.assertContains(response, "several messages from your connection", status_code=429)
        self.assertEqual(Suggestion.objects.count(), 5)
        # Another address is not held back.
        response = self.post(
            self.address, correction_data(self.group, message="Other."), REMOTE_ADDR="10.0.0.9"
        )
        self.assertEqual(response.status_code, 302)

    def test_sent_from_the_pages_that_offer_it(self):
        detail = self.client.get(f"/en/patient-groups/{self.group.slug}/")
        self.assertContains(detail, f'href="{self.address}"')
        self.assertContains(detail, "We have no website, e-mail address or phone number")
        directory = self.client.get("/en/patient-groups/")
        self.assertContains(directory, 'href="/en/patient-groups/add/"')
        self.assertContains(directory, "Data for partners:")


class AcceptSuggestionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.staff = make_user("directory", groups=["Directory staff"])
        cls.editor = make_user("editor", groups=["Editors"])
        cls.group = make_group("NET Patient Network", country="DE")
        cls.correction = Suggestion.objects.create(
            kind="correction",
            group=cls.group,
            name=cls.group.name,
            country="DE",
            email="info@net-network.example",
            contact_email="secretary@example.org",
            message="New address.",
        )
        cls.new = Suggestion.objects.create(
            kind="new", name="NET Support Japan", country="JP", website="https://net.example.jp"
        )

    def accept(self, suggestion):
        return self.client.post(f"/admin/patient_groups/suggestion/{suggestion.pk}/accept/")

    def test_staff_see_what_would_change_and_accept_it_with_one_click(self):
        self.client.force_login(self.staff)
        page = self.client.get(f"/admin/patient_groups/suggestion/{self.correction.pk}/change/")
        self.assertContains(page, "What would change in the record")
        self.assertContains(page, "info@net-network.example")
        self.assertContains(page, "Accept into the record")
        self.assertContains(page, "secretary@example.org")  # for staff's questions
        response = self.accept(self.correction)
        self.assertRedirects(
            response, f"/admin/patient_groups/patientgroup/{self.group.pk}/change/"
        )
        self.group.refresh_from_db()
        self.assertEqual(self.group.email, "info@net-network.example")
        self.correction.refresh_from_db()
        self.assertEqual(
            (self.correction.status, self.correction.handled_by), ("accepted", self.staff)
        )
        # The public page shows it at once; the follow-up address is nowhere public.
        public = self.client.get(f"/en/patient-groups/{self.group.slug}/")
        self.assertContains(public, "mailto:info@net-network.example")
        for address in [public, self.client.get("/en/patient-groups.json")]:
            self.assertNotContains(address, "secretary@example.org")
        # Handled once only.
        self.assertEqual(self.accept(self.correction).status_code, 302)
        self.assertEqual(Suggestion.objects.get(pk=self.correction.pk).status, "accepted")

    def test_a_new_association_joins_its_countrys_region(self):
        self.client.force_login(self.staff)
        self.accept(self.new)
        group = PatientGroup.objects.get(name="NET Support Japan")
        self.assertEqual(
            (group.region.slug, group.website), ("asia-pacific", "https://net.example.jp")
        )
        self.new.refresh_from_db()
        self.assertEqual((self.new.status, self.new.group), ("accepted", group))
        self.assertContains(self.client.get("/en/patient-groups/"), "NET Support Japan")

    def test_decline_leaves_the_directory_as_it_is(self):
        self.client.force_login(self.staff)
        response = self.client.post(f"/admin/patient_groups/suggestion/{self.new.pk}/decline/")
        self.assertRedirects(response, "/admin/patient_groups/suggestion/")
        self.assertEqual(Suggestion.objects.get(pk=self.new.pk).status, "declined")
        self.assertFalse(PatientGroup.objects.filter(name="NET Support Japan").exists())

    def test_a_suggestion_that_breaks_the_rules_is_refused_with_the_reason(self):
        Region.objects.filter(slug="asia-pacific").update(countries="AU NZ")
        self.client.force_login(self.staff)
        response = self.accept(self.new)
        self.assertRedirects(response, f"/admin/patient_groups/suggestion/{self.new.pk}/change/")
        messages = [str(m) for m in response.wsgi_request._messages]
        self.assertIn("No region lists this country yet", messages[0])
        self.assertEqual(Suggestion.objects.get(pk=self.new.pk).status, "waiting")

    def test_only_directory_staff_handle_suggestions(self):
        self.client.force_login(self.editor)
        self.assertEqual(self.accept(self.correction).status_code, 403)
        self.client.force_login(self.staff)
        self.assertEqual(
            self.client.get(f"/admin/patient_groups/suggestion/{self.new.pk}/accept/").status_code,
            405,
        )

    def test_the_dashboard_lists_waiting_suggestions(self):
        self.client.force_login(self.staff)
        response = self.client.get("/admin/dashboard/")
        self.assertEqual(response.context["lists"]["suggestions"], [self.correction, self.new])


class RegionCountryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.staff = make_user("directory", groups=["Directory staff"])
        make_group("Japan NET Network", region="asia-pacific", country="JP")
        make_group("NET Patient Network", region="europe", country="DE")

    def test_a_group_must_be_in_a_region_that_lists_its_country(self):
        self.client.force_login(self.staff)
        europe = Region.objects.get(slug="europe")
        data = {
            "name": "Japan Carcinoid Society",
            "status": "active",
            "country": "JP",
            "coverage": "national",
            "region": europe.pk,
        }
        response = self.client.post("/admin/patient_groups/patientgroup/add/", data)
        self.assertContains(
            response,
            "Japan is not one of the countries of “Europe”; it belongs to “Asia &amp; Asia Pacific”.",
        )
        self.assertFalse(PatientGroup.objects.filter(name="Japan Carcinoid Society").exists())
        # Worldwide takes any country.
        data["region"] = Region.objects.get(slug="worldwide").pk
        response = self.client.post("/admin/patient_groups/patientgroup/add/", data)
        self.assertEqual(response.status_code, 302)

    def test_region_countries_are_iso_codes(self):
        region = Region.objects.get(slug="europe")
        region.countries = "de fr xx"
        with self.assertRaisesMessage(Exception, "Unknown country codes: XX"):
            region.full_clean()
        region.countries = "de fr"
        region.full_clean()
        self.assertEqual(region.countries, "DE FR")

    def test_the_directory_offers_a_regions_countries_only(self):
        response = self.client.get("/en/patient-groups/?region=europe")
        self.assertContains(response, '<option value="DE">Germany</option>')
        self.assertNotContains(response, '<option value="JP">')
        # A country outside the chosen region: its groups, with a word why.
        response = self.client.get("/en/patient-groups/?region=europe&country=JP")
        self.assertContains(
            response, "Japan is not in the region “Europe”: showing all groups in Japan."
        )
        self.assertContains(response, "Japan NET Network")
        self.assertNotContains(response, "NET Patient Network")

    def test_a_list_that_offers_nothing_is_left_out(self):
        html = self.client.get("/en/patient-groups/").content.decode()
        self.assertNotIn('name="language"', html)  # no group lists its languages yet
        self.assertIn('name="country"', html)
        PatientGroup.objects.filter(name="Japan NET Network").update(languages="ja en")
        PatientGroup.objects.get(name="Japan NET Network").save()
        self.assertIn('name="language"', self.client.get("/en/patient-groups/").content.decode())


@override_settings(PAGE_CACHE_SECONDS=0)
class RateLimitWithoutCacheTests(TestCase):
    def test_a_cache_out_of_reach_refuses_nobody(self):
        from netinfo.core.public_forms import over_limit

        request = mock.Mock(META={"REMOTE_ADDR": "10.0.0.1"})
        with mock.patch("netinfo.core.public_forms.cache") as cache:
            cache.incr.side_effect = ValueError
            self.assertFalse(over_limit(request, "test", 0, 3600))
