from django.contrib import admin
from django.http import HttpRequest

from babillard.moderation.admin import AuditedModelAdmin
from babillard.security.models import TwoFactor


@admin.register(TwoFactor)
class TwoFactorAdmin(AuditedModelAdmin):
    """An administrator resets the two-factor authentication of someone who lost both
    their device and their recovery codes by deleting the row (written to the audit log).
    Nothing else is done here, and the secret is never shown."""

    list_display = ("user", "created_at", "confirmed_at")
    search_fields = ("user__username", "user__email")
    fields = ("user", "created_at", "confirmed_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: TwoFactor | None = None) -> bool:
        return False
