import reversion
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
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

from .admin_history import RevisionHistoryAdmin
from .dashboard import dashboard
from .governance import (
    can_approve,
    confirm_review,
    make_working_copy,
    publish_changes,
    reviewer_profile,
    stored_status,
    transition_problems,
)
from .models import (
    LANGUAGE_CODES,
    Article,
    Authorship,
    ChangeLogEntry,
    Citation,
    Contributor,
    ExternalResource,
    Figure,
    FigureSeries,
    PreviewLink,
    Topic,
    rebuild_citations,
)
from .rendering import marker_problems
from .search import folded


@admin.register(Topic)
class TopicAdmin(TabbedTranslationAdmin):
    list_display = ["name_en", "name_de", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ["name_en", "name_de"]


@admin.register(Contributor)
class ContributorAdmin(TabbedTranslationAdmin):
    list_display = ["family_name", "given_names", "credentials", "user"]
    search_fields = ["search_text"]
    search_help_text = _("Searches names and credentials; accents and capitals do not matter.")
    autocomplete_fields = ["user"]

    def get_search_results(self, request, queryset, search_term):
        # Also what the article form's author picker (autocomplete) searches.
        return super().get_search_results(request, queryset, folded(search_term))


CHANGE_KINDS = [
    ("", "---------"),
    (ChangeLogEntry.Kind.CLINICAL, _("Clinical update")),
    (ChangeLogEntry.Kind.EDITORIAL, _("Editorial change (typo, broken link)")),
]
NOTE_FIELDS = {"change_kind", "change_summary_en", "change_summary_de"}


def change_note(data):
    """(kind, {language: summary}) from the change-note fields of a submitted form."""
    summaries = {
        code: (data.get(f"change_summary_{code}") or "").strip() for code in LANGUAGE_CODES
    }
    return data.get("change_kind") or "", {code: text for code, text in summaries.items() if text}


class ArticleForm(forms.ModelForm):
    change_kind = forms.ChoiceField(
        label=_("kind of change"),
        choices=CHANGE_KINDS,
        required=False,
        help_text=_("Needed to publish, and for any change to a published article."),
    )
    change_summary_en = forms.CharField(
        label=_("what changed (English)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text=_("One or two plain sentences; visitors see them under “What changed”."),
    )
    change_summary_de = forms.CharField(
        label=_("what changed (German)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
    )

    def clean(self):
        cleaned = super().clean()
        for code in LANGUAGE_CODES:
            name = f"body_{code}"
            body = cleaned.get(name) or ""
            for problem in citation_problems(body):
                self.add_error(name, problem)
        request = getattr(self, "request", None)
        if request is not None and "status" in cleaned:
            kind, summaries = change_note(cleaned)
            problems = transition_problems(
                request.user,
                self.instance,
                stored_status(self.instance),
                cleaned["status"],
                changed=any(name not in NOTE_FIELDS for name in self.changed_data),
                kind=kind,
                summary=summaries.get("en", ""),
            )
            for field, message in problems:
                self.add_error(field if field in self.fields else None, message)
            request.workflow_problems_reported = bool(problems)
        return cleaned


class WorkflowFormSet(BaseInlineFormSet):
    """Inline changes to a published article follow the same rules as changes to its text."""

    request = None

    def clean(self):
        super().clean()
        request = self.request
        if (
            request is None
            or not self.has_changed()
            or getattr(request, "workflow_problems_reported", False)
        ):
            return
        old_status = stored_status(self.instance)
        if old_status != Article.Status.PUBLISHED:
            return
        kind, summaries = change_note(request.POST)
        problems = transition_problems(
            request.user,
            self.instance,
            old_status,
            request.POST.get("status", old_status),
            changed=True,
            kind=kind,
            summary=summaries.get("en", ""),
        )
        if problems:
            request.workflow_problems_reported = True
            raise forms.ValidationError([message for _field, message in problems])


class MarkerCheckingFormSet(WorkflowFormSet):
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
    formset = WorkflowFormSet
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
    formset = WorkflowFormSet
    extra = 0


class ExternalResourceInline(TranslationTabularInline):
    model = ExternalResource
    formset = WorkflowFormSet
    extra = 0


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


class PreviewLinkInline(admin.TabularInline):
    model = PreviewLink
    extra = 0
    fields = ["note", "expires_at", "revoked", "link"]
    readonly_fields = ["link"]
    verbose_name = _("preview link for an outside reviewer")
    verbose_name_plural = _("preview links for outside reviewers")

    @admin.display(description=_("link"))
    def link(self, obj):
        if not obj.pk:
            return _("Save to make the link.")
        url = obj.get_absolute_url()
        state = _("valid") if obj.is_valid else _("no longer valid")
        return format_html('<a href="{}">{}</a> ({})', url, url, state)


class ReviewDueFilter(admin.SimpleListFilter):
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


# Read-only everywhere: approval sets them (netinfo.governance), nobody types them in.
REVIEW_FIELDS = ["medical_reviewer", "last_reviewed", "next_review_due"]


# Versions follow what is edited with an article, but not its change log or preview links,
# so that restoring an old version never deletes either.
for model in (Figure, FigureSeries, ExternalResource, Authorship):
    if not reversion.is_registered(model):
        reversion.register(model)
if not reversion.is_registered(Article):
    reversion.register(Article, follow=["figures", "figure_series", "resources", "authorships"])


@admin.register(Article)
class ArticleAdmin(RevisionHistoryAdmin, TabbedTranslationAdmin):
    form = ArticleForm
    inlines = [
        AuthorshipInline,
        FigureInline,
        FigureSeriesInline,
        ExternalResourceInline,
        PreviewLinkInline,
    ]
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
    list_filter = ["status", "topic", "audience", ReviewDueFilter, MissingTranslationFilter]
    search_fields = ["title_en", "title_de", "summary_en", "summary_de"]
    list_select_related = ["topic"]
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ["related_articles"]
    readonly_fields = [
        "preview_links",
        "citation_list",
        "workflow_state",
        "readability_display",
        "translation_state",
        *REVIEW_FIELDS,
    ]
    actions = ["mark_reviewed", "propose_clinical_change"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "body", "preview_links"]}),
        (_("Place on the site"), {"fields": ["topic", "order", "audience", "related_articles"]}),
        (
            _("Review and publication"),
            {
                "fields": [
                    "workflow_state",
                    "status",
                    "published_at",
                    "change_kind",
                    "change_summary_en",
                    "change_summary_de",
                ]
            },
        ),
        (_("Medical review"), {"fields": [*REVIEW_FIELDS, "review_interval_years"]}),
        (_("Quality"), {"fields": ["readability_display", "translation_state"]}),
        (_("Citations"), {"fields": ["citation_list"]}),
    ]

    class Media:
        css = {"all": ["admin_extra/netinfo-admin.css"]}

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request = request
        return form

    def get_formsets_with_inlines(self, request, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            formset.request = request
            yield formset, inline

    def get_urls(self):
        return [
            path(
                "dashboard/",
                self.admin_site.admin_view(self.dashboard_view),
                name="netinfo_dashboard",
            ),
            path(
                "<int:pk>/working-copy/",
                self.admin_site.admin_view(self.working_copy_view),
                name="netinfo_article_working_copy",
            ),
            *super().get_urls(),
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

    @admin.display(description=_("workflow"))
    def workflow_state(self, obj):
        if not obj.pk:
            return _(
                "New articles start as drafts. Set “In review” when the text is ready for a medical reviewer."
            )
        lines = []
        if obj.submitted_by_id and obj.status == Article.Status.IN_REVIEW:
            lines.append(
                format_html(
                    "{} {} ({})",
                    _("Submitted for review by"),
                    obj.submitted_by.get_username(),
                    date_format(timezone.localtime(obj.submitted_at), "DATETIME_FORMAT"),
                )
            )
        if obj.revision_of_id:
            lines.append(
                format_html(
                    '{} <a href="{}">{}</a>. {}',
                    _("Working copy of"),
                    reverse("admin:netinfo_article_change", args=[obj.revision_of_id]),
                    obj.revision_of,
                    _("Approving it replaces the published article's text."),
                )
            )
        for copy in obj.working_copies.all():
            lines.append(
                format_html(
                    '{} <a href="{}">{}</a> ({})',
                    _("Working copy:"),
                    reverse("admin:netinfo_article_change", args=[copy.pk]),
                    copy,
                    copy.get_status_display(),
                )
            )
        if obj.status == Article.Status.PUBLISHED and not obj.revision_of_id:
            lines.append(
                format_html(
                    '<a href="{}">{}</a>',
                    reverse("admin:netinfo_article_working_copy", args=[obj.pk]),
                    _("Propose a clinical change (make a working copy for review)"),
                )
            )
        return format_html_join("", "<div>{}</div>", ((line,) for line in lines)) or "–"

    @admin.display(description=_("readability"))
    def readability_display(self, obj):
        if not obj.readability:
            return "–"
        rows = []
        for code, figures in obj.readability.items():
            verdict = (
                _("meets the target")
                if figures.get("meets_target")
                else _("harder than the target")
            )
            rows.append(
                (
                    code,
                    figures.get("formula", ""),
                    figures.get("ease"),
                    figures.get("grade"),
                    "" if figures.get("meets_target") else "readability-warning",
                    verdict,
                )
            )
        return format_html_join(
            "",
            '<div>[{}] {}: {} / {} <span class="{}">({})</span></div>',
            rows,
        )

    @admin.display(description=_("translation"))
    def translation_state(self, obj):
        if not obj.pk:
            return "–"
        missing = [code for code in LANGUAGE_CODES if code not in obj.translated_languages()]
        stale = obj.stale_translations()
        if not missing and not stale:
            return _("All languages are up to date with the English text.")
        parts = []
        if missing:
            parts.append(_("Missing: %(languages)s.") % {"languages": ", ".join(missing)})
        if stale:
            parts.append(
                _("Older than the English text: %(languages)s.") % {"languages": ", ".join(stale)}
            )
        return " ".join(parts)

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
        request.old_status = stored_status(obj) if change else None
        obj.save()
        if change and not obj.revision_of_id:
            self.report_former_addresses(request, form)

    def report_former_addresses(self, request, form):
        """A changed slug leaves its old address leading here (Article.keep_former_slugs): say so."""
        for code in LANGUAGE_CODES:
            old = form.initial.get(f"slug_{code}")
            if old and f"slug_{code}" in form.changed_data:
                with translation.override(code):
                    address = reverse("netinfo:article-detail", kwargs={"slug": old})
                self.message_user(
                    request,
                    _("The old address %(address)s now leads to this article.")
                    % {"address": address},
                )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Figures are saved after the article, so render again now that they exist, then
        # record which references the text cites and what the save means for the workflow.
        article = form.instance
        article.save()
        rebuild_citations(article)
        kind, summaries = change_note(form.cleaned_data)
        changed = any(name not in NOTE_FIELDS for name in form.changed_data) or any(
            formset.has_changed() for formset in formsets
        )
        visible = publish_changes(
            article,
            request.user,
            request.old_status,
            changed=changed,
            kind=kind,
            summaries=summaries,
        )
        if summaries.get("en"):
            reversion.set_comment(summaries["en"])
        if visible.pk != article.pk:
            request.merged_into = visible

    def response_change(self, request, obj):
        merged = getattr(request, "merged_into", None)
        if merged is not None:
            self.message_user(
                request, _("The working copy was approved and now replaces the published article.")
            )
            return redirect("admin:netinfo_article_change", merged.pk)
        return super().response_change(request, obj)

    def working_copy_view(self, request, pk):
        article = get_object_or_404(Article, pk=pk)
        if (
            not self.has_change_permission(request, article)
            or article.status != Article.Status.PUBLISHED
        ):
            raise PermissionDenied
        if request.method == "POST":
            with reversion.create_revision():
                reversion.set_user(request.user)
                reversion.set_comment(_("Working copy made for a clinical change."))
                copy = make_working_copy(article, request.user)
            self.message_user(
                request, _("Working copy made. Change it, then set it to “In review”.")
            )
            return redirect("admin:netinfo_article_change", copy.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Propose a clinical change"),
            "article": article,
        }
        return TemplateResponse(request, "admin/netinfo/article/working_copy.html", context)

    def dashboard_view(self, request):
        if not request.user.is_staff:
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Review dashboard"),
            **dashboard(request.user),
        }
        return TemplateResponse(request, "admin/netinfo/dashboard.html", context)

    @admin.action(
        description=_("Confirm review: checked, nothing to change"), permissions=["approve"]
    )
    def mark_reviewed(self, request, queryset):
        done = 0
        if reviewer_profile(request.user) is None:
            self.message_user(
                request,
                _(
                    "Your account has no contributor record with your name and credentials, which approval records."
                ),
                messages.ERROR,
            )
            return
        for article in queryset.filter(status=Article.Status.PUBLISHED):
            summaries = {}
            for code in LANGUAGE_CODES:
                with translation.override(code):
                    summaries[code] = str(
                        _("Checked by a medical reviewer; the information is still correct.")
                    )
            confirm_review(article, request.user, summaries)
            done += 1
        self.message_user(
            request,
            ngettext(
                "%d article confirmed as reviewed.", "%d articles confirmed as reviewed.", done
            )
            % done,
        )

    def has_approve_permission(self, request):
        return can_approve(request.user)

    @admin.action(description=_("Propose a clinical change (working copy)"), permissions=["change"])
    def propose_clinical_change(self, request, queryset):
        published = list(queryset.filter(status=Article.Status.PUBLISHED, revision_of=None)[:2])
        if len(published) != 1:
            self.message_user(request, _("Select exactly one published article."), messages.WARNING)
            return None
        return redirect("admin:netinfo_article_working_copy", published[0].pk)


def _count_label(count):
    return ngettext("cited %(count)d time", "cited %(count)d times", count) % {"count": count}


class CitedReferenceAdmin(RevisionHistoryAdmin, ReferenceAdmin):
    """The library's admin plus where each reference is cited (articles live in this app)."""

    list_display = [*ReferenceAdmin.list_display, "cited_in_count"]
    change_list_template = ReferenceAdmin.change_list_template
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
