from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest

from babillard.moderation.models import (
    AccountDomainBlock,
    ActionKind,
    DomainBlock,
    ModerationAction,
    Report,
)
from babillard.moderation.services import record_action


def _described(obj: models.Model) -> dict[str, Any]:
    return {"model": obj._meta.label, "id": str(obj.pk), "object": str(obj)[:200]}


class AuditedModelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """A model edited in Django's admin, around the services: every save and deletion
    writes the audit log, in the admin's own transaction."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        details = {**_described(obj), "fields": sorted(form.changed_data), "added": not change}
        record_action(_actor(request), ActionKind.ADMIN_CHANGE, details=details)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        details = _described(obj)
        super().delete_model(request, obj)
        record_action(_actor(request), ActionKind.ADMIN_DELETE, details=details)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            described = [_described(obj) for obj in queryset]
            super().delete_queryset(request, queryset)
            for details in described:
                record_action(_actor(request), ActionKind.ADMIN_DELETE, details=details)


def _actor(request: HttpRequest) -> Any:
    return getattr(request.user, "account_record", None)


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
class DomainBlockAdmin(AuditedModelAdmin):
    list_display = ("domain", "severity", "reject_media", "created_at")
    list_filter = ("severity", "reject_media")


@admin.register(AccountDomainBlock)
class AccountDomainBlockAdmin(admin.ModelAdmin):
    list_display = ("account", "domain", "created_at")
    search_fields = ("domain",)
    raw_id_fields = ("account",)
