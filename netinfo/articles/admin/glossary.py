"""The glossary in the admin: editors write terms; a medical reviewer signs them off."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from netinfo.core.history import RevisionHistoryAdmin

from .. import services
from ..governance import can_approve
from ..models import Contributor, Term


@admin.register(Term)
class TermAdmin(RevisionHistoryAdmin, TabbedTranslationAdmin):
    list_display = ["name_en", "name_de", "articles", "medical_reviewer", "last_reviewed"]
    search_fields = ["name_en", "name_de", "other_forms_en", "other_forms_de"]
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ["related_terms"]
    fields = [
        *("name", "slug", "other_forms", "pronunciation", "definition", "related_terms"),
        *("medical_reviewer", "last_reviewed"),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("medical_reviewer")
            .annotate(article_count=Count("uses__article", distinct=True))
        )

    @admin.display(description=_("articles"), ordering="article_count")
    def articles(self, obj):
        return obj.article_count

    def get_readonly_fields(self, request, obj=None):
        # Who checked a definition, and when, is for medical reviewers to say.
        if can_approve(request.user):
            return []
        return ["medical_reviewer", "last_reviewed"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "medical_reviewer":
            kwargs["queryset"] = Contributor.objects.filter(user__isnull=False)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # A definition changed by an editor is no longer the one a reviewer checked.
        changed = any(name.startswith("definition") for name in form.changed_data)
        if changed and not can_approve(request.user):
            obj.medical_reviewer, obj.last_reviewed = None, None
        # Saved with its definition rendered, and the articles that use it, in save_related().

    def save_related(self, request, form, formsets, change):
        super_save = super().save_related
        services.save_term(
            form.instance, save_related=lambda: super_save(request, form, formsets, change)
        )
