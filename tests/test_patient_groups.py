"""The patient-group directory: data, filters, exports, import, permissions, queries."""

import io
import json
import tempfile
from pathlib import Path
from unittest import mock

from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models.functions import Lower
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from netinfo.core.page_cache import invalidate
from netinfo.core.spreadsheets import neutralise
from patient_groups.filters import filter_options
from patient_groups.importing import ImportFailed, import_groups
from patient_groups.models import PatientGroup, Region
from tests.factories import make_article, make_group, make_superuser, make_user

SHARED_CSV = (
    Path(__file__).resolve().parent.parent / "patient_groups" / "demo" / "patient_groups.csv"
)


class RegionTests(TestCase):
    def test_migration_seeds_regions_in_both_languages(self):
        regions = list(Region.objects.values_list("slug", "name_en", "name_de"))
        self.assertEqual(
            regions,
            [
                ("europe", "Europe", "Europa"),
                ("north-america", "North America", "Nordamerika"),
                ("south-america", "South America", "Südamerika"),
                ("asia-pacific", "Asia & Asia Pacific", "Asien & Asien-Pazifik"),
                ("africa", "Africa", "Afrika"),
                ("worldwide", "Worldwide", "Weltweit"),
            ],
        )

    def test_region_with_groups_cannot_be_deleted(self):
        from django.db.models import ProtectedError

        make_group("Someone")
        with self.assertRaises(ProtectedError):
            Region.objects.get(slug="europe").delete()


class ValidationTests(TestCase):
    def check(self, **fields):
        group = PatientGroup(name="X", region=Region.objects.get(slug="europe"), **fields)
        with self.assertRaises(ValidationError) as caught:
            group.full_clean()
        return caught.exception.message_dict

    def test_rules(self):
        self.assertIn("website", self.check(country="DE", website="ftp://example.org/"))
        self.assertIn("website", self.check(country="DE", website="javascript:alert(1)"))
        self.assertIn("email", self.check(country="DE", email="not-an-email"))
        self.assertEqual(self.check(country="")["country"], ["A national group needs a country."])
        self.assertIn("languages", self.check(country="DE", languages="de xx"))
        make_group("Twin", country="FR")
        group = PatientGroup(name="Twin", country="FR", region=Region.objects.get(slug="europe"))
        with self.assertRaisesMessage(ValidationError, "already exists in this country"):
            group.full_clean()
        PatientGroup(
            name="Twin", country="BE", region=Region.objects.get(slug="europe")
        ).full_clean()


class DirectoryPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_group(
            "Netzwerk NeT",
            country="DE",
            acronym="NeT",
            languages="de",
            services="helpline peer-support",
            website="https://www.netzwerk-net.de/",
        )
        make_group(
            "Neuroendocrine Cancer UK",
            country="GB",
            former_names="NET Patient Foundation",
            languages="en",
        )
        make_group("NET Japan", region="asia-pacific", country="JP", languages="ja")
        make_group("INCA", region="worldwide", country="", languages="en")
        make_group("Sleeping group", country="DE", status=PatientGroup.Status.INACTIVE)

    def test_grouped_by_region_with_counts(self):
        response = self.client.get("/en/patient-groups/")
        html = response.content.decode()
        self.assertIn("4 groups found.", html)
        self.assertIn("(2 groups)", html)
        self.assertLess(html.index("Europe"), html.index("Asia &amp; Asia Pacific"))
        self.assertLess(html.index("Asia &amp; Asia Pacific"), html.index("Worldwide"))
        self.assertIn("formerly NET Patient Foundation", html)
        self.assertIn("(NeT)", html)
        self.assertIn('<a href="https://www.netzwerk-net.de/" rel="noopener">', html)
        self.assertIn("website not listed", html)
        self.assertIn("Helpline, Peer support", html)
        self.assertNotIn("Sleeping group", html)

    def test_each_filter_alone_and_combined(self):
        cases = [
            ({"region": "asia-pacific"}, ["NET Japan"]),
            ({"country": "GB"}, ["Neuroendocrine Cancer UK"]),
            ({"language": "en"}, ["INCA", "Neuroendocrine Cancer UK"]),
            ({"q": "netzwerk"}, ["Netzwerk NeT"]),
            ({"q": "patient foundation"}, ["Neuroendocrine Cancer UK"]),
            ({"region": "europe", "language": "en"}, ["Neuroendocrine Cancer UK"]),
            ({"region": "europe", "country": "DE", "language": "de", "q": "net"}, ["Netzwerk NeT"]),
        ]
        for params, names in cases:
            with self.subTest(params):
                response = self.client.get("/en/patient-groups/", params)
                found = sorted(
                    g.name for s in response.context["listing"].sections for g in s["groups"]
                )
                self.assertEqual(found, names)
        response = self.client.get("/en/patient-groups/", {"country": "GB", "q": "uk"})
        self.assertContains(response, '<option value="GB" selected>United Kingdom</option>')
        self.assertContains(response, 'name="q" value="uk"')

    def test_names_are_found_without_their_accents_or_case(self):
        make_group("NET España", country="ES", city="Málaga")
        make_group("Kooperativní skupina pro neuroendokrinní nádory", country="CZ")
        make_group("Selbsthilfe Große Straße", country="AT", acronym="SGS")
        cases = {
            "NET Espana": ["NET España"],
            "ESPAÑA": ["NET España"],
            "malaga": ["NET España"],
            "neuroendokrinni": ["Kooperativní skupina pro neuroendokrinní nádory"],
            "GROSSE STRASSE": ["Selbsthilfe Große Straße"],
            "große": ["Selbsthilfe Große Straße"],
            "sgs": ["Selbsthilfe Große Straße"],
        }
        for query, names in cases.items():
            with self.subTest(query):
                response = self.client.get("/en/patient-groups/", {"q": query})
                found = sorted(
                    g.name for s in response.context["listing"].sections for g in s["groups"]
                )
                self.assertEqual(found, names)

    def test_percent_and_underscore_in_a_name_are_plain_characters(self):
        # The name filter is a LIKE; what visitors type must not act as its wildcards.
        make_group("100% for patients", country="FR")
        make_group("1000 patients", country="FR")
        make_group("NET_Connect", country="FR")
        make_group("NETXConnect", country="FR")
        cases = {
            "100%": ["100% for patients"],
            "net_c": ["NET_Connect"],
            "%": ["100% for patients"],
            "_": ["NET_Connect"],
        }
        for query, names in cases.items():
            for page in (1, 2):  # page 2 is past the end: the directory shows the last page
                with self.subTest(query=query, page=page):
                    response = self.client.get("/en/patient-groups/", {"q": query, "page": page})
                    sections = response.context["listing"].sections
                    found = sorted(g.name for s in sections for g in s["groups"])
                    self.assertEqual(found, names)
                    self.assertEqual(response.context["listing"].total, len(names))

    def test_search_text_follows_every_change(self):
        group = make_group("Old Name", country="ES")
        group.name = "Asociación Nueva"
        group.save(update_fields=["name"])
        group.refresh_from_db()
        self.assertEqual(group.search_text, "asociacion nueva\n\n\n")
        self.assertEqual(list(PatientGroup.objects.matching("ASOCIACIÓN")), [group])
        self.assertEqual(list(PatientGroup.objects.matching("old name")), [])

    def test_unknown_values_are_ignored_politely(self):
        response = self.client.get(
            "/en/patient-groups/",
            {"region": "atlantis<script>", "country": "ZZ", "language": "klingon", "page": "x"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "There is no region “atlantis&lt;script&gt;”")
        self.assertContains(response, "No groups are listed for the country “ZZ”")
        self.assertContains(response, "4 groups found.")

    def test_empty_results_offer_to_clear(self):
        response = self.client.get("/en/patient-groups/", {"q": "nothing like this"})
        self.assertContains(response, "No patient groups match these filters.")
        self.assertContains(response, "Clear the filters and show all groups")

    def test_filter_options_are_the_distinct_values_of_active_groups(self):
        make_group("Group ü", country="AT", languages="de en fr")
        make_group("Group a", country="AT", languages="de en")
        make_group("Group z", country="ZW", languages="")
        make_group("Only inactive", country="FR", languages="fr it", status="inactive")

        def expected():
            active = PatientGroup.objects.active().order_by()
            countries = {c for c in active.values_list("country", flat=True) if c}
            languages = {
                code for ls in active.values_list("languages", flat=True) for code in ls.split()
            }
            return countries, languages

        with self.assertNumQueries(1):
            options = filter_options()
        self.assertEqual(options, expected())
        self.assertEqual(options[0], {"AT", "DE", "GB", "JP", "ZW"})
        self.assertEqual(options[1], {"de", "en", "fr", "ja"})
        with self.assertNumQueries(0):  # kept until content changes
            self.assertEqual(filter_options(), options)
        PatientGroup.objects.update(status=PatientGroup.Status.INACTIVE)
        invalidate({"directory"})  # as every save does; update() sends no signal
        self.assertEqual(filter_options(), (set(), set()))

    def test_countries_in_the_visitors_language(self):
        response = self.client.get("/de/patient-groups/")
        self.assertContains(response, "Deutschland")
        self.assertContains(response, "Vereinigtes Königreich")
        self.assertContains(response, '<option value="ja">Japanisch</option>')
        self.assertNotContains(response, '<option value="FR"')  # only countries that have groups

    def test_detail_page(self):
        group = PatientGroup.objects.get(name="Netzwerk NeT")
        response = self.client.get(f"/en/patient-groups/{group.slug}/")
        self.assertContains(response, "<h1>Netzwerk NeT")
        self.assertContains(response, f'href="/en/patient-groups/{group.slug}/suggest/"')
        html = response.content.decode()
        data = json.loads(
            html.split('<script type="application/ld+json">')[1].split("</script>")[0]
        )
        self.assertEqual(data["@type"], "Organization")
        self.assertEqual(data["url"], "https://www.netzwerk-net.de/")
        self.assertEqual(data["address"]["addressCountry"], "DE")
        self.assertEqual(self.client.get("/en/patient-groups/no-such-group/").status_code, 404)

    def test_a_phone_number_can_be_called_with_a_tap(self):
        cases = {
            "+44 (0)20 7946 0000": "tel:+442079460000",
            "+49 30 / 123 456-78": "tel:+493012345678",
            "030 1234567": "tel:0301234567",
            "(02) 9876 5432": "tel:0298765432",
            "0800 123 456 or 0800 654 321": "",
            "+1 800 NET HELP": "",
            "12 34": "",
            "": "",
        }
        for phone, uri in cases.items():
            with self.subTest(phone):
                self.assertEqual(make_group(f"Group {phone}", phone=phone).phone_uri(), uri)
        group = PatientGroup.objects.get(name="Group +44 (0)20 7946 0000")
        response = self.client.get(f"/en/patient-groups/{group.slug}/")
        self.assertContains(response, '<a href="tel:+442079460000">+44 (0)20 7946 0000</a>')
        group = PatientGroup.objects.get(name="Group 0800 123 456 or 0800 654 321")
        response = self.client.get(f"/en/patient-groups/{group.slug}/")
        self.assertContains(response, "<dd>0800 123 456 or 0800 654 321</dd>")

    def test_json_output_has_public_fields_and_honours_filters(self):
        PatientGroup.objects.filter(name="NET Japan").update(note="secret staff note")
        response = self.client.get("/en/patient-groups.json", {"region": "asia-pacific"})
        data = response.json()
        self.assertEqual(data["count"], 1)
        self.assertEqual(data["groups"][0]["name"], "NET Japan")
        self.assertEqual(data["groups"][0]["country_name"], "Japan")
        self.assertNotIn("note", data["groups"][0])
        self.assertNotContains(response, "secret staff note")

    def test_pages_keep_the_directory_order_across_regions(self):
        # Region order unlike primary-key order, and pages that start and end inside regions.
        Region.objects.filter(slug="worldwide").update(order=0)
        for i, name in enumerate(["b", "A", "c", "D", "e"]):
            make_group(f"{name} group", region="europe", country="FR", city=str(i))
        make_group("z Japan", region="asia-pacific", country="JP")
        expected = list(
            PatientGroup.objects.active().order_by("region__order", "region", Lower("name"), "pk")
        )
        self.assertEqual(expected[0].name, "INCA")
        shown = []
        with mock.patch("patient_groups.views.PAGE_SIZE", 3):
            for page in range(1, 5):
                response = self.client.get("/en/patient-groups/", {"page": page})
                groups = [
                    g for section in response.context["listing"].sections for g in section["groups"]
                ]
                self.assertLessEqual(len(groups), 3)
                for group in groups:
                    self.assertContains(response, f'<a href="/en/patient-groups/{group.slug}/">')
                shown += [group.slug for group in groups]
        self.assertEqual(shown, [group.slug for group in expected])

    def test_linked_from_home_and_articles(self):
        self.assertContains(self.client.get("/en/"), 'href="/en/patient-groups/"')
        make_article("linked")
        self.assertContains(self.client.get("/en/articles/linked/"), "Find a patient group")


class SiteSearchTests(TestCase):
    """The site search also finds groups by name and the directory of a country it names."""

    def search(self, query, language="en"):
        return self.client.get(f"/{language}/search/", {"q": query})

    def test_groups_whose_names_match_are_listed(self):
        group = make_group("Zébra Neuro Verein", acronym="ZNV", country="AT", city="Graz")
        make_group("Zebra Quiet Club", status=PatientGroup.Status.INACTIVE)
        for query in ("zebra neuro", "ZÉBRA NEURO", "znv", "graz"):
            with self.subTest(query=query):
                response = self.search(query)
                # Groups first, with their count, when no article matches: no "0 found" above.
                self.assertContains(
                    response, '<h2 id="search-groups-heading">Patient groups (1)</h2>'
                )
                html = response.content.decode()
                self.assertLess(html.index("search-groups-heading"), html.index("0 articles"))
                self.assertContains(
                    response,
                    f'<li><a href="{group.get_absolute_url()}">Zébra Neuro Verein</a> (ZNV), '
                    "Austria</li>",
                    html=True,
                )
                self.assertNotContains(response, "Zebra Quiet Club")  # inactive
        response = self.search("zebra neuro", "de")
        self.assertContains(response, "Patientenorganisationen (1)</h2>")
        self.assertContains(response, "Österreich")

    def test_at_most_five_groups_names_that_begin_with_the_query_first(self):
        make_group("The Quokka Society", country="AU", region="asia-pacific")
        for number in range(1, 7):
            make_group(f"Quokka Club {number}", country="AU", region="asia-pacific")
        response = self.search("quokka")
        names = [group.name for group in response.context["results"]().groups["groups"]]
        self.assertEqual(names, [f"Quokka Club {number}" for number in range(1, 6)])
        self.assertContains(
            response,
            '<a href="/en/patient-groups/?q=quokka">'
            "All patient groups whose name contains “quokka”</a>",
            html=True,
        )
        # The link leads to every match, the ones not shown included.
        directory = self.client.get("/en/patient-groups/", {"q": "quokka"})
        self.assertContains(directory, "7 groups found.")
        self.assertNotContains(self.search("quokka club 1"), "All patient groups whose name")

    def test_short_or_unmatched_queries_list_no_groups(self):
        make_group("NE Group")
        for query in ("ne", "e", "carcinoid syndrome"):
            with self.subTest(query=query):
                response = self.search(query)
                self.assertNotContains(response, "search-groups")
                self.assertEqual(response.context["results"]().groups["groups"], [])

    def test_a_named_country_leads_to_its_groups(self):
        make_group("Netzwerk", country="DE")
        make_group("Oman Friends", country="OM", region="asia-pacific", status="inactive")
        link = '<a href="/en/patient-groups/?country=DE">Germany: all patient groups</a>'
        for query in ("support groups in Germany", "germany", "GERMANY help"):
            with self.subTest(query=query):
                self.assertContains(self.search(query), link, html=True)
        self.assertContains(
            self.search("Gruppen in Deutschland", "de"),
            '<a href="/de/patient-groups/?country=DE">Deutschland: alle '
            "Patientenorganisationen</a>",
            html=True,
        )
        # Countries without active groups, and country names inside other words, lead nowhere.
        for query in ("groups in Oman", "groups in France", "a woman with a NET", "germanys"):
            with self.subTest(query=query):
                self.assertEqual(
                    self.search(query).context["results"]().groups["group_countries"], []
                )

    def test_countries_named_in_finds_whole_names_only(self):
        from django.utils import translation

        from patient_groups.models import countries_named_in

        with translation.override("en"):
            self.assertEqual(countries_named_in("NETs in Papua New Guinea"), ["PG"])
            self.assertEqual(countries_named_in("guinea or niger"), ["GN", "NE"])
            self.assertEqual(countries_named_in("nigeria, Nigeria"), ["NG"])
            self.assertEqual(countries_named_in("woman"), [])
            self.assertEqual(countries_named_in("help in the USA or the UK"), ["US", "GB"])
            self.assertEqual(countries_named_in("groups in Scotland, Holland"), ["GB", "NL"])
        with translation.override("de"):
            self.assertEqual(countries_named_in("Österreich und oesterreich"), ["AT"])
            self.assertEqual(countries_named_in("osterreich"), ["AT"])
            self.assertEqual(countries_named_in("Gruppen in Großbritannien"), ["GB"])

    def test_names_and_queries_are_escaped(self):
        make_group("<img src=x onerror=alert(1)> Help", country="DE")
        response = self.search("onerror")
        self.assertContains(response, "&lt;img src=x onerror=alert(1)&gt; Help")
        self.assertNotContains(response, "<img src=x")
        response = self.search('help"><script>alert(1)</script> germany')
        self.assertNotContains(response, "<script>alert")

    def test_queries(self):
        for number in range(8):
            make_group(f"Search Group {number}", country="DE")
        with CaptureQueriesContext(connection) as context:
            response = self.search("search group in germany")
        self.assertContains(response, "Germany: all patient groups")
        with CaptureQueriesContext(connection) as more:
            self.search("search group")

        def directory(queries):
            return [q for q in queries if "patient_groups_patientgroup" in q["sql"]]

        # The names, and the countries named: one query more for "in germany".
        self.assertEqual(len(directory(context.captured_queries)), 2)
        self.assertEqual(len(directory(more.captured_queries)), 1)


class QueryCountTests(TestCase):
    def queries(self, url):
        with CaptureQueriesContext(connection) as context:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(context.captured_queries)

    def test_constant_queries_with_41_or_5000_groups(self):
        regions = list(Region.objects.all())
        codes = ["DE", "FR", "JP", "US", "BR", "KE"]

        def add(n, start):
            PatientGroup.objects.bulk_create(
                PatientGroup(
                    name=f"Group {i}",
                    slug=f"group-{i}",
                    country=codes[i % len(codes)],
                    region=regions[i % len(regions)],
                    languages="en de" if i % 2 else "fr",
                )
                for i in range(start, start + n)
            )
            invalidate({"directory"})  # bulk_create sends no save signals

        add(41, 0)
        few = self.queries("/en/patient-groups/?region=europe&language=en")
        add(5000 - 41, 41)
        many = self.queries("/en/patient-groups/?region=europe&language=en")
        self.assertEqual(few, many)
        self.assertLessEqual(many, 4)
        self.assertLessEqual(self.queries("/en/patient-groups/"), 4)
        response = self.client.get("/en/patient-groups/", {"page": "3"})
        self.assertContains(response, "Page 3 of 100")


class ExportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_group(
            "Müller-Hilfe", country="DE", note='=HYPERLINK("http://evil")', phone="+49 30 123"
        )
        make_group("Japan group", region="asia-pacific", country="JP")
        cls.staff = make_user("directory", groups=["Directory staff"])

    def test_neutralising(self):
        self.assertEqual(neutralise("=SUM(A1)"), "'=SUM(A1)")
        self.assertEqual(neutralise("@cmd"), "'@cmd")
        self.assertEqual(neutralise("-2"), "'-2")
        self.assertEqual(neutralise("Plain"), "Plain")

    def test_csv_is_staff_only_with_bom_neutralised_and_filtered(self):
        self.assertIn(self.client.get("/en/patient-groups.csv").status_code, (302, 403))
        self.client.force_login(make_user("editor", groups=["Editors"]))
        self.assertEqual(self.client.get("/en/patient-groups.csv").status_code, 403)
        self.client.force_login(self.staff)
        response = self.client.get("/en/patient-groups.csv", {"region": "europe"})
        body = response.content.decode("utf-8")
        self.assertTrue(body.startswith("\ufeffname,acronym"))
        self.assertIn("Müller-Hilfe", body)
        self.assertNotIn("Japan group", body)
        self.assertIn("'=HYPERLINK", body)
        self.assertIn("'+49 30 123", body)
        self.assertIn("no-store", response["Cache-Control"])

    def test_admin_actions(self):
        self.client.force_login(self.staff)
        ids = list(PatientGroup.objects.values_list("pk", flat=True))
        response = self.client.post(
            "/admin/patient_groups/patientgroup/", {"action": "export_csv", "_selected_action": ids}
        )
        self.assertTrue(response.content.decode("utf-8").startswith("\ufeff"))
        response = self.client.post(
            "/admin/patient_groups/patientgroup/",
            {"action": "export_json", "_selected_action": ids},
        )
        self.assertEqual(json.loads(response.content)["count"], 2)
        self.client.post(
            "/admin/patient_groups/patientgroup/",
            {"action": "mark_verified_today", "_selected_action": ids[:1]},
        )
        group = PatientGroup.objects.get(pk=ids[0])
        self.assertEqual(group.last_verified, timezone.localdate())
        self.assertEqual(group.verified_by, self.staff)


class ImportTests(TestCase):
    def test_the_shared_file_imports_idempotently(self):
        report = import_groups(SHARED_CSV.read_bytes())
        self.assertEqual(len(report.created), 41)
        self.assertEqual(PatientGroup.objects.filter(region__slug="asia-pacific").count(), 9)
        pan_european = PatientGroup.objects.get(name="Sarcoma Patients EuroNet")
        self.assertEqual((pan_european.country.code, pan_european.coverage), ("", "multinational"))
        inca = PatientGroup.objects.get(acronym="INCA")
        self.assertEqual((inca.coverage, inca.region.slug), ("international", "worldwide"))
        israel = PatientGroup.objects.get(name="Israel Cancer Association")
        self.assertEqual(israel.region.slug, "asia-pacific")
        uk = PatientGroup.objects.get(name="Neuroendocrine Cancer UK")
        self.assertEqual(uk.former_name_list(), ["NET Patient Foundation"])
        self.assertEqual(PatientGroup.objects.exclude(website="").count(), 2)
        again = import_groups(SHARED_CSV.read_bytes())
        self.assertEqual((len(again.created), len(again.updated), len(again.unchanged)), (0, 0, 41))

    def test_updates_by_name_and_country(self):
        import_groups("name,country,region,website\nNET Italy,ITA,Europe,\n")
        report = import_groups(
            "name,country,region,website\nNET Italy,ITA,Europe,https://netitaly.example/\n"
        )
        self.assertEqual(len(report.updated), 1)
        self.assertEqual(PatientGroup.objects.get().website, "https://netitaly.example/")

    def test_one_bad_row_imports_nothing_and_names_the_row(self):
        data = (
            "name,acronym,former_name,country,region,website,verified_note\n"
            "Good,,,DEU,Europe,,\n"
            "Bad country,,,XYZ,Europe,,\n"
            "Bad region,,,FRA,Atlantis,,\n"
            "Bad site,,,ITA,Europe,javascript:alert(1),\n"
            ",,,ESP,Europe,,\n"
        )
        with self.assertRaises(ImportFailed) as caught:
            import_groups(data)
        problems = caught.exception.problems
        self.assertTrue(problems[0].startswith("Row 3: unknown country code “XYZ”"))
        self.assertTrue(problems[1].startswith("Row 4: unknown region “Atlantis”"))
        self.assertTrue(problems[2].startswith("Row 5: website"))
        self.assertTrue(problems[3].startswith("Row 6: the name is empty"))
        self.assertEqual(PatientGroup.objects.count(), 0)

    def test_region_is_suggested_when_empty(self):
        import_groups("name,country,region\nNET Kenya,KEN,\n")
        self.assertEqual(PatientGroup.objects.get().region.slug, "africa")

    def test_malformed_files(self):
        for data, message in [
            (b"name,country,region\nNET M\xfcnchen,DEU,Europe\n", "not UTF-8"),
            ("just,some,columns\n1,2,3\n", "lacks the columns"),
            ("name,country,region\n", "no rows"),
        ]:
            with self.subTest(message), self.assertRaisesMessage(ImportFailed, message):
                import_groups(data)

    def test_what_spreadsheets_and_hostile_files_send(self):
        header = "name,acronym,former_name,country,region,website,verified_note\n"
        row = "NET Deutschland,,,DEU,Europe,https://net.example/,\n"
        # UTF-16 with a byte-order mark, as Excel's "Unicode text" writes.
        import_groups((header + row).encode("utf-16"))
        self.assertEqual(PatientGroup.objects.get().name, "NET Deutschland")
        import_groups(("\ufeff" + header + row).encode("utf-8"), dry_run=True)
        for data, message in [
            (header + "A, B,,,DEU,Europe,,,\n", "Row 2: it has 9 fields, the header 7"),
            (header + "NUL\x00name,,,DEU,Europe,,\n", "Row 2: it contains a control character"),
            (header + "Fine,,,FRA,Europe,,\n" + "x" * 200_000 + "\n", "cannot be read"),
        ]:
            with self.subTest(message), self.assertRaisesMessage(ImportFailed, message):
                import_groups(data.encode())
        self.assertEqual(PatientGroup.objects.count(), 1)

    def test_command_exits_with_a_message(self):
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "groups.csv"
            path.write_bytes(b"name,country,region\nA,DEU,Europe,extra\n")
            with self.assertRaisesMessage(CommandError, "Row 2: it has 4 fields"):
                call_command("import_patient_groups", str(path), stdout=io.StringIO())
            with self.assertRaisesMessage(CommandError, "Cannot read"):
                call_command("import_patient_groups", str(Path(folder) / "missing.csv"))

    def test_command(self):
        out = io.StringIO()
        call_command("import_patient_groups", str(SHARED_CSV), "--dry-run", stdout=out)
        self.assertIn("41 new, 0 updated, 0 unchanged. Dry run", out.getvalue())
        self.assertEqual(PatientGroup.objects.count(), 0)
        call_command("import_patient_groups", str(SHARED_CSV), stdout=out)
        self.assertEqual(PatientGroup.objects.count(), 41)
        with tempfile.TemporaryDirectory() as tmp:
            bad = Path(tmp) / "bad.csv"
            bad.write_text("name,country,region\nX,QQQ,Europe\n")
            with self.assertRaisesMessage(CommandError, "Row 2: unknown country code"):
                call_command("import_patient_groups", str(bad))


class StaffAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.staff = make_user("directory", groups=["Directory staff"])
        cls.group = make_group("Listed group", country="IT", city="Milano")

    def setUp(self):
        self.client.force_login(self.staff)

    def test_directory_staff_do_exactly_their_job(self):
        for url, status in [
            ("/admin/patient_groups/patientgroup/", 200),
            (f"/admin/patient_groups/patientgroup/{self.group.pk}/change/", 200),
            ("/admin/patient_groups/patientgroup/add/", 200),
            (f"/admin/patient_groups/patientgroup/{self.group.pk}/delete/", 403),
            ("/admin/patient_groups/region/", 200),
            ("/admin/netinfo/article/", 403),
            ("/admin/netinfo/article/add/", 403),
            ("/admin/references/reference/", 403),
            ("/admin/auth/user/", 403),
        ]:
            with self.subTest(url):
                self.assertEqual(self.client.get(url).status_code, status)

    def test_changelist_filters_and_search(self):
        make_group(
            "Other group", region="asia-pacific", country="JP", last_verified=timezone.localdate()
        )
        europe = Region.objects.get(slug="europe").pk
        for query in [
            f"region__id__exact={europe}",
            "country=IT",
            "verification=overdue",
            "q=milano",
            "q=listed",
        ]:
            with self.subTest(query):
                response = self.client.get(f"/admin/patient_groups/patientgroup/?{query}")
                self.assertContains(response, "Listed group")
                self.assertNotContains(response, "Other group")

    def test_changelist_search_ignores_accents_and_capitals(self):
        make_group("Asociación NET España", country="ES", city="Málaga", acronym="ANE")
        make_group("Selbsthilfe Große Straße", country="AT")
        cases = {
            "espana": ["Asociación NET España"],
            "ASOCIACIÓN españa": ["Asociación NET España"],
            "malaga ane": ["Asociación NET España"],
            "grosse": ["Selbsthilfe Große Straße"],
            "STRAßE selbsthilfe": ["Selbsthilfe Große Straße"],
            "espana grosse": [],
        }
        for query, names in cases.items():
            with self.subTest(query):
                response = self.client.get("/admin/patient_groups/patientgroup/", {"q": query})
                found = sorted(group.name for group in response.context["cl"].result_list)
                self.assertEqual(found, names)
        self.assertContains(response, "accents and capitals do not matter")

    def test_empty_region_gets_a_suggestion_staff_confirm(self):
        data = {
            "name": "NET Kenya",
            "country": "KE",
            "coverage": "national",
            "region": "",
            "status": "active",
            "languages": ["en", "sw"],
            "services": ["helpline"],
        }
        response = self.client.post("/admin/patient_groups/patientgroup/add/", data)
        self.assertContains(response, "The usual one for Kenya, Africa, is now selected")
        africa = Region.objects.get(slug="africa")
        self.assertContains(response, f'<option value="{africa.pk}" selected>')
        data["region"] = africa.pk
        response = self.client.post("/admin/patient_groups/patientgroup/add/", data)
        self.assertEqual(response.status_code, 302)
        group = PatientGroup.objects.get(name="NET Kenya")
        self.assertEqual((group.languages, group.services), ("en sw", "helpline"))

    def test_duplicate_is_a_form_error(self):
        response = self.client.post(
            "/admin/patient_groups/patientgroup/add/",
            {
                "name": "Listed group",
                "country": "IT",
                "coverage": "national",
                "region": self.group.region_id,
                "status": "active",
            },
        )
        self.assertContains(response, "A group with this name already exists in this country.")

    def test_superuser_sees_every_page(self):
        self.client.force_login(make_superuser())
        self.assertEqual(self.client.get("/admin/patient_groups/patientgroup/").status_code, 200)
