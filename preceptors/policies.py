"""The preceptors app's rule book: who may review or evaluate a placement and when, the sealed
reveal, and the moderation of reviews and responses as one table of moves.

Each predicate answers None when the act is open, else the refusal in the words its user reads;
the services enforce them, the pages and the API ask them, and the tests walk them.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import Role
from institutions.models import Coordinator, Preceptor
from matching.models import Status

from .models import Evaluation, LetterStatus, Review, ReviewStatus

NOT_YOURS = "You may not do this."
AUTHOR, ADMIN, HOST = "author", "admin", "host"  # the sides of a moderation move
R = ReviewStatus


# Windows (dates of the rotation's end, in the site's time zone)

def review_closes(application) -> date:
    return application.slot.end_date + timedelta(days=settings.REVIEW_WINDOW_DAYS)


def seal_ends(application) -> date:
    return application.slot.end_date + timedelta(days=settings.REVIEW_SEAL_DAYS)


def evaluation_opens(application) -> date:
    return application.slot.end_date - timedelta(days=settings.EVALUATION_OPENS_DAYS_BEFORE_END)


def evaluation_closes(application) -> date:
    return application.slot.end_date + timedelta(days=settings.EVALUATION_WINDOW_DAYS)


# Who belongs to the placement's host

def is_placement_preceptor(application, user) -> bool:
    return user.is_authenticated and user.role == Role.PRECEPTOR and application.slot.listing.preceptors.filter(
        user=user).exists()


def is_placement_coordinator(application, user) -> bool:
    return user.is_authenticated and user.role == Role.COORDINATOR and Coordinator.objects.filter(
        user=user, institution_id=application.slot.listing.institution_id).exists()


def belongs_to_host(application, user) -> bool:
    """A coordinator or a preceptor of the placement's institution: never a reviewer of it."""
    institution_id = application.slot.listing.institution_id
    return (Coordinator.objects.filter(user=user, institution_id=institution_id).exists()
            or Preceptor.objects.filter(user=user, institution_id=institution_id).exists())


# The sealed reveal

def is_revealed(application, now: datetime) -> bool:
    """The placement's review and evaluation are revealed together: once both are submitted, or
    `REVIEW_SEAL_DAYS` after the rotation's end, whichever comes first."""
    if timezone.localdate(now) >= seal_ends(application):
        return True
    return (Review.objects.filter(application=application).exists()
            and Evaluation.objects.filter(application=application).exists())


# Reviewing

def can_review(application, user, now: datetime) -> str | None:
    if not user.is_authenticated or user.pk != application.applicant_id:
        return NOT_YOURS
    if application.status != Status.COMPLETED:
        return "Only a completed placement can be reviewed."
    if belongs_to_host(application, user):
        return "No one reviews their own institution."
    if Review.objects.filter(application=application).exists():
        return "You have reviewed this placement already."
    closes = review_closes(application)
    if timezone.localdate(now) > closes:
        return f"The time to review this placement ended on {closes:%b %-d, %Y}."
    return None


def can_respond(review, user, *, host: bool | None = None) -> str | None:
    """One public response per review, by a preceptor of the listing or a coordinator of its
    institution, once the review is published. `host`: already known (a list of the host's
    reviews), so no query per review."""
    application = review.application
    if host is None:
        host = is_placement_preceptor(application, user) or is_placement_coordinator(application, user)
    if not host:
        return NOT_YOURS
    if review.status != R.PUBLISHED:
        return "Only a published review can be answered."
    if hasattr(review, "response"):
        return "This review has a response already."
    return None


# Evaluating

def can_evaluate(application, user, now: datetime, *, correction: bool = False) -> str | None:
    """From the rotation's last week until `EVALUATION_WINDOW_DAYS` after its end; a correction
    (a new version) within the same window."""
    if not is_placement_preceptor(application, user):
        return NOT_YOURS
    if application.status not in (Status.APPROVED, Status.COMPLETED):
        return "Only an approved or completed placement is evaluated."
    today, opens, closes = timezone.localdate(now), evaluation_opens(application), evaluation_closes(application)
    if today < opens:
        return f"The evaluation opens on {opens:%b %-d, %Y}, in the rotation's last week."
    if today > closes:
        return f"The time to evaluate this placement ended on {closes:%b %-d, %Y}."
    submitted = Evaluation.objects.filter(application=application).exists()
    if submitted and not correction:
        return "This placement is evaluated already; submit a correction instead."
    if correction and not submitted:
        return "There is no evaluation to correct yet."
    return None


# Moderation: one table

@dataclass(frozen=True)
class Move:
    action: str
    sources: frozenset[str]
    target: str
    actors: frozenset[str]
    label: str
    past: str


MODERATION = {move.action: move for move in [
    Move("approve", frozenset({R.PENDING}), R.PUBLISHED, frozenset({ADMIN}), "Publish", "published"),
    Move("reject", frozenset({R.PENDING}), R.REJECTED, frozenset({ADMIN}), "Reject", "rejected"),
    # The author edits a rejected review and sends it back to moderation, once.
    Move("resubmit", frozenset({R.REJECTED}), R.PENDING, frozenset({AUTHOR}), "Edit and resubmit", "resubmitted"),
]}
# A response is moderated like a review; its author does not resubmit.
RESPONSE_MODERATION = {action: MODERATION[action] for action in ("approve", "reject")}


def sides_of(review, user) -> set[str]:
    sides = set()
    if user.is_authenticated and user.pk == review.application.applicant_id:
        sides.add(AUTHOR)
    if user.is_authenticated and user.role == Role.ADMIN:
        sides.add(ADMIN)
    return sides


def moderation_refusal(move: Move, status: str, sides: set[str]) -> str | None:
    if not move.actors & sides:
        return NOT_YOURS
    if status not in move.sources:
        return f"A review that is {ReviewStatus(status).label.lower()} cannot be {move.past}."
    return None


def can_moderate(review, action: str, user, *, reason: str = "") -> str | None:
    if action not in MODERATION:
        return f"Unknown action {action!r}."
    move = MODERATION[action]
    if refusal := moderation_refusal(move, review.status, sides_of(review, user)):
        return refusal
    if action == "reject" and not reason:
        return "Choose the reason from the content policy."
    if action == "resubmit" and review.resubmitted:
        return "A rejected review can be edited and resubmitted once only."
    return None


# Letters of recommendation. The waiver is kept here: a waived letter is never readable by its
# applicant, coordinators never read letters, admins only with a recorded reason.

LETTER_NUDGE_EVERY = timedelta(days=7)


def is_letter_author(letter, user) -> bool:
    """The preceptor the letter was asked of, or a preceptor signed in with the author's e-mail."""
    if not user.is_authenticated or user.role != Role.PRECEPTOR:
        return False
    if letter.preceptor_id and letter.preceptor.user_id == user.pk:
        return True
    return letter.author_email.lower() == user.email.lower()


def applicant_may_read_letter(letter, user) -> bool:
    return (user.is_authenticated and user.pk == letter.applicant_id and not letter.waived
            and letter.status == LetterStatus.UPLOADED)


def can_download_letter(letter, user) -> bool:
    """Admins do not download here: they open a letter with a reason (`can_open_letter_as_admin`)."""
    return letter.status == LetterStatus.UPLOADED and (
        applicant_may_read_letter(letter, user) or is_letter_author(letter, user))


def can_open_letter_as_admin(letter, user, reason: str) -> str | None:
    if not user.is_authenticated or user.role != Role.ADMIN:
        return NOT_YOURS
    if letter.status != LetterStatus.UPLOADED:
        return "There is no letter to open."
    if not reason.strip():
        return "Say why you open this letter; the reason is recorded."
    return None


def can_request_letters(user) -> str | None:
    if not user.is_authenticated or user.role != Role.APPLICANT:
        return "Only applicants ask for letters."
    return None


def _applicants_own(letter, user) -> str | None:
    return None if user.is_authenticated and user.pk == letter.applicant_id else NOT_YOURS


def can_cancel_letter(letter, user) -> str | None:
    if refusal := _applicants_own(letter, user):
        return refusal
    if letter.status != LetterStatus.REQUESTED:
        return "Only a request without a letter can be cancelled."
    return None


def can_change_waiver(letter, user) -> str | None:
    if refusal := _applicants_own(letter, user):
        return refusal
    if letter.status != LetterStatus.REQUESTED:
        return "The waiver cannot change once the letter is uploaded."
    return None


def can_resend_letter_link(letter, user) -> str | None:
    """A new link (the old one stops working) while the letter is awaited. Once it is uploaded,
    the author's confirmation carries the link for a replacement."""
    if refusal := _applicants_own(letter, user):
        return refusal
    if letter.status != LetterStatus.REQUESTED:
        return "The link can be sent again only while the letter is awaited."
    return None


def can_nudge_author(letter, user, now: datetime) -> str | None:
    """One extra reminder at most once a week, while the letter is awaited and the link works."""
    if refusal := _applicants_own(letter, user):
        return refusal
    if letter.status != LetterStatus.REQUESTED:
        return "Only an author whose letter is awaited can be reminded."
    if letter.link_expires_at <= now:
        return "The upload link has expired: send the link again instead."
    if letter.nudged_at and now < (again := letter.nudged_at + LETTER_NUDGE_EVERY):
        return f"You reminded the author on {letter.nudged_at:%b %-d}; you can again from {again:%b %-d}."
    return None


def letter_upload_refusal(letter) -> str | None:
    """Whether a letter may be uploaded now (a first one, or a new version)."""
    if letter.status == LetterStatus.CANCELLED:
        return "The applicant cancelled this request; there is nothing to upload."
    if letter.status == LetterStatus.REMOVED:
        return "This letter was removed by Rotamatch's administrators."
    return None


def can_share_letters(letters, user) -> str | None:
    if refusal := can_request_letters(user):
        return refusal
    if not letters:
        return "Choose at least one letter to share."
    if len(letters) > settings.LETTER_SHARE_MAX:
        return f"A program receives at most {settings.LETTER_SHARE_MAX} letters from you."
    if any(letter.applicant_id != user.pk for letter in letters):
        return NOT_YOURS
    if any(letter.status != LetterStatus.UPLOADED for letter in letters):
        return "Only uploaded letters can be shared."
    return None


def share_refusal(share, now: datetime) -> str | None:
    """Why a program's link no longer opens, in words for the program."""
    if share.revoked_at:
        return f"The applicant withdrew these letters on {timezone.localtime(share.revoked_at):%B %-d, %Y}."
    if share.expires_at <= now:
        expired = timezone.localtime(share.expires_at)
        return f"This link expired on {expired:%B %-d, %Y}. Ask the applicant to share the letters again."
    return None
