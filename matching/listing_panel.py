"""What an applicant sees on a listing's page: may they apply, and per slot what stands in the way.

Registered with rotations (rotations/hooks.py), whose listing page cannot import this app.
"""

from dataclasses import dataclass

from django.utils import timezone

from accounts.models import Role
from applicants.readiness import readiness
from applicants.selectors import documents_visible_to, profile_of
from rotations.models import Slot

from .models_rounds import MatchRound, RoundStatus
from .recommend import FILTERS, why_not
from .selectors import applications_visible_to


@dataclass(frozen=True)
class SlotRow:
    """One line of an applicant's slots table: may they apply, what stands in the way, their application."""

    slot: Slot
    can_apply: bool = False
    reasons: tuple[str, ...] = ()
    application: object = None


def listing_page_part(request, listing) -> dict:
    """For an applicant, the readiness panel and the slot rows, in three queries whatever the number
    of slots: the profile, the documents and the applicant's applications to this listing. Other
    visitors get the listing page's own plain rows."""
    user = request.user
    if not (user.is_authenticated and user.role == Role.APPLICANT):
        return {}
    profile = profile_of(user)
    documents = list(documents_visible_to(user))
    applied = {a.slot_id: a for a in applications_visible_to(user).filter(slot__listing=listing)}
    # Slots in a running match round take rank lists, not applications (one more query).
    reserved = dict(MatchRound.objects.filter(slots__listing=listing, status__in=RoundStatus.running())
                    .values_list("slots", "name"))
    rows = []
    for slot in listing.slots.all():
        check = readiness(profile=profile, documents=documents, listing=listing, slot=slot)
        reasons = ["You are not eligible: see above."] if check.eligibility else []
        reasons += [f"{c.label}: {c.problem}" for c in check.documents if c.blocking]
        if slot.pk in reserved:
            reasons.insert(0, f"Reserved for the match round “{reserved[slot.pk]}”: rank it there.")
        rows.append(SlotRow(slot, check.can_apply and slot.pk not in reserved, tuple(reasons), applied.get(slot.pk)))
    # "Why not this one?": the recommendations' hard filters, for each slot (one query).
    # The eligibility filter's reason is said precisely (which visa, which exam), as the panel does.
    filtered = why_not(profile, listing.slots.filter(start_date__gte=timezone.localdate()))
    listing_check = readiness(profile=profile, documents=documents, listing=listing)
    precise = {FILTERS["eligible"]: " ".join(listing_check.eligibility) or FILTERS["eligible"]}
    return {"readiness": listing_check, "slot_rows": rows,
            "why_not": [(row.slot, [precise.get(reason, reason) for reason in filtered[row.slot.pk]])
                        for row in rows if row.slot.pk in filtered]}
