"""The rule book for listings and slots: who may do what, and the moderation moves as one table.

Each predicate answers with a `Verdict`: truthy when allowed, else the refusal in words. Services
enforce them (`verdict.enforce()`), pages show the reason beside a disabled button, and the API
and tests ask them too, so the rule and its wording live here once.
"""

from dataclasses import dataclass

from accounts.models import Role
from core.verdict import YES, Verdict  # noqa: F401  (re-exported)
from institutions.selectors import coordinator_institution_id, preceptor_ids_teaching_at

from .choices import ListingStatus

EDITABLE_STATUSES = frozenset({ListingStatus.DRAFT, ListingStatus.RETURNED})


@dataclass(frozen=True)
class Move:
    """One move of the listing moderation machine, with every word a page says about it."""

    name: str
    sources: frozenset
    target: str
    actor: str  # "coordinator" (of the listing's institution; admins too) or "admin"
    label: str  # the button (the archive button adds the title)
    past: str  # "A listing that is … cannot be <past>."
    done: str  # the flash message; {title} is the listing's title
    refused: str = "{reasons}"  # the flash message when the service refuses; {title}, {reasons}
    confirm: str = ""  # what the page says before the button
    takes_message: bool = False  # the move needs a reason in words (for the coordinators)


_ANY_BUT_ARCHIVED = frozenset(set(ListingStatus) - {ListingStatus.ARCHIVED})

MOVES = {move.name: move for move in [
    Move("submit", EDITABLE_STATUSES, ListingStatus.SUBMITTED, "coordinator",
         label="Submit for review", past="submitted",
         done="“{title}” was submitted; an administrator will review it."),
    Move("publish", frozenset({ListingStatus.SUBMITTED}), ListingStatus.PUBLISHED, "admin",
         label="Publish", past="published", done="“{title}” was published.",
         refused="“{title}” was not published: {reasons}",
         confirm="Applicants will find it in search at once."),
    Move("return", frozenset({ListingStatus.SUBMITTED, ListingStatus.PUBLISHED}), ListingStatus.RETURNED,
         "admin", label="Return for changes", past="returned",
         done="“{title}” was returned to its coordinators.",
         refused="“{title}” was not returned to its coordinators: {reasons}", takes_message=True),
    Move("archive", _ANY_BUT_ARCHIVED, ListingStatus.ARCHIVED, "coordinator",
         label="Archive", past="archived", done="“{title}” was archived.",
         confirm="An archived listing leaves search, takes no new slots and cannot be edited again. "
                 "Slots already taken stay as they are."),
]}

# The table as (sources, target, actor), the shape the moderation tests walk through.
TRANSITIONS = {name: (move.sources, move.target, move.actor) for name, move in MOVES.items()}


def may_manage(user, institution_id: int) -> Verdict:
    """Coordinators of the institution, and admins, change its listings and slots."""
    if user.is_authenticated and user.role == Role.ADMIN:
        return YES
    if coordinator_institution_id(user) != institution_id:
        return Verdict("Only the institution's coordinators may change its listings.", forbidden=True)
    return YES


def may_edit_listing(user, listing) -> Verdict:
    """Coordinators edit only drafts and returned listings, so what an admin approved is what
    applicants see; an admin (in the Django admin) may correct any listing, approving as they go."""
    if not (verdict := may_manage(user, listing.institution_id)):
        return verdict
    if listing.pk and listing.status not in EDITABLE_STATUSES and user.role != Role.ADMIN:
        return Verdict("Only drafts and listings returned for changes can be edited.")
    return YES


def may_move(user, listing, move: Move) -> Verdict:
    """Who may make the move and from which states; the checks that read other rows are below."""
    if move.actor == "admin" and user.role != Role.ADMIN:
        return Verdict("Only an administrator may do this.", forbidden=True)
    if move.actor == "coordinator" and not (verdict := may_manage(user, listing.institution_id)):
        return verdict
    if listing.status not in move.sources:
        return Verdict(f"A listing that is {listing.get_status_display().lower()} cannot be {move.past}.")
    return YES


def move_ready(listing, move: Move) -> Verdict:
    """What the listing itself must hold before the move (asked under the service's row lock)."""
    if move.name == "publish" and not listing.institution.is_verified:
        return Verdict("The institution is not verified yet; verify it before publishing.")
    if move.name == "submit" and not listing.slots.exists():
        return Verdict("Add at least one slot before submitting the listing for review.")
    return YES


def moves_offered(user, listing, names) -> list[Move]:
    """The moves among `names` a page offers this user on this listing now."""
    return [MOVES[name] for name in names if may_move(user, listing, MOVES[name])]


def may_add_slots(user, listing) -> Verdict:
    if not (verdict := may_manage(user, listing.institution_id)):
        return verdict
    if listing.status == ListingStatus.ARCHIVED:
        return Verdict("An archived listing takes no new slots.")
    return YES


def may_delete_slot(user, slot) -> Verdict:
    """A slot people hold or applied to stays: its applicants planned travel around it."""
    if not (verdict := may_manage(user, slot.listing.institution_id)):
        return verdict
    if slot.seats_taken:
        return Verdict("A slot with taken seats cannot be deleted.")
    if slot.applications.exists():
        return Verdict("These dates have applications; they cannot be deleted.")
    return YES


def may_name_preceptors(institution_id, preceptors) -> Verdict:
    """A listing names only preceptors who teach at its institution (a confirmed membership)."""
    members = preceptor_ids_teaching_at(institution_id)
    if any(p.pk not in members for p in preceptors):
        return Verdict("Only the institution's own preceptors can be named.", field="preceptors")
    return YES
