"""``/api/v1/instance`` and ``/api/v2/instance``: what clients read before anything else.

``version`` starts with a Mastodon version, because clients (Phanpy, Mastodon.py)
decide from it which calls exist; v2 carries ``api_versions`` and the streaming
URL, without which Elk and Phanpy open no stream.
"""

from typing import Any

from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from ninja import Router

from babillard.accounts.models import Account
from babillard.api import schemas, serializers
from babillard.api.api import MASTODON_VERSION, VERSION
from babillard.core import links
from babillard.statuses import services as status_services

router = Router(tags=["instance"])


def version_string() -> str:
    return f"{MASTODON_VERSION} (compatible; Babillard {VERSION})"


def _contact() -> Account | None:
    return Account.objects.local().active().filter(user__is_superuser=True).order_by("pk").first()


def _configuration() -> dict[str, Any]:
    return {
        "urls": {"streaming": _streaming_url(), "status": None},
        "vapid": {"public_key": ""},
        "accounts": {"max_featured_tags": 0, "max_pinned_statuses": status_services.MAX_PINS},
        "statuses": {
            "max_characters": settings.MAX_STATUS_CHARACTERS,
            "max_media_attachments": status_services.MAX_MEDIA,
            "characters_reserved_per_url": 23,
        },
        "media_attachments": {
            "supported_mime_types": ["image/jpeg", "image/png", "image/gif", "image/webp"],
            "image_size_limit": settings.MEDIA_MAX_IMAGE_BYTES,
            "image_matrix_limit": settings.MEDIA_MAX_IMAGE_PIXELS,
            "video_size_limit": 0,
            "video_frame_rate_limit": 0,
            "video_matrix_limit": 0,
            "description_limit": status_services.MAX_ALT_TEXT,
        },
        "polls": {
            "max_options": status_services.MAX_POLL_OPTIONS,
            "max_characters_per_option": status_services.MAX_POLL_OPTION_LENGTH,
            "min_expiration": status_services.POLL_MIN_SECONDS,
            "max_expiration": status_services.POLL_MAX_SECONDS,
        },
        "translation": {"enabled": False},
    }


def _streaming_url() -> str:
    scheme = "wss" if settings.SCHEME == "https" else "ws"
    return f"{scheme}://{settings.DOMAIN}"


def _registrations() -> dict[str, Any]:
    mode = settings.REGISTRATION_MODE
    return {
        "enabled": mode in ("open", "approval"),
        "approval_required": mode == "approval",
        "reason_required": mode == "approval",
        "message": None,
        "url": None,
        "min_age": None,
    }


@router.get("/v1/instance", response=schemas.InstanceV1)
def instance_v1(request: HttpRequest) -> dict[str, Any]:
    contact = _contact()
    registrations = _registrations()
    configuration = _configuration()
    return {
        "uri": settings.DOMAIN,
        "title": settings.INSTANCE_NAME,
        "short_description": "",
        "description": "",
        "email": "",
        "version": version_string(),
        "urls": {"streaming_api": _streaming_url()},
        "stats": {
            "user_count": Account.objects.local().active().count(),
            "status_count": Account.objects.local().aggregate(total=Sum("statuses_count"))["total"]
            or 0,
            "domain_count": Account.objects.exclude(domain="").values("domain").distinct().count(),
        },
        "thumbnail": None,
        "languages": [code for code, _name in settings.LANGUAGES],
        "registrations": registrations["enabled"],
        "approval_required": registrations["approval_required"],
        "invites_enabled": settings.REGISTRATION_MODE == "invite",
        "configuration": {
            key: configuration[key]
            for key in ("accounts", "statuses", "media_attachments", "polls")
        },
        "contact_account": serializers.account(contact) if contact else None,
        "rules": [],
    }


@router.get("/v2/instance", response=schemas.InstanceV2)
def instance_v2(request: HttpRequest) -> dict[str, Any]:
    contact = _contact()
    return {
        "domain": settings.DOMAIN,
        "title": settings.INSTANCE_NAME,
        "version": version_string(),
        "source_url": "https://babillard.example/source",
        "description": "",
        "usage": {"users": {"active_month": Account.objects.local().active().count()}},
        "thumbnail": {"url": links.absolute(f"{settings.STATIC_URL}babillard/avatar.svg")},
        "icon": [],
        "languages": [code for code, _name in settings.LANGUAGES],
        "configuration": _configuration(),
        "registrations": _registrations(),
        "api_versions": {"mastodon": 2},
        "contact": {
            "email": "",
            "account": serializers.account(contact) if contact else None,
        },
        "rules": [],
    }


@router.get("/v1/instance/peers", response=list[str])
def peers(request: HttpRequest) -> list[str]:
    return sorted(Account.objects.exclude(domain="").values_list("domain", flat=True).distinct())


@router.get("/v1/instance/activity")
def activity(request: HttpRequest) -> list[dict[str, str]]:
    return []


@router.get("/v1/instance/rules")
def rules(request: HttpRequest) -> list[dict[str, str]]:
    return []


@router.get("/v1/custom_emojis")
def custom_emojis(request: HttpRequest) -> list[dict[str, str]]:
    return []
