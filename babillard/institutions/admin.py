from django.contrib import admin

from babillard.institutions.models import (
    AuditEntry,
    Institution,
    Membership,
    SchoolHoliday,
    Site,
    SiteClosure,
)


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ("account", "official_name", "type", "isil", "isil_verified_at")
    list_filter = ("type",)
    search_fields = ("official_name", "isil", "account__username")
    raw_id_fields = ("account", "verified_by", "network")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("institution", "member", "role", "created_at")
    list_filter = ("role",)
    raw_id_fields = ("institution", "member", "added_by")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("institution", "acting_account", "action", "status_id", "created_at")
    list_filter = ("action",)
    raw_id_fields = ("institution", "acting_account", "grant")

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


class ClosureInline(admin.TabularInline):
    model = SiteClosure
    extra = 0


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("name", "institution", "city", "time_zone")
    search_fields = ("name", "city")
    raw_id_fields = ("institution",)
    inlines = [ClosureInline]


admin.site.register(SchoolHoliday, raw_id_fields=["institution"])
