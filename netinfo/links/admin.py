"""
What the link checker found: its own list (read only, with a CSV), and the filter and field that
the articles', references' and groups' admins add to find and fix their broken links.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import path
from django.utils.translation import gettext_lazy as _

from netinfo.core.spreadsheets import csv_download

from .models import Link, LinkUse

# The filter's choices: each the name of a LinkQuerySet method and its label.
STATES = {
    "broken": _("Broken"),
    "failing": _("Failed on the last run"),
    "moved": _("Moved permanently"),
}


class LinkStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return list(STATES.items())

    def queryset(self, request, queryset):
        if self.value() in STATES:
            return getattr(queryset, self.value())()
        return queryset


class LinksFilter(admin.SimpleListFilter):
    """For the admins of objects with links: those whose links are broken or moved."""

    title = _("links")
    parameter_name = "links"

    def lookups(self, request, model_admin):
        return [("broken", _("Broken links")), ("moved", _("Links that moved"))]

    def queryset(self, request, queryset):
        if self.value() in ("broken", "moved"):
            links = getattr(Link.objects, self.value())()
            return queryset.filter(pk__in=links.object_ids(queryset.model))
        return queryset


class LinkCheckMixin:
    """A read-only "link check" field: what the checker found for this object's links."""

    @admin.display(description=_("link check"))
    def link_check(self, obj):
        uses = list(
            LinkUse.objects.of(obj).select_related("link").order_by("link__url") if obj.pk else []
        )
        return render_to_string("admin/links/_link_check.html", {"uses": uses})


CSV_COLUMNS = [
    *("url", "broken", "result", "status", "problem", "failed runs in a row"),
    *("suggested url", "checked at", "failing since", "used in", "field", "admin page"),
]


def csv_rows(links):
    """A row per link and place it is used in (one row for a link used nowhere)."""
    for link in links.prefetch_related("uses__content_type"):
        for use in link.uses.all() or [None]:
            row = [
                link.url,
                "yes" if link.is_broken else "no",
                link.outcome,
                link.status or "",
                link.problem,
                link.failures_in_a_row,
                link.suggested_url,
                link.checked_at.isoformat() if link.checked_at else "",
                link.failing_since.isoformat() if link.failing_since else "",
            ]
            if use is not None:
                row += [use.label, use.where(), use.admin_url()]
            yield row


@admin.register(Link)
class LinkAdmin(admin.ModelAdmin):
    list_display = [
        *("url", "broken_display", "result_display", "failures_in_a_row"),
        *("suggested_url_display", "checked_at", "used_in_count"),
    ]
    list_filter = [LinkStateFilter, "outcome", "problem"]
    search_fields = ["url", "final_url", "uses__label"]
    fields = [
        *("url", "outcome", "status", "problem", "detail", "final_url", "permanent_redirect"),
        *("failures_in_a_row", "checked_at", "failing_since", "last_ok_at", "used_in"),
    ]
    readonly_fields = fields
    actions = ["export_csv"]
    change_list_template = "admin/links/link/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(use_count=Count("uses"))

    def has_add_permission(self, request):
        return False  # links come from the checker (manage.py check_links)

    def has_change_permission(self, request, obj=None):
        return False  # what a site answered is not for editing

    @admin.display(description=_("broken"), boolean=True, ordering="-failures_in_a_row")
    def broken_display(self, obj):
        return obj.is_broken

    @admin.display(description=_("result"), ordering="outcome")
    def result_display(self, obj):
        return obj.describe()

    @admin.display(description=_("use instead"))
    def suggested_url_display(self, obj):
        return obj.suggested_url or "–"

    @admin.display(description=_("used in"), ordering="use_count")
    def used_in_count(self, obj):
        return obj.use_count

    @admin.display(description=_("used in"))
    def used_in(self, obj):
        uses = [(use, use.admin_url()) for use in obj.uses.select_related("content_type")]
        return render_to_string("admin/links/_used_in.html", {"uses": uses})

    def get_urls(self):
        return [
            path(
                "csv/",
                self.admin_site.admin_view(self.csv_view),
                name="links_link_csv",
            ),
            *super().get_urls(),
        ]

    def csv_view(self, request):
        """Every link that needs attention (or ?state=...), for a spreadsheet."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        state = request.GET.get("state")
        links = (
            getattr(Link.objects, state)() if state in STATES else Link.objects.needing_attention()
        )
        filename = f"links-{state or 'needing-attention'}.csv"
        return csv_download(filename, CSV_COLUMNS, csv_rows(links))

    @admin.action(description=_("Export as CSV (spreadsheet)"), permissions=["view"])
    def export_csv(self, request, queryset):
        links = Link.objects.filter(pk__in=queryset)
        return csv_download("links.csv", CSV_COLUMNS, csv_rows(links))
