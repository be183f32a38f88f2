"""Demo applications for `make run`: the demo applicant applies twice and holds one offer.

Idempotent: an application is created only when the applicant has none on that slot. Everything
goes through the services, so the audit trail and the notifications look as after real use.
"""

from django.db.models import F
from django.utils import timezone

from rotations.demo import demo_listing

from .models import Application
from .services import application_submit, application_transition


def seed_applications(*, applicant, coordinator) -> None:
    _apply(applicant, coordinator, "Internal Medicine Observership", offer=True)
    _apply(applicant, coordinator, "Family Medicine Hands-on Externship", offer=False)


def _apply(applicant, coordinator, title: str, *, offer: bool) -> None:
    # Found by the demo's own key: a coordinator's listing under the same title is not the demo's.
    listing = demo_listing(title)
    if listing is None or Application.objects.filter(applicant=applicant, slot__listing=listing).exists():
        return
    # The first dates still open (the demo history adds past ones, and a round reserves others).
    slot = listing.slots.filter(application_deadline__gte=timezone.localdate(),
                                seats_taken__lt=F("capacity")).exclude(match_rounds__isnull=False).order_by("start_date").first()
    if slot is None:
        return
    application = application_submit(
        applicant=applicant, slot=slot,
        statement="I graduated in 2024 and want to learn how a US team cares for patients, "
                  "and to earn a letter for my residency application.")
    if offer and coordinator.coordinator.institution_id == slot.listing.institution_id:
        application_transition(application=application, action="offer", by=coordinator,
                               message="We would be glad to have you. Badge pick-up is on the first morning.")
