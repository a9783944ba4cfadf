from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _, ngettext
from modeltranslation.admin import (
    TabbedTranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)

from references.admin import ReferenceAdmin
from references.citations import citation_problems
from references.models import Reference

from .models import (
    LANGUAGE_CODES,
    Article,
    Authorship,
    Citation,
    Contributor,
    ExternalResource,
    Figure,
    FigureSeries,
    Topic,
    rebuild_citations,
)
from .rendering import marker_problems


@admin.register(Topic)
class TopicAdmin(TabbedTranslationAdmin):
    list_display = ["name_en", "name_de", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ["name_en", "name_de"]


@admin.register(Contributor)
class ContributorAdmin(TabbedTranslationAdmin):
    list_display = ["family_name", "given_names", "credentials", "user"]
    search_fields = ["family_name", "given_names", "credentials_en", "credentials_de"]
    autocomplete_fields = ["user"]


class ArticleForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        for code in LANGUAGE_CODES:
            name = f"body_{code}"
            body = cleaned.get(name) or ""
            for problem in citation_problems(body):
                self.add_error(name, problem)
        return cleaned


class MarkerCheckingFormSet(BaseInlineFormSet):
    """Checks [[figure:N]] and [[series:key]] in every language's body against the figures."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        numbers, series = set(), set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data and not data.get("DELETE"):
                if data.get("number") is not None:
                    numbers.add(str(data["number"]))
                if data.get("series"):
                    series.add(data["series"])
        problems = []
        for code in LANGUAGE_CODES:
            body = getattr(self.instance, f"body_{code}", "") or ""
            problems += [f"[{code}] {p}" for p in marker_problems(body, numbers, series)]
        if problems:
            raise forms.ValidationError(problems)


class AuthorshipInline(admin.TabularInline):
    model = Authorship
    extra = 0
    autocomplete_fields = ["contributor"]
    verbose_name = _("author")
    verbose_name_plural = _("authors")


class FigureInline(TranslationStackedInline):
    model = Figure
    formset = MarkerCheckingFormSet
    extra = 0
    fields = [
        ("number", "series"),
        "image",
        ("alt", "decorative"),
        "caption",
        "credit",
        "licence",
    ]


class FigureSeriesInline(TranslationTabularInline):
    model = FigureSeries
    extra = 0


class ExternalResourceInline(TranslationTabularInline):
    model = ExternalResource
    extra = 0


class OverdueFilter(admin.SimpleListFilter):
    title = _("review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("overdue", _("Overdue")), ("never", _("Never reviewed"))]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.review_overdue()
        if self.value() == "never":
            return queryset.filter(last_reviewed__isnull=True)
        return queryset


class MissingTranslationFilter(admin.SimpleListFilter):
    title = _("translation")
    parameter_name = "missing"

    def lookups(self, request, model_admin):
        return [
            (code, _("%(language)s missing") % {"language": name})
            for code, name in settings.LANGUAGES
            if code != "en"
        ]

    def queryset(self, request, queryset):
        if self.value() in LANGUAGE_CODES:
            return queryset.missing_translation(self.value())
        return queryset


@admin.register(Article)
class ArticleAdmin(TabbedTranslationAdmin):
    form = ArticleForm
    inlines = [AuthorshipInline, FigureInline, FigureSeriesInline, ExternalResourceInline]
    list_display = [
        "title_en",
        "title_de",
        "topic",
        "status",
        "published_at",
        "last_reviewed",
        "review_due",
        "has_german",
    ]
    list_filter = ["status", "topic", "audience", OverdueFilter, MissingTranslationFilter]
    search_fields = ["title_en", "title_de", "summary_en", "summary_de"]
    list_select_related = ["topic"]
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ["medical_reviewer", "related_articles"]
    readonly_fields = ["preview_links", "citation_list"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "body", "preview_links"]}),
        (_("Place on the site"), {"fields": ["topic", "order", "audience", "related_articles"]}),
        (_("Publication"), {"fields": ["status", "published_at"]}),
        (_("Medical review"), {"fields": ["medical_reviewer", "last_reviewed", "next_review_due"]}),
        (_("Citations"), {"fields": ["citation_list"]}),
    ]

    @admin.display(description=_("next review due"), ordering="next_review_due")
    def review_due(self, obj):
        if obj.next_review_due is None:
            return "–"
        if obj.review_overdue:
            return format_html("{} <strong>({})</strong>", obj.next_review_due, _("overdue"))
        return obj.next_review_due

    @admin.display(description=_("German"), boolean=True)
    def has_german(self, obj):
        return "de" in obj.translated_languages()

    @admin.display(description=_("preview"))
    def preview_links(self, obj):
        if not obj.pk:
            return _("Save the article to preview it.")
        links = []
        for code, name in settings.LANGUAGES:
            with translation.override(code):
                links.append((reverse("netinfo:article-preview", kwargs={"pk": obj.pk}), name))
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    @admin.display(description=_("cited references"))
    def citation_list(self, obj):
        if not obj.pk:
            return "–"
        rows = Citation.objects.filter(article=obj, language="en").select_related("reference")
        if not rows:
            return _("This article cites no references yet.")
        return format_html_join(
            "",
            '<div>[{}] <a href="{}">{}</a> ({})</div>',
            (
                (c.number, c.reference.get_admin_url(), c.reference.key, _count_label(c.count))
                for c in rows
            ),
        )

    def save_model(self, request, obj, form, change):
        obj.save()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Figures are saved after the article, so render again now that they exist, then
        # record which references the text cites.
        article = form.instance
        article.save()
        rebuild_citations(article)


def _count_label(count):
    return ngettext("cited %(count)d time", "cited %(count)d times", count) % {"count": count}


class CitedReferenceAdmin(ReferenceAdmin):
    """The library's admin plus where each reference is cited (articles live in this app)."""

    list_display = [*ReferenceAdmin.list_display, "cited_in_count"]
    readonly_fields = [*ReferenceAdmin.readonly_fields, "cited_in"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class KeyGuardForm(form):
            def clean_key(self):
                key = self.cleaned_data["key"].lower()
                original = self.instance.key if self.instance.pk else None
                if original and key != original and self.instance.citations.exists():
                    # Article texts cite the old key; a new one would break every one of them.
                    raise forms.ValidationError(
                        _("Articles cite this reference as @%(key)s, so its key cannot change.")
                        % {"key": original}
                    )
                return key

        return KeyGuardForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return [*fieldsets, (_("Where it is cited"), {"fields": ["cited_in"]})]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(article_count=Count("citations__article", distinct=True))
        )

    @admin.display(description=_("cited in"), ordering="article_count")
    def cited_in_count(self, obj):
        return obj.article_count

    @admin.display(description=_("cited in"))
    def cited_in(self, obj):
        articles = Article.objects.filter(citations__reference=obj).distinct()
        if not obj.pk or not articles:
            return _("Not cited by any article.")
        return format_html_join(
            "",
            '<div><a href="{}">{}</a></div>',
            ((reverse("admin:netinfo_article_change", args=[a.pk]), a.title_en) for a in articles),
        )

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            # Name the articles, not the link-table rows, in the "cannot delete" message.
            articles = Article.objects.filter(citations__reference__in=objs).distinct()
            protected = [
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("Cited in the article"),
                    reverse("admin:netinfo_article_change", args=[a.pk]),
                    a.title_en,
                )
                for a in articles
            ]
        return deleted, counts, perms_needed, protected


admin.site.unregister(Reference)
admin.site.register(Reference, CitedReferenceAdmin)
