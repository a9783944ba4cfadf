"""Checks on uploaded images: only real JPEG, PNG or WebP files of a sensible size."""

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
FORMATS = {"JPEG", "PNG", "WEBP"}


def validate_image(file):
    """
    Reject anything that is not a JPEG, PNG or WebP image Pillow can read (SVG, which can carry
    script, is never an image here), files over MAX_BYTES and images over MAX_PIXELS.
    """
    if getattr(file, "_committed", False):
        return  # already stored and checked when it was uploaded
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
