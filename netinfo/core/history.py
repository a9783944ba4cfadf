"""Revision history in the admin (django-reversion) with a readable diff of each version."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reversion.admin import VersionAdmin
from reversion.models import Version

from .diffs import revision_changes


class RevisionHistoryAdmin(VersionAdmin):
    """
    VersionAdmin (a version on every save, history, restore as a new version) whose history
    page also links each version to the changes it made.
    """

    object_history_template = "admin/revision_history.html"
    history_latest_first = True

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<path:object_id>/history/<int:version_id>/changes/",
                self.admin_site.admin_view(self.changes_view),
                name=f"{opts.app_label}_{opts.model_name}_changes",
            ),
            *super().get_urls(),
        ]

    def changes_view(self, request, object_id, version_id):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        obj = get_object_or_404(self.model, pk=object_id)
        versions = Version.objects.get_for_object(obj).select_related("revision", "revision__user")
        version = get_object_or_404(versions, pk=version_id)
        previous = (
            versions.filter(revision__date_created__lt=version.revision.date_created)
            .order_by("-revision__date_created")
            .first()
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "object": obj,
            "title": _("Changes saved on %(date)s")
            % {
                "date": date_format(
                    timezone.localtime(version.revision.date_created), "DATETIME_FORMAT"
                )
            },
            "version": version,
            "previous": previous,
            "sections": revision_changes(version, previous),
        }
        return TemplateResponse(request, "admin/revision_changes.html", context)
