"""Demo data for `make run`: one login per role, institutions, a preceptor, listings, applications.

Idempotent: every row is found by its natural key and updated, so running it twice leaves the
same rows. Passwords are set only when a user is first created.
"""

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from applicants.demo import seed_applicant
from preceptors.models import Preceptor
from rotations.demo import seed_listings
from rotations.models import Coordinator, Institution

from .models import Role, User

DEMO_PASSWORD = "rotamatch-demo"

DEMO_USERS = [
    ("admin@rotamatch.test", Role.ADMIN, "Ada", "Admin"),
    ("coordinator@rotamatch.test", Role.COORDINATOR, "Carla", "Mendes"),
    ("preceptor@rotamatch.test", Role.PRECEPTOR, "Peter", "Okafor"),
    ("applicant@rotamatch.test", Role.APPLICANT, "Amina", "Rahman"),
]


@transaction.atomic
def seed_demo() -> list[tuple[str, str]]:
    """Create or refresh the demo rows; return (role, e-mail) of each demo login."""
    institution, _ = Institution.objects.update_or_create(
        name="Brookside Community Hospital", city="Columbus", state="OH",
        defaults={"kind": Institution.Kind.COMMUNITY_HOSPITAL, "address": "1200 Brookside Avenue",
                  "zip_code": "43215", "website": "https://brookside.example.org"},
    )
    Institution.objects.filter(pk=institution.pk, verified_at__isnull=True).update(verified_at=timezone.now())
    users = {role: _demo_user(email, role, first, last) for email, role, first, last in DEMO_USERS}
    Coordinator.objects.update_or_create(
        user=users[Role.COORDINATOR], defaults={"institution": institution, "title": "Rotation coordinator"}
    )
    preceptor, _ = Preceptor.objects.update_or_create(
        user=users[Role.PRECEPTOR],
        defaults={"institution": institution, "full_name": "Peter Okafor", "credentials": "MD",
                  "email": users[Role.PRECEPTOR].email, "specialty": "Internal Medicine"},
    )
    Preceptor.objects.filter(pk=preceptor.pk, verified_at__isnull=True).update(verified_at=timezone.now())
    seed_listings(institution, preceptor)
    seed_applicant(applicant=users[Role.APPLICANT], coordinator=users[Role.COORDINATOR], admin=users[Role.ADMIN])
    return [(Role(role).label, user.email) for role, user in users.items()]


def _demo_user(email: str, role: Role, first_name: str, last_name: str) -> User:
    is_admin = role == Role.ADMIN
    user, created = User.objects.update_or_create(
        email=email,
        defaults={"role": role, "first_name": first_name, "last_name": last_name,
                  "is_staff": is_admin, "is_superuser": is_admin, "is_active": True},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user
