"""Business logic for listings and slots: saving, moderation, saving for later."""

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from notifications import kinds
from notifications.services import notify

from . import policies
from .choices import Specialty
from .hooks import slot_dates_held
from .models import Listing, SavedListing, Slot
from .search_cache import listings_changed
from .seat_warnings import surplus_offers_warning


def listing_save(*, listing: Listing, by: User, preceptors=None) -> Listing:
    """Create or update a listing of the user's institution and refresh its search document.

    Only drafts and returned listings are edited: a listing under review or published changes
    only through moderation, so what an admin approved is what applicants see.
    """
    policies.may_edit_listing(by, listing).enforce()
    listing.full_clean(exclude=["search_vector"])
    if preceptors is not None:
        policies.may_name_preceptors(listing.institution_id, preceptors).enforce()
    with transaction.atomic():
        listing.save()
        if preceptors is not None:
            listing.preceptors.set(preceptors)
        listings_refresh_search(ids=[listing.pk])
    transaction.on_commit(listings_changed)
    return listing


# One statement for one listing or a hundred thousand: title and specialty weigh most, then the
# institution and city, then the description. The title and head parts are its weight-A and
# weight-A-and-B lexemes (search's relevance tiers).
_SEARCH_DOCUMENT_SQL = """
    WITH documents AS (
        SELECT l.id, setweight(to_tsvector('english', l.title), 'A')
                     || setweight(to_tsvector('english', s.label), 'A')
                     || setweight(to_tsvector('english', i.name || ' ' || l.city), 'B')
                     || setweight(to_tsvector('english', l.description), 'C') AS document
        FROM rotations_listing AS l
        JOIN institutions_institution AS i ON i.id = l.institution_id
        JOIN unnest(%(codes)s::text[], %(labels)s::text[]) AS s(code, label) ON s.code = l.specialty
        {only}
    )
    UPDATE rotations_listing AS l SET search_vector = d.document,
        search_title = ts_filter(d.document, '{{a}}'), search_head = ts_filter(d.document, '{{a,b}}')
    FROM documents AS d WHERE d.id = l.id
"""


def listings_refresh_search(*, ids=None) -> None:
    """Rebuild the weighted full-text documents of these listings (all of them without ids)."""
    params = {"codes": list(Specialty.values), "labels": [label for _, label in Specialty.choices]}
    only = ""
    if ids is not None:
        only = "WHERE l.id = ANY(%(ids)s)"
        params["ids"] = list(ids)
    with connection.cursor() as cursor:
        cursor.execute(_SEARCH_DOCUMENT_SQL.format(only=only), params)


def listings_refresh_next_start() -> int:
    """Move `next_start` past slots that have started, and `seats_open` past deadlines that have
    passed (the slot trigger cannot see days pass); return how many listings were refreshed."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM (SELECT rotations_listing_refresh_slot_facts(id) "
                       "FROM rotations_listing WHERE next_start < rotations_site_today() "
                       "OR seats_open_until < rotations_site_today()) AS refreshed")
        return cursor.fetchone()[0]


def listing_transition(*, listing: Listing, action: str, by: User, reason: str = "") -> Listing:
    """Move a listing through moderation: submit, publish, return (with a reason) or archive.

    Checks the move against `policies.MOVES` and who may make it (coordinators of the listing's
    institution; admins for every move), saves with update_fields, notifies (admins of a
    submission, the institution's coordinators of a publication or a return), and after commit
    tells the search cache.
    """
    if action not in policies.MOVES:
        raise ValidationError(f"Unknown action {action!r}.")
    move = policies.MOVES[action]
    policies.may_move(by, listing, move).enforce()
    with transaction.atomic():
        listing = Listing.objects.select_for_update().select_related("institution").get(pk=listing.pk)
        policies.may_move(by, listing, move).enforce()  # again: the state may have moved meanwhile
        policies.move_ready(listing, move).enforce()
        if move.takes_message and not reason.strip():
            raise ValidationError({"reason": "Say what needs to change."})
        listing.status = move.target
        listing.save(update_fields=["status", "updated_at", *_stamp(listing, action, reason)])
        _notify_transition(listing, action)
        transaction.on_commit(listings_changed)
    return listing


def _stamp(listing: Listing, action: str, reason: str) -> list[str]:
    """Set what a move records beside the status; return those fields."""
    if action == "submit":
        listing.submitted_at, listing.return_reason = timezone.now(), ""
        return ["submitted_at", "return_reason"]
    if action == "publish":
        listing.published_at = timezone.now()
        return ["published_at"]
    if action == "return":
        listing.return_reason = reason.strip()
        return ["return_reason"]
    return []


def _notify_transition(listing: Listing, action: str) -> None:
    context = {"listing": listing}
    if action == "submit":
        for admin in User.objects.filter(role=Role.ADMIN, is_active=True):
            notify(user=admin, kind=kinds.LISTING_SUBMITTED, context=context,
                   url=reverse("rotations:moderation"))
    elif action in ("publish", "return"):
        kind = kinds.LISTING_PUBLISHED if action == "publish" else kinds.LISTING_RETURNED
        for user in User.objects.filter(coordinator__institution_id=listing.institution_id, is_active=True):
            notify(user=user, kind=kind, context=context,
                   url=reverse("rotations:coordinator_listing", args=[listing.pk]))


def slot_save(*, slot: Slot, by: User) -> Slot:
    """Create or update a slot of one of the user's institution's listings.

    The saved slot's `warnings` (a list of sentences, empty as a rule) say what the coordinator
    should know though the save went through: more open offers than free seats.
    """
    policies.may_add_slots(by, slot.listing).enforce()
    slot.warnings = []
    with transaction.atomic():
        if slot.pk:
            # seats_taken belongs to the database's seat count (matching's trigger): read it under
            # the row lock and never write it back from a possibly stale form.
            slot.seats_taken, *saved_dates = Slot.objects.select_for_update().values_list(
                "seats_taken", "start_date", "end_date").get(pk=slot.pk)
            if slot.capacity is not None and slot.capacity < slot.seats_taken:
                raise ValidationError({"capacity": "Fewer seats than are already taken."})
            _check_dates_kept(slot, *saved_dates)
            # Read under the lock, so no acceptance can slip between the count and the save.
            slot.warnings = [warning] if (warning := surplus_offers_warning(slot)) else []
        slot.full_clean()
        slot.save()  # Slot.save never writes seats_taken back on an update
    transaction.on_commit(listings_changed)
    return slot


def _check_dates_kept(slot: Slot, start, end) -> None:
    """Applicants applied to, were offered, or hold a placement on these exact dates (and planned
    travel and visas around them): once anyone is in play (or completed them), the dates stay as
    they are. `start` and `end` are the saved dates."""
    if (start, end) == (slot.start_date, slot.end_date):
        return
    if slot_dates_held(slot):
        message = ("Applicants have applied to, been offered or been placed on these dates, so they "
                   "cannot be moved: add new dates instead (write to Rotamatch to move a placement).")
        raise ValidationError({"start_date" if start != slot.start_date else "end_date": message})


def slot_delete(*, slot: Slot, by: User) -> None:
    policies.may_delete_slot(by, slot).enforce()
    slot.delete()
    transaction.on_commit(listings_changed)


def listing_save_for_later(*, user: User, listing: Listing, saved: bool) -> bool:
    """Save (or unsave) a public listing for an applicant; return whether it is saved now."""
    if saved:
        SavedListing.objects.get_or_create(user=user, listing=listing)
    else:
        SavedListing.objects.filter(user=user, listing=listing).delete()
    return saved
