"""The settings pages: profile, account (e-mail, password, deletion), preferences,
mutes and blocks, invitations."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as log_out
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from babillard.accounts import services as account_services
from babillard.accounts.models import Block, Invite, Mute
from babillard.web.forms import (
    DeleteAccountForm,
    EmailForm,
    InviteForm,
    PreferencesForm,
    ProfileForm,
)
from babillard.web.views.common import add_errors, current_account, current_user, member_page


@member_page
def profile(request: HttpRequest) -> HttpResponse:
    account = current_account(request)
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES)
        if form.is_valid():
            changes = form.changes()
            try:
                account_services.update_profile(account, **changes)
            except ValidationError as error:
                image = "avatar" if "avatar" in changes else "header"
                add_errors(form, error, {"type": image, "too_large": image})
            else:
                messages.success(request, _("Your profile is saved."))
                return redirect("web:settings_profile")
    else:
        initial = {
            name: getattr(account, name)
            for name in (
                "display_name",
                "note",
                "kind",
                "city",
                "bot",
                "locked",
                "hide_collections",
            )
        }
        for i, field in enumerate(account.fields[:4], start=1):
            initial[f"field_name_{i}"] = field.get("name", "")
            initial[f"field_value_{i}"] = field.get("value", "")
        form = ProfileForm(initial=initial)
    return render(
        request,
        "web/settings/profile.html",
        {"form": form, "account": account},
        status=400 if form.errors else 200,
    )


@member_page
def account(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    action = request.POST.get("action") if request.method == "POST" else None
    email_form = EmailForm(request.POST if action == "email" else None)
    password_form = PasswordChangeForm(user, request.POST if action == "password" else None)
    delete_form = DeleteAccountForm(request.POST if action == "delete" else None, user=user)
    if action == "email" and email_form.is_valid():
        try:
            account_services.change_email(user, email_form.cleaned_data["email"])
        except ValidationError as error:
            add_errors(email_form, error, {"taken": "email"})
        else:
            # An unconfirmed address cannot stay logged in (see EmailOrUsernameBackend).
            log_out(request)
            messages.success(
                request,
                _(
                    "Your e-mail address is changed: open the link we sent to confirm it, "
                    "then log in again."
                ),
            )
            return redirect("web:login")
    if action == "password" and password_form.is_valid():
        password_form.save()
        update_session_auth_hash(request, password_form.user)
        messages.success(request, _("Your password is changed."))
        return redirect("web:settings_account")
    if action == "delete" and delete_form.is_valid():
        log_out(request)
        account_services.delete_user(user)
        messages.success(request, _("Your account and your posts are deleted."))
        return redirect("web:landing")
    has_errors = any(f.errors for f in (email_form, password_form, delete_form))
    return render(
        request,
        "web/settings/account.html",
        {"email_form": email_form, "password_form": password_form, "delete_form": delete_form},
        status=400 if has_errors else 200,
    )


@member_page
def preferences(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            try:
                account_services.update_preferences(user, **form.cleaned_data)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Your preferences are saved."))
                return redirect("web:settings_preferences")
    else:
        form = PreferencesForm(
            initial={
                "locale": user.locale or settings.LANGUAGE_CODE,
                "default_visibility": user.default_visibility,
                "default_language": user.default_language,
                "default_sensitive": user.default_sensitive,
            }
        )
    return render(
        request,
        "web/settings/preferences.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@member_page
def mutes(request: HttpRequest) -> HttpResponse:
    viewer = current_account(request)
    items = Mute.objects.filter(account=viewer).select_related("target").order_by("-created_at")
    return render(request, "web/settings/mutes.html", {"items": items})


@member_page
def blocks(request: HttpRequest) -> HttpResponse:
    viewer = current_account(request)
    items = Block.objects.filter(account=viewer).select_related("target").order_by("-created_at")
    return render(request, "web/settings/blocks.html", {"items": items})


@member_page
def invites(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data.get("expires_in_days")
        account_services.create_invite(
            user,
            max_uses=form.cleaned_data.get("max_uses"),
            expires_at=timezone.now() + timedelta(days=days) if days else None,
        )
        messages.success(request, _("A new invitation link is ready."))
        return redirect("web:settings_invites")
    items = Invite.objects.filter(created_by=user).order_by("-created_at")
    return render(
        request,
        "web/settings/invites.html",
        {"form": form, "items": items},
        status=400 if form.errors else 200,
    )
