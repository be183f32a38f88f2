"""Reads of listings and slots, scoped to the user who asks."""

from django.db.models import Prefetch

from accounts.models import Role
from institutions.selectors import coordinator_institution_id

from .choices import ListingStatus
from .models import Listing, Slot


def listings_public():
    """Published listings of verified institutions: what anyone may see."""
    return Listing.objects.filter(status=ListingStatus.PUBLISHED, institution__verified_at__isnull=False)


def listings_managed_by(user):
    """The listings a user may manage: admins all, a coordinator their institution's, others none."""
    if user.is_authenticated and user.role == Role.ADMIN:
        return Listing.objects.all()
    institution_id = coordinator_institution_id(user)
    if institution_id is None:
        return Listing.objects.none()
    return Listing.objects.filter(institution_id=institution_id)


def listings_visible_to(user):
    """Public listings plus those the user manages (drafts of their own institution)."""
    return (listings_public() | listings_managed_by(user)).distinct()


def slots_managed_by(user):
    return Slot.objects.filter(listing__in=listings_managed_by(user))


def with_slots(listings):
    """Listings with their institution and slots loaded in a constant number of queries."""
    return listings.select_related("institution").prefetch_related(
        Prefetch("slots", queryset=Slot.objects.order_by("start_date", "id")), "preceptors")
