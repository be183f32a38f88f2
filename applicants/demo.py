"""Demo data for `make run`: the demo applicant's profile, documents and experience log.

Idempotent: the profile is updated in place; documents and the log entry are created only
when missing. Everything goes through the services, so the audit trail and the
notifications look as they would after real use.
"""

import io
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from reportlab.pdfgen import canvas

from .choices import EXPIRING_KINDS
from .models import Document, ExperienceEntry, Profile
from .services import document_review, document_upload

VERIFIED_KINDS = ["cv", "passport", "immunization", "health_insurance"]


def seed_applicant(*, applicant, admin) -> None:
    Profile.objects.update_or_create(user=applicant, defaults={
        "legal_name": "Amina Rahman", "citizenship": "BD", "medical_school": "Dhaka Medical College",
        "school_country": "BD", "stage": "graduate", "graduation_year": 2024, "ecfmg_status": "certified",
        "step1_status": "passed", "step2_status": "passed", "step2_score": 248, "visa_status": "b1",
        "languages": ["English", "Bengali"], "specialties": ["internal_medicine", "family_medicine"],
        "preferred_states": ["OH", "IL", "NY"], "budget_usd": 3000, "target_match_year": timezone.localdate().year + 2,
    })
    for kind in VERIFIED_KINDS + ["hipaa"]:
        if not Document.objects.filter(applicant=applicant, kind=kind).exists():
            expires = timezone.localdate() + timedelta(days=400) if kind in EXPIRING_KINDS else None
            document = document_upload(applicant=applicant, kind=kind, upload=_pdf(kind), expires_on=expires)
            if kind in VERIFIED_KINDS:
                document_review(document=document, by=admin, verified=True)
    ExperienceEntry.objects.get_or_create(applicant=applicant, application=None, institution="Dhaka Medical College Hospital",
                                          defaults={"start_date": date(2024, 1, 8), "end_date": date(2024, 3, 29),
                                                    "specialty": "internal_medicine", "setting": "inpatient",
                                                    "hours": 480, "supervisor": "Prof. S. Haque",
                                                    "duties": "Internship: ward rounds, admissions, night calls."})


def _pdf(kind: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, f"Demo document: {kind.replace('_', ' ')} of Amina Rahman")
    page.save()
    return SimpleUploadedFile(f"{kind}.pdf", buffer.getvalue(), content_type="application/pdf")
