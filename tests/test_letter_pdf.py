"""A letter of recommendation comes from a stranger and is opened by a program officer: only a readable,
unencrypted PDF without scripts, launch actions or attachments is kept, and every refusal says what to do."""

import io

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from preceptors import letter_pdf
from preceptors.letter_pdf import letter_pdf_check

from .letter_pdfs import (
    annotation_javascript_pdf,
    clean_letter_pdf,
    compressed_javascript_pdf,
    destination_open_action_pdf,
    embedded_file_pdf,
    encrypted_pdf,
    goto_open_action_pdf,
    html_behind_pdf_header,
    javascript_pdf,
    launch_pdf,
    link_annotation_pdf,
    open_action_javascript_pdf,
    oversized_pdf,
    pdf_with_catalog_entry,
    renamed_executable,
)


def _upload(data: bytes, name: str = "letter.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def _refusal(data: bytes, name: str = "letter.pdf") -> ValidationError:
    with pytest.raises(ValidationError) as error:
        letter_pdf_check(_upload(data, name))
    return error.value


@pytest.mark.parametrize("build", [
    pytest.param(clean_letter_pdf, id="clean letter"),
    pytest.param(goto_open_action_pdf, id="open action going to the first page"),
    pytest.param(destination_open_action_pdf, id="open action as a destination array"),
    pytest.param(link_annotation_pdf, id="web link"),
])
def test_a_harmless_letter_is_accepted_as_it_was_sent(build):
    data = build()
    assert letter_pdf_check(_upload(data)) == data


def test_the_clean_letter_carries_its_text():
    data = clean_letter_pdf("Dear committee, Dr. Rivera writes.")
    assert b"Dr. Rivera writes." in data
    assert "Dr. Rivera writes." in PdfReader(io.BytesIO(data)).pages[0].extract_text()


@pytest.mark.parametrize("build, name, code, words", [
    pytest.param(renamed_executable, "letter.pdf", "not_pdf", ["Only a PDF", "as PDF"], id="renamed executable"),
    pytest.param(lambda: b"PK\x03\x04" + b"\x00" * 200, "letter.pdf", "not_pdf", ["Only a PDF"], id="word file renamed"),
    pytest.param(html_behind_pdf_header, "letter.pdf", "unreadable", ["not a readable PDF"], id="html behind a pdf header"),
    pytest.param(lambda: clean_letter_pdf()[:300], "letter.pdf", "unreadable", ["not a readable PDF"], id="truncated pdf"),
    pytest.param(encrypted_pdf, "letter.pdf", "encrypted", ["password", "without a password"], id="encrypted"),
    pytest.param(javascript_pdf, "letter.pdf", "javascript", ["JavaScript", "without scripts"], id="document javascript"),
    pytest.param(open_action_javascript_pdf, "letter.pdf", "javascript", ["JavaScript"], id="javascript open action"),
    pytest.param(annotation_javascript_pdf, "letter.pdf", "javascript", ["JavaScript"], id="javascript in a page's link"),
    pytest.param(compressed_javascript_pdf, "letter.pdf", "javascript", ["JavaScript"], id="javascript in an object stream"),
    pytest.param(launch_pdf, "letter.pdf", "launch", ["launch", "opens a program or file"], id="launch action"),
    pytest.param(embedded_file_pdf, "letter.pdf", "embedded", ["embedded files", "Remove them"], id="embedded file"),
    pytest.param(lambda: b"", "letter.pdf", "empty", ["empty"], id="empty"),
])
def test_a_hostile_or_unusable_file_is_refused_with_what_to_do(build, name, code, words):
    refusal = _refusal(build(), name)
    assert refusal.code == code
    [message] = refusal.messages
    assert message == letter_pdf.MESSAGES[code]
    for word in words:
        assert word in message
    assert "upload" in message  # every refusal ends with what to upload instead


@pytest.mark.parametrize("entry, code", [
    pytest.param(b"", None, id="nothing added"),
    pytest.param(b"/PageMode /UseOutlines /Lang (en-US)", None, id="ordinary catalog entries"),
    pytest.param(b"/OpenAction << /S /J#61vaScript /JS (x) >>", "javascript", id="escaped JavaScript name"),
    pytest.param(b"/OpenAction 4 0 R", "javascript", id="javascript action as an indirect object"),
    pytest.param(b"/Spare [[[4 0 R]]]", "javascript", id="javascript nested in arrays under an unknown key"),
    pytest.param(b"/AcroForm << /Fields [] /XFA [(template) (<xdp/>)] >>", "javascript", id="xfa form"),
    pytest.param(b"/OpenAction << /S /GoToR /F (other.pdf) /D [0 /Fit] >>", "launch", id="remote go-to"),
    pytest.param(b"/OpenAction << /S /SubmitForm /F (https://example.invalid/) >>", "launch", id="form submission"),
    pytest.param(b"/AA << /WC << /S /Launch /Win << /F (cmd.exe) >> >> >>", "launch", id="launch on close"),
    pytest.param(b"/Names << /EmbeddedFiles << /Names [] >> >>", "embedded", id="embedded files name tree"),
    pytest.param(b"/Spare << /Type /Filespec /F (a.exe) /EF << /F 4 0 R >> >>", "embedded", id="file specification"),
    pytest.param(b"/Spare << /Type /Annot /Subtype /FileAttachment /FS (a.exe) >>", "embedded", id="file attachment"),
    pytest.param(b"/Spare << /Type /Annot /Subtype /RichMedia >>", "embedded", id="rich media"),
])
def test_active_content_is_found_wherever_it_hides(entry, code):
    data = pdf_with_catalog_entry(entry)
    if code is None:
        assert letter_pdf_check(_upload(data)) == data
    else:
        assert _refusal(data).code == code


def test_a_pdf_without_pages_is_refused():
    # pypdf opens it without complaint: there is simply nothing to read.
    data = pdf_with_catalog_entry(b"").replace(b"/Kids [3 0 R] /Count 1", b"/Kids [     ] /Count 0")
    assert len(PdfReader(io.BytesIO(data)).pages) == 0
    assert _refusal(data).code == "unreadable"


def test_javascript_in_an_object_stream_is_not_visible_in_the_raw_bytes():
    # The check must read the document as a viewer does, not search the file for words.
    assert b"JavaScript" not in compressed_javascript_pdf()


def test_a_letter_over_the_size_limit_is_refused_with_both_sizes():
    data = oversized_pdf()
    assert len(data) > settings.LETTER_MAX_BYTES
    refusal = _refusal(data)
    assert refusal.code == "too_large"
    assert refusal.messages[0].startswith("The file is 2.5\xa0MB; the limit is 2.0\xa0MB.")


class _UnreadableUpload:
    """An upload announcing a size over the limit, whose content must not be touched."""

    size = settings.LETTER_MAX_BYTES + 1

    def read(self, *args):
        raise AssertionError("the size must be checked before the file is read")

    seek = read


def test_the_size_is_checked_before_the_file_is_read():
    with pytest.raises(ValidationError) as error:
        letter_pdf_check(_UnreadableUpload())
    assert error.value.code == "too_large"


def test_a_file_longer_than_its_announced_size_is_refused():
    upload = _upload(oversized_pdf())
    upload.size = 1000  # .size is what the client declared; the bytes decide
    with pytest.raises(ValidationError) as error:
        letter_pdf_check(upload)
    assert error.value.code == "too_large"


def test_the_upload_is_left_at_its_start_for_whoever_stores_it():
    upload = _upload(clean_letter_pdf())
    letter_pdf_check(upload)
    assert upload.read() == clean_letter_pdf()


def test_a_document_too_large_to_walk_is_refused(monkeypatch):
    monkeypatch.setattr(letter_pdf, "MAX_OBJECTS_WALKED", 3)
    assert _refusal(clean_letter_pdf()).code == "too_complex"
