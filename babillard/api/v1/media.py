"""``/api/v2/media`` and ``/api/v1/media``: image uploads and their descriptions.

Browser clients upload a Blob named ``blob`` without an extension: the image
is recognised from its bytes, never from the name.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from babillard.api import schemas, serializers
from babillard.api.base import ApiError, as_str, params, require
from babillard.api.v1.statuses import media_of
from babillard.statuses import services as status_services

router = Router(tags=["media"])


def _upload(request: HttpRequest) -> dict[str, Any]:
    me = require(request, "write:media")
    data = params(request)
    upload = data.get("file")
    if upload is None or not hasattr(upload, "read"):
        raise ApiError(422, "Validation failed: File can't be blank")
    created = status_services.upload_media(me, upload, as_str(data.get("description")))
    return serializers.media(created)


@router.post("/v2/media", response=schemas.MediaAttachment)
def upload_v2(request: HttpRequest) -> dict[str, Any]:
    """Images are processed at once, so the answer is 200 with ``url`` already set."""
    return _upload(request)


@router.post("/v1/media", response=schemas.MediaAttachment)
def upload_v1(request: HttpRequest) -> dict[str, Any]:
    return _upload(request)


@router.get("/v1/media/{media_id}", response=schemas.MediaAttachment)
def get_media(request: HttpRequest, media_id: str) -> dict[str, Any]:
    me = require(request, "write:media")
    return serializers.media(media_of(me, media_id))


@router.put("/v1/media/{media_id}", response=schemas.MediaAttachment)
def update_media(request: HttpRequest, media_id: str) -> dict[str, Any]:
    me = require(request, "write:media")
    found = media_of(me, media_id)
    data = params(request)
    if "description" in data:
        found = status_services.describe_media(me, found.pk, as_str(data.get("description")))
    return serializers.media(found)
