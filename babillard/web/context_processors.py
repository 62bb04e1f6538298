from typing import Any

from django.conf import settings
from django.http import HttpRequest


def instance(request: HttpRequest) -> dict[str, Any]:
    viewer = None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        viewer = getattr(user, "account_record", None)
    return {
        "instance_name": settings.INSTANCE_NAME,
        "instance_domain": settings.DOMAIN,
        "max_characters": settings.MAX_STATUS_CHARACTERS,
        "registration_mode": settings.REGISTRATION_MODE,
        "private_instance": settings.PRIVATE_INSTANCE,
        "viewer": viewer,
    }
