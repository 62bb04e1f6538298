from django.contrib import admin
from django.http import HttpRequest

from babillard.moderation.models import AccountDomainBlock, DomainBlock, ModerationAction, Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("id", "reporter", "target", "category", "created_at", "resolved_at")
    list_filter = ("category",)
    raw_id_fields = ("reporter", "target", "resolved_by", "statuses")


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    """The audit log, read-only: entries are never added, changed or deleted by hand."""

    list_display = ("created_at", "moderator", "kind", "target")
    list_filter = ("kind",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(DomainBlock)
class DomainBlockAdmin(admin.ModelAdmin):
    list_display = ("domain", "severity", "reject_media", "created_at")
    list_filter = ("severity", "reject_media")


@admin.register(AccountDomainBlock)
class AccountDomainBlockAdmin(admin.ModelAdmin):
    list_display = ("account", "domain", "created_at")
    search_fields = ("domain",)
    raw_id_fields = ("account",)
