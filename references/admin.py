import uuid

from django.contrib import admin, messages
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _, ngettext

from netinfo.core.text import folded
from netinfo.links.admin import LinkCheckMixin, LinksFilter

from . import exchange
from .forms import ConfirmImportForm, ImportForm, ReferenceForm
from .imports import DUPLICATE, INVALID, NEW, ImportRefused, commit_import, prepare_import
from .models import Reference

IMPORT_SALT = "references.import"
# How long a preview waits for its confirmation, and how many of its plainly new entries it
# lists (every entry with something to say is listed).
PREVIEW_SECONDS = 3600
PREVIEW_NEW_ENTRIES = 200


def preview_key(token):
    return f"references:import-preview:{token}"


class VerificationFilter(admin.SimpleListFilter):
    title = _("verification")
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [("no", _("Unverified")), ("yes", _("Verified"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.unverified()
        if self.value() == "yes":
            return queryset.verified()
        return queryset


def export_response(references, format):
    label, extension, content_type = exchange.FORMATS[format]
    body = exchange.write([reference.to_csl() for reference in references], format)
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="references-{stamp}.{extension}"'
    return response


@admin.register(Reference)
class ReferenceAdmin(LinkCheckMixin, admin.ModelAdmin):
    form = ReferenceForm
    list_display = ["key", "short_citation", "type", "year", "is_verified_display"]
    list_filter = [VerificationFilter, LinksFilter, "type", "year"]
    # search_text holds the key, titles, author and editor names and identifiers without accents
    # or capitals (Reference.save); get_search_results() folds the words typed the same way.
    search_fields = ["search_text"]
    search_help_text = _(
        "Searches keys, titles, journals, authors, editors, DOI, PMID and PMCID; accents and "
        "capitals do not matter."
    )
    readonly_fields = ["formatted_preview", "verification", "link_check", "created", "updated"]
    actions = ["mark_verified", "export_ris", "export_bibtex", "export_csl_json"]
    change_list_template = "admin/references/reference/change_list.html"
    fieldsets = [
        (None, {"fields": ["key", "type", "formatted_preview"]}),
        (_("Who and what"), {"fields": ["authors", "and_others", "title"]}),
        (
            _("Where published"),
            {
                "fields": [
                    "container_title",
                    "container_title_short",
                    ("year", "month", "day"),
                    ("volume", "issue", "pages"),
                    "edition",
                    "editors",
                    ("publisher", "publisher_place"),
                ]
            },
        ),
        (
            _("Identifiers and links"),
            {"fields": ["doi", "pmid", "pmcid", "isbn", "url", "accessed", "link_check"]},
        ),
        (_("Editorial"), {"fields": ["verification", "note", "created", "updated"]}),
    ]

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, folded(search_term))

    @admin.display(description=_("citation"))
    def short_citation(self, obj):
        text = obj.formatted("en")
        return text if len(text) < 120 else text[:117] + "…"

    @admin.display(description=_("verified"), boolean=True, ordering="verified_at")
    def is_verified_display(self, obj):
        return obj.is_verified

    @admin.display(description=_("how it appears (NLM)"))
    def formatted_preview(self, obj):
        if not obj.pk:
            return _("Shown after saving.")
        return format_html_join(
            "",
            "<p><strong>{}</strong>: {}</p>",
            ((code, obj.formatted(code)) for code in obj.rendered),
        )

    @admin.display(description=_("verification"))
    def verification(self, obj):
        if obj.is_verified:
            who = obj.verified_by.get_username() if obj.verified_by else _("unknown")
            return _("Verified by %(who)s on %(when)s.") % {
                "who": who,
                "when": timezone.localtime(obj.verified_at).strftime("%Y-%m-%d"),
            }
        return _(
            "Not verified yet: check the source itself, then use the “Mark as verified” action."
        )

    @admin.action(description=_("Mark selected references as verified"), permissions=["change"])
    def mark_verified(self, request, queryset):
        done, skipped = 0, []
        for reference in queryset:
            if not reference.title:
                skipped.append(reference.key)
                continue
            reference.mark_verified(request.user)
            reference.save(update_fields=["verified_at", "verified_by", "updated"])
            done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "%d reference marked as verified.", "%d references marked as verified.", done
                )
                % done,
            )
        if skipped:
            self.message_user(
                request,
                _("Not verified, because the title is missing: %(keys)s.")
                % {"keys": ", ".join(skipped)},
                messages.WARNING,
            )

    @admin.action(description=_("Export selected as RIS"), permissions=["view"])
    def export_ris(self, request, queryset):
        return export_response(queryset, "ris")

    @admin.action(description=_("Export selected as BibTeX"), permissions=["view"])
    def export_bibtex(self, request, queryset):
        return export_response(queryset, "bibtex")

    @admin.action(description=_("Export selected as CSL-JSON"), permissions=["view"])
    def export_csl_json(self, request, queryset):
        return export_response(queryset, "csl-json")

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="references_reference_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """
        Upload a file, preview every entry (new / duplicate / invalid), then confirm. The
        checked entries wait in the cache between the two, under a random id that only the
        signed confirmation form carries: a large file never travels back and forth.
        """
        if not self.has_add_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import references"),
            "form": ImportForm(),
        }
        if request.method == "POST" and "payload" in request.POST:
            confirm = ConfirmImportForm(request.POST)
            try:
                if not confirm.is_valid():
                    raise signing.BadSignature
                token = signing.loads(
                    confirm.cleaned_data["payload"], salt=IMPORT_SALT, max_age=PREVIEW_SECONDS
                )
                preview = cache.get(preview_key(token))
                if preview is None or preview["user"] != request.user.pk:
                    raise signing.BadSignature
                created = commit_import(preview["entries"])
            except signing.BadSignature:
                messages.error(
                    request,
                    _("The preview expired or was altered. Please upload the file again."),
                )
                return redirect("admin:references_reference_import")
            except ImportRefused as refused:
                context["problems"] = refused.problems
                return TemplateResponse(request, "admin/references/reference/import.html", context)
            cache.delete(preview_key(token))
            messages.success(
                request,
                ngettext("%d reference imported.", "%d references imported.", len(created))
                % len(created),
            )
            return redirect("admin:references_reference_changelist")
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            context["form"] = form
            if form.is_valid():
                upload = form.cleaned_data["file"]
                fmt = form.cleaned_data["format"] or None
                try:
                    entries = prepare_import(upload.read(), upload.name, fmt)
                except ImportRefused as refused:
                    context["problems"] = refused.problems
                else:
                    token = uuid.uuid4().hex
                    cache.set(
                        preview_key(token),
                        {"user": request.user.pk, "entries": entries},
                        PREVIEW_SECONDS,
                    )
                    payload = signing.dumps(token, salt=IMPORT_SALT)
                    shown = [e for e in entries if e.status != NEW or e.renamed_from]
                    shown_new = [e for e in entries if e.status == NEW and not e.renamed_from]
                    context.update(
                        entries=shown + shown_new[:PREVIEW_NEW_ENTRIES],
                        more_new=max(0, len(shown_new) - PREVIEW_NEW_ENTRIES),
                        counts={
                            status: sum(1 for e in entries if e.status == status)
                            for status in (NEW, DUPLICATE, INVALID)
                        },
                        confirm=ConfirmImportForm(initial={"payload": payload}),
                        file_name=upload.name,
                    )
        return TemplateResponse(request, "admin/references/reference/import.html", context)

    def import_url(self):
        return reverse("admin:references_reference_import")
