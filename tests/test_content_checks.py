"""
Content checks while writing: each rule with a text that passes and one that fails, in both
languages; errors stop publishing, warnings do not; the admin shows what was found.
"""

from django.test import TestCase

from netinfo.articles import services
from netinfo.articles.checks import check_markdown, describe
from netinfo.articles.models import Article
from netinfo.articles.services import ChangeNote, WorkflowError
from tests.factories import make_article, make_reviewer, make_user


def rules(source, **kwargs):
    return [(item["rule"], item["line"]) for item in check_markdown(source, **kwargs)]


# rule: (English that passes, English that fails, German that passes, German that fails)
EXAMPLES = {
    "heading-level": (
        "## Treatment\n\n### Surgery",
        "## Treatment\n\n#### Surgery",
        "## Behandlung\n\n### Operation",
        "## Behandlung\n\n#### Operation",
    ),
    "heading-title": ("## Causes", "# Causes", "## Ursachen", "## Was sind NET?"),
    "vague-link": (
        "See [the NCI's page on NETs](https://www.cancer.gov/).",
        "For more, [click here](https://www.cancer.gov/).",
        "Siehe [die Seite des NCI](https://www.cancer.gov/).",
        "Mehr dazu [hier](https://www.cancer.gov/).",
    ),
    "internal-link": (
        "Read [what NETs are](/en/articles/what-are-nets/).",
        "Read [how it is treated](/en/articles/no-such-article/).",
        "Lesen Sie [was NET sind](/de/articles/was-sind-net/).",
        "Lesen Sie [den Entwurf](/de/articles/ein-entwurf/).",
    ),
    "image-alt": (
        "![A scan of the liver](/media/scan.png)",
        "![](/media/scan.png)",
        "![Ein Scan der Leber](/media/scan.png)",
        "![ ](/media/scan.png)",
    ),
    "table-header": (
        "| Medicine | Use |\n|---|---|\n| Everolimus | pancreas |",
        "| | |\n|---|---|\n| Everolimus | pancreas |",
        "| Medikament | Einsatz |\n|---|---|\n| Everolimus | Pankreas |",
        "|  |  |\n|---|---|\n| Everolimus | Pankreas |",
    ),
    "long-sentence": (
        "NETs often grow slowly. " * 10,
        "NETs " + "often grow slowly and " * 9 + "rarely cause pain.",
        "NET wachsen oft langsam. " * 10,
        "NET " + "wachsen oft langsam und " * 9 + "machen selten Schmerzen.",
    ),
    "long-paragraph": (
        "One two three four five. " * 20,
        "One two three four five. " * 30,
        "Eins zwei drei vier fünf. " * 20,
        "Eins zwei drei vier fünf. " * 30,
    ),
    "all-caps": (
        "PRRT and CT scans help.",
        "DO NOT STOP your medicine.",
        "PRRT und CT helfen.",
        "NICHT EINFACH ABSETZEN.",
    ),
    "brand-first": (
        "Everolimus (Afinitor) is a tablet.",
        "Afinitor (everolimus) is a tablet.",
        "Lutetium-177 dotatate (Lutathera) ist zugelassen.",
        "Lutathera ist zugelassen.",
    ),
}


class RuleTests(TestCase):
    def test_each_rule_passes_and_fails_in_both_languages(self):
        published = frozenset({"what-are-nets", "was-sind-net"})
        titles = {0: "What are NETs?", 1: "What are NETs?", 2: "Was sind NET?", 3: "Was sind NET?"}
        for rule, examples in EXAMPLES.items():
            for number, source in enumerate(examples):
                with self.subTest(rule=rule, example=number):
                    found = [
                        name
                        for name, _line in rules(
                            source, title=titles[number], published_slugs=published
                        )
                    ]
                    if number % 2:
                        self.assertIn(rule, found)
                    else:
                        self.assertNotIn(rule, found)

    def test_a_finding_names_its_line_and_how_to_fix_it(self):
        [item] = check_markdown("Intro.\n\n## A\n\n#### B")
        self.assertEqual(
            (item["rule"], item["level"], item["line"]), ("heading-level", "warning", 5)
        )
        message, fix = describe(item)
        self.assertEqual(message, "The heading “B” skips from level 2 to level 4.")
        self.assertIn("one more #", fix)

    def test_code_and_citations_are_not_checked(self):
        self.assertEqual(rules("```\nDO NOT STOP [here](x)\n```\n\nText [@ABC2019; @DEF]."), [])


class PublishingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.reviewer = make_reviewer()
        cls.editor = make_user("editor", groups=["Editors"])

    def draft(self, body):
        return make_article("a-draft", published=False, status="in_review", body=body)

    def test_an_error_stops_publishing_with_its_line(self):
        article = self.draft("Intro.\n\nSee [the draft](/en/articles/not-live/).")
        with self.assertRaises(WorkflowError) as refused:
            services.approve_and_publish(
                article, self.reviewer, note=ChangeNote("clinical", {"en": "New."})
            )
        [(field, message)] = refused.exception.problems
        self.assertEqual(field, "body_en")
        self.assertIn("Line 3: The link to /en/articles/not-live/ leads to no published", message)
        self.assertEqual(Article.objects.get(pk=article.pk).status, "in_review")

    def test_warnings_do_not(self):
        article = self.draft("## Treatment\n\n#### Surgery\n\nDO NOT STOP your medicine.")
        services.approve_and_publish(
            article, self.reviewer, note=ChangeNote("clinical", {"en": "New."})
        )
        article = Article.objects.get(pk=article.pk)
        self.assertEqual(article.status, "published")
        self.assertEqual(
            [item["rule"] for item in article.content_checks["en"]], ["heading-level", "all-caps"]
        )

    def test_the_admin_shows_what_was_found(self):
        article = self.draft("See [here](https://www.cancer.gov/) and ![](/media/x.png).")
        self.client.force_login(self.editor)
        page = self.client.get(f"/admin/netinfo/article/{article.pk}/change/")
        self.assertContains(page, "Content checks")
        self.assertContains(page, "The link text “here” does not say where the link leads.")
        self.assertContains(page, "An image has no alternative text.")
        self.assertContains(page, "Errors stop publishing")

    def test_the_article_list_and_the_dashboard_show_them(self):
        broken = self.draft("See [the draft](/en/articles/not-live/). DO NOT STOP IT.")
        make_article("clean", body="Plain words.")
        self.assertEqual((broken.content_errors, broken.content_warnings), (1, 1))
        self.client.force_login(self.reviewer)
        listed = self.client.get("/admin/netinfo/article/?checks=errors")
        self.assertEqual(list(listed.context["cl"].result_list), [broken])
        self.assertContains(listed, "1 error, 1 warning")
        clean = self.client.get("/admin/netinfo/article/?checks=clean")
        self.assertEqual([a.slug_en for a in clean.context["cl"].result_list], ["clean"])
        dashboard = self.client.get("/admin/dashboard/")
        self.assertEqual(dashboard.context["lists"]["content_checks"], [broken])
        self.assertContains(dashboard, "1 error, 1 warning")
