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
