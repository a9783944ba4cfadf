"""Readers' answers to "Was this page helpful?": read, mark handled with a note, export."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _, ngettext

from netinfo.core.spreadsheets import csv_download

from .. import services
from ..models import Feedback


class HandledFilter(admin.SimpleListFilter):
    title = _("comment")
    parameter_name = "comment"

    def lookups(self, request, model_admin):
        return [("unhandled", _("Not yet handled")), ("any", _("With a comment"))]

    def queryset(self, request, queryset):
        if self.value() == "unhandled":
            return queryset.unhandled()
        if self.value() == "any":
            return queryset.with_comment()
        return queryset


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["created", "article", "language", "version", "helpful", "comment", "handled_at"]
    list_filter = [HandledFilter, "helpful", "language", "article"]
    list_select_related = ["article"]
    search_fields = ["comment", "article__title_en", "article__title_de"]
    fields = [
        *("article", "language", "version", "helpful", "missing_display", "comment", "created"),
        *("handled_at", "handled_by", "note"),
    ]
    readonly_fields = [name for name in fields if name != "note"]
    actions = ["mark_handled", "export_csv"]

    @admin.display(description=_("what was missing"))
    def missing_display(self, obj):
        return ", ".join(str(label) for label in obj.missing_labels()) or "–"

    def has_add_permission(self, request):
        return False  # answers come from readers only

    def save_model(self, request, obj, form, change):
        # Saving with a note is handling it.
        services.mark_feedback_handled(obj, request.user, obj.note)

    @admin.action(description=_("Mark as handled"), permissions=["change"])
    def mark_handled(self, request, queryset):
        count = 0
        for feedback in queryset.filter(handled_at__isnull=True):
            services.mark_feedback_handled(feedback, request.user)
            count += 1
        self.message_user(
            request,
            ngettext("%d answer marked as handled.", "%d answers marked as handled.", count)
            % count,
        )

    @admin.action(description=_("Export as CSV (spreadsheet)"), permissions=["view"])
    def export_csv(self, request, queryset):
        header = [
            *("received", "article", "language", "version", "helpful", "missing", "comment"),
            *("handled", "note"),
        ]
        rows = (
            [
                feedback.created.isoformat(),
                feedback.article.slug_en,
                feedback.language,
                feedback.version or "",
                "yes" if feedback.helpful else "no",
                feedback.missing,
                feedback.comment,
                feedback.handled_at.isoformat() if feedback.handled_at else "",
                feedback.note,
            ]
            for feedback in queryset.select_related("article").order_by("created", "pk")
        )
        return csv_download("reader-feedback.csv", header, rows)
