"""The observatory in Django's admin: the administrator sets the threshold k and the
open-exchange mode. Quotes themselves are not in the admin, so that every view of one
goes through the pages and API that write it to its institution's audit log."""

from django.contrib import admin
from django.http import HttpRequest

from babillard.moderation.admin import AuditedModelAdmin
from babillard.quotes.models import ObservatorySettings


@admin.register(ObservatorySettings)
class ObservatorySettingsAdmin(AuditedModelAdmin):
    list_display = ("min_institutions", "open_exchange")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not ObservatorySettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
