from django.contrib import admin

from babillard.outages.models import Incident, Peer, Platform


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "slug", "vendor", "state", "approved")
    list_filter = ("approved", "state")
    search_fields = ("name", "slug", "vendor")
    raw_id_fields = ("actor", "vendor_account", "proposed_by")


@admin.register(Peer)
class PeerAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("domain", "created_at")


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("platform", "state", "opened_at", "resolved_at")
    list_filter = ("state",)
