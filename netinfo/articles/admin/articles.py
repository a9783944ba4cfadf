"""Articles in the admin: the form, inlines, filters, History's restore and the actions."""

import reversion
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _, ngettext
from modeltranslation.admin import (
    TabbedTranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)
from reversion.models import Version

from netinfo.core.history import RevisionHistoryAdmin
from netinfo.links.admin import LinkCheckMixin, LinksFilter

from .. import services
from ..checks import describe
from ..feedback import feedback_summary
from ..governance import (
    can_approve,
    missing_profile_message,
    reviewer_profile,
    stored_status,
)
from ..models import (
    LANGUAGE_CODES,
    Article,
    Authorship,
    ChangeLogEntry,
    Citation,
    ExternalResource,
    Figure,
    FigureSeries,
    PreviewLink,
)
from ..services import ChangeNote
from ..versions import ArticleSnapshot, last_published_version, snapshot_changes
from .forms import (
    NOTE_FIELDS,
    ArticleForm,
    FigureForm,
    MarkerCheckingFormSet,
    WorkflowFormSet,
    change_note,
)


class AuthorshipInline(admin.TabularInline):
    model = Authorship
    formset = WorkflowFormSet
    extra = 0
    autocomplete_fields = ["contributor"]
    verbose_name = _("author")
    verbose_name_plural = _("authors")


class FigureInline(TranslationStackedInline):
    model = Figure
    form = FigureForm
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


# Read-only everywhere: approval sets them (netinfo.articles.governance), nobody types them in.
REVIEW_FIELDS = ["medical_reviewer", "last_reviewed", "next_review_due"]


class WorkingCopyFilter(admin.SimpleListFilter):
    title = _("working copies")
    parameter_name = "copies"

    def lookups(self, request, model_admin):
        return [("only", _("Working copies only")), ("none", _("No working copies"))]

    def queryset(self, request, queryset):
        if self.value() == "only":
            return queryset.filter(revision_of__isnull=False)
        if self.value() == "none":
            return queryset.filter(revision_of__isnull=True)
        return queryset


class ContentChecksFilter(admin.SimpleListFilter):
    title = _("content checks")
    parameter_name = "checks"

    def lookups(self, request, model_admin):
        return [
            ("errors", _("With errors")),
            ("warnings", _("With warnings")),
            ("clean", _("None")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "errors":
            return queryset.filter(content_errors__gt=0)
        if self.value() == "warnings":
            return queryset.filter(content_warnings__gt=0)
        if self.value() == "clean":
            return queryset.filter(content_errors=0, content_warnings=0)
        return queryset


@admin.register(Article)
class ArticleAdmin(LinkCheckMixin, RevisionHistoryAdmin, TabbedTranslationAdmin):
    """
    Articles in the admin. Every save goes through the save pipeline (netinfo.articles.services): the
    form's status change picks the step (services.step_for), which saves the article together
    with its inline figures, links and authors; so do History's restore and the actions.
    """

    form = ArticleForm
    inlines = [
        AuthorshipInline,
        FigureInline,
        FigureSeriesInline,
        ExternalResourceInline,
        PreviewLinkInline,
    ]
    list_display = [
        "title_display",
        "title_de",
        "topic",
        "status",
        "published_at",
        "last_reviewed",
        "review_due",
        "has_german",
        "checks_column",
    ]
    list_filter = [
        "status",
        "topic",
        "audience",
        ReviewDueFilter,
        MissingTranslationFilter,
        WorkingCopyFilter,
        ContentChecksFilter,
        LinksFilter,
    ]
    search_fields = ["title_en", "title_de", "summary_en", "summary_de"]
    list_select_related = ["topic", "revision_of"]
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ["related_articles"]
    readonly_fields = [
        "preview_links",
        "citation_list",
        "workflow_state",
        "live_changes",
        "readability_display",
        "content_checks_display",
        "link_check",
        "translation_state",
        "reader_feedback",
        *REVIEW_FIELDS,
    ]
    actions = ["mark_reviewed", "propose_clinical_change"]
    revision_form_template = "admin/netinfo/article/restore.html"
    recover_form_template = "admin/netinfo/article/restore.html"

    class Media:
        css = {"all": ["admin_extra/netinfo-admin.css"]}

    fieldsets = [
        (
            None,
            {
                "fields": [
                    *("title", "slug", "summary", "body"),
                    *("content_checks_display", "preview_links"),
                ]
            },
        ),
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
        (
            _("Quality"),
            {
                "fields": [
                    *("readability_display", "link_check", "translation_state"),
                    "reader_feedback",
                ]
            },
        ),
        (_("Citations"), {"fields": ["citation_list"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and live_comparison(obj) is not None:
            # First, so that a reviewer reads what changed before approving it.
            return [(_("What this changes"), {"fields": ["live_changes"]}), *fieldsets]
        return fieldsets

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        # The editor, for the workflow's rules in clean(); a class per request, as the admin
        # makes the form class itself.
        return type(form.__name__, (form,), {"user": request.user})

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if issubclass(inline.formset, WorkflowFormSet):
            kwargs["user"] = request.user
        return kwargs

    def get_urls(self):
        return [
            path(
                "<int:pk>/working-copy/",
                self.admin_site.admin_view(self.working_copy_view),
                name="netinfo_article_working_copy",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("title"), ordering="title_en")
    def title_display(self, obj):
        if obj.revision_of_id:
            return format_html(
                "{} <em>({})</em>",
                obj.title_en,
                _("working copy of “%(title)s”") % {"title": obj.revision_of},
            )
        return obj.title_en

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
        return render_to_string(
            "admin/netinfo/article/_workflow_state.html",
            {"article": obj, "working_copies": obj.working_copies.all()},
        )

    @admin.display(description=_("compared with the live article"))
    def live_changes(self, obj):
        comparison = live_comparison(obj)
        if comparison is None:
            return "–"
        against, old, new = comparison
        return render_to_string(
            "admin/netinfo/article/_live_changes.html",
            {"against": against, "sections": snapshot_changes(old, new)},
        )

    @admin.display(description=_("readers' feedback"))
    def reader_feedback(self, obj):
        if obj.pk is None:
            return "–"
        return render_to_string(
            "admin/netinfo/article/_feedback.html", {"summary": feedback_summary(obj)}
        )

    @admin.display(description=_("content checks"), ordering="-content_errors")
    def checks_column(self, obj):
        # e.g. "1 error, 2 warnings"; empty when the checks found nothing.
        parts = []
        if obj.content_errors:
            parts.append(ngettext("%d error", "%d errors", obj.content_errors) % obj.content_errors)
        if obj.content_warnings:
            parts.append(
                ngettext("%d warning", "%d warnings", obj.content_warnings) % obj.content_warnings
            )
        return ", ".join(parts) or "–"

    @admin.display(description=_("content checks"))
    def content_checks_display(self, obj):
        """What the checks found when the article was last saved, per language, worded now."""
        found = {
            code: [(item["level"], item["line"], *describe(item)) for item in items]
            for code, items in (obj.content_checks or {}).items()
            if items
        }
        if not obj.pk:
            return "–"
        return render_to_string("admin/netinfo/article/_content_checks.html", {"found": found})

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
                (c.number, c.reference.get_admin_url(), c.reference.key, cited_times(c.count))
                for c in rows
            ),
        )

    # Saving: the pipeline does it all in save_related(), once the inline forms are valid.

    def save_model(self, request, obj, form, change):
        """Nothing yet: save_related() hands the article and its inlines to the pipeline."""

    def save_related(self, request, form, formsets, change):
        article = form.instance
        note = change_note(form.cleaned_data)
        changed = any(name not in NOTE_FIELDS for name in form.changed_data) or any(
            formset.has_changed() for formset in formsets if formset.model is not PreviewLink
        )
        step = services.step_for(
            stored_status(article), article.status, kind=note.kind, changed=changed
        )
        old_slugs = {code: form.initial.get(f"slug_{code}") for code in LANGUAGE_CODES}
        try:
            step(
                article,
                request.user,
                note=note,
                save_related=lambda: super(ArticleAdmin, self).save_related(
                    request, form, formsets, change
                ),
            )
        except (services.WorkflowError, PermissionDenied) as error:
            # The rules were checked when the form was validated; another editor's change in
            # the meantime can still make a step refuse. Nothing is saved then.
            transaction.set_rollback(True)
            self.message_user(request, str(error), messages.ERROR)
            return
        except OSError:
            # The media storage failed after FigureForm checked it (the disk filled up since).
            transaction.set_rollback(True)
            remove_new_images(formsets)
            self.message_user(request, STORAGE_FAILED, messages.ERROR)
            return
        if change and not article.revision_of_id:
            self.report_former_addresses(request, article, old_slugs)

    def report_former_addresses(self, request, article, old_slugs):
        """A changed slug leaves its old address leading here (services.keep_former_slugs): say so."""
        for code, old in old_slugs.items():
            if old and old != getattr(article, f"slug_{code}"):
                with translation.override(code):
                    address = reverse("netinfo:article-detail", kwargs={"slug": old})
                self.message_user(
                    request,
                    _("The old address %(address)s now leads to this article.")
                    % {"address": address},
                )

    def log_change(self, request, obj, message):
        comment = reversion.get_comment() if reversion.is_active() else ""
        if obj.pk is None and obj.revision_of_id:
            obj = obj.revision_of  # an approved working copy: its article was changed
        entry = super().log_change(request, obj, message)
        if comment and reversion.is_active():
            reversion.set_comment(comment)  # the change note, not the admin's field list
        return entry

    def response_change(self, request, obj):
        if transaction.get_rollback():
            return redirect(request.path)
        if obj.pk is None and obj.revision_of_id:
            # Approving a working copy put it in place of the published article and deleted it.
            self.message_user(
                request, _("The working copy was approved and now replaces the published article.")
            )
            return redirect("admin:netinfo_article_change", obj.revision_of_id)
        return super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        if transaction.get_rollback():
            return redirect(request.path)
        return super().response_add(request, obj, post_url_continue)

    # Steps with pages of their own.

    def working_copy_view(self, request, pk):
        article = get_object_or_404(Article, pk=pk)
        if (
            not self.has_change_permission(request, article)
            or article.status != Article.Status.PUBLISHED
            or article.revision_of_id
        ):
            raise PermissionDenied(_("Only a published article can have a working copy."))
        if request.method == "POST":
            copy = services.propose_clinical_change(article, request.user)
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

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """History's "restore": a workflow step (services.restore_version), never a bare revert."""
        article = get_object_or_404(Article, pk=object_id)
        version = get_object_or_404(
            Version.objects.get_for_object(article).select_related("revision"), pk=version_id
        )
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        problems = []
        if request.method == "POST":
            try:
                changed = services.restore_version(article, version, request.user)
            except services.WorkflowError as error:
                problems = error.messages
            else:
                if changed.pk != article.pk:
                    self.message_user(
                        request,
                        _(
                            "The version is now a working copy. Visitors see the published article until a medical reviewer approves the copy."
                        ),
                    )
                else:
                    self.message_user(request, _("The version was restored."))
                return redirect("admin:netinfo_article_change", changed.pk)
        else:
            problems = ArticleSnapshot.of_version(version).problems()
        return self.restore_page(request, article, version, problems)

    def recover_view(self, request, version_id, extra_context=None):
        """A deleted article comes back as a draft (services.recover_deleted)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        version = get_object_or_404(Version.objects.get_deleted(Article), pk=version_id)
        problems = []
        if request.method == "POST":
            try:
                article = services.recover_deleted(version, request.user)
            except services.WorkflowError as error:
                problems = error.messages
            else:
                self.message_user(request, _("The article is back as a draft."))
                return redirect("admin:netinfo_article_change", article.pk)
        else:
            problems = ArticleSnapshot.of_version(version).problems()
        return self.restore_page(request, None, version, problems)

    def restore_page(self, request, article, version, problems):
        snapshot = ArticleSnapshot.of_version(version)
        current = (
            ArticleSnapshot.of_article(article)
            if article is not None
            else ArticleSnapshot(fields={})
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Restore a version"),
            "article": article,
            "version": version,
            "problems": problems,
            "live": article is not None and article.status == Article.Status.PUBLISHED,
            "sections": snapshot_changes(current, snapshot),
        }
        return TemplateResponse(request, self.revision_form_template, context)

    @admin.action(
        description=_("Confirm review: checked, nothing to change"), permissions=["approve"]
    )
    def mark_reviewed(self, request, queryset):
        if reviewer_profile(request.user) is None:
            self.message_user(request, missing_profile_message(), messages.ERROR)
            return
        summaries = {}
        for code in LANGUAGE_CODES:
            with translation.override(code):
                summaries[code] = str(
                    _("Checked by a medical reviewer; the information is still correct.")
                )
        note = ChangeNote(kind=ChangeLogEntry.Kind.REVIEW, summaries=summaries)
        done = 0
        for article in queryset.filter(status=Article.Status.PUBLISHED):
            services.confirm_review(article, request.user, note=note)
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


STORAGE_FAILED = _(
    "The image could not be stored, so nothing was saved: the server's file storage is full or cannot be written to. Please tell the site's operator, then try again."
)


def remove_new_images(formsets):
    """Delete the image files a save that is being undone had already stored."""
    for formset in formsets:
        if formset.model is not Figure:
            continue
        for form in formset.forms:
            before = form.initial.get("image")
            name = form.instance.image.name if form.instance.image else ""
            if name and name != getattr(before, "name", before) and default_storage.exists(name):
                default_storage.delete(name)


def live_comparison(article):
    """
    (what it is compared with, old snapshot, new snapshot) for an article a reviewer should see
    compared with what visitors see or saw: a working copy against its published article, a
    draft or an article in review that was published before against its last published
    version. None for anything else.
    """
    if article.pk is None or article.status in (Article.Status.PUBLISHED, Article.Status.ARCHIVED):
        return None
    new = ArticleSnapshot.of_article(article)
    if article.revision_of_id:
        return ("live", ArticleSnapshot.of_article(article.revision_of), new)
    if not article.changes.exists():
        return None  # never published: there is nothing to compare with
    version = last_published_version(article)
    if version is None:
        return None
    return ("version", ArticleSnapshot.of_version(version), new)


def cited_times(count):
    return ngettext("cited %(count)d time", "cited %(count)d times", count) % {"count": count}
