"""The settings pages: profile, account (e-mail, password, deletion), two-factor
authentication, preferences, mutes and blocks, invitations."""

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
from babillard.accounts.models import Block, Invite, Mute, User
from babillard.core import ratelimits
from babillard.security import queries as security_queries
from babillard.security import services as security_services
from babillard.web.forms import (
    DeleteAccountForm,
    EmailForm,
    InviteForm,
    PreferencesForm,
    ProfileForm,
    SetupCodeForm,
    TwoFactorProofForm,
)
from babillard.web.views.auth import CODE_ERRORS
from babillard.web.views.common import (
    add_errors,
    current_account,
    current_user,
    member_page,
    qr_svg,
)


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
def two_factor(request: HttpRequest) -> HttpResponse:
    """Set up two-factor authentication, see the recovery codes once, regenerate them,
    turn it off. Every code or password typed here counts against the log-in limit."""
    user = current_user(request)
    action = request.POST.get("action") if request.method == "POST" else None
    if action in ("confirm", "regenerate", "disable"):
        ratelimits.count_address(request, "two_factor")
    if action == "start":
        try:
            security_services.start_setup(user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("web:settings_two_factor")
    setup_form = SetupCodeForm(request.POST if action == "confirm" else None)
    regenerate_form = TwoFactorProofForm(
        request.POST if action == "regenerate" else None, prefix="regenerate"
    )
    disable_form = TwoFactorProofForm(
        request.POST if action == "disable" else None, prefix="disable"
    )
    proof_errors = {"wrong_proof": "proof"}
    new_codes: list[str] = []
    if action == "confirm" and setup_form.is_valid():
        try:
            new_codes = security_services.confirm_setup(user, setup_form.cleaned_data["code"])
        except ValidationError as error:
            add_errors(setup_form, error, CODE_ERRORS)
        else:
            messages.success(request, _("Two-factor authentication is on."))
    if action == "regenerate" and regenerate_form.is_valid():
        try:
            new_codes = security_services.regenerate_recovery_codes(
                user, regenerate_form.cleaned_data["proof"]
            )
        except ValidationError as error:
            add_errors(regenerate_form, error, proof_errors)
        else:
            messages.success(request, _("New recovery codes are ready; the old ones are void."))
    if action == "disable" and disable_form.is_valid():
        try:
            security_services.disable(user, disable_form.cleaned_data["proof"])
        except ValidationError as error:
            add_errors(disable_form, error, proof_errors)
        else:
            messages.success(request, _("Two-factor authentication is off."))
            return redirect("web:settings_two_factor")
    response = render(
        request,
        "security/two_factor.html",
        {
            **_two_factor_state(user),
            "setup_form": setup_form,
            "regenerate_form": regenerate_form,
            "disable_form": disable_form,
            "new_codes": new_codes,
        },
        status=400 if any(f.errors for f in (setup_form, regenerate_form, disable_form)) else 200,
    )
    # The page shows the secret or the recovery codes: no cache may keep it.
    response["Cache-Control"] = "no-store"
    return response


def _two_factor_state(user: User) -> dict[str, object]:
    two_factor = security_queries.two_factor_of(user)
    state: dict[str, object] = {
        "two_factor": two_factor,
        "required": security_queries.is_required(user),
    }
    if two_factor is not None and two_factor.enabled:
        state["codes_left"] = security_queries.recovery_codes_left(two_factor)
    elif two_factor is not None:
        secret = two_factor.secret
        state["secret_groups"] = [secret[i : i + 4] for i in range(0, len(secret), 4)]
        state["qr"] = qr_svg(
            security_queries.provisioning_uri(two_factor),
            _("QR code of your two-factor authentication secret"),
            "two-factor-qr",
        )
    return state


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
