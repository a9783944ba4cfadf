from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.db.models import Count
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _, ngettext
from django_countries import countries
from django_countries.filters import CountryFilter
from modeltranslation.admin import TabbedTranslationAdmin

from netinfo.core.history import RevisionHistoryAdmin
from netinfo.core.page_cache import bump_content_version
from netinfo.core.text import folded

from .export import csv_response, json_response
from .models import PatientGroup, Region, Service, language_choices
from .regions import suggested_region_slug


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
            suggestion = Region.objects.filter(slug=suggested_region_slug(country)).first()
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
class PatientGroupAdmin(RevisionHistoryAdmin, TabbedTranslationAdmin):
    form = PatientGroupForm
    list_display = ["name", "acronym", "country_name", "region", "status", "verified_display"]
    list_filter = [
        "region",
        ("country", CountryFilter),
        "coverage",
        "status",
        "alliance_member",
        VerificationOverdueFilter,
    ]
    # search_text holds the name, acronym, former names and city without accents or capitals
    # (PatientGroup.save); get_search_results() folds the words typed the same way, so that
    # "espana" finds "NET España" here as it does on the public directory.
    search_fields = ["search_text"]
    search_help_text = _(
        "Searches names, acronyms, former names and cities; accents and capitals do not matter."
    )
    list_select_related = ["region"]
    readonly_fields = ["verified_by", "created", "updated"]
    actions = ["mark_verified_today", "export_csv", "export_json"]
    fieldsets = [
        (None, {"fields": ["name", "acronym", "former_names", "status", "alliance_member"]}),
        (_("Where"), {"fields": ["country", "coverage", "region", "city"]}),
        (_("Contact"), {"fields": ["website", "email", "phone"]}),
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
        bump_content_version()  # update() sends no save signal
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
