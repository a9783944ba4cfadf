"""Importing and exporting references: RIS, BibTeX, CSL-JSON and PubMed .nbib."""

import io
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import SimpleTestCase, TestCase
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from references import exchange
from references.imports import DUPLICATE, INVALID, NEW, ImportRefused, commit_import, prepare_import
from references.models import Reference
from tests.factories import make_reference, make_superuser

RIS = """TY  - JOUR
AU  - Oronsky, Bryan
AU  - Ma, Patrick C.
TI  - Nothing But NET: A Review of Neuroendocrine Tumors and Carcinomas
T2  - Neoplasia
J2  - Neoplasia
PY  - 2017
DA  - 2017/12/
VL  - 19
IS  - 12
SP  - 991
EP  - 1002
DO  - 10.1016/j.neo.2017.09.002
AN  - 29091800
ER  -

TY  - ELEC
AU  - National Cancer Institute
TI  - Pancreatic NET treatment
UR  - https://www.cancer.gov/types/pancreatic/patient/pnet-treatment-pdq
Y2  - 2025/01/15
ER  -
"""

BIBTEX = r"""
@article{papotti2002,
  author = {Papotti, M. and Bongiovanni, M. and others},
  title = {Expression of somatostatin receptor types 1-5 in {gastrointestinal} tumors \& more},
  journal = {Virchows Archiv},
  shortjournal = {Virchows Arch},
  year = {2002},
  month = may,
  volume = {440},
  number = {5},
  pages = {461--475},
  doi = {10.1007/s00428-002-0609-x},
}
@book{patrias2007,
  author = {Patrias, Karen},
  title = {Citing medicine},
  publisher = {National Library of Medicine (US)},
  address = {Bethesda (MD)},
  edition = {2},
  year = {2007},
  isbn = {0-19-024655-3}
}
"""

NBIB = """PMID- 29091800
OWN - NLM
TI  - Nothing But NET: A Review of Neuroendocrine Tumors and
      Carcinomas.
FAU - Oronsky, Bryan
AU  - Oronsky B
FAU - Ma, Patrick C
AU  - Ma PC
TA  - Neoplasia
JT  - Neoplasia (New York, N.Y.)
DP  - 2017 Dec
VI  - 19
IP  - 12
PG  - 991-1002
LID - 10.1016/j.neo.2017.09.002 [doi]
PMC - PMC5678742
PT  - Journal Article

PMID- 12021920
TI  - Expression of somatostatin receptor types 1-5.
FAU - Papotti, Mauro
TA  - Virchows Arch
DP  - 2002 May
VI  - 440
IP  - 5
PG  - 461-75
AID - 10.1007/s00428-002-0609-x [doi]
"""

CSL = json.dumps(
    [
        {
            "id": "cancernet-net",
            "type": "webpage",
            "author": [{"literal": "Cancer.Net (American Society of Clinical Oncology)"}],
            "title": "Neuroendocrine Tumors: Introduction",
            "container-title": "Cancer.Net",
            "URL": "https://www.cancer.net/cancer-types/neuroendocrine-tumors/introduction",
            "accessed": {"date-parts": [[2025, 1, 15]]},
        }
    ]
)


class ReadFormatTests(TestCase):
    def test_ris(self):
        entries = prepare_import(RIS, "library.ris")
        self.assertEqual([e.status for e in entries], [NEW, NEW])
        oronsky = entries[0].reference
        self.assertEqual(oronsky.key, "oronsky2017")
        self.assertEqual((oronsky.year, oronsky.month, oronsky.pages), (2017, 12, "991-1002"))
        self.assertEqual(oronsky.pmid, "29091800")
        self.assertEqual(
            oronsky.formatted("en"),
            "Oronsky B, Ma PC. Nothing But NET: A Review of Neuroendocrine Tumors and Carcinomas. "
            "Neoplasia. 2017 Dec;19(12):991-1002. doi:10.1016/j.neo.2017.09.002",
        )
        web = entries[1].reference
        self.assertEqual(web.type, "webpage")
        self.assertEqual(web.authors, [{"literal": "National Cancer Institute"}])
        self.assertEqual(str(web.accessed), "2025-01-15")

    def test_bibtex(self):
        entries = prepare_import(BIBTEX, "x.bib")
        papotti, patrias = (e.reference for e in entries)
        self.assertEqual(papotti.key, "papotti2002")
        self.assertTrue(papotti.and_others)
        self.assertEqual(
            papotti.title,
            "Expression of somatostatin receptor types 1-5 in gastrointestinal tumors & more",
        )
        self.assertEqual((papotti.month, papotti.pages), (5, "461-475"))
        self.assertIn("Papotti M, Bongiovanni M, et al.", papotti.formatted("en"))
        self.assertEqual(patrias.isbn, "9780190246556")
        self.assertEqual(patrias.type, "book")

    def test_pubmed_nbib(self):
        entries = prepare_import(NBIB, "pubmed.nbib")
        oronsky, papotti = (e.reference for e in entries)
        self.assertEqual(
            oronsky.title, "Nothing But NET: A Review of Neuroendocrine Tumors and Carcinomas"
        )
        self.assertEqual(oronsky.authors[1], {"family": "Ma", "given": "Patrick C"})
        self.assertEqual(
            (oronsky.pmcid, oronsky.doi, oronsky.container_title_short),
            ("PMC5678742", "10.1016/j.neo.2017.09.002", "Neoplasia"),
        )
        self.assertEqual(papotti.pages, "461-475")  # stored in full, printed elided
        self.assertIn("2002 May;440(5):461-75.", papotti.formatted("en"))

    def test_csl_json(self):
        [entry] = prepare_import(CSL, "refs.json")
        self.assertEqual(entry.reference.key, "cancernet-net")
        self.assertTrue(entry.reference.formatted("en").endswith("introduction"))

    def test_format_detected_from_content(self):
        self.assertEqual(prepare_import(NBIB, "download.txt")[0].reference.pmid, "29091800")
        self.assertEqual(len(prepare_import(RIS.encode("utf-8-sig"), "noextension")), 2)


class DuplicateAndInvalidTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_reference("existing-doi", doi="10.1016/j.neo.2017.09.002")
        make_reference("existing-pmid", pmid="12021920")
        make_reference(
            "existing-title",
            title="Citing Medicine!",
            year=2007,
            authors=[{"family": "Patrias", "given": "K"}],
        )
        make_reference("papotti2002")  # the key is taken by another source

    def test_duplicates_are_found_by_doi_pmid_and_title(self):
        statuses = {
            e.number: (e.status, e.duplicate_of and e.duplicate_of.key)
            for e in prepare_import(NBIB + "\n", "x.nbib")
        }
        self.assertEqual(
            statuses, {1: (DUPLICATE, "existing-doi"), 2: (DUPLICATE, "existing-pmid")}
        )
        entries = prepare_import(BIBTEX, "x.bib")
        self.assertEqual(entries[1].status, DUPLICATE)
        self.assertEqual(entries[1].duplicate_of.key, "existing-title")
        self.assertEqual(entries[0].status, NEW)
        self.assertEqual(entries[0].renamed_from, "papotti2002")
        self.assertEqual(entries[0].reference.key, "papotti2002a")

    def test_duplicates_within_one_file(self):
        entries = prepare_import(RIS + RIS.split("\n\n")[0] + "\n", "x.ris")
        self.assertEqual([e.status for e in entries], [DUPLICATE, NEW, DUPLICATE])

    def test_one_invalid_entry_imports_nothing(self):
        broken = RIS.replace("DO  - 10.1016/j.neo.2017.09.002", "DO  - not-a-doi").replace(
            "Y2  - 2025/01/15\n", ""
        )
        entries = prepare_import(broken, "x.ris")
        self.assertEqual([e.status for e in entries], [INVALID, INVALID])
        self.assertIn("is not a DOI", " ".join(entries[0].problems))
        self.assertIn("date you accessed it", " ".join(entries[1].problems))
        before = Reference.objects.count()
        with self.assertRaises(ImportRefused) as refused:
            commit_import(entries)
        self.assertEqual(len(refused.exception.problems), 2)
        self.assertTrue(refused.exception.problems[0].startswith("Entry 1:"))
        self.assertEqual(Reference.objects.count(), before)

    def test_malformed_files_give_clear_errors(self):
        for data, name, message in [
            ("{not json", "x.json", "not valid JSON"),
            ('{"id": 1, "author": "x"}', "x.json", None),
            ("hello", "x.ris", "not a RIS file"),
            ("@article{x, title = {unclosed", "x.bib", "cannot be read"),
            ("garbage line\nPMID- 1", "x.nbib", "Line 1"),
            ("just words", "", "could not be recognised"),
            (b"\x00\x01\x02", "x.ris", "binary file"),
            ("[]", "x.json", "holds no references"),
        ]:
            with self.subTest(name=name, data=data[:20]):
                try:
                    entries = prepare_import(data, name)
                except ImportRefused as refused:
                    self.assertIsNotNone(message)
                    self.assertIn(message, refused.problems[0])
                else:
                    self.assertIsNone(message)
                    self.assertEqual(entries[0].status, INVALID)


class RoundTripTests(TestCase):
    """Export, then import into an empty library: every field comes back."""

    @classmethod
    def setUpTestData(cls):
        import datetime

        cls.originals = [
            make_reference(
                "oronsky2017",
                authors=[
                    {"family": "Oronsky", "given": "Bryan"},
                    {"family": "Allìa", "given": "E."},
                ],
                and_others=True,
                title="Nothing But NET: 50% of tumours & {more} — a review_",
                container_title="Neoplasia",
                container_title_short="Neoplasia",
                year=2017,
                month=12,
                day=5,
                volume="19",
                issue="12",
                pages="991-1002",
                doi="10.1016/j.neo.2017.09.002",
                pmid="29091800",
                pmcid="PMC5678742",
                note="Checked against the PDF.",
            ),
            make_reference(
                "chapter",
                type="chapter",
                authors=[{"literal": "Board, The"}],
                editors=[{"family": "Vogelstein", "given": "Bert"}],
                title="A chapter",
                container_title="The book",
                publisher="McGraw-Hill",
                publisher_place="New York",
                edition="2",
                pages="93-113",
                isbn="9780190246556",
            ),
            make_reference(
                "web",
                type="webpage",
                authors=[{"literal": "National Cancer Institute"}],
                title="A page",
                container_title="Cancer.gov",
                url="https://www.cancer.gov/a_b%20c",
                accessed=datetime.date(2025, 1, 15),
                year=None,
            ),
        ]

    def test_each_format_round_trips(self):
        expected = [reference.to_csl() for reference in self.originals]
        for fmt in exchange.EXPORT_FORMATS:
            with self.subTest(fmt):
                data = exchange.write(expected, fmt)
                Reference.objects.all().delete()
                commit_import(prepare_import(data, format=fmt))
                got = [Reference.objects.get(key=r.key).to_csl() for r in self.originals]
                self.assertEqual(got, expected)

    def test_admin_export_action(self):
        self.client.force_login(make_superuser())
        for action, marker in [
            ("export_ris", "TY  - JOUR"),
            ("export_bibtex", "@article{oronsky2017"),
            ("export_csl_json", '"id": "web"'),
        ]:
            response = self.client.post(
                "/admin/references/reference/",
                {"action": action, "_selected_action": [r.pk for r in self.originals]},
            )
            self.assertEqual(response.status_code, 200)
            self.assertIn("attachment;", response["Content-Disposition"])
            self.assertIn(marker, response.content.decode())


class AdminImportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.superuser = make_superuser()

    def setUp(self):
        self.client.force_login(self.superuser)

    def test_preview_then_confirm(self):
        response = self.client.post(
            "/admin/references/reference/import/",
            {"file": SimpleUploadedFile("pubmed.nbib", NBIB.encode())},
        )
        self.assertContains(response, "2 new, 0 already in the library (skipped), 0 with problems.")
        self.assertContains(response, "Import 2 references")
        self.assertEqual(Reference.objects.count(), 0)
        payload = response.context["confirm"].initial["payload"]
        response = self.client.post("/admin/references/reference/import/", {"payload": payload})
        self.assertRedirects(response, "/admin/references/reference/")
        self.assertEqual(Reference.objects.count(), 2)

    def test_tampered_payload_is_refused(self):
        response = self.client.post(
            "/admin/references/reference/import/", {"payload": "x:y:z"}, follow=True
        )
        self.assertContains(response, "expired or was altered")
        self.assertEqual(Reference.objects.count(), 0)

    def test_invalid_entries_block_the_import(self):
        response = self.client.post(
            "/admin/references/reference/import/",
            {"file": SimpleUploadedFile("x.ris", RIS.replace("2025/01/15", "").encode())},
        )
        self.assertContains(response, "Nothing can be imported until every entry is valid.")
        self.assertNotContains(response, 'name="payload"')

    def test_malformed_file(self):
        response = self.client.post(
            "/admin/references/reference/import/",
            {"file": SimpleUploadedFile("x.json", b"{oops")},
        )
        self.assertContains(response, "This is not valid JSON")
        self.assertContains(response, "Nothing was imported.")

    def test_link_from_changelist(self):
        self.assertContains(
            self.client.get("/admin/references/reference/"), "/admin/references/reference/import/"
        )


class CommandTests(TestCase):
    def write(self, tmp, name, text):
        path = tmp / name
        path.write_text(text)
        return path

    def test_dry_run_then_import(self):
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as tmp:
            path = self.write(Path(tmp), "lib.ris", RIS)
            out = io.StringIO()
            call_command("import_references", str(path), "--dry-run", stdout=out)
            self.assertIn("2 new, 0 duplicate, 0 invalid. Dry run: nothing saved.", out.getvalue())
            self.assertEqual(Reference.objects.count(), 0)
            call_command("import_references", str(path), stdout=out)
            self.assertEqual(Reference.objects.count(), 2)
            call_command("import_references", str(path), stdout=out)
            self.assertIn("0 new, 2 duplicate", out.getvalue())
            bad = self.write(Path(tmp), "bad.ris", RIS.replace("AN  - 29091800", "AN  - abc"))
            with self.assertRaisesMessage(CommandError, "nothing imported"):
                call_command("import_references", str(bad), stdout=io.StringIO())
            with self.assertRaisesMessage(CommandError, "Cannot read"):
                call_command("import_references", str(Path(tmp) / "missing.ris"))


class FuzzTests(HypothesisTestCase):
    """No input makes an importer raise anything but its own clean refusal."""

    @hypothesis_settings(
        max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(
        text=st.one_of(
            st.text(max_size=400),
            st.builds(lambda body: "TY  - JOUR\n" + body + "\nER  -\n", st.text(max_size=200)),
            st.builds(lambda body: "@article{k,\n" + body + "\n}", st.text(max_size=200)),
            st.builds(lambda body: "PMID- 1\n" + body, st.text(max_size=200)),
            st.builds(lambda body: "[" + body + "]", st.text(max_size=200)),
        ),
        fmt=st.sampled_from([None, "ris", "bibtex", "csl-json", "nbib"]),
    )
    def test_any_text(self, text, fmt):
        try:
            entries = prepare_import(text, "", fmt)
        except ImportRefused:
            return
        for entry in entries:
            self.assertIn(entry.status, (NEW, DUPLICATE, INVALID))


class FuzzCslTests(SimpleTestCase):
    @hypothesis_settings(max_examples=150, deadline=None)
    @given(
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=20),
            lambda children: (
                st.lists(children, max_size=4)
                | st.dictionaries(
                    st.sampled_from(
                        [
                            "id",
                            "type",
                            "author",
                            "issued",
                            "title",
                            "page",
                            "accessed",
                            "custom",
                            "editor",
                            "DOI",
                        ]
                    ),
                    children,
                    max_size=6,
                )
            ),
            max_leaves=20,
        )
    )
    def test_from_csl_only_raises_value_error(self, item):
        try:
            Reference.from_csl(item)
        except ValueError:
            pass
