"""The application state machine: every (actor, state, action) as a table, the audit trail, who is
told of each move (and only after commit), and the rules of `application_submit`."""

import itertools
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from matching.models import Application, ApplicationEvent, Status
from matching.moves import ADMIN, APPLICANT, COORDINATOR, MOVES, SYSTEM
from matching.services import application_submit, application_transition
from notifications.models import Notification, OutgoingEmail
from rotations.choices import ListingStatus

from .factories import AdminFactory, ApplicationFactory, DocumentFactory, ProfileFactory, SlotFactory

pytestmark = pytest.mark.django_db

NOTE = "Looking forward to working with you."
# Each actor of the table: the fixture that makes it (None: the system) and the role it plays.
ACTORS = {
    "owner": ("applicant", APPLICANT),
    "other applicant": ("other_applicant", None),
    "coordinator": ("coordinator", COORDINATOR),
    "colleague": ("colleague", COORDINATOR),
    "stranger": ("stranger", None),
    "preceptor": ("preceptor", None),
    "admin": ("admin_user", ADMIN),
    "system": (None, SYSTEM),
}


# The state machine written out: side → state → the actions that side may make from it. Every
# (actor, state, action) not listed here must be refused, and changes nothing.
ALLOWED = {
    APPLICANT: {
        "submitted": {"withdraw"},
        "under_review": {"withdraw"},
        "waitlisted": {"withdraw"},
        "offered": {"withdraw", "accept", "decline"},
        "accepted": {"cancel"},
        "approved": {"cancel"},
    },
    COORDINATOR: {
        "submitted": {"review", "offer", "waitlist", "reject"},
        "under_review": {"offer", "waitlist", "reject"},
        "waitlisted": {"offer", "reject"},
        "approved": {"complete"},
    },
    ADMIN: {
        "accepted": {"approve", "cancel"},
        "approved": {"cancel"},
    },
    SYSTEM: {
        "offered": {"expire", "requeue"},
    },
}
# Where each move leads.
TARGET = {
    "review": "under_review", "offer": "offered", "waitlist": "waitlisted", "reject": "rejected",
    "withdraw": "withdrawn", "accept": "accepted", "decline": "declined", "expire": "expired",
    "approve": "approved", "cancel": "cancelled", "complete": "completed", "requeue": "waitlisted",
}


def _allowed(side, status, action) -> bool:
    return action in ALLOWED.get(side, {}).get(status, set())


def _ever_allowed(side, action) -> bool:
    """Whether the side makes this move from some state: if so a wrong state is a ValidationError
    (400), else the move is not theirs at all (PermissionDenied, 403)."""
    return any(action in actions for actions in ALLOWED.get(side, {}).values())


def _today():
    return timezone.localdate()


def _slot(coordinator, *, ended=False, **kwargs):
    """A slot of the coordinator's institution; `ended` for the placements to mark completed."""
    kwargs.setdefault("listing__institution", coordinator.coordinator.institution)
    kwargs.setdefault("listing__required_documents", ["cv"])
    if ended:
        kwargs.setdefault("start_date", _today() - timedelta(days=40))
    return SlotFactory(**kwargs)


def _application(coordinator, applicant, status, *, ended=False, deadline_passed=False, **kwargs):
    extra = {}
    if status == Status.OFFERED:
        extra["offer_deadline"] = timezone.now() + (timedelta(hours=-1) if deadline_passed else timedelta(days=3))
    return ApplicationFactory(applicant=applicant, slot=_slot(coordinator, ended=ended), status=status,
                              **extra, **kwargs)


def _ready_for_approval(applicant):
    """The profile and the verified CV that `approve` checks."""
    ProfileFactory(user=applicant)
    DocumentFactory(applicant=applicant, kind="cv")


def _state(application_id):
    """Everything a refused move must leave as it was, in one query."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT a.status, s.seats_taken,
                   (SELECT count(*) FROM matching_applicationevent),
                   (SELECT count(*) FROM notifications_notification),
                   (SELECT count(*) FROM notifications_outgoingemail)
            FROM matching_application a JOIN rotations_slot s ON s.id = a.slot_id WHERE a.id = %s""",
                       [application_id])
        return cursor.fetchone()


def _prepare(application, action):
    """The rules beyond the table hold for every row: an offer to expire is past its deadline, a
    placement to complete has ended, an offer to requeue is on full dates (someone else took the
    one seat; the applicant is always ready for approval)."""
    if action == "expire":
        Application.objects.filter(pk=application.pk, offer_deadline__isnull=False).update(
            offer_deadline=timezone.now() - timedelta(hours=1))
    if action == "complete":
        type(application.slot).objects.filter(pk=application.slot_id).update(
            start_date=_today() - timedelta(days=40), end_date=_today() - timedelta(days=13),
            application_deadline=_today() - timedelta(days=61))
    if action == "requeue":
        type(application.slot).objects.filter(pk=application.slot_id).update(capacity=F("seats_taken") + 1)
        ApplicationFactory(slot_id=application.slot_id, status=Status.ACCEPTED)
    return Application.objects.select_related("slot__listing").get(pk=application.pk)


def _try(application, action, actor, by):
    """Make one move inside a savepoint that is always rolled back; return what went wrong with
    it, or None when it did exactly what the table says."""
    side, target = ACTORS[actor][1], TARGET[action]
    allowed = _allowed(side, application.status, action)
    savepoint = transaction.savepoint_create()
    try:
        fresh = _prepare(application, action)
        before = _state(application.pk)
        try:
            application_transition(application=fresh, action=action, by=by, message=NOTE)
        except (PermissionDenied, ValidationError) as error:
            expected = ValidationError if _ever_allowed(side, action) else PermissionDenied
            if allowed or not isinstance(error, expected):
                return f"refused with {error!r}"
            return None if _state(application.pk) == before else "refused but changed something"
        if not allowed:
            return "succeeded"
        status, seats, events, _, _ = _state(application.pk)
        event = list(fresh.events.values_list("action", "from_status", "to_status", "by", "message"))
        held = Status.holding_a_seat()
        expected_seats = before[1] - (application.status in held) + (target in held)
        if (status, seats, events, event) != (target, expected_seats, before[2] + 1,
                                                [(action, application.status, target, by and by.pk, NOTE)]):
            return f"succeeded wrongly: {status}, {seats} seats, events {event}"
        return None
    finally:
        transaction.savepoint_rollback(savepoint)


# The table: every state, every actor, every action; each row's moves run on the same application,
# each in a savepoint rolled back after it (a fresh world per move would cost a thousand setups).

@pytest.mark.parametrize("status", Status.values)
def test_only_the_moves_of_the_table_succeed(request, coordinator, applicant, status):
    _ready_for_approval(applicant)
    application = _application(coordinator, applicant, status)
    actors = {name: request.getfixturevalue(fixture) if fixture else None
              for name, (fixture, _) in ACTORS.items()}
    wrong = {}
    for actor, action in itertools.product(ACTORS, TARGET):
        if (problem := _try(application, action, actor, actors[actor])) is not None:
            wrong[(actor, action)] = problem
    assert wrong == {}


def test_the_table_covers_every_state_and_action():
    assert len(Status.values) == 12
    assert sorted(MOVES) == sorted(TARGET)


# Refusals by the rules beyond the table: each a clear message, nothing changed.

@pytest.mark.parametrize("status, action", [(Status.ACCEPTED, "accept"), (Status.WITHDRAWN, "withdraw"),
                                            (Status.DECLINED, "decline")])
def test_a_move_made_twice_says_it_is_done_already(coordinator, applicant, status, action):
    application = _application(coordinator, applicant, status)
    with pytest.raises(ValidationError) as error:
        application_transition(application=application, action=action, by=applicant)
    assert error.value.messages == [f"Nothing to do: this application is {status.value} already."]


def test_an_offer_past_its_deadline_cannot_be_accepted(coordinator, applicant):
    application = _application(coordinator, applicant, Status.OFFERED, deadline_passed=True)
    deadline = timezone.localtime(application.offer_deadline)
    with pytest.raises(ValidationError) as error:
        application_transition(application=application, action="accept", by=applicant)
    assert error.value.messages == [f"This offer expired on {deadline:%b %-d, %Y at %-I:%M %p}."]
    assert Application.objects.get(pk=application.pk).status == Status.OFFERED


def test_an_offer_still_open_cannot_be_expired(coordinator, applicant):
    application = _application(coordinator, applicant, Status.OFFERED)
    with pytest.raises(ValidationError) as error:
        application_transition(application=application, action="expire", by=None)
    assert error.value.messages == ["This offer is still open."]


def test_a_withdrawn_application_cannot_be_approved(coordinator, applicant, admin_user):
    application = _application(coordinator, applicant, Status.WITHDRAWN)
    with pytest.raises(ValidationError) as error:
        application_transition(application=application, action="approve", by=admin_user)
    assert error.value.messages == ["An application that is withdrawn cannot be approved."]


def test_an_expired_offer_cannot_be_accepted(coordinator, applicant):
    application = _application(coordinator, applicant, Status.EXPIRED)
    with pytest.raises(ValidationError) as error:
        application_transition(application=application, action="accept", by=applicant)
    assert error.value.messages == ["An application that is expired cannot be accepted."]


def test_a_placement_cannot_be_completed_before_its_end_date(coordinator, applicant):
    application = _application(coordinator, applicant, Status.APPROVED)
    with pytest.raises(ValidationError) as error:
        application_transition(application=application, action="complete", by=coordinator)
    assert error.value.messages == ["A placement can be marked completed once its end date has passed."]
    assert Application.objects.get(pk=application.pk).status == Status.APPROVED


def test_a_placement_without_verified_documents_cannot_be_approved(coordinator, applicant, admin_user):
    ProfileFactory(user=applicant)
    DocumentFactory(applicant=applicant, kind="cv", status="pending")
    application = _application(coordinator, applicant, Status.ACCEPTED)
    with pytest.raises(ValidationError) as error:
        application_transition(application=application, action="approve", by=admin_user)
    assert error.value.messages == ["Not every check passes; verify the documents first.",
                                    "CV: Awaiting verification by Rotamatch."]
    assert Application.objects.get(pk=application.pk).status == Status.ACCEPTED


def test_no_offer_once_the_dates_have_started(coordinator, applicant):
    application = ApplicationFactory(applicant=applicant, slot=_slot(coordinator, start_date=_today()))
    with pytest.raises(ValidationError) as error:
        application_transition(application=application, action="offer", by=coordinator)
    assert error.value.messages == ["These dates have started; no more offers can be made."]


def test_a_message_over_the_limit_is_refused_before_anything_changes(coordinator, applicant):
    application = _application(coordinator, applicant, Status.UNDER_REVIEW)
    with pytest.raises(ValidationError) as error:
        application_transition(application=application, action="reject", by=coordinator, message="x" * 5001)
    assert error.value.message_dict == {"message": ["Keep the message under 5000 characters."]}
    assert Application.objects.get(pk=application.pk).status == Status.UNDER_REVIEW


def test_a_message_with_a_nul_byte_is_refused_not_a_server_error(coordinator, applicant):
    application = _application(coordinator, applicant, Status.UNDER_REVIEW)
    with pytest.raises(ValidationError) as error:
        application_transition(application=application, action="offer", by=coordinator, message="Hi\x00")
    assert error.value.message_dict == {"message": ["The message contains a character that cannot be stored."]}


def test_an_unknown_action_is_refused(coordinator, applicant):
    application = _application(coordinator, applicant, Status.SUBMITTED)
    with pytest.raises(ValidationError) as error:
        application_transition(application=application, action="promote", by=coordinator)
    assert error.value.messages == ["Unknown action 'promote'."]


# The audit trail.

def test_a_whole_journey_records_one_event_per_move(coordinator, applicant, admin_user):
    _ready_for_approval(applicant)
    slot = _slot(coordinator)
    application = application_submit(applicant=applicant, slot=slot, statement="I want to learn.")
    moves = [("review", coordinator), ("offer", coordinator), ("accept", applicant), ("approve", admin_user)]
    for action, by in moves:
        application_transition(application=application, action=action, by=by, message=f"{action} note")
    # Time passes: the rotation ends, and the coordinator marks it completed.
    type(slot).objects.filter(pk=slot.pk).update(
        start_date=_today() - timedelta(days=40), end_date=_today() - timedelta(days=13),
        application_deadline=_today() - timedelta(days=61))
    application_transition(application=application, action="complete", by=coordinator, message="complete note")
    assert list(application.events.values_list("action", "from_status", "to_status", "by", "message")) == [
        ("submit", "", "submitted", applicant.pk, ""),
        ("review", "submitted", "under_review", coordinator.pk, "review note"),
        ("offer", "under_review", "offered", coordinator.pk, "offer note"),
        ("accept", "offered", "accepted", applicant.pk, "accept note"),
        ("approve", "accepted", "approved", admin_user.pk, "approve note"),
        ("complete", "approved", "completed", coordinator.pk, "complete note"),
    ]


def test_an_event_records_when_the_move_was_made(coordinator, applicant):
    application = _application(coordinator, applicant, Status.SUBMITTED)
    before = timezone.now()
    application_transition(application=application, action="review", by=coordinator)
    after = timezone.now()
    application.refresh_from_db()
    assert before <= application.events.get().at <= after
    assert before <= application.status_changed_at <= after


def test_an_offer_sets_its_deadline_from_the_slots_offer_validity(coordinator, applicant):
    application = ApplicationFactory(applicant=applicant, slot=_slot(coordinator, offer_valid_days=5))
    before = timezone.now()
    application_transition(application=application, action="offer", by=coordinator)
    application.refresh_from_db()
    assert before + timedelta(days=5) <= application.offer_deadline <= timezone.now() + timedelta(days=5)


def test_the_coordinators_message_is_kept_on_the_application(coordinator, applicant):
    application = _application(coordinator, applicant, Status.UNDER_REVIEW)
    application_transition(application=application, action="waitlist", by=coordinator, message="  Soon.  ")
    application.refresh_from_db()
    assert (application.message, application.events.get().message) == ("Soon.", "Soon.")


def test_completing_a_placement_adds_it_to_the_experience_log(coordinator, applicant):
    application = _application(coordinator, applicant, Status.APPROVED, ended=True)
    application_transition(application=application, action="complete", by=coordinator)
    entry = applicant.experience.get()
    assert (entry.application_id, entry.start_date, entry.end_date, entry.hours) == (
        application.pk, application.slot.start_date, application.slot.end_date, 160)


# Who is told of each move.

# action → (starting state, who moves, {recipient: kind}); "admin2" stands for every other admin.
NOTIFIED = {
    "review": ("submitted", "coordinator", {"applicant": "application_status"}),
    "offer": ("under_review", "coordinator", {"applicant": "application_status"}),
    "waitlist": ("under_review", "coordinator", {"applicant": "application_status"}),
    "reject": ("under_review", "colleague", {"applicant": "application_status"}),
    "withdraw": ("under_review", "applicant", {"coordinator": "application_activity",
                                                "colleague": "application_activity"}),
    "accept": ("offered", "applicant", {"coordinator": "application_activity", "colleague": "application_activity",
                                        "admin_user": "placement_to_approve", "admin2": "placement_to_approve"}),
    "decline": ("offered", "applicant", {"coordinator": "application_activity",
                                         "colleague": "application_activity"}),
    "expire": ("offered", None, {"applicant": "application_status", "coordinator": "application_activity",
                                 "colleague": "application_activity"}),
    "approve": ("accepted", "admin_user", {"applicant": "application_status",
                                           "coordinator": "application_activity",
                                           "colleague": "application_activity"}),
    "cancel": ("approved", "admin_user", {"applicant": "application_status",
                                          "coordinator": "application_activity",
                                          "colleague": "application_activity"}),
    "complete": ("approved", "coordinator", {"applicant": "application_status"}),
}


@pytest.fixture
def everyone(applicant, coordinator, colleague, stranger, admin_user, preceptor, other_applicant):
    return {"applicant": applicant, "coordinator": coordinator, "colleague": colleague, "stranger": stranger,
            "admin_user": admin_user, "admin2": AdminFactory(), "preceptor": preceptor,
            "other_applicant": other_applicant}


def _moved(everyone, action):
    status, mover, _ = NOTIFIED[action]
    if action == "approve":
        _ready_for_approval(everyone["applicant"])
    application = _application(everyone["coordinator"], everyone["applicant"], status,
                               ended=action == "complete", deadline_passed=action == "expire")
    by = everyone[mover] if mover else None
    application_transition(application=application, action=action, by=by)
    return application


@pytest.mark.parametrize("action", NOTIFIED)
def test_each_move_notifies_exactly_the_people_concerned(everyone, action):
    _moved(everyone, action)
    expected = {(everyone[who].pk, kind) for who, kind in NOTIFIED[action][2].items()}
    assert set(Notification.objects.values_list("user", "kind")) == expected
    assert Notification.objects.count() == len(expected)


def test_an_applicant_who_cancels_is_not_told_of_their_own_move(coordinator, colleague, applicant):
    application = _application(coordinator, applicant, Status.ACCEPTED)
    application_transition(application=application, action="cancel", by=applicant)
    assert set(Notification.objects.values_list("user", "kind")) == {
        (coordinator.pk, "application_activity"), (colleague.pk, "application_activity")}


def test_submitting_notifies_the_applicant_and_the_coordinators(coordinator, colleague, stranger, applicant):
    ProfileFactory(user=applicant)
    application_submit(applicant=applicant, slot=_slot(coordinator, listing__required_documents=[]),
                       statement="I want to learn.")
    assert set(Notification.objects.values_list("user", "kind")) == {
        (applicant.pk, "application_status"), (coordinator.pk, "application_activity"),
        (colleague.pk, "application_activity")}


def test_the_offer_notification_tells_the_deadline_and_the_message(coordinator, applicant):
    application = _application(coordinator, applicant, Status.UNDER_REVIEW)
    application_transition(application=application, action="offer", by=coordinator, message="Welcome aboard.")
    application.refresh_from_db()
    notification = Notification.objects.get()
    deadline = timezone.localtime(application.offer_deadline)
    assert notification.title == f"Offer: {application.slot.listing.title}, {application.slot.start_date:%b} " \
                                 f"{application.slot.start_date.day}"
    assert "Accept or decline by " + f"{deadline:%b} {deadline.day}, {deadline.year}" in notification.body
    assert "Message from the coordinator:\nWelcome aboard." in notification.body


@pytest.mark.parametrize("action", ["accept", "expire", "cancel"])
def test_emails_go_out_only_after_commit(everyone, action, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _moved(everyone, action)
        assert mail.outbox == []
    expected = sorted(everyone[who].email for who in NOTIFIED[action][2])
    assert sorted(message.to[0] for message in mail.outbox) == expected
    assert set(OutgoingEmail.objects.values_list("state", flat=True)) == {OutgoingEmail.State.SENT}


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_move_changes_nothing_and_sends_nothing(coordinator, colleague, applicant, admin_user):
    application = _application(coordinator, applicant, Status.OFFERED)
    with pytest.raises(RuntimeError), transaction.atomic():
        application_transition(application=application, action="accept", by=applicant)
        raise RuntimeError("the request failed after the move")
    application.slot.refresh_from_db()
    assert Application.objects.get(pk=application.pk).status == Status.OFFERED
    assert (ApplicationEvent.objects.count(), application.slot.seats_taken) == (0, 0)
    assert (Notification.objects.count(), OutgoingEmail.objects.count()) == (0, 0)
    assert mail.outbox == []


# Submitting an application.

@pytest.fixture
def open_slot(coordinator):
    return _slot(coordinator, listing__required_documents=[])


def _submit(applicant, slot):
    return application_submit(applicant=applicant, slot=slot, statement="  I want to learn.  ")


def test_an_eligible_applicant_applies(applicant, open_slot):
    ProfileFactory(user=applicant)
    application = _submit(applicant, open_slot)
    assert (application.status, application.statement, application.slot) == (
        Status.SUBMITTED, "I want to learn.", open_slot)
    assert list(application.events.values_list("action", "to_status", "by")) == [
        ("submit", "submitted", applicant.pk)]


ELIGIBILITY_RULES = {
    "audience students": ({"listing__audience": "students"}, {"stage": "graduate"},
                          "This rotation is for students still enrolled in medical school."),
    "audience graduates": ({"listing__audience": "graduates"}, {"stage": "student", "graduation_year": 2027},
                           "This rotation is for graduates of medical school."),
    "visa": ({"listing__visas": ["j1", "f1"]}, {"visa_status": "b2"},
             "This rotation accepts J-1, F-1; your visa status is B-2 (visitor)."),
    "step 1": ({"listing__requires_step1": True}, {"step1_status": "scheduled"},
               "A passed USMLE Step 1 is required."),
    "step 2": ({"listing__requires_step2": True}, {"step2_status": "failed", "step2_score": None},
               "A passed USMLE Step 2 CK is required."),
    "step 2 score": ({"listing__min_step2_score": 250}, {"step2_score": 245},
                     "A USMLE Step 2 CK score of at least 250 is required."),
}


@pytest.mark.parametrize("rule", ELIGIBILITY_RULES)
def test_an_ineligible_applicant_is_told_why_and_nothing_is_created(coordinator, applicant, rule):
    slot_kwargs, profile_kwargs, message = ELIGIBILITY_RULES[rule]
    ProfileFactory(user=applicant, **profile_kwargs)
    slot = _slot(coordinator, listing__required_documents=[], **slot_kwargs)
    with pytest.raises(ValidationError) as error:
        _submit(applicant, slot)
    assert error.value.messages == [message]
    assert Application.objects.count() == 0


def test_an_applicant_without_a_profile_is_asked_to_complete_it(applicant, open_slot):
    with pytest.raises(ValidationError) as error:
        _submit(applicant, open_slot)
    assert error.value.messages == ["Complete your profile: hosts need your school, exams and visa status."]


def test_a_missing_required_document_blocks_the_application(coordinator, applicant):
    ProfileFactory(user=applicant)
    with pytest.raises(ValidationError) as error:
        _submit(applicant, _slot(coordinator, listing__required_documents=["cv"]))
    assert error.value.messages == ["CV: Missing: upload it to your documents."]
    assert Application.objects.count() == 0


def test_a_rejected_document_blocks_the_application(coordinator, applicant):
    ProfileFactory(user=applicant)
    DocumentFactory(applicant=applicant, kind="cv", status="rejected", rejection_reason="Blurry scan")
    with pytest.raises(ValidationError) as error:
        _submit(applicant, _slot(coordinator, listing__required_documents=["cv"]))
    assert error.value.messages == ["CV: Rejected (Blurry scan): upload a new one."]


def test_a_document_expiring_before_the_rotation_ends_blocks_the_application(coordinator, applicant):
    ProfileFactory(user=applicant)
    expires = _today() + timedelta(days=70)  # the slot runs from day 60 to day 87
    DocumentFactory(applicant=applicant, kind="passport", expires_on=expires)
    with pytest.raises(ValidationError) as error:
        _submit(applicant, _slot(coordinator, listing__required_documents=["passport"]))
    assert error.value.messages == [f"Passport: Expires on {expires:%b} {expires.day}, {expires.year}, "
                                    f"before the rotation ends."]


def test_a_document_awaiting_verification_does_not_block_the_application(coordinator, applicant):
    ProfileFactory(user=applicant)
    DocumentFactory(applicant=applicant, kind="cv", status="pending")
    application = _submit(applicant, _slot(coordinator, listing__required_documents=["cv"]))
    assert application.status == Status.SUBMITTED


def test_no_application_after_the_deadline(coordinator, applicant):
    ProfileFactory(user=applicant)
    slot = _slot(coordinator, listing__required_documents=[], application_deadline=_today() - timedelta(days=1))
    with pytest.raises(ValidationError) as error:
        _submit(applicant, slot)
    assert error.value.messages == ["The application deadline for these dates has passed."]


def test_no_second_application_to_the_same_dates(applicant, open_slot):
    ProfileFactory(user=applicant)
    _submit(applicant, open_slot)
    with pytest.raises(ValidationError) as error:
        _submit(applicant, open_slot)
    assert error.value.messages == ["You have applied to these dates already."]
    assert Application.objects.count() == 1


def test_no_application_to_a_full_slot(coordinator, applicant):
    ProfileFactory(user=applicant)
    slot = _slot(coordinator, listing__required_documents=[], capacity=1)
    ApplicationFactory(slot=slot, status=Status.ACCEPTED)
    with pytest.raises(ValidationError) as error:
        _submit(applicant, slot)
    assert error.value.messages == ["These dates are full."]


def test_no_application_to_a_listing_that_is_not_published(coordinator, applicant):
    ProfileFactory(user=applicant)
    slot = _slot(coordinator, listing__required_documents=[], listing__status=ListingStatus.ARCHIVED)
    with pytest.raises(ValidationError) as error:
        _submit(applicant, slot)
    assert error.value.messages == ["This rotation is not open to applications."]


def test_an_empty_statement_is_a_field_error(applicant, open_slot):
    ProfileFactory(user=applicant)
    with pytest.raises(ValidationError) as error:
        application_submit(applicant=applicant, slot=open_slot, statement="   ")
    assert error.value.message_dict == {"statement": ["Write a short statement: why this rotation?"]}


@pytest.mark.parametrize("who", ["coordinator", "admin_user", "preceptor"])
def test_only_applicants_apply(request, open_slot, who):
    with pytest.raises(PermissionDenied):
        _submit(request.getfixturevalue(who), open_slot)
    assert Application.objects.count() == 0


def test_no_offer_is_made_that_could_not_be_answered_before_the_rotation(monkeypatch, coordinator):
    """On the eve of the rotation after 23:59 the deadline (the eve, 23:59) has already passed."""
    from datetime import datetime, time

    from django.utils import timezone as django_timezone

    slot = SlotFactory(listing__institution=coordinator.coordinator.institution)
    application = ApplicationFactory(slot=slot)
    eve_late = django_timezone.make_aware(datetime.combine(slot.start_date - timedelta(days=1), time(23, 59, 30)))
    monkeypatch.setattr(django_timezone, "now", lambda: eve_late)
    with pytest.raises(ValidationError) as refused:
        application_transition(application=application, action="offer", by=coordinator)
    assert refused.value.messages == ["These dates start tomorrow: an offer could not be answered in time."]
    application.refresh_from_db()
    assert application.status == "submitted"


def test_an_applicant_cannot_cancel_a_placement_once_the_rotation_has_started(coordinator, applicant, admin_user):
    """After the start only Rotamatch records a cancellation (it frees the seat and ends completion)."""
    application = _application(coordinator, applicant, Status.APPROVED, ended=True)
    with pytest.raises(ValidationError) as refused:
        application_transition(application=application, action="cancel", by=applicant)
    assert refused.value.messages == ["The rotation has started; write to Rotamatch to cancel the placement."]
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    application_transition(application=application, action="cancel", by=admin_user, message="Left in week 2.")
    application.refresh_from_db()
    assert application.status == Status.CANCELLED
