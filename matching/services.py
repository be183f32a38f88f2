"""Business logic of applications: submitting one, and every move of its state machine.

`application_transition` is the only function that changes an application's status after it is
submitted; views, the API and the beat task that expires offers all call it.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from applicants.readiness import readiness
from applicants.selectors import profile_of
from applicants.services import experience_from_placement
from notifications import kinds
from notifications.services import notify
from rotations.models import Slot
from rotations.search_cache import listings_changed
from rotations.selectors import listings_public

from . import policies
from .models import Application, ApplicationEvent, Status
from .moves import MOVES, Move
from .selectors import seat_counts, waitlist_of

LOCK_TIMEOUT = "5s"
STATEMENT_MAX = 5000


def application_submit(*, applicant: User, slot: Slot, statement: str) -> Application:
    """Apply to an open slot of a public listing, if eligible and holding the required documents.

    Side effects: an `ApplicationEvent` ("submit"); notifications to the applicant (receipt) and
    to the institution's coordinators.
    """
    if applicant.role != Role.APPLICANT:
        raise PermissionDenied("Only applicants apply to rotations.")
    statement = statement.strip()
    if "\x00" in statement:
        raise ValidationError({"statement": "The statement contains a character that cannot be stored."})
    if not statement:
        raise ValidationError({"statement": "Write a short statement: why this rotation?"})
    if len(statement) > STATEMENT_MAX:
        raise ValidationError({"statement": f"Keep the statement under {STATEMENT_MAX} characters."})
    slot = Slot.objects.select_related("listing", "listing__institution").get(pk=slot.pk)
    if not listings_public().filter(pk=slot.listing_id).exists():
        raise ValidationError("This rotation is not open to applications.")
    if slot.application_deadline < timezone.localdate():
        raise ValidationError("The application deadline for these dates has passed.")
    if slot.seats_left <= 0:
        raise ValidationError("These dates are full.")
    if refusal := policies.reserved_for_round(slot):
        raise ValidationError(refusal)
    check = readiness(profile=profile_of(applicant), documents=applicant.documents.all(),
                      listing=slot.listing, slot=slot)
    if not check.can_apply:
        problems = check.eligibility + [f"{c.label}: {c.problem}" for c in check.documents if c.blocking]
        raise ValidationError(problems)
    try:
        with transaction.atomic():
            application = Application.objects.create(applicant=applicant, slot=slot, statement=statement)
            _record(application, "submit", "", applicant, "")
            _notify(application, "submit", applicant)
    except IntegrityError:
        raise ValidationError("You have applied to these dates already.") from None
    return application


def application_transition(*, application: Application, action: str, by: User | None,
                           message: str = "") -> Application:
    """Make one move of the table (`moves.MOVES`) on an application, in one transaction.

    Asks `policies` whether `by` may make it (None is the system: the beat tasks), from this
    state and now; a refusal is PermissionDenied for who, ValidationError for the rest. Locks the
    slot row, then the application, so that seat-taking moves serialise per slot (and always in
    the same order: no deadlocks). Then: sets the new status (and the offer deadline on `offer`),
    records an `ApplicationEvent`, adds a completed placement to the experience log, tells the
    search cache that seats changed, and notifies the people concerned (see `_notify`). The
    database itself counts seats (trigger) and refuses more than the capacity (constraint).
    """
    if action not in MOVES:
        raise ValidationError(f"Unknown action {action!r}.")
    move = MOVES[action]
    if refusal := policies.who_refusal(move, policies.sides_of(application, by)):
        raise PermissionDenied(refusal)
    message = _checked_message(message)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            slot = _locked_slot(application.slot_id)
            # Only the application's own row: locking the joined user row too would make logins
            # and notifications of the applicant wait for the move.
            application = Application.objects.select_for_update(no_key=True, of=("self",)).select_related(
                "applicant").get(pk=application.pk)
            application.slot = slot
            if refusal := policies.state_refusal(move, application.status):
                raise ValidationError(refusal)
            _check_rules(application, move, by)
            previous = application.status
            _apply(application, move, message)
            _record(application, action, previous, by, message)
            if action == "complete":
                experience_from_placement(application=application)
            if action == "cancel":
                from .services_issued import revoke_on_cancel  # its letter stops being valid with it

                revoke_on_cancel(application)
            if move.target in Status.holding_a_seat() or previous in Status.holding_a_seat():
                transaction.on_commit(listings_changed)
            _notify(application, action, by, previous)
    except OperationalError as error:
        if getattr(error.__cause__, "pgcode", None) == "55P03":  # lock_not_available
            raise ValidationError("Someone else is changing this slot right now; try again.") from None
        raise
    except IntegrityError as error:
        if "slot_never_oversold" in str(error):
            raise ValidationError(policies.SEAT_TAKEN) from None
        raise
    return application


def _locked_slot(slot_id: int) -> Slot:
    """The slot row, locked until the transaction ends: the moves on one slot queue here.

    `of=("self",)` locks the slot alone, not the listing and institution it is read with (which
    would queue every move of the whole institution); `no_key` lets new applications, which
    only reference the slot, be inserted meanwhile.
    """
    return Slot.objects.select_for_update(no_key=True, of=("self",)).select_related(
        "listing__institution").get(pk=slot_id)


def _checked_message(message: str) -> str:
    message = message.strip()
    if "\x00" in message:
        raise ValidationError({"message": "The message contains a character that cannot be stored."})
    if len(message) > STATEMENT_MAX:
        raise ValidationError({"message": f"Keep the message under {STATEMENT_MAX} characters."})
    return message


def _check_rules(application: Application, move: Move, by: User | None) -> None:
    """The policy's rules of the moment, with the facts it leaves to the caller: the applicant's
    overlapping placement (looked up under the lock) and the document checks."""
    clash = checks = None
    if move.action == "accept":
        clash = _overlapping_placement(application)
    if move.action == "approve":
        slot = application.slot
        checks = readiness(profile=profile_of(application.applicant),
                           documents=application.applicant.documents.all(), listing=slot.listing, slot=slot)
    if refusal := policies.rule_refusal(move, application, by, timezone.now(), clash=clash, checks=checks):
        details = checks.eligibility + [f"{c.label}: {c.problem}" for c in checks.document_problems] if checks else []
        raise ValidationError([refusal, *details])


# The advisory-lock namespace of "one applicant's placements" (any constant unique to this use).
_PLACEMENTS_LOCK = 5_001


def _overlapping_placement(application: Application) -> Application | None:
    """The applicant's placement (accepted or approved) whose dates overlap this one's, if any.

    Two accepts by one applicant on two slots hold two different slot locks, so they serialise
    on a per-applicant advisory lock instead (held to the end of the transaction; it blocks
    nothing else, unlike a lock on the user row).
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_PLACEMENTS_LOCK, application.applicant_id])
    slot = application.slot
    return (Application.objects.filter(applicant_id=application.applicant_id,
                                       status__in=[Status.ACCEPTED, Status.APPROVED],
                                       slot__start_date__lte=slot.end_date, slot__end_date__gte=slot.start_date)
            .exclude(pk=application.pk).select_related("slot__listing__institution").first())


def _apply(application: Application, move: Move, message: str) -> None:
    now = timezone.now()
    application.status, application.status_changed_at = move.target, now
    fields = ["status", "status_changed_at"]
    if move.action == "offer":
        application.offer_deadline = policies.offer_deadline(application.slot, now)
        fields.append("offer_deadline")
    if move.action == "waitlist" or (move.action == "requeue" and application.waitlisted_at is None):
        application.waitlisted_at = now  # one waitlisted before the offer keeps their place
        fields.append("waitlisted_at")
    if move.decides:
        # The host's message belongs to this decision: an earlier note (a waitlisting's) must not
        # reappear under an offer made without one.
        application.message = message
        fields.append("message")
    application.save(update_fields=fields)


def _record(application: Application, action: str, previous: str, by: User | None, message: str) -> None:
    ApplicationEvent.objects.create(application=application, action=action, from_status=previous,
                                    to_status=application.status, by=by, message=message)


def application_offer_next(*, slot: Slot, by: User, message: str = "") -> Application:
    """Offer a free seat to the first applicant on the slot's waitlist.

    Only for a seat that nobody holds or has been offered: the button offers one seat per click,
    so a double click or a resubmitted form must not make a second offer for the same seat.
    Checked under the slot's lock (the offer itself re-takes it: same transaction, same order).
    """
    if refusal := policies.who_offers_seats(slot, by):
        raise PermissionDenied(refusal)
    with transaction.atomic():
        slot = _locked_slot(slot.pk)
        if refusal := policies.can_offer_next(slot, timezone.now(), **seat_counts(slot)):
            raise ValidationError(refusal)
        return application_transition(application=waitlist_of(slot).first(), action="offer", by=by,
                                      message=message)


def expire_offers() -> int:
    """Expire every offer past its deadline; safe to run twice or in two workers at once."""
    return _system_moves(Application.objects.filter(status=Status.OFFERED, offer_deadline__lt=timezone.now()),
                         "expire")


def requeue_surplus_offers() -> int:
    """Put every open offer on full dates back on the waitlist; safe to run twice or at once.

    A host may offer more people than there are seats; the first to accept takes each seat, and
    the others' offers would otherwise stay open though they can no longer be accepted.
    """
    # Offers already past their deadline are left to `expire_offers`: they lapsed, nobody took them.
    return _system_moves(Application.objects.filter(status=Status.OFFERED, offer_deadline__gte=timezone.now(),
                                                    slot__seats_taken__gte=F("slot__capacity")),
                         "requeue")


def _system_moves(due, action: str) -> int:
    """Make the system's `action` on each application of `due`; count those it changed.

    Each is its own locked transition that re-checks the rules, so one answered, withdrawn or
    moved by another worker since `due` was read is refused and skipped.
    """
    moved = 0
    for application in due.only("pk", "slot_id"):
        try:
            application_transition(application=application, action=action, by=None)
            moved += 1
        except ValidationError:
            continue
    return moved


# Giving up one of these frees a place for the waitlist; withdrawing a mere application does not.
_HELD_PLACES = {Status.OFFERED, *Status.holding_a_seat()}


def _notify(application: Application, action: str, by: User | None, previous: str = "") -> None:
    """Tell the people concerned: the applicant of a move made by someone else; the coordinators
    of moves made by the applicant, an admin or the system (with the waitlist's length when an
    offer or a seat was given up); the admins of a placement to approve."""
    context = {"application": application, "action": action, "slot": application.slot,
               "listing": application.slot.listing, "by": by}
    if by is None or by.pk != application.applicant_id or action == "submit":
        notify(user=application.applicant, kind=kinds.APPLICATION_STATUS, context=context,
               url=reverse("matching:application", args=[application.pk]))
    if by is None or by.role != Role.COORDINATOR:
        waitlisted = 0
        if action in MOVES and MOVES[action].frees_a_place and previous in _HELD_PLACES:
            waitlisted = Application.objects.filter(slot=application.slot, status=Status.WAITLISTED).count()
        coordinators = User.objects.filter(
            coordinator__institution_id=application.slot.listing.institution_id, is_active=True)
        for user in coordinators:
            notify(user=user, kind=kinds.APPLICATION_ACTIVITY, context={**context, "waitlisted": waitlisted},
                   url=reverse("matching:review", args=[application.pk]))
    if action == "accept":
        for admin in User.objects.filter(role=Role.ADMIN, is_active=True):
            notify(user=admin, kind=kinds.PLACEMENT_TO_APPROVE, context=context,
                   url=reverse("matching:approval_queue"))
