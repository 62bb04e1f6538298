"""Image checks and processing: type and size limits, metadata stripped, thumbnail, blurhash.

Limits (documented in the README): JPEG, PNG, GIF or WebP only; at most
``MEDIA_MAX_IMAGE_BYTES`` (10 MB by default) and ``MEDIA_MAX_IMAGE_PIXELS``
pixels; images are re-encoded (which drops EXIF, GPS and other metadata),
turned upright, and shrunk to ``MEDIA_MAX_DIMENSION`` on the longest side.
"""

import io
from dataclasses import dataclass
from typing import IO

import blurhash
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
}


@dataclass
class ProcessedImage:
    original: ContentFile[bytes]
    thumbnail: ContentFile[bytes]
    mime_type: str
    width: int
    height: int
    blurhash: str


def _open(upload: IO[bytes]) -> Image.Image:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    upload.seek(0)
    if size > settings.MEDIA_MAX_IMAGE_BYTES:
        raise ValidationError(
            _("This image is too large (at most %(mb)d MB).")
            % {"mb": settings.MEDIA_MAX_IMAGE_BYTES // (1024 * 1024)},
            code="too_large",
        )
    try:
        image = Image.open(upload)
        if image.format not in ACCEPTED_FORMATS:
            raise ValidationError(
                _("Only JPEG, PNG, GIF and WebP images are accepted."), code="type"
            )
        if image.width * image.height > settings.MEDIA_MAX_IMAGE_PIXELS:
            raise ValidationError(_("This image has too many pixels."), code="too_large")
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise ValidationError(_("This file is not an image we can read."), code="type") from None
    return image


def _encode(image: Image.Image, image_format: str) -> bytes:
    buffer = io.BytesIO()
    if image_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    image.save(buffer, format=image_format, quality=85, optimize=True)
    return buffer.getvalue()


def process_image(upload: IO[bytes], name: str = "image") -> ProcessedImage:
    """Check an uploaded image and return its cleaned copy, thumbnail and blurhash."""
    image = _open(upload)
    image_format = image.format or "PNG"
    if image_format == "GIF":
        image_format = "PNG"
    upright = ImageOps.exif_transpose(image)
    upright.thumbnail((settings.MEDIA_MAX_DIMENSION, settings.MEDIA_MAX_DIMENSION))
    thumbnail = upright.copy()
    thumbnail.thumbnail((settings.MEDIA_THUMBNAIL_SIZE, settings.MEDIA_THUMBNAIL_SIZE))
    small = thumbnail.convert("RGB")
    small.thumbnail((64, 64))
    extension = image_format.lower().replace("jpeg", "jpg")
    return ProcessedImage(
        original=ContentFile(_encode(upright, image_format), name=f"{name}.{extension}"),
        thumbnail=ContentFile(_encode(thumbnail, image_format), name=f"{name}-small.{extension}"),
        mime_type=ACCEPTED_FORMATS[image_format],
        width=upright.width,
        height=upright.height,
        blurhash=blurhash.encode(small, x_components=4, y_components=3),
    )


def prepare_profile_image(upload: IO[bytes]) -> ContentFile[bytes]:
    """A checked, metadata-free copy of an avatar or header image."""
    return process_image(upload, "profile").original
