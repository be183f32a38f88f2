"""A preceptor's photo: accepted only as a real PNG or JPEG, stored re-encoded, small and without EXIF.

Re-encoding from the decoded pixels is what drops EXIF (GPS positions, camera serials) and any
bytes hidden after the image; the stored file is always a JPEG no larger than PHOTO_MAX_PIXELS.
"""

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps

NOT_AN_IMAGE = "This file is not a readable PNG or JPEG photo."
_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}
# A decompression bomb (a tiny file that decodes to gigapixels) is refused before it is decoded.
_MAX_SOURCE_PIXELS = 40_000_000


def photo_clean(upload) -> ContentFile:
    """Return the photo re-encoded as a JPEG of at most PHOTO_MAX_PIXELS a side, or raise ValidationError."""
    if upload.size > settings.PHOTO_MAX_BYTES:
        raise ValidationError(f"The photo is {filesizeformat(upload.size)}; the limit is "
                              f"{filesizeformat(settings.PHOTO_MAX_BYTES)}.", code="too_large")
    upload.seek(0)
    data = upload.read()
    expected = next((fmt for magic, fmt in _SIGNATURES.items() if data.startswith(magic)), None)
    if expected is None:
        raise ValidationError(NOT_AN_IMAGE, code="bad_type")
    try:
        return ContentFile(_reencode(data, expected), name="photo.jpg")
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001  (Pillow raises many kinds on hostile input)
        raise ValidationError(NOT_AN_IMAGE, code="bad_type") from None


def _reencode(data: bytes, expected: str) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        if image.format != expected or image.width * image.height > _MAX_SOURCE_PIXELS:
            raise ValidationError(NOT_AN_IMAGE, code="bad_type")
        image.load()
        # Honour the camera's rotation before the EXIF that records it is dropped.
        upright = ImageOps.exif_transpose(image).convert("RGB")
    upright.thumbnail((settings.PHOTO_MAX_PIXELS, settings.PHOTO_MAX_PIXELS))
    out = io.BytesIO()
    upright.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue()
