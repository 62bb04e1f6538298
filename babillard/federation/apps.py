from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class FederationConfig(AppConfig):
    name = "babillard.federation"
    label = "federation"

    def ready(self) -> None:
        from babillard.accounts.services import account_deleting
        from babillard.federation.services import forget_account

        checks.register(insecure_federation_check, checks.Tags.security)
        account_deleting.connect(forget_account, dispatch_uid="federation.forget_account")


def insecure_federation_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Plain-http federation is for trying instances on one machine, never for production."""
    if getattr(settings, "INSECURE_FEDERATION", False) and not settings.DEBUG:
        return [
            checks.Warning(
                "BABILLARD_INSECURE_FEDERATION is on: this instance federates over plain http "
                "and reaches private addresses.",
                hint="Unset it outside tests and one-machine trials.",
                id="federation.W001",
            )
        ]
    return []
