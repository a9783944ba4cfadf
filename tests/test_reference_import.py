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
        self.assertTrue(refused.exception.problems[0].startswith("Entry 1 (line 1):"))
        self.assertEqual(Reference.objects.count(), before)

    def test_malformed_files_give_clear_errors(self):
        for data, name, message in [
            ("{not json", "x.json", "not valid JSON"),
            ('{"id": 1, "author": "x"}', "x.json", "holds a list of references"),
            ('{"not": "a list"}', "x.json", "holds a list of references"),
            ("hello", "x.ris", "not a RIS file"),
            ("@article{x, title = {unclosed", "x.bib", None),
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
            with self.assertRaisesMessage(CommandError, "Nothing imported"):
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


def ris_file(count, start=0):
    """A RIS file of `count` distinct journal articles."""
    return "".join(
        f"TY  - JOUR\nAU  - Author{n}, A\nTI  - A study of tumours number {n}\nT2  - J Tests\n"
        f"PY  - {2000 + n % 25}\nDO  - 10.1000/test.{n}\nER  - \n\n"
        for n in range(start, start + count)
    )


class RobustReadingTests(TestCase):
    """Every record is imported or named as a problem; nothing is lost, nothing crashes."""

    def test_a_last_record_without_its_end_line_is_named_not_dropped(self):
        data = ris_file(2) + "TY  - JOUR\nTI  - Cut short\nPY  - 2020\n"
        entries = prepare_import(data, "x.ris")
        self.assertEqual([e.status for e in entries], [NEW, NEW, INVALID])
        self.assertEqual(entries[2].line, 17)
        self.assertIn("no end line (“ER  -”)", entries[2].problems[0])
        with self.assertRaises(ImportRefused) as refused:
            commit_import(entries)
        self.assertTrue(refused.exception.problems[0].startswith("Entry 3 (line 17):"))
        self.assertEqual(Reference.objects.count(), 0)

    def test_unbalanced_bibtex_braces_name_the_entry(self):
        data = (
            "@article{smith2020,\n  title = {x}}}}},\n  journal = {J Tests},\n  year = {2020}\n}\n"
            "@article{jones2021,\n  title = {Fine},\n  journal = {J Tests},\n  year = {2021}\n}\n"
            "@article{brown2022,\n  title = {No comma}\n  year = {2022}\n}\n"
        )
        entries = prepare_import(data, "x.bib")
        self.assertEqual([e.status for e in entries], [INVALID, NEW, INVALID])
        self.assertEqual(entries[0].where, "Entry 1 (line 1, “smith2020”)")
        self.assertIn("braces do not balance (4 “{” and 8 “}”)", entries[0].problems[0])
        self.assertEqual(entries[1].reference.title, "Fine")
        self.assertEqual(entries[2].where, "Entry 3 (line 11, “brown2022”)")
        self.assertIn("A comma is missing after the field “title”", entries[2].problems[0])

    def test_text_encodings(self):
        text = RIS.replace("Oronsky, Bryan", "Öberg, Kjell")
        for encoding in ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "latin-1"):
            data = text.encode(encoding)
            if encoding in ("utf-16-le", "utf-16-be"):  # with the byte-order mark Windows writes
                data = "\ufeff".encode(encoding) + data
            with self.subTest(encoding):
                entries = prepare_import(data, "x.ris")
                self.assertEqual(entries[0].reference.authors[0]["family"], "Öberg")

    def test_control_characters_and_overlong_fields_are_refused_by_name(self):
        item = {"id": "a", "type": "article-journal", "title": "Nul\x00title", "issued": None}
        long_title = {"id": "b", "type": "article-journal", "title": "x" * 1_000_000}
        many = {
            "id": "c",
            "type": "article-journal",
            "title": "Many authors",
            "author": [{"family": f"F{n}"} for n in range(1001)],
        }
        long_name = {
            "id": "d",
            "type": "article-journal",
            "title": "Long name",
            "author": [{"family": "y" * 201}],
        }
        entries = prepare_import(json.dumps([item, long_title, many, long_name]), "x.json")
        self.assertEqual([e.status for e in entries], [INVALID] * 4)
        self.assertIn("“title” contains a control character (U+0000)", entries[0].problems[0])
        self.assertIn("at most 1000 characters", entries[1].problems[0])
        self.assertIn("At most 1000 names", entries[2].problems[0])
        self.assertIn("longer than 200 characters", entries[3].problems[0])

    def test_json_that_is_not_a_list_of_references(self):
        for data in ['{"not": "a list"}', '"text"', "42", "[1, 2] extra"]:
            with self.subTest(data), self.assertRaises(ImportRefused):
                prepare_import(data, "x.json")
        entries = prepare_import('[1, "x", {"type": "book", "title": "Kept"}]', "x.json")
        self.assertEqual([e.status for e in entries], [INVALID, INVALID, NEW])
        self.assertIn("not a reference", entries[0].problems[0])

    def test_a_large_file_costs_a_handful_of_queries(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        make_reference("existing")
        with CaptureQueriesContext(connection) as preview:
            entries = prepare_import(ris_file(2000), "x.ris")
        with CaptureQueriesContext(connection) as saving:
            commit_import(entries)
        self.assertEqual(Reference.objects.count(), 2001)
        self.assertLessEqual(len(preview.captured_queries), 2)
        # The library once, then inserts of many rows each (500 on PostgreSQL; SQLite takes
        # fewer per statement), never a query or two per entry.
        self.assertLessEqual(len(saving.captured_queries), 2000 // 25)
        stored = Reference.objects.get(doi="10.1000/test.7")
        self.assertEqual(stored.search_text, stored.searchable_text())
        self.assertEqual(stored.rendered, stored.render())


class PreviewStorageTests(TestCase):
    """The preview waits on the server; the confirmation carries only a signed id."""

    @classmethod
    def setUpTestData(cls):
        cls.superuser = make_superuser()

    def upload(self, text, name="big.ris"):
        self.client.force_login(self.superuser)
        return self.client.post(
            "/admin/references/reference/import/",
            {"file": SimpleUploadedFile(name, text.encode())},
        )

    def test_a_large_file_is_previewed_then_confirmed(self):
        response = self.upload(ris_file(3000))
        self.assertContains(
            response, "3000 new, 0 already in the library (skipped), 0 with problems."
        )
        self.assertContains(response, "and 2800 more new references")
        payload = response.context["confirm"].initial["payload"]
        self.assertLess(len(payload), 200)
        response = self.client.post("/admin/references/reference/import/", {"payload": payload})
        self.assertRedirects(response, "/admin/references/reference/")
        self.assertEqual(Reference.objects.count(), 3000)

    def test_a_preview_belongs_to_its_uploader_and_expires(self):
        from django.core.cache import cache

        payload = self.upload(ris_file(3)).context["confirm"].initial["payload"]
        self.client.force_login(make_superuser("someone-else"))
        response = self.client.post(
            "/admin/references/reference/import/", {"payload": payload}, follow=True
        )
        self.assertContains(response, "The preview expired or was altered")
        self.client.force_login(self.superuser)
        cache.clear()
        response = self.client.post(
            "/admin/references/reference/import/", {"payload": payload}, follow=True
        )
        self.assertContains(response, "The preview expired or was altered")
        self.assertEqual(Reference.objects.count(), 0)

    def test_problems_are_listed_with_entry_and_line(self):
        response = self.upload(ris_file(2) + "TY  - JOUR\nTI  - Cut\n")
        self.assertContains(response, "2 new, 0 already in the library (skipped), 1 with problems.")
        self.assertContains(response, "<td>17</td>", html=False)
        self.assertContains(response, "The record has no end line")
        self.assertContains(response, "Nothing can be imported until every entry is valid.")

    def test_a_nul_character_is_a_problem_not_a_server_error(self):
        response = self.upload(RIS.replace("Nothing But NET", "Nothing\x00But NET"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "control character (U+0000)")


class LargeFileCommandTests(TestCase):
    def test_a_large_file_streams_with_bounded_memory(self):
        import tempfile
        import tracemalloc
        from pathlib import Path

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "big.ris"
            with path.open("w") as stream:
                for start in range(0, 6000, 1000):
                    stream.write(ris_file(1000, start))
            size = path.stat().st_size
            tracemalloc.start()
            try:
                out = io.StringIO()
                call_command("import_references", str(path), stdout=out)
                _current, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
        self.assertIn("6000 new, 0 duplicate, 0 invalid. Imported 6000.", out.getvalue())
        self.assertEqual(Reference.objects.count(), 6000)
        # What duplicates are found by and one batch, not the file or its 6,000 entries.
        self.assertLess(peak, 20 * 1024 * 1024, f"peak {peak:,} bytes for a {size:,}-byte file")

    def test_progress_on_a_terminal_and_a_clear_exit_on_a_bad_file(self):
        import os
        import pty
        import subprocess
        import sys
        import tempfile
        from pathlib import Path

        from tests.subprocesses import BASE_DIR as PROJECT

        with tempfile.TemporaryDirectory() as folder:
            good = Path(folder) / "good.ris"
            good.write_text(ris_file(1000))
            bad = Path(folder) / "bad.ris"
            bad.write_bytes(b"%PDF-1.4\x00\x01\x02\x03" * 100)
            env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
            env.update(DATABASE_URL=f"sqlite:///{folder}/db.sqlite3", REDIS_URL="")
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "-v0"],
                cwd=PROJECT,
                env=env,
                check=True,
                timeout=300,
            )
            for path, expected_status in [(good, 0), (bad, 1)]:
                main, terminal = pty.openpty()
                try:
                    process = subprocess.run(
                        [sys.executable, "manage.py", "import_references", "--dry-run", str(path)],
                        cwd=PROJECT,
                        env=env,
                        stdout=subprocess.PIPE,
                        stderr=terminal,
                        text=True,
                        timeout=120,
                    )
                    os.close(terminal)
                    shown = b""
                    while True:
                        try:
                            chunk = os.read(main, 4096)
                        except OSError:
                            break
                        if not chunk:
                            break
                        shown += chunk
                finally:
                    os.close(main)
                with self.subTest(path.name):
                    self.assertEqual(process.returncode, expected_status)
                    self.assertNotIn(b"Traceback", shown)
                    if expected_status == 0:
                        self.assertIn(b"1,000 entries checked", shown)
                    else:
                        self.assertIn(b"This is a binary file, not a reference file.", shown)
