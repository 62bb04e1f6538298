from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from babillard.accounts.models import Account, Block, Follow, FollowRequest, Invite, Mute, User
from babillard.moderation.admin import AuditedModelAdmin


@admin.register(User)
class BabillardUserAdmin(UserAdmin):
    list_display = (
        "username",
        "email",
        "email_confirmed",
        "approved",
        "is_moderator",
        "is_superuser",
    )
    list_filter = ("email_confirmed", "approved", "is_moderator", "is_superuser", "is_active")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (
            "Babillard",
            {"fields": ("email_confirmed", "approved", "is_moderator", "signup_reason", "locale")},
        ),
    )

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        """Save, and log a change of roles in the audit log (same transaction)."""
        from babillard.moderation.services import ROLE_FLAGS, change_role

        before = {name: bool(form.initial.get(name)) for name in ROLE_FLAGS}
        super().save_model(request, obj, form, change)
        change_role(getattr(request.user, "account_record", None), obj, before)


@admin.register(Account)
class AccountAdmin(AuditedModelAdmin):
    list_display = ("username", "domain", "kind", "display_name", "followers_count", "suspended_at")
    list_filter = ("kind", "bot", "locked")
    search_fields = ("username", "domain", "display_name")
    readonly_fields = ("private_key", "public_key", "uri", "created_at")


for model in (Follow, FollowRequest, Block, Mute, Invite):
    admin.site.register(model, list_display=[f.name for f in model._meta.fields][:6])
