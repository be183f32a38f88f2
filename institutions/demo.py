"""Demo institution for `make run`: a verified community hospital, its coordinator and preceptor."""

from django.utils import timezone

from .models import Coordinator, Institution, Preceptor


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
        defaults={"institution": institution, "full_name": "Peter Okafor", "credentials": "MD",
                  "email": preceptor_user.email, "specialty": "Internal Medicine"},
    )
    Preceptor.objects.filter(pk=preceptor.pk, verified_at__isnull=True).update(verified_at=timezone.now())
    return institution, preceptor
