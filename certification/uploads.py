"""Checks on uploaded files by their content, not their name."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_SIGNATURE_BYTES = 2 * 1024 * 1024


def validate_signature_image(upload) -> None:
    """A signature must really be a PNG or JPEG image, and small."""
    from PIL import Image, UnidentifiedImageError

    if upload.size is not None and upload.size > MAX_SIGNATURE_BYTES:
        raise ValidationError(_("The signature image is larger than 2 MB."), code="too_large")
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        with Image.open(upload) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(_("The signature is not a PNG or JPEG image."), code="not_image") from exc
    finally:
        if hasattr(upload, "seek"):
            upload.seek(position)
    if kind not in ("PNG", "JPEG"):
        raise ValidationError(_("The signature is not a PNG or JPEG image."), code="not_image")
