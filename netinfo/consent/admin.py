from django.contrib import admin

from .models import ConsentRecord


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    """Read-only: records are proof and must not be edited."""

    list_display = ["created", "action", "accepted", "declined", "policy_version", "consent_id"]
    list_filter = ["action", "policy_version"]
    search_fields = ["consent_id"]
    date_hierarchy = "created"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
