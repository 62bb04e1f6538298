"""Events in Django's admin, for administrators: read and correct, not the daily tool."""

from django.contrib import admin

from babillard.events.models import Event, Participation


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    raw_id_fields = ("account",)
    readonly_fields = ("uri", "created_at")


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("title", "organizer", "starts_at", "state", "participants_count", "uri")
    list_filter = ("state", "audience", "registration")
    search_fields = ("title", "organizer__username", "uri")
    raw_id_fields = ("organizer", "created_by", "announcement", "site")
    readonly_fields = ("sequence", "participants_count", "waiting_count")
    inlines = [ParticipationInline]
