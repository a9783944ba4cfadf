"""Every value a user controls reaches the page as text, never as markup or script."""

from html.parser import HTMLParser

from django.test import TestCase

from patient_groups.models import PatientGroup, Region
from tests.factories import make_article, make_group, make_reference, make_topic

PAYLOADS = [
    '<script>alert("x")</script>',
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    '\'><a href="javascript:alert(1)">x</a>',
]


class MarkupCollector(HTMLParser):
    """Every element a browser would build from the page, with its attributes."""

    def __init__(self):
        super().__init__()
        self.problems = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src") and attrs.get("type") != "application/ld+json":
            self.problems.append(f"inline script: {attrs}")
        if tag in ("svg", "iframe", "object", "embed") or (
            tag == "img" and attrs.get("src") == "x"
        ):
            self.problems.append(f"injected <{tag}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"event handler {name} on <{tag}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                ("javascript:", "data:")
            ):
                self.problems.append(f"{name}={value} on <{tag}>")


class XssTests(TestCase):
    def assertSafe(self, response):
        collector = MarkupCollector()
        collector.feed(response.content.decode())
        self.assertEqual(collector.problems, [], response.wsgi_request.get_full_path())

    def test_article_fields_and_markdown(self):
        for i, payload in enumerate(PAYLOADS):
            with self.subTest(payload=payload):
                topic = make_topic(f"t{i}", name_en=payload, description_en=payload)
                article = make_article(
                    f"xss-{i}",
                    topic=topic,
                    title_en=payload,
                    summary_en=payload,
                    body=f"{payload}\n\n[{payload}](javascript:alert(1))\n\n> {payload}",
                )
                self.assertSafe(self.client.get(article.get_absolute_url()))
                self.assertSafe(self.client.get(topic.get_absolute_url()))
        self.assertSafe(self.client.get("/en/"))

    def test_reference_fields(self):
        for i, payload in enumerate(PAYLOADS):
            make_reference(
                f"evil{i}",
                title=payload,
                container_title_short=payload,
                authors=[{"literal": payload}, {"family": payload, "given": payload}],
                url="https://example.org/?q=" + payload.replace(" ", ""),
            )
        body = " ".join(f"[@evil{i}]" for i in range(len(PAYLOADS)))
        article = make_article("cites-evil", body=body)
        self.assertSafe(self.client.get(article.get_absolute_url()))

    def test_group_fields_and_filters(self):
        for i, payload in enumerate(PAYLOADS):
            make_group(
                f"{payload} {i}",
                acronym=payload[:30],
                former_names=payload,
                city=payload,
                description_en=payload,
                website=f"https://example.org/{i}?q={payload}",
            )
        self.assertSafe(self.client.get("/en/patient-groups/"))
        # Region names are edited by staff and listed in the region filter and the headings.
        europe = Region.objects.get(slug="europe")
        for payload in PAYLOADS:
            with self.subTest(region=payload):
                europe.name_en = europe.description_en = payload
                europe.save()
                self.assertSafe(self.client.get("/en/patient-groups/"))
        for group in PatientGroup.objects.all():
            self.assertSafe(self.client.get(group.get_absolute_url()))
        for payload in PAYLOADS:
            with self.subTest(payload=payload):
                response = self.client.get(
                    "/en/patient-groups/",
                    {"q": payload, "region": payload, "country": payload, "language": payload},
                )
                self.assertSafe(response)
                # JSON is data, not a page: browsers never render it as HTML with this type.
                data = self.client.get("/en/patient-groups.json", {"q": payload})
                self.assertEqual(data["Content-Type"], "application/json; charset=utf-8")
                self.assertEqual(data["X-Content-Type-Options"], "nosniff")

    def test_search_terms(self):
        make_article("searchable", body="Some words about alert and script.")
        for payload in PAYLOADS:
            with self.subTest(payload=payload):
                self.assertSafe(self.client.get("/en/search/", {"q": payload}))
                self.assertSafe(self.client.get("/en/search/", {"q": "alert " + payload}))
