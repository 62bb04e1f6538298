"""Reads about a user's two-factor authentication, shared by the log-in, the settings
page, the OAuth consent page, the staff requirement and the API."""

import pyotp
from django.conf import settings

from babillard.accounts.models import User
from babillard.security.models import TwoFactor


def two_factor_of(user: User) -> TwoFactor | None:
    """The user's TOTP secret, confirmed or still being set up; None if never started."""
    return TwoFactor.objects.filter(user=user).first()


def is_enabled(user: User) -> bool:
    """True when the user's log-in asks for a code after the password."""
    return TwoFactor.objects.filter(user=user, confirmed_at__isnull=False).exists()


def is_required(user: User) -> bool:
    """True when the instance asks this user, a moderator or an administrator, for 2FA."""
    return bool(
        settings.REQUIRE_2FA_FOR_STAFF and user.is_active and (user.can_moderate or user.is_staff)
    )


def is_missing(user: User) -> bool:
    """True when the instance requires 2FA of this user and it is not on yet."""
    return is_required(user) and not is_enabled(user)


def recovery_codes_left(two_factor: TwoFactor) -> int:
    return two_factor.recovery_codes.filter(used_at__isnull=True).count()


def provisioning_uri(two_factor: TwoFactor) -> str:
    """The ``otpauth://`` address an authenticator application reads from the QR code."""
    host = settings.DOMAIN.split(":")[0]
    return pyotp.TOTP(two_factor.secret).provisioning_uri(
        name=f"{two_factor.user.username}@{host}", issuer_name=settings.INSTANCE_NAME
    )
