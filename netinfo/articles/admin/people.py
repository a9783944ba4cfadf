"""Topics and contributors (authors and medical reviewers) in the admin."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TabbedTranslationAdmin,
)

from netinfo.core.text import folded

from .. import services
from ..models import (
    Contributor,
    Topic,
)


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

    def get_search_results(self, request, queryset, search_term):
        # Also what the article form's author picker (autocomplete) searches.
        return super().get_search_results(request, queryset, folded(search_term))

    # Linking an admin account: whoever may see the user accounts (administrators) picks any;
    # editors and medical reviewers, who may not, link their own account to their own record.

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            services.refresh_authored_articles(obj)

    def get_autocomplete_fields(self, request):
        return ["user"] if may_link_any_account(request.user) else []

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        linked_to_another = obj is not None and obj.user_id not in (None, request.user.pk)
        if linked_to_another and not may_link_any_account(request.user):
            readonly.append("user")
        return readonly

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not may_link_any_account(request.user):
            kwargs["queryset"] = get_user_model().objects.filter(pk=request.user.pk)
            kwargs["help_text"] = _(
                "Link your own account to your own record: approvals then show your name and credentials."
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        # ?user=me (the approval's "add your contributor record" link) means the editor's own
        # account; without the right to see accounts, it can mean nothing else.
        wanted = initial.get("user")
        if wanted == "me" or (wanted and not may_link_any_account(request.user)):
            initial["user"] = request.user.pk
        return initial


def may_link_any_account(user):
    return user.has_perm("auth.view_user")
