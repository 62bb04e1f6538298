"""Two-factor authentication (TOTP, RFC 6238) and its recovery codes: setting it up,
checking a code at log-in, regenerating the codes, turning it off.

Codes are checked one 30-second step either side of now, for clocks that drift; the step
of each accepted code is kept, and a code of that step or an earlier one is refused, so a
code cannot be used twice. Recovery codes carry 60 random bits and are stored as their
SHA-256: a slow password hash would add nothing against guessing them, which the log-in
rate limit already bounds, and the digest lets a code be found with one indexed read.
"""

import hashlib
import secrets
from typing import Literal

import pyotp
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from babillard.accounts.models import User
from babillard.security import queries
from babillard.security.models import RecoveryCode, TwoFactor

RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: the codes are read from paper.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_GROUPS, RECOVERY_GROUP_LENGTH = 3, 4
# Steps accepted either side of the server's current one.
DRIFT_STEPS = 1
CODE_DIGITS = 6


def start_setup(user: User) -> TwoFactor:
    """A new secret to scan, replacing a setup the user did not finish."""
    with transaction.atomic():
        two_factor = TwoFactor.objects.select_for_update().filter(user=user).first()
        if two_factor is not None and two_factor.enabled:
            raise ValidationError(_("Two-factor authentication is already on."), code="enabled")
        if two_factor is None:
            return TwoFactor.objects.create(user=user, secret=pyotp.random_base32())
        two_factor.secret = pyotp.random_base32()
        two_factor.save(update_fields=["secret"])
        return two_factor


def confirm_setup(user: User, code: str) -> list[str]:
    """Turn 2FA on with a first code from the user's application; the recovery codes,
    in clear for the only time."""
    with transaction.atomic():
        two_factor = TwoFactor.objects.select_for_update().filter(user=user).first()
        if two_factor is None or two_factor.enabled:
            raise ValidationError(
                _("Start the setup again: there is no new secret to confirm."), code="no_setup"
            )
        _use_current_code(two_factor, code)
        two_factor.confirmed_at = timezone.now()
        two_factor.save(update_fields=["confirmed_at", "last_used_step"])
        return _replace_recovery_codes(two_factor)


def verify(user: User, code: str) -> Literal["code", "recovery_code"]:
    """Check the second step of a log-in: a current code or an unused recovery code."""
    with transaction.atomic():
        two_factor = _enabled_for_update(user)
        if _looks_like_current_code(code):
            _use_current_code(two_factor, code)
            two_factor.save(update_fields=["last_used_step"])
            return "code"
        _use_recovery_code(two_factor, code)
        return "recovery_code"


def regenerate_recovery_codes(user: User, proof: str) -> list[str]:
    """Ten new recovery codes, the old ones void; ``proof`` is the password or a code."""
    with transaction.atomic():
        two_factor = _enabled_for_update(user)
        _check_proof(user, two_factor, proof)
        return _replace_recovery_codes(two_factor)


def disable(user: User, proof: str) -> None:
    """Turn 2FA off, unless the instance requires it of this user."""
    if queries.is_required(user):
        raise ValidationError(
            _(
                "This instance requires two-factor authentication of moderators and "
                "administrators: it cannot be turned off."
            ),
            code="required",
        )
    with transaction.atomic():
        two_factor = _enabled_for_update(user)
        _check_proof(user, two_factor, proof)
        two_factor.delete()


def _enabled_for_update(user: User) -> TwoFactor:
    two_factor = (
        TwoFactor.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    )
    if two_factor is None:
        raise ValidationError(_("Two-factor authentication is not on."), code="not_enabled")
    return two_factor


def _check_proof(user: User, two_factor: TwoFactor, proof: str) -> None:
    """The password or a current code (never a recovery code: it would be spent)."""
    if proof and user.check_password(proof):
        return
    try:
        _use_current_code(two_factor, proof)
    except ValidationError:
        raise ValidationError(
            _("This is neither your password nor a current code."), code="wrong_proof"
        ) from None
    two_factor.save(update_fields=["last_used_step"])


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _looks_like_current_code(code: str) -> bool:
    typed = _normalise(code)
    return len(typed) == CODE_DIGITS and typed.isdigit()


def _use_current_code(two_factor: TwoFactor, code: str) -> None:
    """Accept a code of a step near now that is later than the last one used; the
    caller saves ``last_used_step``."""
    typed = _normalise(code)
    totp = pyotp.TOTP(two_factor.secret)
    now = totp.timecode(timezone.now())
    for step in range(now + DRIFT_STEPS, now - DRIFT_STEPS - 1, -1):
        if secrets.compare_digest(totp.generate_otp(step), typed):
            if step <= two_factor.last_used_step:
                raise ValidationError(
                    _("This code was used already: wait for the next one."), code="replayed"
                )
            two_factor.last_used_step = step
            return
    raise ValidationError(
        _("This code is not right: check the clock of your device and type the current code."),
        code="wrong_code",
    )


def _use_recovery_code(two_factor: TwoFactor, code: str) -> None:
    spent = RecoveryCode.objects.filter(
        two_factor=two_factor, digest=_digest(code), used_at__isnull=True
    ).update(used_at=timezone.now())
    if not spent:
        raise ValidationError(
            _("This recovery code is not right or was used already."), code="wrong_recovery_code"
        )


def _digest(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def _new_recovery_code() -> str:
    groups = (
        "".join(secrets.choice(RECOVERY_ALPHABET) for _i in range(RECOVERY_GROUP_LENGTH))
        for _g in range(RECOVERY_GROUPS)
    )
    return "-".join(groups)


def _replace_recovery_codes(two_factor: TwoFactor) -> list[str]:
    codes: set[str] = set()
    while len(codes) < RECOVERY_CODE_COUNT:
        codes.add(_new_recovery_code())
    two_factor.recovery_codes.all().delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(two_factor=two_factor, digest=_digest(code)) for code in codes
    )
    return sorted(codes)
