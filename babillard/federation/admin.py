"""Deliveries, remote servers and the inbox log, visible to operators."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from babillard.federation.models import Delivery, DeliveryState, InboxActivity, RemoteServer


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    list_display = (
        "activity_type",
        "inbox_url",
        "state",
        "attempts",
        "next_attempt_at",
        "created_at",
    )
    list_filter = ("state", "activity_type", "domain")
    search_fields = ("activity_id", "inbox_url", "domain")
    readonly_fields = ("payload", "last_error", "last_status_code", "delivered_at")
    actions = ("retry_now",)

    @admin.action(description=_("Try these deliveries again now"))
    def retry_now(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        from babillard.federation.tasks import deliver

        chosen = queryset.exclude(state=DeliveryState.DELIVERED)
        ids = list(chosen.values_list("pk", flat=True))
        chosen.update(state=DeliveryState.RETRYING, next_attempt_at=timezone.now())
        for pk in ids:
            deliver.enqueue(pk)


@admin.register(RemoteServer)
class RemoteServerAdmin(admin.ModelAdmin[RemoteServer]):
    list_display = ("domain", "failures", "unavailable_until", "last_success_at", "last_failure_at")
    search_fields = ("domain",)


@admin.register(InboxActivity)
class InboxActivityAdmin(admin.ModelAdmin[InboxActivity]):
    list_display = ("activity_type", "actor_uri", "state", "received_at", "processed_at")
    list_filter = ("state", "activity_type")
    search_fields = ("activity_id", "actor_uri")
    readonly_fields = ("payload", "error")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
