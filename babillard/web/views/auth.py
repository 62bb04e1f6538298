"""Sign-up, e-mail confirmation, log in (with the second step of two-factor
authentication) and out, password reset; log-in, sign-up and password reset are
rate-limited per client address, the second step per address and per account
(``core.ratelimits``)."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as log_in
from django.contrib.auth import logout as log_out
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from babillard.accounts import services as account_services
from babillard.accounts.models import Account, Invite, User
from babillard.core import ratelimits
from babillard.core.clients import client_ip
from babillard.security import queries as security_queries
from babillard.security import services as security_services
from babillard.security.sessions import complete_login, held_user, hold_login
from babillard.web.forms import LoginCodeForm, LoginForm, SignUpForm
from babillard.web.views.common import add_errors, back

# The codes of the security services' errors that belong beside the code field.
CODE_ERRORS = dict.fromkeys(("wrong_code", "replayed", "wrong_recovery_code"), "code")
PASSWORD_CODES = {
    "password_too_short",
    "password_too_common",
    "password_too_similar",
    "password_entirely_numeric",
}


def login(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        ratelimits.count_address(request, "login")
        form = LoginForm(request, request.POST)
        if form.is_valid() and form.user is not None:
            if security_queries.is_enabled(form.user):
                hold_login(request, form.user)
                return redirect(code_step_url(request.POST.get("next", "")))
            log_in(request, form.user)
            return back(request, reverse("web:home"))
    else:
        form = LoginForm(request)
    return render(
        request,
        "web/auth/login.html",
        {"form": form, "next": request.GET.get("next", "")},
        status=400 if form.errors else 200,
    )


def code_step_url(next_url: str) -> str:
    """The second step of the log-in, then ``next_url`` (checked there by ``back``)."""
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    return f"{reverse('web:login_code')}{query}"


def login_code(request: HttpRequest) -> HttpResponse:
    """The second step: a current code or a recovery code logs in the held account."""
    user = held_user(request)
    if user is None:
        messages.error(request, _("Log in again: the code was not given in time."))
        return redirect("web:login")
    form = LoginCodeForm(request.POST or None)
    if request.method == "POST":
        ratelimits.count_address(request, "login_code")
        ratelimits.count_for(f"user:{user.pk}", "login_code_account")
        if form.is_valid():
            try:
                used = security_services.verify(user, form.cleaned_data["code"])
            except ValidationError as error:
                add_errors(form, error, CODE_ERRORS)
            else:
                complete_login(request, user)
                if used == "recovery_code":
                    _warn_recovery_codes_left(request, user)
                return back(request, reverse("web:home"))
    return render(
        request,
        "security/login_code.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
        status=400 if form.errors else 200,
    )


def _warn_recovery_codes_left(request: HttpRequest, user: User) -> None:
    two_factor = security_queries.two_factor_of(user)
    left = security_queries.recovery_codes_left(two_factor) if two_factor else 0
    messages.warning(
        request,
        ngettext(
            "You logged in with a recovery code: %(count)d is left. Make new ones in the "
            "two-factor authentication settings.",
            "You logged in with a recovery code: %(count)d are left. Make new ones in the "
            "two-factor authentication settings.",
            left,
        )
        % {"count": left},
    )


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    log_out(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


def sign_up(request: HttpRequest, code: str = "") -> HttpResponse:
    mode = settings.REGISTRATION_MODE
    invite = Invite.objects.filter(code=code).first() if code else None
    if code and (invite is None or not invite.is_usable):
        return render(request, "web/auth/sign_up_closed.html", {"invalid_invite": True}, status=404)
    if invite is None and mode in ("closed", "invite"):
        return render(request, "web/auth/sign_up_closed.html", {"mode": mode}, status=403)
    needs_reason = mode == "approval" and invite is None
    form = SignUpForm(request.POST or None)
    if request.method == "POST":
        ratelimits.count_address(request, "sign_up")
        if form.is_valid():
            data = form.cleaned_data
            try:
                account_services.sign_up(
                    data["username"],
                    data["email"],
                    data["password"],
                    reason=data.get("reason") or "",
                    invite_code=code,
                    locale=get_language() or "",
                    ip=client_ip(request),
                )
            except ValidationError as error:
                taken = Account.objects.filter(
                    username__iexact=data["username"], domain=""
                ).exists()
                fields = {
                    "invalid": "username",
                    "reserved": "username",
                    "taken": "username" if taken else "email",
                    "reason": "reason",
                    **dict.fromkeys(PASSWORD_CODES, "password"),
                }
                add_errors(form, error, fields)
            else:
                return render(
                    request,
                    "web/auth/sign_up_done.html",
                    {"needs_approval": needs_reason, "email": data["email"]},
                )
    return render(
        request,
        "web/auth/sign_up.html",
        {"form": form, "needs_reason": needs_reason, "code": code},
        status=400 if form.errors else 200,
    )


def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = account_services.confirm_email(token)
    except ValidationError as error:
        return render(request, "web/auth/confirm_failed.html", {"error": error}, status=400)
    if user.approved:
        messages.success(request, _("Your e-mail address is confirmed: you can log in."))
    else:
        messages.success(
            request,
            _(
                "Your e-mail address is confirmed. A moderator will now look at your "
                "sign-up; you can log in once it is approved."
            ),
        )
    return redirect("web:login")


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "web/auth/password_reset.html"
    email_template_name = "web/auth/password_reset_email.txt"
    subject_template_name = "web/auth/password_reset_subject.txt"
    success_url = reverse_lazy("web:password_reset_done")

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        ratelimits.count_address(request, "password_reset")
        return super().post(request, *args, **kwargs)


password_reset = PasswordResetView.as_view()
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="web/auth/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="web/auth/password_reset_confirm.html",
    success_url=reverse_lazy("web:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="web/auth/password_reset_complete.html"
)
