"""The application state machine as one table: every move with its states, who makes it and its words.

The service makes the moves, `policies` says whether one is open, and the pages, the API and the
tests read their labels and messages here, so a move is described in one place only.
"""

from dataclasses import dataclass

from .models import Status

# The sides of a move: the application's applicant, the slot's coordinators, Rotamatch's admins,
# and the beat tasks (no person).
APPLICANT, COORDINATOR, ADMIN, SYSTEM = "applicant", "coordinator", "admin", "system"
S = Status


@dataclass(frozen=True)
class Move:
    action: str
    sources: frozenset[str]
    target: str
    actors: frozenset[str]
    label: str  # the button ("Offer a seat")
    past: str  # in a refusal: "An application that is withdrawn cannot be {past}."
    done: str = ""  # the message after a move made from a page; the system's moves have none
    confirm: str = ""  # the second step's button of a move that cannot be undone
    message: tuple[str, str] | None = None  # the review page's note: (label, who reads it)
    history: str = ""  # the move in the audit trail; the action capitalised when empty
    decides: bool = False  # the note is the host's message with the decision (kept on the application)
    frees_a_place: bool = False  # an offer or a seat given up here can go to the waitlist

    @property
    def final(self) -> bool:
        return bool(self.confirm)

    @property
    def confirm_label(self) -> str:
        return self.confirm or self.label

    @property
    def history_label(self) -> str:
        return self.history or self.action.capitalize()


def _move(action, sources, target, actors, label, past, **words) -> Move:
    return Move(action, frozenset(sources), target, frozenset(actors), label, past, **words)


KEPT_IN_HISTORY = "Kept in the history, which the applicant can read."
MOVES = {move.action: move for move in [
    _move("review", {S.SUBMITTED}, S.UNDER_REVIEW, {COORDINATOR}, "Start review", "reviewed",
          done="Review started.", message=("Note", KEPT_IN_HISTORY)),
    _move("offer", {S.SUBMITTED, S.UNDER_REVIEW, S.WAITLISTED}, S.OFFERED, {COORDINATOR}, "Offer a seat",
          "offered a seat", done="Seat offered.", decides=True,
          message=("Message with the offer", "Sent to the applicant with the offer.")),
    _move("waitlist", {S.SUBMITTED, S.UNDER_REVIEW}, S.WAITLISTED, {COORDINATOR}, "Waitlist", "waitlisted",
          done="Applicant waitlisted.", decides=True,
          message=("Message with the waitlisting", "Sent to the applicant.")),
    _move("reject", {S.SUBMITTED, S.UNDER_REVIEW, S.WAITLISTED}, S.REJECTED, {COORDINATOR}, "Reject", "rejected",
          done="Application rejected.", decides=True,
          message=("Message with the decision", "This is what the applicant reads with the decision.")),
    _move("withdraw", {S.SUBMITTED, S.UNDER_REVIEW, S.WAITLISTED, S.OFFERED}, S.WITHDRAWN, {APPLICANT},
          "Withdraw", "withdrawn", done="Application withdrawn.", confirm="Yes, withdraw my application",
          frees_a_place=True),
    _move("accept", {S.OFFERED}, S.ACCEPTED, {APPLICANT}, "Accept the offer", "accepted", done="Offer accepted."),
    _move("decline", {S.OFFERED}, S.DECLINED, {APPLICANT}, "Decline the offer", "declined",
          done="Offer declined.", confirm="Yes, decline the offer", frees_a_place=True),
    _move("expire", {S.OFFERED}, S.EXPIRED, {SYSTEM}, "Expire", "expired", done="Offer expired.",
          frees_a_place=True),
    _move("approve", {S.ACCEPTED}, S.APPROVED, {ADMIN}, "Approve the placement", "approved",
          done="Placement approved."),
    _move("cancel", {S.ACCEPTED, S.APPROVED}, S.CANCELLED, {APPLICANT, ADMIN}, "Cancel the placement", "cancelled",
          done="Placement cancelled.", confirm="Yes, cancel the placement", frees_a_place=True,
          message=("Reason for cancelling", KEPT_IN_HISTORY)),
    _move("complete", {S.APPROVED}, S.COMPLETED, {COORDINATOR}, "Mark completed", "marked completed",
          done="Placement marked completed."),
    # An open offer on dates whose last seat someone else accepted: back to the waitlist, so
    # nobody holds an offer that can no longer be accepted (see `services.requeue_surplus_offers`).
    _move("requeue", {S.OFFERED}, S.WAITLISTED, {SYSTEM}, "Back to the waitlist", "put back on the waitlist",
          history="Back to the waitlist", decides=True),
]}


def history_label(action: str) -> str:
    """The move as the audit trail names it; "submit" (no move of the table) and any action since
    retired are capitalised."""
    move = MOVES.get(action)
    return move.history_label if move else action.capitalize()
