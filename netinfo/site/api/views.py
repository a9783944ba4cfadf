"""
The API's views: thin, read-only, public. Each answers in the language the `language` parameter
names (English by default), with the same fallbacks as the pages.
"""

import django_filters
from django.conf import settings
from django.http import Http404
from django.utils import translation
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_control
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers

from netinfo.articles.models import Article, Term, Topic
from netinfo.core.languages import LANGUAGE_CODES, slug_query
from patient_groups.models import PatientGroup

from . import serializers as api

LANGUAGE = OpenApiParameter(
    "language",
    OpenApiTypes.STR,
    enum=list(LANGUAGE_CODES),
    description="The language of the text; English (en) if not given.",
)
# Shared caches may keep an answer as long as a page (netinfo.core.page_cache).
public = method_decorator(
    cache_control(public=True, max_age=settings.PUBLIC_MAX_AGE), name="dispatch"
)


class LanguageMixin:
    """Reads `language`, refuses an unknown one, and renders in it."""

    def language(self):
        code = self.request.query_params.get("language", "en")
        if code not in LANGUAGE_CODES:
            raise serializers.ValidationError(
                {"language": f"Unknown language {code!r}; one of: {', '.join(LANGUAGE_CODES)}."}
            )
        return code

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "language": self.language()}

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code < 400:
            response["Content-Language"] = self.language()
        else:
            # A refused or missing page may be fine a minute later; shared caches ask again.
            response["Cache-Control"] = "no-cache"
        return response

    def list(self, request, *args, **kwargs):
        with translation.override(self.language()):
            return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        with translation.override(self.language()):
            return super().retrieve(request, *args, **kwargs)


class ArticleFilter(django_filters.FilterSet):
    topic = django_filters.CharFilter(
        field_name="topic__slug_en", help_text="A topic's slug (in English)."
    )
    modified_since = django_filters.IsoDateTimeFilter(
        field_name="updated",
        lookup_expr="gte",
        help_text="Only articles changed at or after this time (ISO 8601).",
    )

    class Meta:
        model = Article
        fields = ["topic", "modified_since"]


def live_articles():
    return Article.objects.published().select_related("topic", "medical_reviewer")


ORDERING = OpenApiParameter(
    "ordering",
    OpenApiTypes.STR,
    enum=["last_reviewed", "-last_reviewed", "modified", "-modified"],
    description="Order by the date of the last medical review or of the last change; "
    "a leading minus for newest first.",
)
# The API's names for what a list can be ordered by, and the model's.
ORDER_FIELDS = {"last_reviewed": "last_reviewed", "modified": "updated"}


@public
@extend_schema_view(get=extend_schema(parameters=[LANGUAGE, ORDERING]))
class ArticleList(LanguageMixin, generics.ListAPIView):
    """Published articles written in the language asked for."""

    serializer_class = api.ArticleSummarySerializer
    filterset_class = ArticleFilter

    def get_queryset(self):
        return live_articles().filter(text_languages__contains=self.language())

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        name = self.request.query_params.get("ordering", "")
        if not name:
            return queryset.order_by("pk")
        field = ORDER_FIELDS.get(name.removeprefix("-"))
        if field is None:
            raise serializers.ValidationError(
                {"ordering": f"Cannot order by {name!r}; by last_reviewed or modified."}
            )
        return queryset.order_by(("-" if name.startswith("-") else "") + field, "pk")


@public
@extend_schema_view(get=extend_schema(parameters=[LANGUAGE]))
class ArticleDetail(LanguageMixin, generics.RetrieveAPIView):
    """One published article, by its slug in any language."""

    serializer_class = api.ArticleSerializer

    def get_object(self):
        article = live_articles().filter(slug_query(self.kwargs["slug"])).order_by("pk").first()
        if article is None or not article.has_text(self.language()):
            raise Http404
        return article


@public
@extend_schema_view(get=extend_schema(parameters=[LANGUAGE]))
class TopicList(LanguageMixin, generics.ListAPIView):
    serializer_class = api.TopicSerializer
    queryset = Topic.objects.order_by("order", "pk")


@public
@extend_schema_view(get=extend_schema(parameters=[LANGUAGE]))
class TermList(LanguageMixin, generics.ListAPIView):
    """The glossary: medical words explained in plain language."""

    serializer_class = api.TermSerializer
    queryset = Term.objects.prefetch_related("related_terms").order_by("name_en", "pk")


class GroupFilter(django_filters.FilterSet):
    """The directory's filters, by code: the QuerySet methods the directory page uses."""

    region = django_filters.CharFilter(method="in_region", help_text="A region's slug.")
    country = django_filters.CharFilter(
        method="in_country", help_text="ISO 3166 country code, e.g. DE."
    )
    language = django_filters.CharFilter(
        field_name="languages",
        method="serving_language",
        help_text="ISO 639-1 code of a language the group works in, e.g. de.",
    )

    class Meta:
        model = PatientGroup
        fields = ["region", "country", "language"]

    def in_region(self, queryset, name, value):
        return queryset.filter(region__slug=value)

    def in_country(self, queryset, name, value):
        return queryset.in_country(value.strip().upper())

    def serving_language(self, queryset, name, value):
        return queryset.serving_language(value.strip().lower())


@public
@extend_schema_view(get=extend_schema(parameters=[LANGUAGE]))
class PatientGroupList(LanguageMixin, generics.ListAPIView):
    """Active patient associations, with the directory's filters (region, country, language)."""

    serializer_class = api.PatientGroupSerializer
    filterset_class = GroupFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]

    def get_queryset(self):
        return PatientGroup.objects.active().select_related("region").order_by("name", "pk")
