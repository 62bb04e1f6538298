from django.contrib import admin

from babillard.moderation.admin import AuditedModelAdmin
from babillard.statuses.models import MediaAttachment, Poll, ScheduledStatus, Status, Tag


@admin.register(Status)
class StatusAdmin(AuditedModelAdmin):
    list_display = ("id", "account", "visibility", "local_only", "created_at")
    list_filter = ("visibility", "local", "local_only")
    search_fields = ("text", "account__username")
    raw_id_fields = ("account", "in_reply_to", "in_reply_to_account", "reblog")
    readonly_fields = ("content",)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("display_name", "name", "created_at")
    search_fields = ("name",)


for model in (MediaAttachment, Poll, ScheduledStatus):
    admin.site.register(
        model, raw_id_fields=[f.name for f in model._meta.fields if f.is_relation][:3]
    )
