"""Hostile files through the author's upload page, and the reminders that ERAS does not send."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification, OutgoingEmail, SentReminder
from preceptors import reminders
from preceptors import services_letters as services
from preceptors.models import LetterRequest, LetterStatus

from . import letter_pdfs
from .factories import letter_request, letter_uploaded, stored_files, uploaded

pytestmark = pytest.mark.django_db

HOSTILE = {
    "renamed executable": (letter_pdfs.renamed_executable, "Only a PDF"),
    "HTML behind a PDF header": (letter_pdfs.html_behind_pdf_header, "not a readable PDF"),
    "encrypted": (letter_pdfs.encrypted_pdf, "password"),
    "JavaScript": (letter_pdfs.javascript_pdf, "JavaScript"),
    "OpenAction JavaScript": (letter_pdfs.open_action_javascript_pdf, "JavaScript"),
    "launch action": (letter_pdfs.launch_pdf, "launch action"),
    "embedded file": (letter_pdfs.embedded_file_pdf, "embedded files"),
    "oversized": (letter_pdfs.oversized_pdf, "the limit is"),
}


def _upload_path(letter) -> str:
    return services.upload_link(letter)


@pytest.mark.parametrize("build, words", HOSTILE.values(), ids=HOSTILE.keys())
def test_each_hostile_file_is_refused_clearly_and_nothing_changes(client, build, words):
    letter = letter_request()
    before = stored_files()
    page = client.post(_upload_path(letter), {"confirm": "on", "file": uploaded(build(), name="letter.pdf")})
    assert page.status_code == 400
    assert words in page.text
    letter.refresh_from_db()
    assert (letter.status, letter.versions.count(), stored_files()) == (LetterStatus.REQUESTED, 0, before)
    assert client.get(_upload_path(letter)).status_code == 200  # the link still works


def test_a_clean_letter_from_the_builders_is_accepted(client):
    letter = letter_request()
    page = client.post(_upload_path(letter), {"confirm": "on", "file": uploaded(letter_pdfs.clean_letter_pdf(),
                                                                                 name="whatever.docx")})
    assert page.status_code == 302 and page.url == reverse("preceptors:letter_received")
    assert LetterRequest.objects.get(pk=letter.pk).status == LetterStatus.UPLOADED


def _age(letter, days):
    LetterRequest.objects.filter(pk=letter.pk).update(created_at=timezone.now() - timedelta(days=days))


def _reminders_to(letter):
    return OutgoingEmail.objects.filter(to=letter.author_email, kind="letter_reminder").count()


def test_the_author_is_reminded_on_days_7_14_and_21_each_once():
    letter = letter_request()
    _age(letter, 6)
    assert reminders.letters_to_write() == 0
    for days, expected in ((7, 1), (8, 1), (14, 2), (21, 3), (25, 3)):
        _age(letter, days)
        reminders.letters_to_write()
        reminders.letters_to_write()  # two beats at once, or a rerun: still once per stage
        assert _reminders_to(letter) == expected, days
    assert sorted(SentReminder.objects.filter(key=f"letter:{letter.pk}").values_list("stage", flat=True)) == [
        "day-14", "day-21", "day-7"]
    reminder = OutgoingEmail.objects.filter(kind="letter_reminder").first()
    assert letter.code in reminder.text_body and "/letters/upload/" in reminder.text_body


def test_no_reminder_once_the_letter_is_in_or_the_request_cancelled_or_the_link_dead():
    done, cancelled, dead = letter_uploaded(), letter_request(), letter_request()
    services.letter_cancel(letter=cancelled, by=cancelled.applicant)
    LetterRequest.objects.filter(pk=dead.pk).update(link_expires_at=timezone.now() - timedelta(hours=1))
    for letter in (done, cancelled, dead):
        _age(letter, 8)
    assert reminders.letters_to_write() == 0


def test_the_applicant_sees_when_each_reminder_went(client):
    letter = letter_request()
    _age(letter, 8)
    reminders.letters_to_write()
    client.force_login(letter.applicant)
    page = client.get(reverse("preceptors:letters")).text
    assert "Requested, reminded" in page
    assert timezone.localdate().strftime("%b %-d") in page


def test_the_applicant_hears_once_when_an_unused_link_is_about_to_expire():
    letter = letter_request()
    LetterRequest.objects.filter(pk=letter.pk).update(link_expires_at=timezone.now() + timedelta(days=2))
    assert reminders.letter_links_expiring() == 1
    assert reminders.letter_links_expiring() == 0
    notice = Notification.objects.get(user=letter.applicant, kind="letter_link_expiring")
    assert letter.code in notice.title
    # Sent again, the new link gets its own notice when it too runs out.
    services.letter_link_resend(letter=letter, by=letter.applicant)
    LetterRequest.objects.filter(pk=letter.pk).update(link_expires_at=timezone.now() + timedelta(days=1))
    assert reminders.letter_links_expiring() == 1


def test_the_applicant_is_told_when_the_letter_is_uploaded_without_a_link_to_it():
    letter = letter_uploaded(waived=True)
    notice = Notification.objects.get(user=letter.applicant, kind="letter_uploaded")
    assert notice.url == reverse("preceptors:letters")
    email = OutgoingEmail.objects.get(to=letter.applicant.email, kind="letter_uploaded")
    assert not re.search(r"/letters/(\d+/download|upload|shared)/", email.text_body + email.html_body)
