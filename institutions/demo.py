"""Demo institution for `make run`: a verified community hospital, its coordinator and preceptor.

The preceptor, Dr. Peter Okafor, has a full, verified profile and a generated photo (drawn here,
so the demo ships no image file), and teaches at the hospital through a membership.
"""

import io

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from core.specialties import Specialty

from .models import Coordinator, Degree, Institution, Preceptor, PreceptorMembership

DEMO_NPI = "1234567893"  # passes the check digit; a documentation example, not a real physician's


def seed_institution(*, coordinator, preceptor_user) -> tuple[Institution, Preceptor]:
    institution, _ = Institution.objects.update_or_create(
        name="Brookside Community Hospital", city="Columbus", state="OH",
        defaults={"kind": Institution.Kind.COMMUNITY_HOSPITAL, "address": "1200 Brookside Avenue",
                  "zip_code": "43215", "website": "https://brookside.example.org"},
    )
    Institution.objects.filter(pk=institution.pk, verified_at__isnull=True).update(verified_at=timezone.now())
    Coordinator.objects.update_or_create(
        user=coordinator, defaults={"institution": institution, "title": "Rotation coordinator"}
    )
    preceptor, _ = Preceptor.objects.update_or_create(
        user=preceptor_user,
        defaults={"institution": institution, "full_name": "Peter Okafor", "credentials": "MD, FACP",
                  "email": preceptor_user.email, "specialty": Specialty.INTERNAL_MEDICINE,
                  "degree": Degree.MD, "board": "American Board of Internal Medicine", "board_year": 2011,
                  "npi": DEMO_NPI, "title": "Associate Program Director", "department": "Department of Medicine",
                  "languages": "English, Igbo, French",
                  "teaching_interests": "Bedside teaching, clinical reasoning, point-of-care ultrasound",
                  "bio": "Dr. Okafor trained in Lagos and Chicago and has supervised international "
                         "medical graduates at Brookside for over ten years.",
                  "status": Preceptor.Status.VERIFIED},
    )
    PreceptorMembership.objects.get_or_create(preceptor=preceptor, institution=institution)
    if not preceptor.photo:
        preceptor.photo.save("photo.jpg", ContentFile(_demo_photo()), save=False)
        preceptor.save(update_fields=["photo"])
    Preceptor.objects.filter(pk=preceptor.pk, verified_at__isnull=True).update(verified_at=timezone.now())
    preceptor.refresh_from_db()
    return institution, preceptor


def _demo_photo() -> bytes:
    """A plain portrait placeholder: initials on a coloured disc."""
    image = Image.new("RGB", (512, 512), "#dbe7f3")
    draw = ImageDraw.Draw(image)
    draw.ellipse((56, 56, 456, 456), fill="#1d5b8f")
    draw.text((256, 256), "PO", fill="white", anchor="mm", font_size=160)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()
