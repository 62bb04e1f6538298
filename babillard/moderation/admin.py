from django.contrib import admin

from babillard.moderation.models import DomainBlock, ModerationAction, Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("id", "reporter", "target", "category", "created_at", "resolved_at")
    list_filter = ("category",)
    raw_id_fields = ("reporter", "target", "resolved_by", "statuses")


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    list_display = ("created_at", "moderator", "kind", "target")
    list_filter = ("kind",)


@admin.register(DomainBlock)
class DomainBlockAdmin(admin.ModelAdmin):
    list_display = ("domain", "severity", "created_at")
