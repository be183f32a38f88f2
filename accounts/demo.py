"""Demo logins for `make run`: one user per role, with the shared demo password."""

from allauth.account.models import EmailAddress

from .models import Role, User

DEMO_PASSWORD = "rotamatch-demo"

DEMO_USERS = [
    ("admin@rotamatch.test", Role.ADMIN, "Ada", "Admin"),
    ("coordinator@rotamatch.test", Role.COORDINATOR, "Carla", "Mendes"),
    ("preceptor@rotamatch.test", Role.PRECEPTOR, "Peter", "Okafor"),
    ("applicant@rotamatch.test", Role.APPLICANT, "Amina", "Rahman"),
]


def seed_users() -> dict[str, User]:
    """Create or refresh one user per role; the password is set only when a user is first created."""
    return {role: _demo_user(email, role, first, last) for email, role, first, last in DEMO_USERS}


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
