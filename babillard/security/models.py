"""Two-factor authentication: one TOTP secret per user and its single-use recovery codes."""

from django.conf import settings
from django.db import models


class TwoFactor(models.Model):
    """A user's TOTP secret. It protects the log-in once ``confirmed_at`` is set; until
    then it is a setup in progress that the user has not proved with a code yet."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_factor"
    )
    # Base32, as authenticator applications read it; the server must compute codes from it,
    # so it cannot be hashed (backups of the database are as sensitive as its password hashes).
    secret = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The 30-second time step of the last code accepted: a code of that step or an
    # earlier one is refused, so a code seen over a shoulder cannot be used again.
    last_used_step = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.user)

    @property
    def enabled(self) -> bool:
        return self.confirmed_at is not None


class RecoveryCode(models.Model):
    """One single-use recovery code, kept as the SHA-256 of its normalised text."""

    two_factor = models.ForeignKey(
        TwoFactor, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["two_factor", "digest"], name="security_recovery_code_unique"
            )
        ]
