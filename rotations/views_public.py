"""Public listing pages: one listing, the side-by-side comparison, and an applicant's saved listings."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.permissions import role_required

from . import services
from .hooks import listing_page_parts
from .models import SavedListing
from .selectors import listings_public, listings_visible_to, with_slots

COMPARE_MAX = 4
COMPARE_SESSION_KEY = "compare_listing_ids"


def listing_detail(request, pk):
    """Every fact an applicant needs to decide; coordinators also preview their own drafts here.

    An applicant also sees whether they may apply (eligibility, then each required document) and,
    per slot, an Apply link, what stands in the way, or their application to it.
    """
    listing = get_object_or_404(with_slots(listings_visible_to(request.user)), pk=pk)
    saved = (request.user.is_authenticated
             and SavedListing.objects.filter(user=request.user, listing=listing).exists())
    # What an applicant may do on each slot comes from matching (registered in rotations.hooks);
    # everyone else sees the plain rows.
    context = listing_page_parts(request, listing)
    context.setdefault("readiness", None)
    if "slot_rows" not in context:
        context["slot_rows"] = [{"slot": slot} for slot in listing.slots.all()]
    return render(request, "rotations/listing/detail.html", {
        **context, "listing": listing, "saved": saved,
        "in_compare": listing.pk in request.session.get(COMPARE_SESSION_KEY, []),
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
