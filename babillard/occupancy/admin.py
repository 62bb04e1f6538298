from django.contrib import admin

from babillard.occupancy.models import AutoPostPolicy, SensorToken, Space


@admin.register(Space)
class SpaceAdmin(admin.ModelAdmin):
    list_display = ("name", "site", "capacity", "count", "declared_full", "updated_at")
    raw_id_fields = ("site",)


@admin.register(SensorToken)
class SensorTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "name", "site", "created_at", "revoked_at", "last_used_at")
    raw_id_fields = ("site", "created_by")
    readonly_fields = ("token_hash", "prefix")


admin.site.register(AutoPostPolicy, raw_id_fields=["site"])
