"""Demo letters of recommendation for `make run`, for the demo applicant: a waived letter from
the demo preceptor and an unwaived one from an outside physician (both uploaded and shared with a
program that opened them), and a request that awaits its letter after two reminders.

Everything goes through the services, so the authors' e-mails (with their upload links) reach the
development mail folder as after real use. Idempotent: nothing is added once the applicant has a
letter request.
"""

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen import canvas

from accounts.models import User
from notifications.models import SentReminder
from notifications.reminders import remind_once

from .models import LetterAccess, LetterRequest
from .selectors_letters import letter_authors_for
from .services_letters import (
    letter_access_record,
    letter_author_remind,
    letter_request_create,
    letter_share_create,
    letter_upload,
)

PROGRAM = ("Mercy Hospital Internal Medicine Residency", "im-residency@mercy.example")


def seed_letters(*, applicant: User) -> None:
    preceptor = letter_authors_for(applicant).first()
    if preceptor is None or LetterRequest.objects.filter(applicant=applicant).exists():
        return
    name = applicant.get_full_name()
    waived = _uploaded(applicant, {"preceptor": preceptor, "waived": True, "specialty_label": "Internal Medicine",
                                   "message": "Thank you for the month on your team; a letter for IM programs would "
                                              "mean a great deal."}, author=preceptor.full_name, applicant_name=name)
    unwaived = _uploaded(applicant, {
        "author_name": "Dr. Ana Lima, MD", "author_email": "ana.lima@stmarys-clinic.example",
        "author_title": "Attending physician", "author_department": "Family Medicine", "waived": False,
        "specialty_label": "Family Medicine", "message": ""}, author="Ana Lima, MD", applicant_name=name)
    share = letter_share_create(applicant=applicant, letters=[waived, unwaived], program_name=PROGRAM[0],
                                recipient_email=PROGRAM[1])
    letter_access_record(kind=LetterAccess.Kind.VIEW, share=share, ip="198.51.100.23")
    letter_access_record(kind=LetterAccess.Kind.DOWNLOAD, share=share, request=waived,
                         version=waived.versions.first(), ip="198.51.100.23")
    _awaited_after_two_reminders(applicant)


def _uploaded(applicant, data, *, author: str, applicant_name: str) -> LetterRequest:
    letter = letter_request_create(applicant=applicant, data=data)
    pdf = SimpleUploadedFile("letter.pdf", _letter_pdf(author, applicant_name, letter.code), "application/pdf")
    letter_upload(letter=letter, upload=pdf, link_nonce=letter.link_nonce)
    letter.refresh_from_db()
    return letter


def _awaited_after_two_reminders(applicant) -> None:
    asked = timezone.now() - timedelta(days=15)
    letter = letter_request_create(applicant=applicant, now=asked, data={
        "author_name": "Dr. Samuel Reyes, DO", "author_email": "s.reyes@lakeside-med.example",
        "author_title": "Program faculty", "author_department": "Internal Medicine", "waived": True,
        "specialty_label": "Internal Medicine", "message": "I was your sub-intern in September."})
    for day in (7, 14):  # as beat would have sent them on those days
        remind_once(key=f"letter:{letter.pk}", stage=f"day-{day}", send=lambda: letter_author_remind(letter=letter))
        SentReminder.objects.filter(key=f"letter:{letter.pk}", stage=f"day-{day}").update(
            created_at=asked + timedelta(days=day))


def _letter_pdf(author: str, applicant_name: str, code: str) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=LETTER)
    pdf.setTitle(f"Letter of recommendation {code}")
    y = 720
    for line in ["To the Program Director:", "",
                 f"It is my pleasure to recommend {applicant_name}, who rotated with our team.",
                 "She took careful histories, presented clearly on rounds, and earned our patients' trust.",
                 "I recommend her without reservation.", "", "Sincerely,", author, f"Letter ID {code}"]:
        pdf.drawString(72, y, line)
        y -= 18
    pdf.save()
    return buffer.getvalue()
