"""Codes as an authenticator application computes them, for the tests."""

import pyotp
from django.utils import timezone

from babillard.accounts.models import User
from babillard.security import services
from babillard.security.models import TwoFactor


def code_at(secret: str, offset: int = 0) -> str:
    """The code of the time step ``offset`` steps from now."""
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(timezone.now()) + offset)


def turn_on(user: User) -> tuple[str, list[str]]:
    """2FA on for ``user`` with no code used yet, so that the test may use the current code
    and the next one; the secret and the recovery codes."""
    two_factor = services.start_setup(user)
    codes = services.confirm_setup(user, code_at(two_factor.secret))
    TwoFactor.objects.filter(pk=two_factor.pk).update(last_used_step=0)
    return two_factor.secret, codes
