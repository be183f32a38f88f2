"""The document vault: uploads checked by content, private downloads, and the admins' verification queue."""

from datetime import datetime, timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from applicants.models import Document, DocumentDownload
from notifications.models import Notification
from rotations.choices import DocumentKind

from .factories import (
    ApplicationFactory,
    DocumentFactory,
    ProfileFactory,
    image_bytes,
    messages_of,
    pdf_bytes,
    placement_needing,
    stored_files,
    uploaded,
)

pytestmark = pytest.mark.django_db

DOCUMENTS_URL = reverse("applicants:documents")
QUEUE_URL = reverse("applicants:document_queue")
UNREADABLE = "This file is not a readable PDF, PNG or JPEG. Upload a scan or a PDF export of the document."
IN_A_YEAR = (timezone.localdate() + timedelta(days=365)).isoformat()


def upload(client, kind="cv", data=None, name="cv-amina.pdf", content_type="application/pdf", **extra):
    return client.post(DOCUMENTS_URL, {"kind": kind, "file": uploaded(data, name, content_type), **extra})


def download_url(document) -> str:
    return reverse("applicants:document_download", args=[document.pk])


# Uploads that are accepted.

@pytest.mark.parametrize("name, kept", [("cv\u202efdp.exe", "cvfdp.exe"), ("\u2067سيرة\u2069.pdf", "سيرة.pdf")])
def test_a_file_name_loses_its_direction_characters(client, applicant, name, kept):
    """"cv<U+202E>fdp.exe" would read "cvexe.pdf" to the coordinator who downloads it."""
    client.force_login(applicant)
    upload(client, data=pdf_bytes(), name=name, content_type="application/pdf")
    assert Document.objects.get(applicant=applicant).original_name == kept


@pytest.mark.parametrize("data, name, content_type", [
    (pdf_bytes(), "cv-amina.pdf", "application/pdf"),
    (image_bytes("PNG"), "CV scan.png", "image/png"),
    (image_bytes("JPEG"), "cv.JPG", "image/jpeg"),
])
def test_a_real_pdf_png_or_jpeg_is_stored_under_a_random_key(client, applicant, data, name, content_type):
    client.force_login(applicant)
    response = upload(client, data=data, name=name, content_type="application/octet-stream")
    assert response.status_code == 302
    document = Document.objects.get(applicant=applicant)
    assert (document.kind, document.original_name, document.content_type, document.size, document.status) == (
        "cv", name, content_type, len(data), "pending")
    assert document.file.name.startswith("documents/")
    assert name.split(".")[0] not in document.file.name
    with default_storage.open(document.file.name) as stored:
        assert stored.read() == data


def test_an_upload_is_confirmed(client, applicant):
    client.force_login(applicant)
    response = client.post(DOCUMENTS_URL, {"kind": "cv", "file": uploaded()}, follow=True)
    assert messages_of(response) == [
        "Your CV was uploaded; an administrator will verify it."]


def test_an_expiring_kind_keeps_its_expiry_date(client, applicant):
    client.force_login(applicant)
    upload(client, kind="passport", name="passport.pdf", expires_on=IN_A_YEAR)
    assert Document.objects.get(applicant=applicant).expires_on.isoformat() == IN_A_YEAR


def test_a_replacement_takes_the_old_files_place_and_waits_for_verification(
        client, applicant, django_capture_on_commit_callbacks):
    old = DocumentFactory(applicant=applicant, kind="cv", status="rejected", rejection_reason="Blurred.")
    old_name = old.file.name
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, data=image_bytes("PNG"), name="cv-new.png", content_type="image/png")
    document = Document.objects.get(applicant=applicant)
    assert (document.pk, document.original_name, document.status, document.rejection_reason) == (
        old.pk, "cv-new.png", "pending", "")
    assert default_storage.exists(document.file.name)
    assert not default_storage.exists(old_name)


# Uploads that are refused: a clear error next to the row, and nothing stored.

def _over_the_limit(settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    return b"%PDF-1.4\n" + b"0" * 2048, "The file is 2.0\xa0KB; the limit is 1.0\xa0KB."


@pytest.mark.parametrize("case", ["executable", "html_behind_png_header", "truncated_pdf", "over_the_limit",
                                  "empty"])
def test_a_refused_upload_is_an_error_and_stores_nothing(client, applicant, settings, case):
    data, error = {
        "executable": (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200, UNREADABLE),
        "html_behind_png_header": (b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>", UNREADABLE),
        "truncated_pdf": (pdf_bytes()[:300], UNREADABLE),
        "over_the_limit": None,
        "empty": (b"", "The file is empty."),
    }[case] or _over_the_limit(settings)
    files_before = stored_files()
    client.force_login(applicant)
    response = upload(client, data=data, name="cv.pdf")
    assert response.status_code == 200
    assert response.context["rows"][0].form.errors == {"file": [error]}
    assert Document.objects.count() == 0
    assert stored_files() == files_before


def test_the_error_is_shown_next_to_its_row(client, applicant):
    client.force_login(applicant)
    response = upload(client, kind="tb_test", data=b"MZ" + b"\x00" * 100, name="tb.pdf", expires_on=IN_A_YEAR)
    failed = [row for row in response.context["rows"] if row.form.errors]
    assert [row.kind for row in failed] == ["tb_test"]
    assert 'id="upload-tb_test-file_error"' in response.text
    assert 'action="/applicant/documents/#doc-tb_test" enctype="multipart/form-data"' in response.text
    assert "Your TB test was not uploaded" in response.text


def test_an_expiring_kind_without_an_expiry_date_is_refused(client, applicant):
    files_before = stored_files()
    client.force_login(applicant)
    response = upload(client, kind="passport", name="passport.pdf")
    assert response.status_code == 200
    row = next(row for row in response.context["rows"] if row.kind == "passport")
    assert row.form.errors == {"expires_on": ["This document has an expiry date; enter it."]}
    assert Document.objects.count() == 0
    assert stored_files() == files_before


def test_an_expired_document_is_refused(client, applicant):
    client.force_login(applicant)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = upload(client, kind="passport", name="passport.pdf", expires_on=yesterday)
    row = next(row for row in response.context["rows"] if row.kind == "passport")
    assert row.form.errors == {"expires_on": ["This document has expired already."]}
    assert Document.objects.count() == 0


def test_an_unknown_kind_is_refused(client, applicant):
    client.force_login(applicant)
    response = client.post(DOCUMENTS_URL, {"kind": "diploma", "file": uploaded()}, follow=True)
    assert messages_of(response) == ["Choose which document you are uploading."]
    assert Document.objects.count() == 0


def test_a_post_without_a_file_is_an_error(client, applicant):
    client.force_login(applicant)
    response = client.post(DOCUMENTS_URL, {"kind": "cv"})
    assert response.context["rows"][0].form.errors == {"file": ["Choose a file to upload."]}


def test_a_refused_replacement_keeps_the_old_document_and_file(client, applicant):
    old = DocumentFactory(applicant=applicant, kind="cv", status="verified", original_name="cv-2024.pdf")
    old_bytes = default_storage.open(old.file.name).read()
    files_before = stored_files()
    client.force_login(applicant)
    response = upload(client, data=b"MZ" + b"\x00" * 100, name="cv.pdf")
    assert response.status_code == 200
    assert Document.objects.values_list("pk", "file", "original_name", "status").get() == (
        old.pk, old.file.name, "cv-2024.pdf", "verified")
    assert default_storage.open(old.file.name).read() == old_bytes
    assert stored_files() == files_before
    assert "the file you had stays as it was" in response.text


# The vault page.

def test_the_vault_shows_a_row_for_every_kind(client, applicant):
    DocumentFactory(applicant=applicant, kind="passport", status="rejected",
                    rejection_reason="The photo page is cut off.")
    DocumentFactory(kind="cv")  # someone else's
    client.force_login(applicant)
    response = client.get(DOCUMENTS_URL)
    rows = response.context["rows"]
    assert [row.kind for row in rows] == DocumentKind.values
    assert [row.kind for row in rows if row.document] == ["passport"]
    assert [row.kind for row in rows if row.expires] == [
        "passport", "immunization", "tb_test", "health_insurance", "background_check", "bls_acls", "hipaa"]
    assert "The photo page is cut off." in response.text
    assert "Your files are private." in response.text
    assert 'accept=".pdf,.png,.jpg,.jpeg' in response.text


@pytest.mark.parametrize("documents", [1, 5])
def test_the_vault_queries_are_constant(client, applicant, django_assert_num_queries, documents):
    for kind in ["cv", "passport", "tb_test", "hipaa", "good_standing"][:documents]:
        DocumentFactory(applicant=applicant, kind=kind)
    client.force_login(applicant)
    # user (the session comes from the cache), documents, unread notifications
    with django_assert_num_queries(3):
        assert client.get(DOCUMENTS_URL).status_code == 200


@pytest.mark.parametrize("who", ["coordinator", "preceptor", "admin_user"])
def test_the_vault_is_for_applicants_only(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(DOCUMENTS_URL).status_code == 403
    assert upload(client).status_code == 403
    assert Document.objects.count() == 0


# Deleting.

def test_deleting_asks_first(client, applicant):
    document = DocumentFactory(applicant=applicant, kind="cv")
    client.force_login(applicant)
    response = client.get(reverse("applicants:document_delete", args=[document.pk]))
    assert response.status_code == 200
    assert "Delete your CV?" in response.text
    assert Document.objects.count() == 1


def test_the_owner_deletes_a_document_and_its_file(client, applicant, django_capture_on_commit_callbacks):
    document = DocumentFactory(applicant=applicant, kind="cv")
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("applicants:document_delete", args=[document.pk]))
    assert response["Location"] == DOCUMENTS_URL
    assert Document.objects.count() == 0
    assert not default_storage.exists(document.file.name)


@pytest.mark.parametrize("status", ["accepted", "approved"])
def test_a_document_a_placement_needs_cannot_be_deleted(client, applicant, status):
    document = DocumentFactory(applicant=applicant, kind="passport")
    placement = placement_needing(applicant, "passport", status)
    client.force_login(applicant)
    page = client.get(reverse("applicants:document_delete", args=[document.pk])).text
    assert "Your Passport is needed" in page and "Delete Passport" not in page
    response = client.post(reverse("applicants:document_delete", args=[document.pk]), follow=True)
    assert messages_of(response) == [
        f"Your placement in \"Cardiology\" at Mercy needs this document until "
        f"{placement.slot.end_date:%b %-d, %Y}. Upload a new one to replace it instead."]
    assert Document.objects.filter(pk=document.pk).exists()


@pytest.mark.parametrize("why", ["another kind", "cancelled", "offered", "ended"])
def test_a_document_no_live_placement_needs_can_be_deleted(client, applicant, why):
    document = DocumentFactory(applicant=applicant, kind="passport")
    if why == "another kind":
        placement_needing(applicant, "cv")
    elif why == "ended":
        today = timezone.localdate()
        placement_needing(applicant, "passport", "completed", start_date=today - timedelta(days=40),
                           end_date=today - timedelta(days=13), application_deadline=today - timedelta(days=60))
    else:
        placement_needing(applicant, "passport", why)
    client.force_login(applicant)
    client.post(reverse("applicants:document_delete", args=[document.pk]))
    assert not Document.objects.filter(pk=document.pk).exists()


@pytest.mark.parametrize("who", ["other_applicant", "coordinator", "admin_user"])
def test_nobody_else_deletes_a_document(client, request, applicant, who):
    document = DocumentFactory(applicant=applicant, kind="cv")
    ApplicationFactory(applicant=applicant, slot__listing__institution=request.getfixturevalue(
        "coordinator").coordinator.institution)
    client.force_login(request.getfixturevalue(who))
    assert client.post(reverse("applicants:document_delete", args=[document.pk])).status_code in (403, 404)
    assert Document.objects.count() == 1


# Downloads: who may read a document.

@pytest.fixture
def owner_documents(applicant, coordinator):
    """The applicant applied to the coordinator's institution; one document verified, one pending."""
    ApplicationFactory(applicant=applicant, slot__listing__institution=coordinator.coordinator.institution)
    ApplicationFactory(applicant=applicant)  # and to another institution
    verified = DocumentFactory(applicant=applicant, kind="cv", original_name="CV Amina Yusuf.pdf")
    pending = DocumentFactory(applicant=applicant, kind="passport", status="pending")
    return verified, pending


@pytest.mark.parametrize("who, document, status", [
    ("applicant", "verified", 200),
    ("applicant", "pending", 200),
    ("other_applicant", "verified", 404),
    ("coordinator", "verified", 200),
    ("coordinator", "pending", 404),
    ("colleague", "verified", 200),
    ("colleague", "pending", 404),
    ("stranger", "verified", 404),
    ("preceptor", "verified", 404),
    ("admin_user", "verified", 200),
    ("admin_user", "pending", 200),
])
def test_the_download_access_matrix(client, request, owner_documents, who, document, status):
    target = owner_documents[0] if document == "verified" else owner_documents[1]
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.get(download_url(target))
    assert response.status_code == status
    assert DocumentDownload.objects.filter(document=target, user=user).count() == (1 if status == 200 else 0)
    response.close()


def test_a_download_is_a_private_attachment_with_the_stored_type(client, applicant, owner_documents):
    verified, _ = owner_documents
    client.force_login(applicant)
    response = client.get(download_url(verified))
    assert b"".join(response.streaming_content) == default_storage.open(verified.file.name).read()
    response.close()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="CV Amina Yusuf.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store, private"


def test_anonymous_visitors_are_sent_to_sign_in(client, owner_documents):
    url = download_url(owner_documents[0])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"
    assert DocumentDownload.objects.count() == 0


def test_a_document_that_does_not_exist_is_404(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("applicants:document_download", args=[999999])).status_code == 404


def test_a_document_whose_file_is_gone_is_404(client, applicant):
    document = DocumentFactory(applicant=applicant)
    default_storage.delete(document.file.name)
    client.force_login(applicant)
    assert client.get(download_url(document)).status_code == 404
    assert DocumentDownload.objects.count() == 0


# The admins' verification queue.

def review(client, document, **data):
    return client.post(reverse("applicants:document_review", args=[document.pk]), data)


def test_the_queue_lists_pending_documents_oldest_first(client, admin_user):
    now = timezone.now()
    newer = DocumentFactory(status="pending", uploaded_at=now - timedelta(hours=1))
    older = DocumentFactory(status="pending", uploaded_at=now - timedelta(days=2))
    DocumentFactory(status="verified")
    DocumentFactory(status="rejected")
    client.force_login(admin_user)
    response = client.get(QUEUE_URL)
    assert list(response.context["page_obj"]) == [older, newer]
    assert f'href="{download_url(older)}"' in response.text


def test_the_queue_shows_the_applicants_legal_name_and_email(client, admin_user):
    document = DocumentFactory(status="pending")
    ProfileFactory(user=document.applicant, legal_name="Amina Bello Yusuf")
    client.force_login(admin_user)
    response = client.get(QUEUE_URL)
    assert "Amina Bello Yusuf" in response.text
    assert document.applicant.email in response.text


def test_the_queue_shows_the_upload_time_as_on_the_other_pages(client, admin_user):
    DocumentFactory(status="pending", uploaded_at=timezone.make_aware(datetime(2026, 3, 2, 17, 38)))
    client.force_login(admin_user)
    assert "Mar 2, 2026, 5:38 PM" in client.get(QUEUE_URL).text


def test_the_queue_is_paginated(client, admin_user, monkeypatch):
    monkeypatch.setattr("applicants.views.QUEUE_PAGE_SIZE", 2)
    for _ in range(3):
        DocumentFactory(status="pending")
    client.force_login(admin_user)
    response = client.get(QUEUE_URL, {"page": "2"})
    assert (len(response.context["page_obj"]), response.context["page_obj"].paginator.count) == (1, 3)


def test_an_admin_verifies_a_document(client, admin_user):
    document = DocumentFactory(status="pending")
    client.force_login(admin_user)
    response = review(client, document, verified="1")
    assert response["Location"] == QUEUE_URL
    document.refresh_from_db()
    assert (document.status, document.reviewed_by, document.rejection_reason) == ("verified", admin_user, "")
    assert list(Notification.objects.filter(user=document.applicant).values_list("kind", flat=True)) == [
        "document_verified"]


def test_an_admin_rejects_a_document_with_a_reason(client, admin_user):
    document = DocumentFactory(status="pending")
    client.force_login(admin_user)
    review(client, document, verified="0", reason="  The scan is unreadable.  ")
    document.refresh_from_db()
    assert (document.status, document.rejection_reason) == ("rejected", "The scan is unreadable.")
    assert list(Notification.objects.filter(user=document.applicant).values_list("kind", flat=True)) == [
        "document_rejected"]


def test_the_reviewed_row_leaves_the_queue_and_a_message_confirms(client, admin_user):
    reviewed, waiting = DocumentFactory(status="pending"), DocumentFactory(status="pending", kind="hipaa")
    client.force_login(admin_user)
    response = client.post(reverse("applicants:document_review", args=[reviewed.pk]),
                           {"verified": "1"}, follow=True)
    assert list(response.context["page_obj"]) == [waiting]
    assert messages_of(response) == [f"CV of {reviewed.applicant.email} verified."]


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_rejection_without_a_reason_is_an_error_and_changes_nothing(client, admin_user, reason):
    document = DocumentFactory(status="pending")
    client.force_login(admin_user)
    response = review(client, document, verified="0", reason=reason)
    assert response.status_code == 400
    failed = next(d for d in response.context["page_obj"] if d.pk == document.pk)
    assert failed.review_form.errors == {"reason": ["Say why the document is rejected, so the applicant can fix it."]}
    document.refresh_from_db()
    assert (document.status, document.reviewed_by) == ("pending", None)
    assert Notification.objects.count() == 0


def test_an_unknown_decision_is_an_error(client, admin_user):
    document = DocumentFactory(status="pending")
    client.force_login(admin_user)
    assert review(client, document, verified="yes").status_code == 400
    assert Document.objects.get().status == "pending"


def test_a_document_reviewed_meanwhile_is_left_as_it_is(client, admin_user):
    document = DocumentFactory(status="verified")
    client.force_login(admin_user)
    response = client.post(reverse("applicants:document_review", args=[document.pk]),
                           {"verified": "0", "reason": "Blurred."}, follow=True)
    assert messages_of(response) == ["This CV was already verified; nothing was changed."]
    assert Document.objects.get().status == "verified"


def test_reviewing_is_post_only(client, admin_user):
    document = DocumentFactory(status="pending")
    client.force_login(admin_user)
    assert client.get(reverse("applicants:document_review", args=[document.pk])).status_code == 405


@pytest.mark.parametrize("who", ["applicant", "coordinator", "preceptor"])
def test_only_admins_open_the_queue_or_review(client, request, who):
    document = DocumentFactory(status="pending")
    client.force_login(request.getfixturevalue(who))
    assert client.get(QUEUE_URL).status_code == 403
    assert review(client, document, verified="1").status_code == 403
    assert Document.objects.get().status == "pending"


def test_the_owner_cannot_verify_their_own_document(client, applicant):
    document = DocumentFactory(applicant=applicant, status="pending")
    client.force_login(applicant)
    assert review(client, document, verified="1").status_code == 403
    assert Document.objects.get().status == "pending"


@pytest.mark.parametrize("pending", [1, 5])
def test_the_queue_queries_are_constant(client, admin_user, django_assert_num_queries, pending):
    for _ in range(pending):
        document = DocumentFactory(status="pending")
        ProfileFactory(user=document.applicant)
    client.force_login(admin_user)
    # user (the session comes from the cache), count, page of documents with applicants and profiles, unread notifications
    with django_assert_num_queries(4):
        assert client.get(QUEUE_URL).status_code == 200


@pytest.mark.parametrize("ended, status", [("withdrawn", 404), ("rejected", 404), ("declined", 404),
                                           ("completed", 200)])
def test_the_host_loses_the_documents_when_the_application_ends(client, applicant, coordinator, ended, status):
    """A withdrawn or rejected applicant's passport is no longer the institution's to open."""
    ApplicationFactory(applicant=applicant, slot__listing__institution=coordinator.coordinator.institution,
                       status=ended)
    document = DocumentFactory(applicant=applicant, kind="passport")
    client.force_login(coordinator)
    response = client.get(download_url(document))
    assert response.status_code == status
    response.close()
