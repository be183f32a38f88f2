"""Letters of recommendation as PDFs: a clean one, and the hostile files a stranger could upload.

Each builder returns the bytes of a whole file. The hostile ones start from a clean letter and add
one thing, so a refusal can only be due to that thing.
"""

import io
import os
import zlib

from django.conf import settings
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

LETTER_TEXT = "To the program director: I recommend this student without reservation."


def clean_letter_pdf(text: str = LETTER_TEXT) -> bytes:
    """A one-page letter made by reportlab; its content is not compressed, so the text is in the bytes."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=letter, pageCompression=0, invariant=1)
    page.drawString(72, 720, text)
    page.drawString(72, 690, "Dr. A. Physician, Department of Medicine")
    page.showPage()
    page.save()
    return buffer.getvalue()


def _edited(edit) -> bytes:
    """A clean letter after edit(writer) has changed it."""
    writer = PdfWriter(clone_from=io.BytesIO(clean_letter_pdf()))
    edit(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _set_open_action(writer: PdfWriter, action: dict) -> None:
    writer.root_object[NameObject("/OpenAction")] = DictionaryObject(action)


def _page_rect() -> ArrayObject:
    return ArrayObject([FloatObject(72), FloatObject(680), FloatObject(300), FloatObject(740)])


def encrypted_pdf() -> bytes:
    # RC4: pypdf writes it without the optional cryptography package.
    return _edited(lambda writer: writer.encrypt(user_password="secret", algorithm="RC4-128"))


def javascript_pdf() -> bytes:
    """Document-level JavaScript, in the /Names /JavaScript name tree (pypdf 7 replaced add_js by this)."""
    return _edited(lambda writer: writer.add_open_action(JavaScript("app.alert('hello');")))


def open_action_javascript_pdf() -> bytes:
    return _edited(lambda writer: _set_open_action(writer, {
        NameObject("/S"): NameObject("/JavaScript"),
        NameObject("/JS"): TextStringObject("app.alert('hello');"),
    }))


def launch_pdf() -> bytes:
    return _edited(lambda writer: _set_open_action(writer, {
        NameObject("/S"): NameObject("/Launch"),
        NameObject("/F"): TextStringObject("calc.exe"),
    }))


def _add_link(writer: PdfWriter, action: dict) -> None:
    """A link annotation on the first page whose action is its own indirect object, as a walker must resolve."""
    page = writer.pages[0]
    annotation = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): _page_rect(),
        NameObject("/A"): writer._add_object(DictionaryObject(action)),
    })
    page[NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])


def annotation_javascript_pdf() -> bytes:
    """JavaScript in a link annotation of a page: nothing at the top of the document shows it."""
    return _edited(lambda writer: _add_link(writer, {
        NameObject("/S"): NameObject("/JavaScript"),
        NameObject("/JS"): TextStringObject("app.launchURL('https://example.invalid/');"),
    }))


def link_annotation_pdf() -> bytes:
    """A harmless web link (a department's site, an e-mail address): letters often have one."""
    return _edited(lambda writer: _add_link(writer, {
        NameObject("/S"): NameObject("/URI"),
        NameObject("/URI"): TextStringObject("https://medicine.example.edu/"),
    }))


def embedded_file_pdf() -> bytes:
    return _edited(lambda writer: writer.add_attachment("invoice.exe", b"MZ\x90\x00" + b"\x00" * 60))


def html_behind_pdf_header() -> bytes:
    return b"%PDF-1.4\n<html><script>alert(1)</script></html>"


def renamed_executable() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120 + b"This program cannot be run in DOS mode."


def oversized_pdf() -> bytes:
    """A valid letter over settings.LETTER_MAX_BYTES: its page carries a large, unused form XObject."""
    def pad(writer: PdfWriter) -> None:
        padding = DecodedStreamObject()
        padding.update({
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): _page_rect(),
        })
        # One content-stream comment of random hex: valid, and not compressible to a small size.
        # A quarter over the limit (2.5 MB for 2 MB), so that the message shows two different sizes.
        padding.set_data(b"%" + os.urandom(settings.LETTER_MAX_BYTES * 5 // 8).hex().encode() + b"\n")
        resources = writer.pages[0].setdefault(NameObject("/Resources"), DictionaryObject()).get_object()
        resources[NameObject("/XObject")] = DictionaryObject({NameObject("/Pad"): writer._add_object(padding)})
    return _edited(pad)


def goto_open_action_pdf() -> bytes:
    """An /OpenAction that only shows the first page: harmless."""
    def go_to_first_page(writer: PdfWriter) -> None:
        destination = ArrayObject([writer.pages[0].indirect_reference, NameObject("/Fit")])
        _set_open_action(writer, {NameObject("/S"): NameObject("/GoTo"), NameObject("/D"): destination})
    return _edited(go_to_first_page)


def destination_open_action_pdf() -> bytes:
    """An /OpenAction that is a bare destination array: harmless."""
    def open_at_first_page(writer: PdfWriter) -> None:
        writer.open_destination = writer.pages[0]
    return _edited(open_at_first_page)


def compressed_javascript_pdf() -> bytes:
    """Document-level JavaScript inside a compressed object stream, so "JavaScript" is not in the bytes.

    pypdf writes no object streams, so the file is assembled here: objects 1, 2, 3, 5 and 6 live in
    the object stream 7, found through the cross-reference stream 8.
    """
    in_stream = {
        1: b"<< /Type /Catalog /Pages 2 0 R /Names 5 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        5: b"<< /JavaScript << /Names [(letter) 6 0 R] >> >>",
        6: b"<< /S /JavaScript /JS (app.alert\\('hello'\\);) >>",
    }
    header, bodies, offset = [], [], 0
    for number, body in in_stream.items():
        header.append(b"%d %d" % (number, offset))
        bodies.append(body)
        offset += len(body) + 1
    header_bytes = b" ".join(header) + b"\n"
    packed = zlib.compress(header_bytes + b"\n".join(bodies) + b"\n")
    content = b"BT /F1 12 Tf 72 720 Td (" + LETTER_TEXT.encode() + b") Tj ET"

    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    offsets[4] = len(out)
    out += b"4 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (len(content) + 1, content)
    offsets[7] = len(out)
    out += (b"7 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
            % (len(in_stream), len(header_bytes), len(packed))) + packed + b"\nendstream\nendobj\n"
    offsets[8] = len(out)
    rows = [bytes([0]) + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big")]
    for number in range(1, 9):
        if number in in_stream:
            index = list(in_stream).index(number)
            rows.append(bytes([2]) + (7).to_bytes(4, "big") + index.to_bytes(2, "big"))
        else:
            rows.append(bytes([1]) + offsets[number].to_bytes(4, "big") + (0).to_bytes(2, "big"))
    table = b"".join(rows)
    out += (b"8 0 obj\n<< /Type /XRef /Size 9 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % len(table)
            + table + b"\nendstream\nendobj\n")
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[8]
    data = bytes(out)
    # The builder is only worth something if pypdf reads it through the streams, as a viewer does.
    assert len(PdfReader(io.BytesIO(data), strict=True).pages) == 1
    return data


def pdf_with_catalog_entry(entry: bytes) -> bytes:
    """A minimal one-page PDF, written by hand, whose catalog also holds `entry` (raw PDF syntax).

    For what pypdf's writer would normalise away: escaped names, references in odd places.
    Object 4 is a spare dictionary `entry` may point at with "4 0 R".
    """
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + entry + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        b"<< /S /JavaScript /JS (app.alert\\(1\\);) >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
