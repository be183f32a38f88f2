"""Letters of recommendation: the request, the author's link (prefetch-proof, used up by the upload
only), versions, cancellation, the admins' removal, and the applicant's view of a waived letter."""

import re
from datetime import timedelta

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutgoingEmail
from preceptors import services_letters as services
from preceptors.models import LetterRequest, LetterStatus, LetterVersion

from .factories import (
    AdminFactory,
    UserFactory,
    completed_placement,
    letter_request,
    letter_uploaded,
    pdf_bytes,
    stored_files,
    uploaded,
)

pytestmark = pytest.mark.django_db


def _link_in(email: OutgoingEmail) -> str:
    return re.search(r"https?://\S+(/letters/upload/\S+/)", email.text_body).group(1)


def _author_emails(letter):
    return OutgoingEmail.objects.filter(to=letter.author_email).order_by("id")


def _post_letter(client, url, data=None):
    return client.post(url, {"confirm": "on", "file": uploaded(data or pdf_bytes("My letter"), name="letter.pdf")})


def test_request_emails_the_author_the_letter_id_waiver_message_and_link():
    letter = letter_request(waived=True)
    email = _author_emails(letter).get()
    assert re.fullmatch(r"LOR-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", letter.code)
    for expected in (letter.code, "Internal Medicine", "WAIVED", "Thank you for the month on your team.",
                     letter.applicant.get_full_name()):
        assert expected in email.text_body
    assert _link_in(email)


def test_opening_the_link_never_uses_it_up_only_the_upload_does(client):
    letter = letter_request()
    link = _link_in(_author_emails(letter).get())
    for _ in range(3):  # a mail scanner, the preview pane, the author
        page = client.get(link)
        assert page.status_code == 200
        assert letter.code in page.text and letter.applicant.get_full_name() in page.text
    assert _post_letter(client, link).status_code == 302
    letter.refresh_from_db()
    assert (letter.status, letter.versions.count()) == (LetterStatus.UPLOADED, 1)
    # The same link again: refused, and nothing is added.
    again = _post_letter(client, link)
    assert again.status_code == 410 and "used" in again.text
    assert letter.versions.count() == 1


def test_the_confirmation_brings_a_new_link_for_a_replacement_which_adds_a_version(client):
    letter = letter_request()
    _post_letter(client, _link_in(_author_emails(letter).get()))
    confirmation = _author_emails(letter).last()
    assert "received" in confirmation.subject
    assert _post_letter(client, _link_in(confirmation), pdf_bytes("Second version")).status_code == 302
    assert list(letter.versions.values_list("number", flat=True)) == [2, 1]  # both kept, newest first


def test_an_expired_link_is_refused():
    letter = letter_request()
    LetterRequest.objects.filter(pk=letter.pk).update(link_expires_at=timezone.now() - timedelta(minutes=1))
    token = _link_in(_author_emails(letter).get()).split("/")[-2]
    assert "expired" in services.letter_from_token(token)[1]


def test_a_link_signed_longer_ago_than_the_period_is_refused_even_if_renewed_later(settings):
    letter = letter_request()
    token = _link_in(_author_emails(letter).get()).split("/")[-2]
    settings.LETTER_LINK_DAYS = 0
    assert "expired" in services.letter_from_token(token, now=timezone.now())[1]


def test_a_tampered_or_foreign_link_is_refused(client):
    mine, other = letter_request(), letter_request()
    token = _link_in(_author_emails(mine).get()).split("/")[-2]
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert client.get(reverse("preceptors:letter_upload", args=[tampered])).status_code == 404
    # A payload naming the other request, signed with another salt, is refused too.
    forged = signing.dumps({"l": other.pk, "n": other.link_nonce}, compress=True)
    assert _post_letter(client, reverse("preceptors:letter_upload", args=[forged])).status_code == 404
    assert not LetterVersion.objects.exists()


def test_a_link_for_one_request_cannot_upload_to_another(client):
    first, second = letter_request(), letter_request()
    _post_letter(client, _link_in(_author_emails(first).get()))
    assert (first.versions.count(), second.versions.count()) == (1, 0)


def test_sending_the_link_again_renews_it_and_retires_the_old_one(client):
    letter = letter_request()
    old = _link_in(_author_emails(letter).get())
    LetterRequest.objects.filter(pk=letter.pk).update(link_expires_at=timezone.now() + timedelta(days=1))
    services.letter_link_resend(letter=letter, by=letter.applicant)
    letter.refresh_from_db()
    assert letter.link_expires_at > timezone.now() + timedelta(days=29)
    assert client.get(old).status_code == 410
    assert client.get(_link_in(_author_emails(letter).last())).status_code == 200


def test_a_refused_file_stores_nothing_and_leaves_the_request_pending(client):
    letter = letter_request()
    link = _link_in(_author_emails(letter).get())
    before = stored_files()
    page = client.post(link, {"confirm": "on", "file": uploaded(b"MZ\x90\x00 not a letter", name="letter.pdf")})
    assert page.status_code == 400 and "Only a PDF" in page.text
    letter.refresh_from_db()
    assert (letter.status, stored_files()) == (LetterStatus.REQUESTED, before)
    assert client.get(link).status_code == 200  # the link still works


def test_the_author_must_confirm_before_uploading(client):
    letter = letter_request()
    page = client.post(_link_in(_author_emails(letter).get()), {"file": uploaded(pdf_bytes(), name="letter.pdf")})
    assert page.status_code == 400
    assert not letter.versions.exists()


def test_the_applicant_cancels_a_request_without_a_letter_and_the_link_dies(client):
    letter = letter_request()
    link = _link_in(_author_emails(letter).get())
    services.letter_cancel(letter=letter, by=letter.applicant)
    assert client.get(link).status_code == 410
    uploaded_letter = letter_uploaded()
    with pytest.raises(ValidationError):
        services.letter_cancel(letter=uploaded_letter, by=uploaded_letter.applicant)


def test_the_waiver_is_recorded_and_frozen_once_the_letter_is_uploaded():
    letter = letter_request(waived=True)
    services.letter_waiver_set(letter=letter, by=letter.applicant, waived=False)
    letter.refresh_from_db()
    assert letter.waived is False
    done = letter_uploaded(waived=True)
    with pytest.raises(ValidationError, match="cannot change"):
        services.letter_waiver_set(letter=done, by=done.applicant, waived=False)


def test_the_waiver_must_be_chosen():
    placement = completed_placement()
    with pytest.raises(ValidationError) as error:
        services.letter_request_create(applicant=placement.applicant, data={
            "preceptor": placement.slot.listing.preceptors.first(), "specialty_label": "IM", "waived": None})
    assert "waived" in error.value.error_dict


def test_only_preceptors_of_the_applicants_completed_placements_are_offered():
    placement, stranger = completed_placement(), completed_placement()
    with pytest.raises(PermissionDenied):
        letter_request(applicant=placement.applicant, preceptor=stranger.slot.listing.preceptors.first())


def test_any_physician_by_email(client):
    applicant = UserFactory()
    letter = letter_request(applicant=applicant, author_name="Dr. Ana Lima, MD", author_email="lima@clinic.example",
                            author_title="Attending", author_department="Medicine")
    assert _author_emails(letter).get().to == "lima@clinic.example"


def test_the_applicant_nudges_at_most_once_a_week():
    letter = letter_request()
    services.letter_nudge(letter=letter, by=letter.applicant)
    with pytest.raises(ValidationError, match="reminded"):
        services.letter_nudge(letter=letter, by=letter.applicant)
    services.letter_nudge(letter=letter, by=letter.applicant, now=timezone.now() + timedelta(days=7, minutes=1))
    assert _author_emails(letter).count() == 3


def test_the_applicant_of_a_waived_letter_sees_uploaded_and_cannot_download(client):
    letter = letter_uploaded(waived=True)
    client.force_login(letter.applicant)
    page = client.get(reverse("preceptors:letters"))
    assert "Uploaded on" in page.text and letter.code in page.text
    assert reverse("preceptors:letter_download", args=[letter.pk]) not in page.text
    assert client.get(reverse("preceptors:letter_download", args=[letter.pk])).status_code == 404


def test_the_applicant_downloads_an_unwaived_letter_and_it_is_recorded(client):
    letter = letter_uploaded(waived=False)
    client.force_login(letter.applicant)
    response = client.get(reverse("preceptors:letter_download", args=[letter.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")
    assert (response["Content-Disposition"].startswith("attachment"), response["X-Content-Type-Options"],
            response["Cache-Control"]) == (True, "nosniff", "no-store, private")
    assert letter.accesses.get().user == letter.applicant


def test_coordinators_never_see_letters(client, coordinator):
    letter = letter_uploaded(waived=False)
    client.force_login(coordinator)
    assert client.get(reverse("preceptors:letter_download", args=[letter.pk])).status_code == 404


def test_a_signed_in_preceptor_finds_the_request_on_the_dashboard_and_uploads_there(client):
    letter = letter_request()
    author = letter.preceptor.user
    client.force_login(author)
    assert letter.code in client.get(reverse("preceptors:dashboard")).text
    response = _post_letter(client, reverse("preceptors:author_letter", args=[letter.pk]))
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == LetterStatus.UPLOADED and letter.versions.get().uploaded_by == author


def test_only_an_admin_removes_an_uploaded_letter_with_a_reason(django_capture_on_commit_callbacks):
    letter = letter_uploaded()
    name = letter.versions.get().file.name
    with pytest.raises(PermissionDenied):
        services.letter_remove(letter=letter, by=letter.applicant, reason="no")
    admin = AdminFactory()
    with pytest.raises(ValidationError):
        services.letter_remove(letter=letter, by=admin, reason=" ")
    assert name in stored_files()
    with django_capture_on_commit_callbacks(execute=True):
        services.letter_remove(letter=letter, by=admin, reason="The author asked us to withdraw it.")
    letter.refresh_from_db()
    assert (letter.status, letter.removal_reason, letter.removed_by) == (
        LetterStatus.REMOVED, "The author asked us to withdraw it.", admin)
    assert not letter.versions.exists()
    assert name not in stored_files()


def test_an_admin_opens_a_letter_only_with_a_recorded_reason(client):
    letter = letter_uploaded()
    admin = AdminFactory()
    client.force_login(admin)
    refused = client.post(reverse("preceptors:admin_letter_open", args=[letter.pk]), {"reason": ""})
    assert refused.status_code == 302 and not letter.accesses.exists()
    opened = client.post(reverse("preceptors:admin_letter_open", args=[letter.pk]), {"reason": "A program asked."})
    assert opened.status_code == 200
    assert letter.accesses.get().reason == "A program asked."
