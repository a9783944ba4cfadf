"""The reference library's admin, with where each reference is cited."""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from netinfo.core.history import RevisionHistoryAdmin
from references.admin import ReferenceAdmin
from references.models import Reference

from .. import services
from ..models import (
    Article,
)


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

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            services.refresh_citing_articles(obj)

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
