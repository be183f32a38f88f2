"""Demo data for `make run`, composed from each app's own seeding, bottom of the stack first.

Idempotent: every row is found by its natural key and updated, so running it twice leaves the
same rows. Passwords are set only when a user is first created.
"""

from django.db import transaction

from accounts.demo import DEMO_PASSWORD, seed_users
from accounts.models import Role
from applicants.demo import seed_applicant
from institutions.demo import seed_institution
from matching.demo import seed_applications
from matching.demo_history import seed_history
from matching.demo_issued import seed_issued
from matching.demo_rounds import seed_rounds
from preceptors.demo import seed_reviews
from preceptors.demo_letters import seed_letters
from rotations.demo import seed_listings

__all__ = ["DEMO_PASSWORD", "seed_demo"]


@transaction.atomic
def seed_demo() -> list[tuple[str, str]]:
    """Create or refresh the demo rows; return (role, e-mail) of each demo login."""
    users = seed_users()
    institution, preceptor = seed_institution(coordinator=users[Role.COORDINATOR],
                                              preceptor_user=users[Role.PRECEPTOR])
    seed_listings(institution, preceptor)
    seed_applicant(applicant=users[Role.APPLICANT], admin=users[Role.ADMIN])
    seed_applications(applicant=users[Role.APPLICANT], coordinator=users[Role.COORDINATOR])
    seed_reviews(applicant=users[Role.APPLICANT], preceptor_user=users[Role.PRECEPTOR], admin=users[Role.ADMIN])
    seed_letters(applicant=users[Role.APPLICANT])
    seed_rounds(applicant=users[Role.APPLICANT], coordinator=users[Role.COORDINATOR], admin=users[Role.ADMIN])
    seed_history(coordinator=users[Role.COORDINATOR], admin=users[Role.ADMIN])
    seed_issued(applicant=users[Role.APPLICANT], admin=users[Role.ADMIN])
    return [(Role(role).label, user.email) for role, user in users.items()]
