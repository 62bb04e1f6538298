"""The log-in held between a correct password and the second step.

After the password, an account with two-factor authentication is not logged in: its id
waits in the session for a few minutes, and only a correct code logs it in. The web
log-in page and the OAuth consent page both hold their log-ins here, so both go through
the same second step."""

import time

from django.contrib.auth import login
from django.http import HttpRequest

from babillard.accounts.models import User

HELD_LOGIN = "security_held_login"
HOLD_SECONDS = 300


def hold_login(request: HttpRequest, user: User) -> None:
    """Remember who gave the right password; ``user`` comes from ``authenticate``."""
    request.session[HELD_LOGIN] = {
        "user": user.pk,
        "backend": getattr(user, "backend", ""),
        "since": time.time(),
    }


def held_user(request: HttpRequest) -> User | None:
    """The user waiting for the second step, if the wait has not expired."""
    held = request.session.get(HELD_LOGIN)
    if not isinstance(held, dict) or time.time() - held.get("since", 0) > HOLD_SECONDS:
        return None
    return User.objects.filter(pk=int(held.get("user", 0)), is_active=True).first()


def complete_login(request: HttpRequest, user: User) -> None:
    """Log in the held user, once the second step is passed."""
    held = request.session.pop(HELD_LOGIN, {})
    login(request, user, backend=held.get("backend") or None)
