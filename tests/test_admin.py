"""Every admin page that exists renders for a superuser, and the admin makes no CDN request."""

import re

from django.contrib import admin
from django.test import TestCase
from django.urls import reverse

from tests.factories import make_superuser

# Hosts the admin may load anything from: itself only.
EXTERNAL = re.compile(r"""(?:src|href)=["'](?:https?:)?//""")


class AdminPagesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.superuser = make_superuser()

    def setUp(self):
        self.client.force_login(self.superuser)

    def test_site_header(self):
        response = self.client.get("/admin/")
        self.assertContains(response, "NET Info")

    def test_every_changelist_and_add_page_renders(self):
        for model, model_admin in admin.site._registry.items():
            opts = model._meta
            for view in ("changelist", "add"):
                url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}")
                with self.subTest(url=url):
                    response = self.client.get(url)
                    if view == "add" and not model_admin.has_add_permission(response.wsgi_request):
                        self.assertEqual(response.status_code, 403)
                        continue
                    self.assertEqual(response.status_code, 200)
                    self.assertIsNone(EXTERNAL.search(response.content.decode()), url)

    def test_admin_follows_the_browser_language(self):
        response = self.client.get("/admin/", headers={"accept-language": "de"})
        self.assertContains(response, "Website-Verwaltung")


class ContributorSearchTests(TestCase):
    """Editors find authors and reviewers by name or credentials, accents and capitals aside."""

    @classmethod
    def setUpTestData(cls):
        from netinfo.articles.models import Contributor

        cls.superuser = make_superuser()
        Contributor.objects.create(
            family_name="Öberg",
            given_names="Kjell",
            credentials_en="MD, endocrinologist",
            credentials_de="Dr. med., Endokrinologe",
        )
        Contributor.objects.create(family_name="Müller-Żak", given_names="Zoë")
        Contributor.objects.create(family_name="Ramírez", given_names="José", credentials_en="RN")

    def setUp(self):
        self.client.force_login(self.superuser)

    def test_search_ignores_accents_and_capitals(self):
        cases = {
            "oberg": ["Öberg"],
            "ÖBERG": ["Öberg"],
            "kjell oberg": ["Öberg"],
            "endokrinologe": ["Öberg"],
            "muller-zak": ["Müller-Żak"],
            "zoe": ["Müller-Żak"],
            "jose ramirez": ["Ramírez"],
            "ramirez rn": ["Ramírez"],
            "oberg ramirez": [],
        }
        for query, names in cases.items():
            with self.subTest(query):
                response = self.client.get("/admin/netinfo/contributor/", {"q": query})
                found = sorted(c.family_name for c in response.context["cl"].result_list)
                self.assertEqual(found, names)
        self.assertContains(response, "accents and capitals do not matter")

    def test_the_author_picker_finds_them_too(self):
        response = self.client.get(
            "/admin/autocomplete/",
            {
                "term": "muller",
                "app_label": "netinfo",
                "model_name": "authorship",
                "field_name": "contributor",
            },
        )
        self.assertEqual(
            [result["text"] for result in response.json()["results"]], ["Zoë Müller-Żak"]
        )

    def test_search_text_follows_every_change(self):
        from netinfo.articles.models import Contributor

        contributor = Contributor.objects.get(family_name="Ramírez")
        contributor.family_name = "Núñez"
        contributor.save(update_fields=["family_name"])
        contributor.credentials_de = "Pflegefachkraft"
        contributor.save(update_fields=["credentials_de"])
        contributor.refresh_from_db()
        self.assertEqual(
            contributor.search_text.split(), ["jose", "nunez", "rn", "pflegefachkraft"]
        )
