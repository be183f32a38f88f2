"""The last seat under concurrency, on real PostgreSQL: many applicants accept at once, one wins.

As pretix does, the proof has negative controls: with the service's row lock switched off, the
database alone (the seat-counting trigger and the `slot_never_oversold` constraint) still gives
one winner; with the trigger switched off too, the same race oversells, so the test can see it.
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from matching import services
from matching.models import Application, Status
from matching.services import application_transition
from rotations.models import Slot

from .concurrency import in_background, run_together
from .factories import ApplicationFactory, offers_on_one_slot

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 12
SEAT_TAKEN = "The last seat on these dates was just taken."


def _offers(capacity, taken, count=THREADS):
    return offers_on_one_slot(capacity=capacity, taken=taken, count=count)


def _accept_all(offers):
    return run_together([
        lambda o=offer: application_transition(application=o, action="accept", by=o.applicant) for offer in offers])


def _messages(outcomes):
    return sorted(error.messages[0] if isinstance(error, ValidationError) else repr(error)
                  for error in outcomes.values() if error != "ok")


# (capacity, seats already taken) of each round: one seat, then the last of three, and again.
ROUNDS = [(1, 0), (3, 2), (1, 0), (3, 2), (1, 0)]


def test_many_applicants_accepting_the_last_seat_at_once_give_exactly_one_placement():
    for capacity, taken in ROUNDS:  # a race that passes by luck fails in one of the rounds
        slot, offers = _offers(capacity, taken)
        outcomes = _accept_all(offers)
        assert list(outcomes.values()).count("ok") == 1
        assert _messages(outcomes) == [SEAT_TAKEN] * (THREADS - 1)
        winner = offers[next(index for index, outcome in outcomes.items() if outcome == "ok")]
        slot.refresh_from_db()
        assert slot.seats_taken == capacity
        assert Application.objects.filter(slot=slot, status=Status.ACCEPTED).count() == taken + 1
        assert set(Application.objects.filter(pk__in=[o.pk for o in offers]).values_list("pk", "status")) == {
            (offer.pk, Status.ACCEPTED if offer == winner else Status.OFFERED) for offer in offers}


@pytest.fixture
def slot_lock_off(monkeypatch):
    """The service reads the slot without locking it, and every thread waits until all have read
    it: each sees the seat free, so only the database can stop the extra placements."""
    barrier = threading.Barrier(THREADS)
    seen = []

    def read_without_lock(slot_id):
        slot = Slot.objects.select_related("listing__institution").get(pk=slot_id)
        seen.append(slot.seats_left)
        barrier.wait(timeout=10)
        return slot

    monkeypatch.setattr(services, "_locked_slot", read_without_lock)
    return seen


def test_without_the_row_lock_the_database_still_refuses_a_second_placement(slot_lock_off):
    slot, offers = _offers(1, 0)
    outcomes = _accept_all(offers)
    assert slot_lock_off == [1] * THREADS  # every thread passed the service's own seat check
    assert list(outcomes.values()).count("ok") == 1
    assert _messages(outcomes) == [SEAT_TAKEN] * (THREADS - 1)
    slot.refresh_from_db()
    assert slot.seats_taken == 1
    assert Application.objects.filter(slot=slot, status=Status.ACCEPTED).count() == 1


def test_without_the_lock_and_the_trigger_the_race_oversells(slot_lock_off):
    """The negative control: the same race with both guarantees off sells the seat many times."""
    slot, offers = _offers(1, 0)
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE matching_application DISABLE TRIGGER matching_application_count_seats")
    try:
        outcomes = _accept_all(offers)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE matching_application ENABLE TRIGGER matching_application_count_seats")
    assert list(outcomes.values()).count("ok") == THREADS
    assert Application.objects.filter(slot=slot, status=Status.ACCEPTED).count() == THREADS


def test_accepting_and_cancelling_on_one_slot_at_once_never_deadlock():
    for _ in ROUNDS:
        slot, (offered,) = _offers(2, 0, count=1)
        placed = ApplicationFactory(slot=slot, status=Status.APPROVED)
        outcomes = run_together([
            lambda offered=offered: application_transition(application=offered, action="accept", by=offered.applicant),
            lambda placed=placed: application_transition(application=placed, action="cancel", by=placed.applicant),
        ])
        assert outcomes == {0: "ok", 1: "ok"}
        slot.refresh_from_db()
        assert slot.seats_taken == 1


def test_a_slot_locked_elsewhere_gives_a_clear_error_not_a_hang(monkeypatch):
    monkeypatch.setattr(services, "LOCK_TIMEOUT", "200ms")
    slot, (offer,) = _offers(1, 0, count=1)
    locked, release = threading.Event(), threading.Event()

    def hold_the_slot():
        with transaction.atomic():
            Slot.objects.select_for_update().get(pk=slot.pk)
            locked.set()
            release.wait(timeout=10)

    with in_background(hold_the_slot):
        try:
            assert locked.wait(timeout=10)
            with pytest.raises(ValidationError) as error:
                application_transition(application=offer, action="accept", by=offer.applicant)
        finally:
            release.set()
    assert error.value.messages == ["Someone else is changing this slot right now; try again."]
    assert Application.objects.get(pk=offer.pk).status == Status.OFFERED
    # Once the lock is released the same move goes through.
    application_transition(application=offer, action="accept", by=offer.applicant)
    assert Application.objects.get(pk=offer.pk).status == Status.ACCEPTED
