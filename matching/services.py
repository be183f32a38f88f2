"""Business logic of applications: submitting one, and every move of its state machine.

`application_transition` is the only function that changes an application's status after it is
submitted; views, the API and the beat task that expires offers all call it.
"""

from datetime import datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from applicants.readiness import readiness
from applicants.selectors import profile_of
from applicants.services import experience_from_placement
from institutions.selectors import coordinator_institution_id
from notifications import kinds
from notifications.services import notify
from rotations.models import Slot
from rotations.search_cache import listings_changed
from rotations.selectors import listings_public

from .models import Application, ApplicationEvent, Status

APPLICANT, COORDINATOR, ADMIN, SYSTEM = "applicant", "coordinator", "admin", "system"
S = Status

# action → (states it starts from, state it ends in, who may make it)
TRANSITIONS = {
    "review": ({S.SUBMITTED}, S.UNDER_REVIEW, {COORDINATOR}),
    "offer": ({S.SUBMITTED, S.UNDER_REVIEW, S.WAITLISTED}, S.OFFERED, {COORDINATOR}),
    "waitlist": ({S.SUBMITTED, S.UNDER_REVIEW}, S.WAITLISTED, {COORDINATOR}),
    "reject": ({S.SUBMITTED, S.UNDER_REVIEW, S.WAITLISTED}, S.REJECTED, {COORDINATOR}),
    "withdraw": ({S.SUBMITTED, S.UNDER_REVIEW, S.WAITLISTED, S.OFFERED}, S.WITHDRAWN, {APPLICANT}),
    "accept": ({S.OFFERED}, S.ACCEPTED, {APPLICANT}),
    "decline": ({S.OFFERED}, S.DECLINED, {APPLICANT}),
    "expire": ({S.OFFERED}, S.EXPIRED, {SYSTEM}),
    "approve": ({S.ACCEPTED}, S.APPROVED, {ADMIN}),
    "cancel": ({S.ACCEPTED, S.APPROVED}, S.CANCELLED, {APPLICANT, ADMIN}),
    "complete": ({S.APPROVED}, S.COMPLETED, {COORDINATOR}),
    # An open offer on dates whose last seat someone else accepted: back to the waitlist, so
    # nobody holds an offer that can no longer be accepted (see `requeue_surplus_offers`).
    "requeue": ({S.OFFERED}, S.WAITLISTED, {SYSTEM}),
}
ACTION_LABELS = {
    "review": "Start review", "offer": "Offer a seat", "waitlist": "Waitlist", "reject": "Reject",
    "withdraw": "Withdraw", "accept": "Accept the offer", "decline": "Decline the offer",
    "expire": "Expire", "approve": "Approve the placement", "cancel": "Cancel the placement",
    "complete": "Mark completed", "requeue": "Back to the waitlist",
}
# Moves after which an offer or a seat is free again for the waitlist.
FREES_A_PLACE = {"withdraw", "decline", "expire", "cancel"}
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
    """Make one move of TRANSITIONS on an application, in one transaction.

    Checks that the move starts from the current state and that `by` may make it (None is the
    system: the beat task expiring offers). Locks the slot row, then the application, so that
    seat-taking moves serialise per slot (and always in the same order: no deadlocks). Then:
    sets the new status (and the offer deadline on `offer`), records an `ApplicationEvent`,
    adds a completed placement to the experience log, tells the search cache that seats
    changed, and notifies the people concerned (see `_notify`). The database itself counts
    seats (trigger) and refuses more than the capacity (constraint).
    """
    if action not in TRANSITIONS:
        raise ValidationError(f"Unknown action {action!r}.")
    sources, target, actors = TRANSITIONS[action]
    _check_actor(application, by, actors)
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
            if application.status not in sources:
                if application.status == target:  # a double click, or a form sent again
                    raise ValidationError(f"Nothing to do: this application is {_STATE_WORDS[target]} already.")
                raise ValidationError(
                    f"An application that is {_STATE_WORDS[application.status]} cannot be {_PAST[action]}.")
            _check_rules(application, action, by)
            previous = application.status
            _apply(application, action, target, message)
            _record(application, action, previous, by, message)
            if action == "complete":
                experience_from_placement(application=application)
            if target in Status.holding_a_seat() or previous in Status.holding_a_seat():
                transaction.on_commit(listings_changed)
            _notify(application, action, by, previous)
    except OperationalError as error:
        if getattr(error.__cause__, "pgcode", None) == "55P03":  # lock_not_available
            raise ValidationError("Someone else is changing this slot right now; try again.") from None
        raise
    except IntegrityError as error:
        if "slot_never_oversold" in str(error):
            raise ValidationError("The last seat on these dates was just taken.") from None
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


# The state in an error message ("An application that is under review cannot be approved.").
_STATE_WORDS = {status: status.value.replace("_", " ") for status in Status}
_PAST = {"review": "reviewed", "offer": "offered a seat", "waitlist": "waitlisted", "reject": "rejected",
         "withdraw": "withdrawn", "accept": "accepted", "decline": "declined", "expire": "expired",
         "approve": "approved", "cancel": "cancelled", "complete": "marked completed",
         "requeue": "put back on the waitlist"}


def _check_actor(application: Application, by: User | None, actors: set[str]) -> None:
    if by is None:
        if SYSTEM not in actors:
            raise PermissionDenied("This move needs a person.")
        return
    if APPLICANT in actors and by.pk == application.applicant_id:
        return
    if ADMIN in actors and by.role == Role.ADMIN:
        return
    if COORDINATOR in actors and by.role == Role.COORDINATOR and (
            coordinator_institution_id(by) == application.slot.listing.institution_id):
        return
    raise PermissionDenied("You may not make this move on this application.")


def moves_open_to(status: str, actor: str) -> list[str]:
    """The actions of TRANSITIONS that `actor` (APPLICANT, COORDINATOR, ADMIN) may make from `status`."""
    return [action for action, (sources, _, actors) in TRANSITIONS.items() if status in sources and actor in actors]


def offer_refusal(slot: Slot) -> str | None:
    """Why no offer can be made on these dates now (the review page disables its button with
    it), or None."""
    if slot.start_date <= timezone.localdate():
        return "These dates have started; no more offers can be made."
    if slot.seats_left <= 0:
        return "No seats are left on these dates; waitlist the applicant instead."
    return None


def _check_rules(application: Application, action: str, by: User | None) -> None:
    slot, now = application.slot, timezone.now()
    if action == "offer":
        if refusal := offer_refusal(slot):
            raise ValidationError(refusal)
        if _offer_deadline(slot, now) <= now:
            raise ValidationError("These dates start tomorrow: an offer could not be answered in time.")
    elif action == "accept" and application.offer_deadline < now:
        deadline = timezone.localtime(application.offer_deadline)
        raise ValidationError(f"This offer expired on {deadline:%b %-d, %Y at %-I:%M %p}.")
    elif action == "accept" and slot.seats_left <= 0:
        raise ValidationError("The last seat on these dates was just taken.")
    elif action == "accept" and (clash := _overlapping_placement(application)) is not None:
        listing = clash.slot.listing
        raise ValidationError(
            f"You already have a placement on overlapping dates: \"{listing.title}\" at "
            f"{listing.institution.name}, {clash.slot.start_date:%b %-d} – {clash.slot.end_date:%b %-d, %Y}. "
            f"Cancel it first, or decline this offer.")
    elif action == "expire" and application.offer_deadline >= now:
        raise ValidationError("This offer is still open.")
    elif action == "requeue" and slot.seats_left > 0:
        raise ValidationError("These dates still have a free seat; the offer stands.")
    elif action == "requeue" and application.offer_deadline < now:
        raise ValidationError("This offer has lapsed; it expires instead.")
    elif action == "approve":
        check = readiness(profile=profile_of(application.applicant),
                          documents=application.applicant.documents.all(), listing=slot.listing, slot=slot)
        if not check.all_verified or check.eligibility:
            problems = check.eligibility + [f"{c.label}: {c.problem}" for c in check.document_problems]
            raise ValidationError(["Not every check passes; verify the documents first."] + problems)
    elif action == "cancel" and by is not None and by.pk == application.applicant_id and (
            slot.start_date <= timezone.localdate()):
        # Once the rotation has begun, walking away is for Rotamatch to record (it frees the seat
        # and ends the way to completion); the applicant writes to us.
        raise ValidationError("The rotation has started; write to Rotamatch to cancel the placement.")
    elif action == "complete" and slot.end_date >= timezone.localdate():
        raise ValidationError("A placement can be marked completed once its end date has passed.")


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


def _apply(application: Application, action: str, target: str, message: str) -> None:
    now = timezone.now()
    application.status, application.status_changed_at = target, now
    fields = ["status", "status_changed_at"]
    if action == "offer":
        application.offer_deadline = _offer_deadline(application.slot, now)
        fields.append("offer_deadline")
    if action == "waitlist" or (action == "requeue" and application.waitlisted_at is None):
        application.waitlisted_at = now  # one waitlisted before the offer keeps their place
        fields.append("waitlisted_at")
    if action in ("offer", "waitlist", "reject", "requeue"):
        # The host's message belongs to this decision: an earlier note (a waitlisting's) must not
        # reappear under an offer made without one.
        application.message = message
        fields.append("message")
    application.save(update_fields=fields)


def _offer_deadline(slot: Slot, now: datetime) -> datetime:
    """The slot's offer-validity days from now, but never later than the eve of the rotation."""
    eve = timezone.make_aware(datetime.combine(slot.start_date - timedelta(days=1), time(23, 59)))
    return min(now + timedelta(days=slot.offer_valid_days), eve)


def _record(application: Application, action: str, previous: str, by: User | None, message: str) -> None:
    ApplicationEvent.objects.create(application=application, action=action, from_status=previous,
                                    to_status=application.status, by=by, message=message)


def application_offer_next(*, slot: Slot, by: User, message: str = "") -> Application:
    """Offer a free seat to the first applicant on the slot's waitlist.

    Only for a seat that nobody holds or has been offered: the button offers one seat per click,
    so a double click or a resubmitted form must not make a second offer for the same seat.
    Checked under the slot's lock (the offer itself re-takes it: same transaction, same order).
    """
    from .selectors import waitlist_of

    if by.role != Role.COORDINATOR or coordinator_institution_id(by) != slot.listing.institution_id:
        raise PermissionDenied("Only the institution's coordinators offer its seats.")
    with transaction.atomic():
        slot = _locked_slot(slot.pk)
        offers_out = slot.applications.filter(status=Status.OFFERED).count()
        if slot.seats_left > 0 and slot.seats_left <= offers_out:
            raise ValidationError(f"Every free seat on these dates already has an open offer "
                                  f"({offers_out} waiting for an answer).")
        first = waitlist_of(slot).first()
        if first is None:
            raise ValidationError("Nobody is on the waitlist for these dates.")
        return application_transition(application=first, action="offer", by=by, message=message)


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
_HELD_PLACES = {S.OFFERED, *Status.holding_a_seat()}


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
        if action in FREES_A_PLACE and previous in _HELD_PLACES:
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
