from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _, ngettext
from django_countries import countries
from django_countries.filters import CountryFilter
from modeltranslation.admin import TabbedTranslationAdmin

from netinfo.core.history import RevisionHistoryAdmin
from netinfo.core.page_cache import invalidate
from netinfo.core.text import folded
from netinfo.links.admin import LinkCheckMixin, LinksFilter

from . import services
from .export import csv_response, json_response
from .models import PatientGroup, Region, Service, Suggestion, language_choices


@admin.register(Region)
class RegionAdmin(TabbedTranslationAdmin):
    list_display = ["name_en", "name_de", "order", "group_count"]
    list_editable = ["order"]
    search_fields = ["name_en", "name_de"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(group_count=Count("groups"))

    @admin.display(description=_("groups"), ordering="group_count")
    def group_count(self, obj):
        return obj.group_count


class PatientGroupForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("languages served"),
        required=False,
        choices=language_choices,
        widget=FilteredSelectMultiple(_("languages"), is_stacked=False),
    )
    services = forms.MultipleChoiceField(
        label=_("services"),
        required=False,
        choices=Service.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = PatientGroup
        fields = [
            "name", "acronym", "former_names", "status", "alliance_member", "country",
            "coverage", "region", "city", "website", "email", "phone", "languages", "services",
            "description", "last_verified", "note",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].required = False  # so that an empty region can get a suggestion
        if self.instance.pk:
            self.initial["languages"] = self.instance.language_list
            self.initial["services"] = self.instance.service_list

    def clean_languages(self):
        return " ".join(self.cleaned_data["languages"])

    def clean_services(self):
        return " ".join(self.cleaned_data["services"])

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("region"):
            country = cleaned.get("country")
            suggestion = Region.objects.for_country(country)
            if suggestion is not None:
                # Pre-select the usual region; staff confirm it (or pick another) and save again.
                self.data = self.data.copy()
                self.data["region"] = str(suggestion.pk)
                self.add_error(
                    "region",
                    _(
                        "Choose a region. The usual one for %(country)s, %(region)s, is now selected: save again to accept it."
                    )
                    % {"country": countries.name(country), "region": suggestion.name},
                )
            else:
                self.add_error("region", _("Choose a region."))
        return cleaned


class VerificationOverdueFilter(admin.SimpleListFilter):
    title = _("verification")
    parameter_name = "verification"

    def lookups(self, request, model_admin):
        return [("overdue", _("Not verified for 12 months"))]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.verification_overdue()
        return queryset


@admin.register(PatientGroup)
class PatientGroupAdmin(LinkCheckMixin, RevisionHistoryAdmin, TabbedTranslationAdmin):
    form = PatientGroupForm
    list_display = ["name", "acronym", "country_name", "region", "status", "verified_display"]
    list_filter = [
        "region",
        ("country", CountryFilter),
        "coverage",
        "status",
        "alliance_member",
        VerificationOverdueFilter,
        LinksFilter,
    ]
    # search_text holds the name, acronym, former names and city without accents or capitals
    # (PatientGroup.save); get_search_results() folds the words typed the same way, so that
    # "espana" finds "NET España" here as it does on the public directory.
    search_fields = ["search_text"]
    search_help_text = _(
        "Searches names, acronyms, former names and cities; accents and capitals do not matter."
    )
    list_select_related = ["region"]
    readonly_fields = ["verified_by", "link_check", "created", "updated"]
    actions = ["mark_verified_today", "export_csv", "export_json"]
    fieldsets = [
        (None, {"fields": ["name", "acronym", "former_names", "status", "alliance_member"]}),
        (_("Where"), {"fields": ["country", "coverage", "region", "city"]}),
        (_("Contact"), {"fields": ["website", "link_check", "email", "phone"]}),
        (_("What they offer"), {"fields": ["languages", "services", "description"]}),
        (
            _("Verification"),
            {"fields": ["last_verified", "verified_by", "note", "created", "updated"]},
        ),
    ]

    @admin.display(description=_("country"), ordering="country")
    def country_name(self, obj):
        return obj.country.name if obj.country else "–"

    @admin.display(description=_("last verified"), ordering="last_verified")
    def verified_display(self, obj):
        if obj.last_verified is None:
            return format_html("<strong>{}</strong>", _("never"))
        if obj.verification_overdue:
            return format_html("{} <strong>({})</strong>", obj.last_verified, _("overdue"))
        return obj.last_verified

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, folded(search_term))

    def save_model(self, request, obj, form, change):
        if "last_verified" in form.changed_data and obj.last_verified:
            obj.verified_by = request.user
        super().save_model(request, obj, form, change)

    def has_export_permission(self, request):
        return request.user.has_perm("patient_groups.export_patientgroup")

    @admin.action(description=_("Mark as verified today"), permissions=["change"])
    def mark_verified_today(self, request, queryset):
        count = queryset.update(
            last_verified=timezone.localdate(), verified_by=request.user, updated=timezone.now()
        )
        # update() sends no save signal. Visitors never see verification dates; the sitemap
        # (tagged "directory") shows when each group's entry last changed.
        invalidate({"directory"})
        self.message_user(
            request,
            ngettext(
                "%d group marked as verified today.", "%d groups marked as verified today.", count
            )
            % count,
        )

    @admin.action(description=_("Export as CSV (spreadsheet)"), permissions=["export"])
    def export_csv(self, request, queryset):
        return csv_response(queryset.select_related("region", "verified_by"))

    @admin.action(description=_("Export as JSON"), permissions=["export"])
    def export_json(self, request, queryset):
        return json_response(
            queryset.select_related("region"), request, staff=True, attachment=True
        )


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    """Visitors' suggestions: read, compare with the record, accept with one click or decline."""

    list_display = ["__str__", "kind", "status", "created", "handled_by"]
    list_filter = ["status", "kind"]
    search_fields = ["name", "group__name", "message"]
    list_select_related = ["group", "handled_by"]
    change_form_template = "admin/patient_groups/suggestion/change_form.html"
    fields = [
        *("kind", "group", "status", "created", "language", "message", "contact_email"),
        *("handled_by", "handled_at"),
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # suggestions come from visitors' forms only

    def get_urls(self):
        return [
            path(
                "<int:object_id>/accept/",
                self.admin_site.admin_view(self.accept_view),
                name="patient_groups_suggestion_accept",
            ),
            path(
                "<int:object_id>/decline/",
                self.admin_site.admin_view(self.decline_view),
                name="patient_groups_suggestion_decline",
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # Nothing to save here: a suggestion is accepted or declined with its own buttons.
        context.update(
            show_save=False,
            show_save_and_continue=False,
            show_save_and_add_another=False,
            changes=obj.proposed_changes() if obj else [],
            can_handle=obj is not None
            and obj.status == Suggestion.Status.WAITING
            and self.may_handle(request, obj),
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def may_handle(self, request, suggestion):
        needed = (
            "patient_groups.add_patientgroup"
            if suggestion.kind == Suggestion.Kind.NEW
            else "patient_groups.change_patientgroup"
        )
        return self.has_change_permission(request, suggestion) and request.user.has_perm(needed)

    def accept_view(self, request, object_id):
        return self.handle(request, object_id, services.accept_suggestion)

    def decline_view(self, request, object_id):
        return self.handle(request, object_id, services.decline_suggestion)

    def handle(self, request, object_id, step):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        suggestion = get_object_or_404(Suggestion.objects.select_related("group"), pk=object_id)
        if not self.may_handle(request, suggestion):
            raise PermissionDenied
        here = reverse("admin:patient_groups_suggestion_change", args=[suggestion.pk])
        try:
            group = step(suggestion, request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return redirect(here)
        if group is None:
            self.log_change(request, suggestion, _("Declined."))
            self.message_user(request, _("The suggestion is declined; the directory is unchanged."))
            return redirect(reverse("admin:patient_groups_suggestion_changelist"))
        self.log_change(request, suggestion, _("Accepted into the directory."))
        self.message_user(
            request,
            _("Accepted: “%(name)s” is up to date in the directory.") % {"name": group.name},
            messages.SUCCESS,
        )
        return redirect(reverse("admin:patient_groups_patientgroup_change", args=[group.pk]))
