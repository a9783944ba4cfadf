"""Who may do what: every role against every admin model, action and staff-only page."""

from django.contrib import admin
from django.test import TestCase
from django.urls import reverse

from tests.factories import make_article, make_group, make_reference, make_superuser, make_user

ROLES = ["anonymous", "Editors", "Medical reviewers", "Directory staff", "superuser"]
ARTICLE_MODELS = {
    *("netinfo.topic", "netinfo.article", "netinfo.contributor", "netinfo.term"),
    "references.reference",
}
DIRECTORY_MODELS = {
    "patient_groups.patientgroup",
    "patient_groups.region",
    "patient_groups.suggestion",
}

# What each role may do per model: (view, add, change, delete). Anything not listed: nothing.
# Readers' feedback: read and marked handled, never written or deleted by staff.
READER_FEEDBACK = {"netinfo.feedback": (True, False, True, False)}
# What the link checker found: every role that keeps addresses reads it; only the checker writes.
LINK_RESULTS = {"links.link": (True, False, False, False)}
EXPECTED = {
    "Editors": {
        **dict.fromkeys(ARTICLE_MODELS, (True, True, True, False)),
        **READER_FEEDBACK,
        **LINK_RESULTS,
    },
    "Medical reviewers": {
        **dict.fromkeys(ARTICLE_MODELS, (True, True, True, False)),
        **READER_FEEDBACK,
        **LINK_RESULTS,
    },
    "Directory staff": {
        "patient_groups.patientgroup": (True, True, True, False),
        "patient_groups.region": (True, False, True, False),
        # Visitors send suggestions; staff accept or decline them (change) and remove spam.
        "patient_groups.suggestion": (True, False, True, True),
        **LINK_RESULTS,
    },
}


class PermissionMatrixTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.users = {
            role: make_user(role.lower().replace(" ", "-"), groups=[role]) for role in EXPECTED
        }
        cls.users["superuser"] = make_superuser()
        cls.article = make_article("matrix", published=False)
        cls.reference = make_reference("matrix-ref")
        cls.group = make_group("Matrix group")
        cls.objects = {
            "netinfo.article": cls.article,
            "netinfo.topic": cls.article.topic,
            "references.reference": cls.reference,
            "patient_groups.patientgroup": cls.group,
            "patient_groups.region": cls.group.region,
        }

    def login(self, role):
        self.client.logout()
        if role != "anonymous":
            self.client.force_login(self.users[role])

    def test_every_admin_model(self):
        for role in ROLES:
            self.login(role)
            for model in admin.site._registry:
                label = model._meta.label_lower
                if role == "superuser":
                    expected = (True, True, True, True)
                else:
                    expected = EXPECTED.get(role, {}).get(label, (False, False, False, False))
                opts = model._meta
                urls = {"view": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")}
                if label in self.objects:
                    pk = self.objects[label].pk
                    urls["change"] = reverse(
                        f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk]
                    )
                    urls["delete"] = reverse(
                        f"admin:{opts.app_label}_{opts.model_name}_delete", args=[pk]
                    )
                for action, url in urls.items():
                    with self.subTest(role=role, model=label, action=action):
                        status = self.client.get(url).status_code
                        if role == "anonymous":
                            self.assertEqual(status, 302)  # to the login page
                            continue
                        allowed = {
                            "view": expected[0],
                            "change": expected[0],
                            "delete": expected[3],
                        }[action]
                        self.assertEqual(
                            status, 200 if allowed else 403, f"{role} {action} {label}: {status}"
                        )

    def test_staff_only_pages(self):
        preview = reverse("netinfo:article-preview", args=[self.article.pk])
        expected = {
            preview: {"Editors", "Medical reviewers", "superuser"},
            "/en/patient-groups.csv": {"Directory staff", "superuser"},
            "/admin/references/reference/import/": {"Editors", "Medical reviewers", "superuser"},
            "/admin/links/link/csv/": {
                *("Editors", "Medical reviewers", "Directory staff", "superuser"),
            },
        }
        for url, allowed in expected.items():
            for role in ROLES:
                self.login(role)
                with self.subTest(url=url, role=role):
                    status = self.client.get(url).status_code
                    if role in allowed:
                        self.assertEqual(status, 200)
                    else:
                        self.assertIn(status, (302, 403))

    def test_admin_actions_follow_permissions(self):
        actions = {
            ("references.reference", "mark_verified"): {
                "Editors",
                "Medical reviewers",
                "superuser",
            },
            ("references.reference", "export_ris"): {"Editors", "Medical reviewers", "superuser"},
            ("patient_groups.patientgroup", "mark_verified_today"): {
                "Directory staff",
                "superuser",
            },
            ("patient_groups.patientgroup", "export_csv"): {"Directory staff", "superuser"},
            ("patient_groups.patientgroup", "export_json"): {"Directory staff", "superuser"},
            ("references.reference", "delete_selected"): {"superuser"},
            ("patient_groups.patientgroup", "delete_selected"): {"superuser"},
        }
        for (label, action), allowed in actions.items():
            model = next(m for m in admin.site._registry if m._meta.label_lower == label)
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            for role in ROLES[1:]:
                self.login(role)
                with self.subTest(action=action, role=role):
                    response = self.client.get(url)
                    if response.status_code != 200:
                        self.assertNotIn(role, allowed)
                        continue
                    offered = action in response.context["cl"].model_admin.get_actions(
                        response.wsgi_request
                    )
                    self.assertEqual(offered, role in allowed)

    def test_no_role_but_superuser_manages_users_groups_or_cookies(self):
        for role in ["Editors", "Medical reviewers", "Directory staff"]:
            self.login(role)
            for url in [
                "/admin/auth/user/",
                "/admin/auth/group/",
                "/admin/cookie_consent/cookie/",
                "/admin/axes/accessattempt/",
            ]:
                with self.subTest(role=role, url=url):
                    self.assertEqual(self.client.get(url).status_code, 403)
