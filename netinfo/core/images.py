"""Checks on uploaded images: only real JPEG, PNG or WebP files of a sensible size."""

import logging
import uuid

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

logger = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
FORMATS = {"JPEG", "PNG", "WEBP"}


def validate_image(file):
    """
    Reject anything that is not a JPEG, PNG or WebP image Pillow can read (SVG, which can carry
    script, is never an image here), files over MAX_BYTES and images over MAX_PIXELS. For an
    upload (the figure form checks each new one); a stored image was checked when it came.
    """
    if file.size > MAX_BYTES:
        raise ValidationError(
            _("The image is %(size)s; the limit is %(limit)s. Please make it smaller.")
            % {"size": filesizeformat(file.size), "limit": filesizeformat(MAX_BYTES)},
            code="too_large",
        )
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        with Image.open(file) as image:
            image_format = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("This file is not an image that can be shown. Upload a JPEG, PNG or WebP file."),
            code="invalid_image",
        ) from None
    finally:
        file.seek(position)
    if image_format not in FORMATS:
        raise ValidationError(
            _("Only JPEG, PNG and WebP images are accepted, not %(format)s.")
            % {"format": image_format},
            code="invalid_format",
        )
    if width * height > MAX_PIXELS:
        raise ValidationError(
            _(
                "The image is %(width)s × %(height)s pixels; please scale it down below 40 megapixels."
            )
            % {"width": width, "height": height},
            code="too_many_pixels",
        )


def check_storage_takes(upload):
    """
    Refuse an upload the media storage cannot keep now (a full disk, a read-only folder) while
    the form can still say so and nothing is saved: the file is written once under a name of
    its own and deleted again. Otherwise the error would come while the article is being saved.
    """
    name = f"figures/storage-check-{uuid.uuid4().hex}"
    try:
        stored = default_storage.save(name, upload)
        default_storage.delete(stored)
    except OSError as error:
        logger.error("The media storage cannot take an upload: %s", error)
        raise ValidationError(
            _(
                "The image could not be stored, so nothing was saved: the server's file storage is full or cannot be written to. Please tell the site's operator, then try again."
            ),
            code="storage",
        ) from None
    finally:
        upload.seek(0)
