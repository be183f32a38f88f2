"""A freed seat goes to the waitlist: the coordinators are told how many wait, and offering the
next one reaches the first waitlisted applicant (who is told), the others keep waiting."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from matching.models import Application, Status
from matching.services import application_offer_next, application_transition
from notifications.models import Notification

from .factories import ApplicationFactory, SlotFactory

pytestmark = pytest.mark.django_db

WAITLIST_LINE = "2 applicants are on the waitlist for these dates: you can offer the place to the next one."


@pytest.fixture
def slot(coordinator):
    return SlotFactory(listing__institution=coordinator.coordinator.institution, capacity=1)


@pytest.fixture
def waitlist(slot):
    """B and C waitlisted, B first (C applied earlier but was waitlisted later)."""
    now = timezone.now()
    c = ApplicationFactory(slot=slot, status=Status.WAITLISTED, waitlisted_at=now - timedelta(hours=1))
    b = ApplicationFactory(slot=slot, status=Status.WAITLISTED, waitlisted_at=now - timedelta(hours=2))
    return b, c


# How A gives up their place: (A's status, the move, who makes it).
FREEING_MOVES = {
    "cancel an accepted offer": (Status.ACCEPTED, "cancel", "applicant"),
    "cancel an approved placement": (Status.APPROVED, "cancel", "admin"),
    "decline an offer": (Status.OFFERED, "decline", "applicant"),
    "expire an offer": (Status.OFFERED, "expire", "system"),
    "withdraw after an offer": (Status.OFFERED, "withdraw", "applicant"),
}


def _give_up(slot, name, admin_user):
    status, action, who = FREEING_MOVES[name]
    deadline = timezone.now() - timedelta(minutes=1) if action == "expire" else None
    a = ApplicationFactory(slot=slot, status=status,
                           **({"offer_deadline": deadline} if deadline else {}))
    by = {"applicant": a.applicant, "admin": admin_user, "system": None}[who]
    Notification.objects.all().delete()
    application_transition(application=a, action=action, by=by)
    return a


@pytest.mark.parametrize("name", FREEING_MOVES)
def test_the_coordinators_are_told_how_many_wait_when_a_place_is_freed(
        slot, waitlist, coordinator, colleague, admin_user, name):
    _give_up(slot, name, admin_user)
    activity = Notification.objects.filter(kind="application_activity")
    assert set(activity.values_list("user", flat=True)) == {coordinator.pk, colleague.pk}
    assert [WAITLIST_LINE in body for body in activity.values_list("body", flat=True)] == [True, True]


@pytest.mark.parametrize("name", FREEING_MOVES)
def test_offering_the_freed_place_reaches_the_first_on_the_waitlist(slot, waitlist, coordinator, admin_user, name):
    b, c = waitlist
    _give_up(slot, name, admin_user)
    Notification.objects.all().delete()
    offered = application_offer_next(slot=slot, by=coordinator, message="A seat opened up.")
    assert offered.pk == b.pk
    assert dict(Application.objects.filter(pk__in=[b.pk, c.pk]).values_list("pk", "status")) == {
        b.pk: Status.OFFERED, c.pk: Status.WAITLISTED}
    assert list(Notification.objects.values_list("user", "kind")) == [(b.applicant_id, "application_status")]
    assert list(b.events.values_list("action", "from_status", "to_status", "by", "message")) == [
        ("offer", "waitlisted", "offered", coordinator.pk, "A seat opened up.")]


def test_no_offer_to_the_waitlist_while_no_seat_is_left(slot, waitlist, coordinator):
    ApplicationFactory(slot=slot, status=Status.ACCEPTED)
    b, c = waitlist
    with pytest.raises(ValidationError) as error:
        application_offer_next(slot=slot, by=coordinator)
    assert error.value.messages == ["No seats are left on these dates; waitlist the applicant instead."]
    assert set(Application.objects.filter(pk__in=[b.pk, c.pk]).values_list("status", flat=True)) == {
        Status.WAITLISTED}


def test_offering_the_next_with_nobody_waiting_is_a_clear_error(slot, coordinator):
    with pytest.raises(ValidationError) as error:
        application_offer_next(slot=slot, by=coordinator)
    assert error.value.messages == ["Nobody is on the waitlist for these dates."]


def test_only_the_institutions_coordinators_offer_the_next_seat(slot, waitlist, stranger):
    b, _ = waitlist
    with pytest.raises(PermissionDenied):
        application_offer_next(slot=slot, by=stranger)
    assert Application.objects.get(pk=b.pk).status == Status.WAITLISTED


def test_withdrawing_a_mere_application_does_not_announce_a_free_place(slot, waitlist, coordinator):
    a = ApplicationFactory(slot=slot, status=Status.UNDER_REVIEW)
    application_transition(application=a, action="withdraw", by=a.applicant)
    body = Notification.objects.get(user=coordinator, kind="application_activity").body
    assert "waitlist" not in body


def test_a_waitlisted_applicant_who_withdraws_leaves_the_waitlist(slot, waitlist, coordinator):
    b, c = waitlist
    application_transition(application=b, action="withdraw", by=b.applicant)
    assert application_offer_next(slot=slot, by=coordinator).pk == c.pk


def test_an_offer_to_the_next_does_not_repeat_the_waitlisting_note(slot, coordinator):
    """The note sent with a waitlisting ("you are fifth") must not reappear under a later offer."""
    waiting = ApplicationFactory(slot=slot)
    application_transition(application=waiting, action="waitlist", by=coordinator,
                           message="You are fifth on the list; it is unlikely.")
    offered = application_offer_next(slot=slot, by=coordinator)
    assert offered.message == ""
    offer = Notification.objects.filter(user=waiting.applicant, kind="application_status").first()
    assert "unlikely" not in offer.body
