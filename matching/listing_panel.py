"""What an applicant sees on a listing's page: may they apply, and per slot what stands in the way.

Registered with rotations (rotations/hooks.py), whose listing page cannot import this app.
"""

from dataclasses import dataclass

from accounts.models import Role
from applicants.readiness import readiness
from applicants.selectors import documents_visible_to, profile_of
from rotations.models import Slot

from .selectors import applications_visible_to


@dataclass(frozen=True)
class SlotRow:
    """One line of the slots table; `reasons` and `application` only for a signed-in applicant."""

    slot: Slot
    can_apply: bool = False
    reasons: tuple[str, ...] = ()
    application: object = None


def listing_page_part(request, listing) -> dict:
    """The readiness panel and the slot rows; for an applicant in three queries whatever the number
    of slots: the profile, the documents and the applicant's applications to this listing."""
    user = request.user
    if not (user.is_authenticated and user.role == Role.APPLICANT):
        return {"readiness": None, "slot_rows": [SlotRow(slot) for slot in listing.slots.all()]}
    profile = profile_of(user)
    documents = list(documents_visible_to(user))
    applied = {a.slot_id: a for a in applications_visible_to(user).filter(slot__listing=listing)}
    rows = []
    for slot in listing.slots.all():
        check = readiness(profile=profile, documents=documents, listing=listing, slot=slot)
        reasons = ["You are not eligible: see above."] if check.eligibility else []
        reasons += [f"{c.label}: {c.problem}" for c in check.documents if c.blocking]
        rows.append(SlotRow(slot, check.can_apply, tuple(reasons), applied.get(slot.pk)))
    return {"readiness": readiness(profile=profile, documents=documents, listing=listing),
            "slot_rows": rows}
