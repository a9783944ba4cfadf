"""What the API shows of each kind of content: public fields only, named once here."""

import re

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from netinfo.articles.models import Article
from netinfo.articles.rendering import plain_text
from netinfo.articles.structured_data import translated_definition
from netinfo.core.languages import translated_value, url_in
from patient_groups.export import public_data

# A link or image in stored HTML points at this site; on a partner's page it must say so.
SITE_ADDRESS_RE = re.compile(r'((?:href|src)=")/(?!/)')
SECTION_RE = re.compile(r"(?=<h2[\s>])")
HEADING_RE = re.compile(r"<h2[^>]*>(.*?)</h2>", re.DOTALL)


def absolute_html(html, request):
    root = request.build_absolute_uri("/")
    return SITE_ADDRESS_RE.sub(lambda match: match.group(1) + root, html)


def licence():
    return {"name": settings.CONTENT_LICENCE, "url": settings.CONTENT_LICENCE_URL}


class LicenceSerializer(serializers.Serializer):
    name = serializers.CharField()
    url = serializers.URLField()


class PersonSerializer(serializers.Serializer):
    name = serializers.CharField()
    credentials = serializers.CharField(allow_blank=True)


class SectionSerializer(serializers.Serializer):
    headline = serializers.CharField(
        allow_blank=True, help_text="Empty for the text before the first heading."
    )
    html = serializers.CharField()


class ReferenceSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    text = serializers.CharField(help_text="The reference formatted in the NLM style.")
    doi = serializers.CharField(allow_null=True)
    pmid = serializers.CharField(allow_null=True)
    url = serializers.URLField(allow_null=True)


class FigureSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    image = serializers.URLField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    alt = serializers.CharField(allow_blank=True, help_text="Empty for a decorative image.")
    caption = serializers.CharField(allow_blank=True)
    credit = serializers.CharField(allow_blank=True)
    licence = serializers.CharField(allow_blank=True)


class ChangeSerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.CharField()
    summary = serializers.CharField()


class TopicSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, topic):
        return self.context["request"].build_absolute_uri(topic.get_absolute_url())


class ArticleSummarySerializer(serializers.Serializer):
    """An article in a list: enough to decide whether to fetch it, and when it last changed."""

    slug = serializers.CharField()
    language = serializers.SerializerMethodField()
    title = serializers.CharField()
    summary = serializers.CharField()
    topic = serializers.CharField(source="topic.slug")
    audience = serializers.ChoiceField(choices=Article.Audience.values)
    date_published = serializers.DateTimeField(source="published_at")
    date_modified = serializers.DateTimeField(source="updated")
    last_reviewed = serializers.DateField(allow_null=True)
    review_due = serializers.DateField(source="next_review_due", allow_null=True)
    url = serializers.SerializerMethodField(help_text="The article's page on this site.")
    api_url = serializers.SerializerMethodField()

    def get_language(self, article) -> str:
        return self.context["language"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, article):
        return self.context["request"].build_absolute_uri(article.get_absolute_url())

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, article):
        from django.urls import reverse

        path = reverse("api:article-detail", kwargs={"slug": article.slug})
        return self.context["request"].build_absolute_uri(
            f"{path}?language={self.context['language']}"
        )


class ArticleSerializer(ArticleSummarySerializer):
    """A whole article as its page shows it, with its sources, reviewers and dates."""

    body = serializers.SerializerMethodField(help_text="Sanitised HTML, links made absolute.")
    sections = serializers.SerializerMethodField(
        help_text="The body cut at its headings, as schema.org's hasPart."
    )
    authors = serializers.SerializerMethodField()
    medical_reviewer = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField(help_text="What changed, newest first.")
    references = serializers.SerializerMethodField(help_text="Numbered as the text cites them.")
    figures = serializers.SerializerMethodField()
    translations = serializers.SerializerMethodField()
    licence = serializers.SerializerMethodField()

    def get_body(self, article) -> str:
        return absolute_html(article.body_html, self.context["request"])

    @extend_schema_field(SectionSerializer(many=True))
    def get_sections(self, article):
        sections = []
        for part in SECTION_RE.split(self.get_body(article)):
            if part.strip():
                heading = HEADING_RE.match(part)
                headline = plain_text(heading.group(1)) if heading else ""
                sections.append({"headline": headline, "html": part.strip()})
        return sections

    @extend_schema_field(PersonSerializer(many=True))
    def get_authors(self, article):
        parts = article.page_parts.get(self.context["language"], {})
        return [
            {"name": a["name"], "credentials": a["credentials"]} for a in parts.get("authors", [])
        ]

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_medical_reviewer(self, article):
        reviewer = article.medical_reviewer
        if reviewer is None:
            return None
        credentials, _language = translated_value(reviewer, "credentials", self.context["language"])
        return {"name": reviewer.name, "credentials": credentials or ""}

    @extend_schema_field(ChangeSerializer(many=True))
    def get_changes(self, article):
        language = self.context["language"]
        return [
            {
                "date": entry.created.date(),
                "kind": entry.kind,
                "summary": translated_value(entry, "summary", language)[0],
            }
            for entry in article.changes.public()
        ]

    @extend_schema_field(ReferenceSerializer(many=True))
    def get_references(self, article):
        language = self.context["language"]
        seen, listed = set(), []
        for citation in (
            article.citations.filter(language=language)
            .select_related("reference")
            .order_by("number")
        ):
            if citation.number in seen:
                continue
            seen.add(citation.number)
            reference = citation.reference
            rendered = reference.rendered.get(language) or reference.rendered.get("en") or {}
            listed.append(
                {
                    "number": citation.number,
                    "text": rendered.get("text", reference.key),
                    "doi": reference.doi or None,
                    "pmid": reference.pmid or None,
                    "url": reference.url or None,
                }
            )
        return listed

    @extend_schema_field(FigureSerializer(many=True))
    def get_figures(self, article):
        language, request = self.context["language"], self.context["request"]
        return [
            {
                "number": figure.number,
                "image": request.build_absolute_uri(figure.image.url),
                "width": figure.width,
                "height": figure.height,
                "alt": "" if figure.decorative else translated_value(figure, "alt", language)[0],
                "caption": translated_value(figure, "caption", language)[0] or "",
                "credit": figure.credit,
                "licence": figure.licence,
            }
            for figure in article.figures.order_by("number")
        ]

    @extend_schema_field(
        {"type": "object", "additionalProperties": {"type": "string", "format": "uri"}}
    )
    def get_translations(self, article):
        request = self.context["request"]
        return {
            code: request.build_absolute_uri(url_in(code, article))
            for code in article.translated_languages()
        }

    @extend_schema_field(LicenceSerializer)
    def get_licence(self, article):
        return licence()


class TermSerializer(serializers.Serializer):
    slug = serializers.SerializerMethodField()
    name = serializers.SerializerMethodField()
    other_forms = serializers.SerializerMethodField()
    definition = serializers.SerializerMethodField(help_text="HTML, links made absolute.")
    pronunciation = serializers.CharField(allow_blank=True)
    related = serializers.SerializerMethodField(help_text="Slugs of related terms.")
    url = serializers.SerializerMethodField()

    def get_slug(self, term) -> str:
        return getattr(term, f"slug_{self.context['language']}") or term.slug_en

    def get_name(self, term) -> str:
        return term.name_in(self.context["language"])

    def get_other_forms(self, term) -> list[str]:
        return term.forms(self.context["language"])[1:]

    def get_definition(self, term) -> str:
        html, _language = translated_definition(term, self.context["language"])
        return absolute_html(html, self.context["request"])

    def get_related(self, term) -> list[str]:
        language = self.context["language"]
        return [
            getattr(other, f"slug_{language}") or other.slug_en
            for other in term.related_terms.all()
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, term):
        return self.context["request"].build_absolute_uri(url_in(self.context["language"], term))


class RegionSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class PatientGroupSerializer(serializers.Serializer):
    """
    The directory's public fields, as its JSON download has them: the values come from
    patient_groups.export.public_data, the one list of what visitors may see of a group; the
    fields below describe them for the schema.
    """

    slug = serializers.CharField()
    name = serializers.CharField()
    acronym = serializers.CharField(allow_blank=True)
    former_names = serializers.ListField(child=serializers.CharField())
    country = serializers.CharField(allow_null=True, help_text="ISO 3166 code, e.g. DE.")
    country_name = serializers.CharField(allow_null=True)
    coverage = serializers.CharField()
    region = RegionSerializer()
    city = serializers.CharField(allow_blank=True)
    website = serializers.URLField(allow_null=True, help_text="Null where none is listed.")
    email = serializers.EmailField(allow_null=True, help_text="Null where none is listed.")
    phone = serializers.CharField(allow_null=True, help_text="Null where none is listed.")
    languages = serializers.ListField(child=serializers.CharField())
    services = serializers.ListField(child=serializers.CharField())
    description = serializers.CharField(allow_blank=True)
    alliance_member = serializers.BooleanField()
    url = serializers.URLField(help_text="The group's page on this site.")

    def to_representation(self, group):
        return {"slug": group.slug, **public_data(group, self.context["request"])}
