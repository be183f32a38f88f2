"""A freed seat goes to the waitlist: the coordinators are told how many wait, and offering the
next one reaches the first waitlisted applicant (who is told), the others keep waiting. And the
other way: open offers on dates whose last seat was accepted go back to the waitlist."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from config.celery import app as celery_app
from matching import tasks
from matching.models import Application, Status
from matching.services import application_offer_next, application_transition, expire_offers, requeue_surplus_offers
from notifications.models import Notification

from .factories import ApplicationFactory, SlotFactory, messages_of

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


def test_offering_the_next_twice_for_one_free_seat_makes_one_offer(slot, waitlist, coordinator):
    """A double click, or the form sent again with the back button."""
    b, c = waitlist
    application_offer_next(slot=slot, by=coordinator)
    with pytest.raises(ValidationError) as error:
        application_offer_next(slot=slot, by=coordinator)
    assert error.value.messages == ["Every free seat on these dates already has an open offer (1 waiting for an answer)."]
    assert dict(Application.objects.filter(pk__in=[b.pk, c.pk]).values_list("pk", "status")) == {
        b.pk: Status.OFFERED, c.pk: Status.WAITLISTED}


def test_the_page_says_so_when_the_seat_was_just_offered(client, slot, waitlist, coordinator):
    client.force_login(coordinator)
    url = f"/coordinator/slots/{slot.pk}/offer-next/"
    client.post(url, follow=True)  # the first: "Offered to …", shown and gone
    response = client.post(url, follow=True)
    assert messages_of(response) == [
        "Every free seat on these dates already has an open offer (1 waiting for an answer)."]
    assert Application.objects.filter(slot=slot, status=Status.OFFERED).count() == 1


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


# More offers than seats: when the last seat is accepted, the other open offers go back to the
# waitlist (beat task every minute), so nobody holds an offer that can no longer be accepted.

@pytest.fixture
def two_offers(slot):
    """A and B offered the one seat; B had been waitlisted an hour before the offer."""
    now = timezone.now()
    a = ApplicationFactory(slot=slot, status=Status.OFFERED, message="We would love to have you.")
    b = ApplicationFactory(slot=slot, status=Status.OFFERED, waitlisted_at=now - timedelta(hours=1))
    return a, b


def _accept(application):
    application_transition(application=application, action="accept", by=application.applicant)
    Notification.objects.all().delete()


def test_the_other_offers_go_back_to_the_waitlist_once_the_last_seat_is_accepted(slot, two_offers, coordinator):
    a, b = two_offers
    c = ApplicationFactory(slot=slot, status=Status.OFFERED)
    _accept(c)
    assert requeue_surplus_offers() == 2
    assert dict(Application.objects.filter(slot=slot).values_list("pk", "status")) == {
        a.pk: Status.WAITLISTED, b.pk: Status.WAITLISTED, c.pk: Status.ACCEPTED}
    assert list(a.events.values_list("action", "from_status", "to_status", "by", "message")) == [
        ("requeue", "offered", "waitlisted", None, "")]


def test_an_applicant_whose_offer_ended_is_told_why(slot, two_offers, coordinator):
    a, b = two_offers
    _accept(b)
    requeue_surplus_offers()
    told = Notification.objects.get(user=a.applicant, kind="application_status")
    assert told.title == f"Offer ended, back on the waitlist: {slot.listing.title}, {slot.start_date:%b %-d}"
    assert "is now taken, so your offer has ended before you answered it" in told.body
    assert "We would love to have you." not in told.body  # the offer's note belonged to the offer
    assert Application.objects.get(pk=a.pk).message == ""


def test_the_coordinators_are_told_which_offers_ended(slot, two_offers, coordinator, colleague):
    a, b = two_offers
    _accept(b)
    requeue_surplus_offers()
    told = Notification.objects.filter(kind="application_activity")
    assert set(told.values_list("user", flat=True)) == {coordinator.pk, colleague.pk}
    assert {title.startswith("Offer ended, back on the waitlist: ") for title in told.values_list("title", flat=True)} == {True}


def test_an_applicant_waitlisted_before_the_offer_keeps_their_place(slot, two_offers):
    a, b = two_offers
    before = Application.objects.get(pk=b.pk).waitlisted_at
    _accept(a)
    requeue_surplus_offers()
    assert Application.objects.get(pk=b.pk).waitlisted_at == before


def test_offers_on_dates_with_a_free_seat_stay_open(coordinator, two_offers):
    roomy = SlotFactory(listing__institution=coordinator.coordinator.institution, capacity=3)
    first, second = (ApplicationFactory(slot=roomy, status=Status.OFFERED) for _ in range(2))
    _accept(first)
    assert requeue_surplus_offers() == 0
    assert Application.objects.get(pk=second.pk).status == Status.OFFERED
    assert set(Application.objects.filter(pk__in=[o.pk for o in two_offers]).values_list("status", flat=True)) == {
        Status.OFFERED}


def test_running_the_sweep_twice_changes_nothing_the_second_time(slot, two_offers):
    a, b = two_offers
    _accept(a)
    assert (requeue_surplus_offers(), requeue_surplus_offers()) == (1, 0)
    assert b.events.count() == 1


def test_a_seat_freed_before_the_sweep_keeps_the_offer(slot, two_offers, admin_user):
    """A seat freed before the sweep runs: the offer can be accepted again, so it stands."""
    a, b = two_offers
    _accept(a)
    application_transition(application=a, action="cancel", by=a.applicant)
    assert requeue_surplus_offers() == 0
    assert Application.objects.get(pk=b.pk).status == Status.OFFERED


def test_an_offer_past_its_deadline_is_left_to_expire(slot, two_offers):
    """It lapsed unanswered: it expires (and says so), it does not go back to the waitlist."""
    a, b = two_offers
    Application.objects.filter(pk=a.pk).update(offer_deadline=timezone.now() - timedelta(minutes=2))
    c = ApplicationFactory(slot=slot, status=Status.OFFERED)
    _accept(c)
    assert requeue_surplus_offers() == 1
    with pytest.raises(ValidationError) as error:
        application_transition(application=a, action="requeue", by=None)
    assert error.value.messages == ["This offer has lapsed; it expires instead."]
    assert dict(Application.objects.filter(pk__in=[a.pk, b.pk]).values_list("pk", "status")) == {
        a.pk: Status.OFFERED, b.pk: Status.WAITLISTED}
    assert expire_offers() == 1
    assert Application.objects.get(pk=a.pk).status == Status.EXPIRED


def test_the_coordinators_history_names_the_move_in_words(client, slot, two_offers, coordinator):
    a, b = two_offers
    _accept(a)
    requeue_surplus_offers()
    client.force_login(coordinator)
    page = client.get(f"/coordinator/applications/{b.pk}/").content.decode()
    assert "Back to the waitlist" in page and "Requeue" not in page


def test_an_offer_on_dates_with_a_free_seat_is_never_requeued(slot, two_offers):
    """The rule holds in the move itself, under the slot's lock, not only in the sweep's query
    (which ran before the lock: a seat may have been freed since)."""
    a, _ = two_offers
    with pytest.raises(ValidationError) as error:
        application_transition(application=a, action="requeue", by=None)
    assert error.value.messages == ["These dates still have a free seat; the offer stands."]
    assert (Application.objects.get(pk=a.pk).status, a.events.count()) == (Status.OFFERED, 0)


@pytest.mark.parametrize("who", ["applicant", "coordinator", "admin_user"])
def test_nobody_but_the_system_ends_an_offer_this_way(slot, two_offers, who, request):
    a, b = two_offers
    _accept(a)
    by = b.applicant if who == "applicant" else request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        application_transition(application=b, action="requeue", by=by)
    assert Application.objects.get(pk=b.pk).status == Status.OFFERED


def test_the_celery_task_runs_the_sweep_every_minute(slot, two_offers):
    a, b = two_offers
    _accept(a)
    assert tasks.requeue_surplus_offers.delay().get() == 1  # eager in the tests: runs here and now
    assert settings.CELERY_BEAT_SCHEDULE["requeue-surplus-offers"] == {
        "task": "matching.tasks.requeue_surplus_offers", "schedule": 60.0, "options": {"expires": 55}}
    assert "matching.tasks.requeue_surplus_offers" in celery_app.tasks
