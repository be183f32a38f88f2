"""Public listing pages: one listing, the side-by-side comparison, and an applicant's saved listings."""

from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.permissions import role_required
from applicants.readiness import readiness
from applicants.selectors import documents_visible_to, profile_of
from matching.selectors import applications_visible_to

from . import services
from .models import SavedListing, Slot
from .selectors import listings_public, listings_visible_to, with_slots

COMPARE_MAX = 4
COMPARE_SESSION_KEY = "compare_listing_ids"


@dataclass(frozen=True)
class SlotRow:
    """One line of the slots table; `reasons` and `application` only for a signed-in applicant."""

    slot: Slot
    can_apply: bool = False
    reasons: tuple[str, ...] = ()
    application: object = None


def _applicant_readiness(user, listing) -> dict:
    """The readiness panel and the slot rows, in three queries whatever the number of slots:
    the profile, the documents and the applicant's applications to this listing."""
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


def listing_detail(request, pk):
    """Every fact an applicant needs to decide; coordinators also preview their own drafts here.

    An applicant also sees whether they may apply (eligibility, then each required document) and,
    per slot, an Apply link, what stands in the way, or their application to it.
    """
    listing = get_object_or_404(with_slots(listings_visible_to(request.user)), pk=pk)
    saved = (request.user.is_authenticated
             and SavedListing.objects.filter(user=request.user, listing=listing).exists())
    is_applicant = request.user.is_authenticated and request.user.role == Role.APPLICANT
    return render(request, "rotations/listing/detail.html", {
        "listing": listing, "saved": saved,
        "in_compare": listing.pk in request.session.get(COMPARE_SESSION_KEY, []),
        **(_applicant_readiness(request.user, listing) if is_applicant
           else {"readiness": None, "slot_rows": [SlotRow(slot) for slot in listing.slots.all()]}),
    })


def _compare_ids(request) -> list[int]:
    """The listings to compare: from ?ids=1,2 (a shared link) or else this visitor's session."""
    raw = request.GET.get("ids")
    if raw is None:
        return request.session.get(COMPARE_SESSION_KEY, [])
    ids = [int(part) for part in raw.split(",") if part.strip().isdigit() and len(part) < 12]
    return list(dict.fromkeys(ids))[:COMPARE_MAX]


def compare(request):
    ids = _compare_ids(request)
    by_id = {listing.pk: listing for listing in with_slots(listings_public().filter(pk__in=ids))}
    listings = [by_id[i] for i in ids if i in by_id]
    share_ids = ",".join(str(listing.pk) for listing in listings)
    return render(request, "rotations/listing/compare.html", {"listings": listings, "share_ids": share_ids})


@require_POST
def compare_toggle(request, pk):
    listing = get_object_or_404(listings_public(), pk=pk)
    ids = request.session.get(COMPARE_SESSION_KEY, [])
    if listing.pk in ids:
        ids.remove(listing.pk)
        messages.success(request, f"“{listing.title}” removed from the comparison.")
    elif len(ids) >= COMPARE_MAX:
        messages.error(request, f"You can compare up to {COMPARE_MAX} listings; remove one first.")
    else:
        ids.append(listing.pk)
        messages.success(request, f"“{listing.title}” added to the comparison.")
    request.session[COMPARE_SESSION_KEY] = ids
    if request.POST.get("next") == "compare":
        return redirect("rotations:compare")
    return redirect("rotations:listing_detail", pk=pk)


@require_POST
@role_required(Role.APPLICANT)
def save_toggle(request, pk):
    listing = get_object_or_404(listings_public(), pk=pk)
    saved = services.listing_save_for_later(user=request.user, listing=listing,
                                            saved=request.POST.get("saved") == "1")
    messages.success(request, "Saved to your list." if saved else "Removed from your saved listings.")
    return redirect("rotations:listing_detail", pk=pk)


@role_required(Role.APPLICANT)
def saved_listings(request):
    listings = with_slots(listings_public().filter(saved_by__user=request.user).order_by("-saved_by__created_at"))
    return render(request, "rotations/listing/saved.html", {"listings": listings})


urlpatterns = [
    path("listings/<int:pk>/", listing_detail, name="listing_detail"),
    path("listings/<int:pk>/save/", save_toggle, name="listing_save"),
    path("listings/<int:pk>/compare/", compare_toggle, name="compare_toggle"),
    path("listings/compare/", compare, name="compare"),
    path("saved/", saved_listings, name="saved_listings"),
]
