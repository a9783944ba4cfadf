"""The reference library: NLM formatting (the contract), identifiers, escaping, admin."""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.test import SimpleTestCase, TestCase

from references import identifiers
from references.formatting import elide_pages, format_reference, format_reference_html, initials
from references.models import Reference
from tests.factories import make_article, make_reference, make_superuser, make_user

ORONSKY = {
    "id": "oronsky2017",
    "type": "article-journal",
    "author": [
        {"family": "Oronsky", "given": "Bryan"},
        {"family": "Ma", "given": "Patrick C."},
        {"family": "Morgensztern", "given": "Daniel"},
        {"family": "Carter", "given": "Corey A."},
    ],
    "title": "Nothing But NET: A Review of Neuroendocrine Tumors and Carcinomas",
    "container-title": "Neoplasia",
    "container-title-short": "Neoplasia",
    "issued": {"date-parts": [[2017, 12]]},
    "volume": "19",
    "issue": "12",
    "page": "991-1002",
    "DOI": "10.1016/j.neo.2017.09.002",
    "PMID": "29091800",
}


class FormattingContractTests(SimpleTestCase):
    """The exact outputs the References issue fixes as the contract."""

    def test_journal_article(self):
        self.assertEqual(
            format_reference(ORONSKY, "en"),
            "Oronsky B, Ma PC, Morgensztern D, Carter CA. Nothing But NET: A Review of "
            "Neuroendocrine Tumors and Carcinomas. Neoplasia. 2017 Dec;19(12):991-1002. "
            "doi:10.1016/j.neo.2017.09.002",
        )

    def test_more_than_six_authors(self):
        authors = [{"family": f"Author{i}", "given": "A"} for i in range(1, 9)]
        text = format_reference({**ORONSKY, "author": authors}, "en")
        self.assertTrue(
            text.startswith(
                "Author1 A, Author2 A, Author3 A, Author4 A, Author5 A, Author6 A, et al. Nothing"
            )
        )
        six = format_reference({**ORONSKY, "author": authors[:6]}, "en")
        self.assertIn("Author6 A. Nothing", six)

    def test_and_others_with_one_known_author(self):
        item = {
            "type": "article-journal",
            "author": [{"family": "Pape", "given": "U.-F."}],
            "custom": {"and-others": True},
            "container-title-short": "Onkologe",
            "issued": {"date-parts": [[2000]]},
            "volume": "6",
            "page": "624-633",
        }
        self.assertEqual(format_reference(item, "en"), "Pape UF, et al. Onkologe. 2000;6:624-33.")

    def test_page_ranges_are_elided_the_nlm_way(self):
        for pages, expected in [
            ("461-475", "461-75"),
            ("991-1002", "991-1002"),
            ("1-10", "1-10"),
            ("1002-1010", "1002-10"),
            ("S93-S99", "S93-9"),
            ("95-105", "95-105"),
            ("284-287", "284-7"),
            ("100-100", "100"),
            ("e1234", "e1234"),
            ("12\u201315", "12-5"),
            ("12\u2013115", "12-115"),
        ]:
            with self.subTest(pages):
                self.assertEqual(elide_pages(pages), expected)

    def test_web_page(self):
        item = {
            "type": "webpage",
            "author": [{"literal": "National Cancer Institute"}],
            "title": "Pancreatic Neuroendocrine Tumors Treatment (PDQ®)–Patient Version",
            "container-title": "Cancer.gov",
            "issued": {"date-parts": [[2024]]},
            "accessed": {"date-parts": [[2025, 1, 15]]},
            "URL": "https://www.cancer.gov/types/pancreatic/patient/pnet-treatment-pdq",
        }
        self.assertEqual(
            format_reference(item, "en"),
            "National Cancer Institute. Pancreatic Neuroendocrine Tumors Treatment (PDQ®)–Patient "
            "Version [Internet]. Cancer.gov; 2024 [cited 2025 Jan 15]. Available from: "
            "https://www.cancer.gov/types/pancreatic/patient/pnet-treatment-pdq",
        )
        self.assertTrue(
            format_reference(item, "de").endswith(
                "[zitiert 2025 Jan 15]. Verfügbar unter: "
                "https://www.cancer.gov/types/pancreatic/patient/pnet-treatment-pdq"
            )
        )

    def test_book(self):
        item = {
            "type": "book",
            "author": [{"family": "Patrias", "given": "Karen"}],
            "editor": [{"family": "Wendling", "given": "Dan"}],
            "title": "Citing medicine: the NLM style guide for authors, editors, and publishers",
            "edition": "2",
            "publisher-place": "Bethesda (MD)",
            "publisher": "National Library of Medicine (US)",
            "issued": {"date-parts": [[2007]]},
        }
        self.assertEqual(
            format_reference(item, "en"),
            "Patrias K. Citing medicine: the NLM style guide for authors, editors, and publishers. "
            "2nd ed. Wendling D, editor. Bethesda (MD): National Library of Medicine (US); 2007.",
        )

    def test_chapter(self):
        item = {
            "type": "chapter",
            "author": [
                {"family": "Meltzer", "given": "Paul S."},
                {"family": "Kallioniemi", "given": "Anne"},
                {"family": "Trent", "given": "Jeffrey M."},
            ],
            "editor": [
                {"family": "Vogelstein", "given": "Bert"},
                {"family": "Kinzler", "given": "Kenneth W."},
            ],
            "title": "Chromosome alterations in human solid tumors",
            "container-title": "The genetic basis of human cancer",
            "publisher-place": "New York",
            "publisher": "McGraw-Hill",
            "issued": {"date-parts": [[2002]]},
            "page": "93-113",
        }
        self.assertEqual(
            format_reference(item, "en"),
            "Meltzer PS, Kallioniemi A, Trent JM. Chromosome alterations in human solid tumors. "
            "In: Vogelstein B, Kinzler KW, editors. The genetic basis of human cancer. "
            "New York: McGraw-Hill; 2002. p. 93-113.",
        )
        self.assertIn("Hrsg.", format_reference(item, "de"))
        self.assertIn("S. 93-113.", format_reference(item, "de"))

    def test_incomplete_reference_invents_nothing(self):
        item = {"type": "article-journal", "author": [{"family": "Papotti", "given": "M."}]}
        self.assertEqual(format_reference(item, "en"), "Papotti M.")

    def test_initials(self):
        for given, expected in [
            ("Patrick C.", "PC"),
            ("U.-F.", "UF"),
            ("Jean-Pierre", "JP"),
            ("PC", "PC"),
            ("", ""),
        ]:
            self.assertEqual(initials(given), expected)

    def test_html_escapes_every_field(self):
        item = {**ORONSKY, "title": "Tumours & <script>alert(1)</script>"}
        html = format_reference_html(item, "en")
        self.assertIn("Tumours &amp; &lt;script&gt;alert(1)&lt;/script&gt;", html)
        self.assertNotIn("<script>", html)


class IdentifierTests(SimpleTestCase):
    def test_doi(self):
        for value in [
            "10.1016/j.neo.2017.09.002",
            "https://doi.org/10.1016/J.NEO.2017.09.002",
            "http://dx.doi.org/10.1016/j.neo.2017.09.002.",
            "doi: 10.1016/j.neo.2017.09.002;",
        ]:
            self.assertEqual(identifiers.normalize_doi(value), "10.1016/j.neo.2017.09.002")
        wiley = "10.1002/(SICI)1096-9896(199910)189:2<117::AID-PATH152>3.0.CO;2-J"
        self.assertEqual(identifiers.normalize_doi(wiley), wiley.lower())
        for bad in ["10.1016", "11.1016/abc", "neo.2017", "10.12/x"]:
            with self.subTest(bad), self.assertRaisesMessage(ValueError, "is not a DOI"):
                identifiers.normalize_doi(bad)

    def test_pmid_pmcid_isbn(self):
        self.assertEqual(identifiers.normalize_pmid("PMID: 29091800"), "29091800")
        self.assertEqual(identifiers.normalize_pmcid("pmc5678742"), "PMC5678742")
        self.assertEqual(identifiers.normalize_isbn("0-19-024655-3"), "9780190246556")
        self.assertEqual(identifiers.normalize_isbn("978-0-19-024655-6"), "9780190246556")
        for function, bad in [
            (identifiers.normalize_pmid, "0123"),
            (identifiers.normalize_pmid, "abc"),
            (identifiers.normalize_pmcid, "5678742"),
            (identifiers.normalize_isbn, "978-0-19-024655-5"),
        ]:
            with self.subTest(bad), self.assertRaises(ValueError):
                function(bad)

    def test_links(self):
        self.assertEqual(identifiers.doi_url("10.1/a b"), "https://doi.org/10.1/a%20b")
        self.assertEqual(
            identifiers.pubmed_url("29091800"), "https://pubmed.ncbi.nlm.nih.gov/29091800/"
        )
        self.assertEqual(identifiers.pmc_url("PMC1"), "https://pmc.ncbi.nlm.nih.gov/articles/PMC1/")


class ReferenceModelTests(TestCase):
    def test_identifiers_are_normalised_and_validated(self):
        reference = Reference(
            key="Oronsky2017",
            doi="https://doi.org/10.1016/J.NEO.2017.09.002.",
            pmid="PMID:29091800",
            isbn="",
        )
        reference.full_clean()
        self.assertEqual(reference.key, "oronsky2017")
        self.assertEqual(reference.doi, "10.1016/j.neo.2017.09.002")
        self.assertEqual(reference.pmid, "29091800")
        reference.save()
        self.assertIn("Neoplasia", Reference.from_csl(ORONSKY).render()["en"]["text"])

    def test_bad_values_are_field_errors(self):
        make_reference("taken", doi="10.1234/taken")
        reference = Reference(
            key="new", doi="10.1234/TAKEN", pmcid="12", isbn="123", type="webpage", month=5
        )
        with self.assertRaises(ValidationError) as caught:
            reference.full_clean()
        errors = caught.exception.message_dict
        self.assertEqual(errors["doi"], ["Another reference already has this DOI."])
        self.assertIn("PubMed Central ID", errors["pmcid"][0])
        self.assertIn("ISBN", errors["isbn"][0])
        self.assertIn("accessed", errors)
        self.assertIn("url", errors)
        self.assertIn("month", errors)

    def test_verified_needs_a_title(self):
        reference = Reference(
            key="untitled", verified_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
        )
        with self.assertRaises(ValidationError) as caught:
            reference.full_clean()
        self.assertIn("title", caught.exception.message_dict)

    def test_csl_round_trip_is_lossless(self):
        item = {
            **ORONSKY,
            "PMCID": "PMC5678742",
            "custom": {"and-others": True},
            "note": "Checked.",
            "editor": [{"literal": "Some Board"}],
            "accessed": {"date-parts": [[2025, 1, 15]]},
            "URL": "https://example.org/x",
            "ISBN": "9780190246556",
            "publisher": "P",
            "publisher-place": "Q",
            "edition": "3",
        }
        item["issued"] = {"date-parts": [[2017, 12, 5]]}
        reference = Reference.from_csl(item)
        reference.full_clean()
        reference.save()
        self.assertEqual(Reference.objects.get(key="oronsky2017").to_csl(), item)

    def test_formatted_text_is_stored_per_language(self):
        reference = make_reference(
            "stored", type="webpage", url="https://e.org/", accessed=datetime.date(2025, 1, 15)
        )
        self.assertIn("[cited 2025 Jan 15]", reference.rendered["en"]["text"])
        self.assertIn("[zitiert 2025 Jan 15]", reference.rendered["de"]["text"])


class ReferenceAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.superuser = make_superuser()
        cls.cited = make_reference("oronsky2017")
        cls.article = make_article("cites-it", body="Text [@oronsky2017].")

    def setUp(self):
        self.client.force_login(self.superuser)

    def test_cited_reference_cannot_be_deleted(self):
        with self.assertRaises(ProtectedError):
            self.cited.delete()
        response = self.client.get(f"/admin/references/reference/{self.cited.pk}/delete/")
        self.assertContains(response, "Cited in the article")
        self.assertContains(response, "Cites it")
        response = self.client.post(
            f"/admin/references/reference/{self.cited.pk}/delete/", {"post": "yes"}
        )
        self.assertTrue(Reference.objects.filter(pk=self.cited.pk).exists())

    def test_key_of_a_cited_reference_cannot_change(self):
        response = self.client.post(
            f"/admin/references/reference/{self.cited.pk}/change/",
            {"key": "renamed", "type": "article-journal", "authors": "Oronsky, B", "title": "T"},
        )
        self.assertContains(response, "Articles cite this reference as @oronsky2017")

    def test_uncited_reference_can_be_deleted(self):
        spare = make_reference("spare")
        response = self.client.post(
            f"/admin/references/reference/{spare.pk}/delete/", {"post": "yes"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Reference.objects.filter(pk=spare.pk).exists())

    def test_change_page_shows_where_it_is_cited_and_the_formatted_text(self):
        response = self.client.get(f"/admin/references/reference/{self.cited.pk}/change/")
        self.assertContains(response, "Cites it")
        self.assertContains(response, "Oronsky2017 A. A study called oronsky2017. J Test. 2020.")
        response = self.client.get("/admin/references/reference/")
        self.assertContains(response, "oronsky2017")

    def test_unverified_filter_and_verify_action(self):
        response = self.client.get("/admin/references/reference/?verified=no")
        self.assertContains(response, "oronsky2017")
        untitled = make_reference("untitled", title="")
        self.client.post(
            "/admin/references/reference/",
            {"action": "mark_verified", "_selected_action": [self.cited.pk, untitled.pk]},
        )
        self.cited.refresh_from_db()
        untitled.refresh_from_db()
        self.assertTrue(self.cited.is_verified)
        self.assertEqual(self.cited.verified_by, self.superuser)
        self.assertFalse(untitled.is_verified)

    def test_search_ignores_accents_and_capitals(self):
        make_reference(
            "oberg2012",
            authors=[{"family": "Öberg", "given": "Kjell"}, {"family": "Knigge", "given": "U"}],
            title="Neuroendocrine gastro-entero-pancreatic tumors: ESMO Clinical Practice Guidelines",
            container_title="Annals of Oncology",
            pmid="22997445",
        )
        make_reference(
            "who-classification",
            authors=[{"literal": "WHO Classification of Tumours Editorial Board"}],
            editors=[{"family": "Klöppel", "given": "Günter"}],
            title="Endocrine and neuroendocrine tumours",
            doi="10.1000/Tumours.Écrit",
        )
        cases = {
            "Öberg": ["oberg2012"],
            "oberg": ["oberg2012"],
            "ÖBERG kjell": ["oberg2012"],
            "esmo oberg": ["oberg2012"],
            "annals": ["oberg2012"],
            "22997445": ["oberg2012"],
            "kloppel": ["who-classification"],
            "Günter": ["who-classification"],
            "who classification board": ["who-classification"],
            "10.1000/TUMOURS.ECRIT": ["who-classification"],
            "oronsky2017": ["oronsky2017"],
            "oberg kloppel": [],
        }
        for query, keys in cases.items():
            with self.subTest(query):
                response = self.client.get("/admin/references/reference/", {"q": query})
                self.assertEqual(sorted(r.key for r in response.context["cl"].result_list), keys)
        self.assertContains(response, "accents and capitals do not matter")

    def test_search_text_follows_every_change(self):
        reference = make_reference("renamed", authors=[{"family": "Old", "given": "A"}])
        reference.authors = [{"family": "Pérez", "given": "Ana"}]
        reference.save(update_fields=["authors"])
        reference.refresh_from_db()
        self.assertIn("ana perez", reference.search_text)
        self.assertNotIn("old", reference.search_text)

    def test_bad_doi_in_the_admin_is_a_form_error(self):
        response = self.client.post(
            "/admin/references/reference/add/",
            {"key": "new", "type": "article-journal", "doi": "not-a-doi", "authors": "Smith, J"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "is not a DOI")

    def test_names_are_entered_one_per_line(self):
        response = self.client.post(
            "/admin/references/reference/add/",
            {
                "key": "names",
                "type": "report",
                "title": "T",
                "authors": "Oronsky, Bryan\nNational Cancer Institute\n{Board, The}",
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            Reference.objects.get(key="names").authors,
            [
                {"family": "Oronsky", "given": "Bryan"},
                {"literal": "National Cancer Institute"},
                {"literal": "Board, The"},
            ],
        )

    def test_editors_can_edit_references_but_not_delete_them(self):
        editor = make_user("editor", groups=["Editors"])
        self.client.force_login(editor)
        self.assertEqual(self.client.get("/admin/references/reference/add/").status_code, 200)
        self.assertEqual(
            self.client.get(f"/admin/references/reference/{self.cited.pk}/delete/").status_code, 403
        )
