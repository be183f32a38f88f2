"""Matching's rule book: who may make which move of an application, and why not now.

Each predicate answers None when the move is open, else the refusal in the words its user reads.
The service enforces them (under the slot's lock), the pages hide or disable a button with the
same words, and the API and the tests ask them too; nothing else decides which moves are open.
Facts that need a lock or a query of their own (an overlapping placement, the document checks,
the waitlist's length) are passed in by the caller.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.models import Role
from institutions.selectors import coordinator_institution_id

from .models import Status
from .models_rounds import MatchRound, RoundStatus
from .moves import ADMIN, APPLICANT, COORDINATOR, MOVES, SYSTEM, Move
from .rounds import ADMIN as ROUND_ADMIN
from .rounds import ROUND_MOVES
from .rounds import SYSTEM as ROUND_SYSTEM

# The state in a refusal ("An application that is under review cannot be approved.").
STATE_WORDS = {status: status.value.replace("_", " ") for status in Status}
NOT_YOURS = "You may not make this move on this application."
NEEDS_A_PERSON = "This move needs a person."
SEAT_TAKEN = "The last seat on these dates was just taken."


# Who

def sides_of(application, user) -> set[str]:
    """The sides of the table `user` plays on this application (None is the system)."""
    if user is None:
        return {SYSTEM}
    sides = set()
    if user.pk == application.applicant_id:
        sides.add(APPLICANT)
    if user.role == Role.ADMIN:
        sides.add(ADMIN)
    if user.role == Role.COORDINATOR and (
            coordinator_institution_id(user) == application.slot.listing.institution_id):
        sides.add(COORDINATOR)
    return sides


def who_refusal(move: Move, sides: set[str]) -> str | None:
    """Why these sides may never make this move (the service answers 403 with it)."""
    if move.actors & sides:
        return None
    return NEEDS_A_PERSON if sides == {SYSTEM} else NOT_YOURS


# From which state

def state_refusal(move: Move, status: str) -> str | None:
    if status in move.sources:
        return None
    if status == move.target:  # a double click, or a form sent again
        return f"Nothing to do: this application is {STATE_WORDS[move.target]} already."
    return f"An application that is {STATE_WORDS[status]} cannot be {move.past}."


def moves_open_to(status: str, side: str) -> list[Move]:
    """The moves of the table `side` may make from `status`, before the rules of the moment."""
    return [move for move in MOVES.values() if status in move.sources and side in move.actors]


# The rules of the moment

def offer_deadline(slot, now: datetime) -> datetime:
    """The slot's offer-validity days from now, but never later than the eve of the rotation."""
    eve = timezone.make_aware(datetime.combine(slot.start_date - timedelta(days=1), time(23, 59)))
    return min(now + timedelta(days=slot.offer_valid_days), eve)


def can_offer(slot, now: datetime) -> str | None:
    if slot.start_date <= timezone.localdate(now):
        return "These dates have started; no more offers can be made."
    if slot.seats_left <= 0:
        return "No seats are left on these dates; waitlist the applicant instead."
    if offer_deadline(slot, now) <= now:
        return "These dates start tomorrow: an offer could not be answered in time."
    return None


def can_offer_next(slot, now: datetime, *, offers_out: int, waitlisted: int) -> str | None:
    """Whether a seat nobody holds or has been offered can go to the first on the waitlist: one
    seat per click, so a double click must not make a second offer for the same seat."""
    if slot.seats_left > 0 and slot.seats_left <= offers_out:
        return (f"Every free seat on these dates already has an open offer "
                f"({offers_out} waiting for an answer).")
    if waitlisted == 0:
        return "Nobody is on the waitlist for these dates."
    return can_offer(slot, now)


def can_accept(application, user, now: datetime, *, clash=None) -> str | None:
    """`clash`: the applicant's placement on overlapping dates, which the service looks up under
    its lock (the pages leave it to the service)."""
    slot = application.slot
    if application.offer_deadline < now:
        deadline = timezone.localtime(application.offer_deadline)
        return f"This offer expired on {deadline:%b %-d, %Y at %-I:%M %p}."
    if slot.seats_left <= 0:
        return SEAT_TAKEN
    if clash is not None:
        listing = clash.slot.listing
        return (f"You already have a placement on overlapping dates: \"{listing.title}\" at "
                f"{listing.institution.name}, {clash.slot.start_date:%b %-d} – {clash.slot.end_date:%b %-d, %Y}. "
                f"Cancel it first, or decline this offer.")
    return None


def can_expire(application, now: datetime) -> str | None:
    return "This offer is still open." if application.offer_deadline >= now else None


def can_requeue(application, now: datetime) -> str | None:
    if application.slot.seats_left > 0:
        return "These dates still have a free seat; the offer stands."
    if application.offer_deadline < now:
        return "This offer has lapsed; it expires instead."
    return None


def can_approve(checks) -> str | None:
    """`checks`: the applicant's readiness for the slot; the details are its problems."""
    if not checks.all_verified or checks.eligibility:
        return "Not every check passes; verify the documents first."
    return None


def can_cancel(application, user, now: datetime) -> str | None:
    # Once the rotation has begun, walking away is for Rotamatch to record (it frees the seat
    # and ends the way to completion); the applicant writes to us.
    if user is not None and user.pk == application.applicant_id and (
            application.slot.start_date <= timezone.localdate(now)):
        return "The rotation has started; write to Rotamatch to cancel the placement."
    return None


def can_complete(application, now: datetime) -> str | None:
    if application.slot.end_date >= timezone.localdate(now):
        return "A placement can be marked completed once its end date has passed."
    return None


def rule_refusal(move: Move, application, user, now: datetime, *, clash=None, checks=None) -> str | None:
    """Why the move, open from this state to this user, cannot be made now; `checks` is needed
    for `approve` only."""
    match move.action:
        case "offer":
            return can_offer(application.slot, now)
        case "accept":
            return can_accept(application, user, now, clash=clash)
        case "expire":
            return can_expire(application, now)
        case "requeue":
            return can_requeue(application, now)
        case "approve":
            return can_approve(checks)
        case "cancel":
            return can_cancel(application, user, now)
        case "complete":
            return can_complete(application, now)
    return None


def who_offers_seats(slot, user) -> str | None:
    """Only the slot's coordinators offer its seats to the waitlist."""
    if user.role == Role.COORDINATOR and coordinator_institution_id(user) == slot.listing.institution_id:
        return None
    return "Only the institution's coordinators offer its seats."


# Match rounds (the table of moves is `rounds.ROUND_MOVES`)

RANK_LIST_MAX = 20


def round_move_refusal(match_round, action: str, user, now: datetime) -> str | None:
    """Whether `user` (None: the beat task) may make this move of the round now."""
    move = ROUND_MOVES.get(action)
    if move is None:
        return f"Unknown action {action!r}."
    side = ROUND_SYSTEM if user is None else (ROUND_ADMIN if user.role == Role.ADMIN else None)
    if side not in move.actors:
        return "Only Rotamatch's administrators run match rounds."
    if match_round.status not in move.sources:
        return f"A round that is {match_round.get_status_display().lower()} cannot be {move.past}."
    # The beat task keeps the calendar; an admin may open or run early, but closes no earlier than
    # the deadline that applicants were promised.
    if action == "open" and side == ROUND_SYSTEM and now < match_round.ranking_opens_at:
        return "Ranking opens later."
    if action == "close" and now < match_round.ranking_deadline:
        return f"Ranking stays open until the deadline, {timezone.localtime(match_round.ranking_deadline):%b %-d, %H:%M}."
    if action == "run" and side == ROUND_SYSTEM and now < match_round.match_at:
        return "The match date has not come."
    if action == "publish" and match_round.run_step not in ("", "Done", "Failed"):
        return "The match is running again: publish once it is done."
    return None


def ranking_refusal(match_round, now: datetime) -> str | None:
    """Whether rank lists may change now (applicants' and coordinators' alike)."""
    if match_round.status == RoundStatus.DRAFT or (
            match_round.status == RoundStatus.RANKING_OPEN and now < match_round.ranking_opens_at):
        return "Ranking has not opened yet."
    if match_round.status != RoundStatus.RANKING_OPEN or now >= match_round.ranking_deadline:
        deadline = timezone.localtime(match_round.ranking_deadline)
        return f"The ranking deadline passed on {deadline:%b %-d, %Y at %H:%M}; rank lists can no longer change."
    return None


def can_rank_as_applicant(match_round, user, now: datetime) -> str | None:
    if not user.is_authenticated or user.role != Role.APPLICANT:
        return "Only applicants rank slots."
    return ranking_refusal(match_round, now)


def can_rank_slot(match_round, slot, user, now: datetime) -> str | None:
    if not user.is_authenticated or user.role != Role.COORDINATOR or (
            coordinator_institution_id(user) != slot.listing.institution_id):
        return "Only the institution's coordinators rank its slot's applicants."
    return ranking_refusal(match_round, now)


def reserved_for_round(slot) -> str | None:
    """A slot in a running round takes no ordinary applications until the results are out."""
    name = MatchRound.objects.filter(slots=slot, status__in=RoundStatus.running()).values_list("name", flat=True).first()
    if name is None:
        return None
    return f"These dates are reserved for the match round “{name}” until its results are published."


# Documents issued from a placement (invitation letters, certificates)

def _hosts_or_admin(application, user) -> bool:
    if not user.is_authenticated:
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.COORDINATOR and coordinator_institution_id(user) == application.slot.listing.institution_id


def can_read_issued(application, user) -> bool:
    """The applicant, the institution's coordinators and admins; nobody else."""
    return user.is_authenticated and (user.pk == application.applicant_id or _hosts_or_admin(application, user))


def issue_refusal(application, kind: str, user) -> str | None:
    from .models_issued import IssuedKind

    if not can_read_issued(application, user):
        return NOT_YOURS
    if kind == IssuedKind.INVITATION and application.status != Status.APPROVED:
        return "An invitation letter is issued for an approved placement."
    if kind == IssuedKind.CERTIFICATE and application.status != Status.COMPLETED:
        return "A certificate is issued once the placement is marked completed."
    return None


def revoke_refusal(document, user) -> str | None:
    if not _hosts_or_admin(document.application, user):
        return NOT_YOURS
    if document.revoked_at:
        return "This document is revoked already."
    return None


def choose_signatory_refusal(user, coordinator) -> str | None:
    """Only an institution's own coordinators choose which of them signs the documents its
    applicants issue."""
    if user.is_authenticated and coordinator_institution_id(user) == coordinator.institution_id:
        return None  # coordinator_institution_id is None for anyone but a coordinator
    return "Only the institution's coordinators choose who signs its documents."
