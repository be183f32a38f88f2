"""Checking an uploaded document by what it is, not by what it is called.

A file is accepted only when its first bytes say PDF, PNG or JPEG *and* the real parser opens it
as that: a renamed executable, an HTML page behind a PNG header or a truncated PDF are refused.
"""

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image
from pypdf import PdfReader

PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
_SIGNATURES = {b"%PDF-": PDF, b"\x89PNG\r\n\x1a\n": PNG, b"\xff\xd8\xff": JPEG}
_PILLOW_FORMATS = {PNG: "PNG", JPEG: "JPEG"}
UNREADABLE = "This file is not a readable PDF, PNG or JPEG. Upload a scan or a PDF export of the document."
# The words of the web form's and the API's own file checks, so both refuse alike.
EMPTY = "The file is empty."
NO_FILE = "Choose a file to upload."
FILE_ERRORS = {"required": NO_FILE, "empty": EMPTY, "invalid": NO_FILE, "no_name": NO_FILE}


def content_type_of(upload) -> str:
    """Return the checked content type of an uploaded file, or raise ValidationError."""
    limit = settings.DOCUMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            f"The file is {filesizeformat(upload.size)}; the limit is {filesizeformat(limit)}.",
            code="too_large")
    if upload.size == 0:
        raise ValidationError(EMPTY, code="empty")
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    content_type = next((kind for magic, kind in _SIGNATURES.items() if data.startswith(magic)), None)
    if content_type is None or not _parses_as(content_type, data):
        raise ValidationError(UNREADABLE, code="bad_type")
    return content_type


def _parses_as(content_type: str, data: bytes) -> bool:
    # Any exception of a parser fed untrusted bytes means "not readable": pypdf and Pillow raise
    # many kinds (struct.error, zlib.error, IndexError, RecursionError...) on hostile input.
    try:
        return _pdf_parses(data) if content_type == PDF else _image_parses(content_type, data)
    except Exception:  # noqa: BLE001
        return False


def _pdf_parses(data: bytes) -> bool:
    return len(PdfReader(io.BytesIO(data), strict=False).pages) > 0


def _image_parses(content_type: str, data: bytes) -> bool:
    with Image.open(io.BytesIO(data)) as image:
        if image.format != _PILLOW_FORMATS[content_type]:
            return False
        if content_type == PNG:
            image.verify()  # every chunk's checksum, the image data included
            return True
        # A JPEG's verify() reads only its headers: decode the image (at 1/8 scale, cheap even
        # for a large scan) so that headers followed by anything else are refused.
        image.draft(None, (1, 1))
        image.load()
    return True
