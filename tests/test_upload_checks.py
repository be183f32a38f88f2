"""Uploads are judged by their content: PDF, PNG and JPEG that the real parsers open are kept;
anything else is refused with a clear message and leaves nothing in storage."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from PIL import Image

from applicants.models import Document
from applicants.services import document_upload
from applicants.uploads import UNREADABLE, content_type_of

from .factories import image_bytes, login, multipart_body, pdf_bytes, stored_files, uploaded

pytestmark = pytest.mark.django_db


def _jpeg_headers_then(payload: bytes) -> bytes:
    """A real JPEG's headers up to the start of its image data, then something else entirely."""
    data = image_bytes("JPEG")
    return data[:data.index(b"\xff\xda") + 14] + payload


@pytest.mark.parametrize("data, name, content_type", [
    (pdf_bytes(), "cv.pdf", "application/pdf"),
    (image_bytes("PNG"), "passport.png", "image/png"),
    (image_bytes("JPEG"), "passport.jpg", "image/jpeg"),
    (image_bytes("PNG"), "scan.pdf", "image/png"),  # the content decides, not the name
])
def test_a_readable_file_gets_the_content_type_of_its_content(data, name, content_type):
    assert content_type_of(uploaded(data, name)) == content_type


REFUSED = {
    "renamed executable": (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120 + b"This program cannot be run",
                           "cv.pdf"),
    "html behind a png signature": (b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>", "photo.png"),
    "pdf header with garbage": (b"%PDF-1.7\n" + b"\x13\x37garbage" * 200, "cv.pdf"),
    "jpeg headers with html": (_jpeg_headers_then(b"<html><script>alert(1)</script></html>"), "photo.jpg"),
    "gif": (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "photo.gif"),
    "svg with script": (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "photo.svg"),
    "truncated pdf": (pdf_bytes()[:200], "cv.pdf"),
}


@pytest.mark.parametrize("kind", REFUSED)
def test_content_that_is_not_a_readable_document_is_refused(kind):
    data, name = REFUSED[kind]
    with pytest.raises(ValidationError) as error:
        content_type_of(uploaded(data, name))
    assert error.value.messages == [UNREADABLE]
    assert UNREADABLE == ("This file is not a readable PDF, PNG or JPEG. "
                          "Upload a scan or a PDF export of the document.")


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError) as error:
        content_type_of(uploaded(b"", "cv.pdf"))
    assert error.value.messages == ["The file is empty."]


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as error:
        content_type_of(uploaded(b"%PDF-" + b"x" * 2000, "cv.pdf"))
    assert error.value.messages == ["The file is 2.0\xa0KB; the limit is 1.0\xa0KB."]


def test_an_image_at_a_scanners_size_is_accepted():
    buffer = io.BytesIO()
    Image.new("RGB", (2550, 3300), "white").save(buffer, format="JPEG")  # a letter page at 300 dpi
    assert content_type_of(uploaded(buffer.getvalue(), "scan.jpg")) == "image/jpeg"


# document_upload: nothing written when refused.

@pytest.mark.parametrize("kind", REFUSED)
def test_a_refused_upload_stores_no_file_and_no_row(applicant, kind):
    data, name = REFUSED[kind]
    before = stored_files()
    with pytest.raises(ValidationError):
        document_upload(applicant=applicant, kind="cv", upload=uploaded(data, name))
    assert stored_files() == before
    assert Document.objects.count() == 0


def test_an_oversized_upload_stores_nothing(applicant, settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    before = stored_files()
    with pytest.raises(ValidationError):
        document_upload(applicant=applicant, kind="cv", upload=uploaded(pdf_bytes("x" * 3000) + b"\0" * 1024))
    assert stored_files() == before
    assert Document.objects.count() == 0


@pytest.mark.parametrize("data, content_type", [
    (pdf_bytes(), "application/pdf"), (image_bytes("PNG"), "image/png"), (image_bytes("JPEG"), "image/jpeg")])
def test_an_accepted_upload_is_stored_under_a_random_key_with_its_checked_type(applicant, data, content_type):
    before = stored_files()
    document = document_upload(applicant=applicant, kind="cv", upload=uploaded(data, "Amina Yusuf CV.pdf"))
    assert (document.content_type, document.size, document.original_name, document.status) == (
        content_type, len(data), "Amina Yusuf CV.pdf", "pending")
    assert stored_files() - before == {document.file.name}
    assert "Amina" not in document.file.name
    with default_storage.open(document.file.name, "rb") as stored:
        assert stored.read() == data


# Replacing a document.

def _upload_cv(applicant, data=None):
    return document_upload(applicant=applicant, kind="cv", upload=uploaded(data or pdf_bytes(), "cv.pdf"))


def test_replacing_a_document_deletes_the_old_file_only_after_commit(
        applicant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        old = _upload_cv(applicant)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        new = _upload_cv(applicant, image_bytes("PNG"))
    assert default_storage.exists(old.file.name)  # not yet: the transaction could still roll back
    for callback in callbacks:
        callback()
    assert not default_storage.exists(old.file.name)
    assert default_storage.exists(new.file.name)
    assert list(Document.objects.values_list("pk", "file", "content_type")) == [
        (old.pk, new.file.name, "image/png")]


def test_a_replacement_waits_for_verification_again(applicant, admin_user):
    from applicants.services import document_review

    document_review(document=_upload_cv(applicant), by=admin_user, verified=True)
    _upload_cv(applicant)
    assert list(Document.objects.values_list("status", "reviewed_by")) == [("pending", None)]


def test_a_refused_replacement_keeps_the_old_document_and_its_file(applicant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        old = _upload_cv(applicant)
    before = stored_files()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        _upload_cv(applicant, REFUSED["renamed executable"][0])
    assert stored_files() == before
    assert list(Document.objects.values_list("pk", "file", "content_type", "status")) == [
        (old.pk, old.file.name, "application/pdf", "pending")]


def test_an_expiring_kind_needs_its_expiry_date_and_stores_nothing_without_it(applicant):
    before = stored_files()
    with pytest.raises(ValidationError) as error:
        document_upload(applicant=applicant, kind="passport", upload=uploaded(pdf_bytes(), "passport.pdf"))
    assert error.value.message_dict == {"expires_on": ["This document has an expiry date; enter it."]}
    assert stored_files() == before


@pytest.mark.parametrize("how", ["admin deletes the row", "the account is deleted"])
def test_a_deleted_document_takes_its_file_with_it(applicant, how, django_capture_on_commit_callbacks):
    """Not only through the service: the Django admin and a deleted account leave no scan behind."""
    before = stored_files()
    document = document_upload(applicant=applicant, kind="cv", upload=uploaded())
    assert stored_files() - before == {document.file.name}
    with django_capture_on_commit_callbacks(execute=True):
        if how == "admin deletes the row":
            Document.objects.filter(pk=document.pk).delete()
        else:
            applicant.delete()
    assert stored_files() == before


def test_a_request_body_beyond_any_document_is_refused_before_it_is_read(client, applicant, settings):
    settings.MAX_REQUEST_BYTES = 1000
    client.force_login(applicant)
    before = stored_files()
    response = client.post("/applicant/documents/", {"kind": "cv", "file": uploaded(b"%PDF-" + b"x" * 2000)})
    assert response.status_code == 413
    assert stored_files() == before


# The web page and the API refuse an upload in the same words, each under the field it concerns.

NO_EXPIRY = "This document has no expiry date; leave it empty."
NAME_TOO_LONG = "The file name is too long: at most 200 characters. Rename the file and upload it again."


def _web_errors(client, applicant, **fields) -> dict:
    client.force_login(applicant)
    response = client.post("/applicant/documents/", fields)
    return next(row.form.errors for row in response.context["rows"] if row.kind == fields["kind"])


def _api_errors(api, applicant, **fields) -> dict:
    response = login(api, applicant).post("/api/documents/", fields, format="multipart")
    assert response.status_code == 400
    return response.json()


@pytest.mark.parametrize("channel", [_web_errors, _api_errors], ids=["web", "api"])
@pytest.mark.parametrize("fields, errors", [
    ({"kind": "cv", "file": uploaded(b"", "cv.pdf")}, {"file": ["The file is empty."]}),
    ({"kind": "cv", "file": uploaded(name="c" * 250 + ".pdf")}, {"file": [NAME_TOO_LONG]}),
    ({"kind": "cv", "file": uploaded(), "expires_on": "2099-01-01"}, {"expires_on": [NO_EXPIRY]}),
], ids=["empty file", "long file name", "expiry date of a kind without one"])
def test_the_web_and_the_api_refuse_in_the_same_words(request, applicant, channel, fields, errors):
    client = request.getfixturevalue("client" if channel is _web_errors else "api")
    fields["file"].seek(0)
    before = stored_files()
    assert channel(client, applicant, **fields) == errors
    assert (Document.objects.count(), stored_files()) == (0, before)


def test_a_file_name_too_long_for_the_multipart_parser_is_a_field_error(api, applicant):
    """Django's parser stops at a 1 KB part header; a ~1,000-character name gets there, and the
    API answers it as the field error of any name too long, not as a parse error."""
    body, content_type = multipart_body({"kind": "cv"}, file_name="c" * 1000 + ".pdf", data=pdf_bytes())
    response = login(api, applicant).generic("POST", "/api/documents/", body, content_type=content_type)
    assert response.status_code == 400
    assert response.json() == {"file": [NAME_TOO_LONG]}
    assert Document.objects.count() == 0
