"""The database's own seat count: the trigger keeps `Slot.seats_taken` equal to the placements
(accepted, approved, completed) whoever writes them, and the constraint refuses one too many."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from matching.models import Application, Status
from rotations.models import Slot
from rotations.services import slot_delete, slot_save

from .factories import ApplicationFactory, SlotFactory

pytestmark = pytest.mark.django_db


def _seats(slot):
    return Slot.objects.values_list("seats_taken", flat=True).get(pk=slot.pk)


@pytest.fixture
def slot(coordinator):
    return SlotFactory(listing__institution=coordinator.coordinator.institution, capacity=3)


@pytest.mark.parametrize("status, seats", [(status, 1 if status in Status.holding_a_seat() else 0)
                                           for status in Status.values])
def test_inserting_an_application_counts_a_seat_only_for_a_placement(slot, status, seats):
    ApplicationFactory(slot=slot, status=status)
    assert _seats(slot) == seats


@pytest.mark.parametrize("before, after, seats", [
    (Status.OFFERED, Status.ACCEPTED, 1),  # into a placement
    (Status.ACCEPTED, Status.APPROVED, 1),  # between placements
    (Status.APPROVED, Status.COMPLETED, 1),
    (Status.ACCEPTED, Status.CANCELLED, 0),  # out of a placement
    (Status.APPROVED, Status.CANCELLED, 0),
    (Status.SUBMITTED, Status.WITHDRAWN, 0),  # neither
])
def test_a_status_change_saved_on_the_model_moves_the_count(slot, before, after, seats):
    application = ApplicationFactory(slot=slot, status=before)
    application.status = after
    application.save()
    assert _seats(slot) == seats


def test_a_bulk_update_of_statuses_is_counted(slot):
    ApplicationFactory.create_batch(3, slot=slot, status=Status.UNDER_REVIEW)
    Application.objects.filter(slot=slot).update(status=Status.ACCEPTED)
    assert _seats(slot) == 3
    Application.objects.filter(slot=slot).update(status=Status.CANCELLED)
    assert _seats(slot) == 0


def test_an_update_that_leaves_the_status_alone_leaves_the_count_alone(slot):
    ApplicationFactory(slot=slot, status=Status.ACCEPTED)
    Application.objects.filter(slot=slot).update(statement="Edited", status=Status.ACCEPTED)
    assert _seats(slot) == 1


def test_deleting_a_placement_frees_its_seat(slot):
    ApplicationFactory(slot=slot, status=Status.ACCEPTED)
    kept = ApplicationFactory(slot=slot, status=Status.APPROVED)
    Application.objects.exclude(pk=kept.pk).delete()
    assert _seats(slot) == 1


def test_deleting_the_applicant_frees_their_seats(slot):
    placement = ApplicationFactory(slot=slot, status=Status.COMPLETED)
    placement.applicant.delete()
    assert _seats(slot) == 0


def test_moving_a_placement_to_other_dates_moves_its_seat(slot):
    other = SlotFactory(listing=slot.listing, capacity=1)
    placement = ApplicationFactory(slot=slot, status=Status.ACCEPTED)
    Application.objects.filter(pk=placement.pk).update(slot=other)
    assert (_seats(slot), _seats(other)) == (0, 1)


def test_a_raw_update_past_the_capacity_is_refused_by_the_database(slot):
    ApplicationFactory.create_batch(4, slot=slot, status=Status.OFFERED)
    with pytest.raises(IntegrityError, match="slot_never_oversold"), transaction.atomic():
        Application.objects.filter(slot=slot).update(status=Status.ACCEPTED)
    assert _seats(slot) == 0
    assert Application.objects.filter(slot=slot, status=Status.ACCEPTED).count() == 0


def test_an_insert_past_the_capacity_is_refused_by_the_database(coordinator):
    full = SlotFactory(listing__institution=coordinator.coordinator.institution, capacity=1)
    ApplicationFactory(slot=full, status=Status.APPROVED)
    with pytest.raises(IntegrityError, match="slot_never_oversold"), transaction.atomic():
        ApplicationFactory(slot=full, status=Status.ACCEPTED)
    assert _seats(full) == 1


# Editing and deleting slots.

def test_editing_a_slot_never_writes_back_a_stale_seat_count(slot, coordinator):
    stale = Slot.objects.select_related("listing").get(pk=slot.pk)  # read while no seat is taken
    ApplicationFactory(slot=slot, status=Status.ACCEPTED)  # meanwhile an offer is accepted
    stale.capacity = 4
    slot_save(slot=stale, by=coordinator)
    assert Slot.objects.values_list("capacity", "seats_taken").get(pk=slot.pk) == (4, 1)


def test_a_slot_cannot_shrink_below_its_taken_seats(slot, coordinator):
    ApplicationFactory.create_batch(2, slot=slot, status=Status.ACCEPTED)
    stale = Slot.objects.select_related("listing").get(pk=slot.pk)
    stale.capacity = 1
    with pytest.raises(ValidationError) as error:
        slot_save(slot=stale, by=coordinator)
    assert error.value.message_dict == {"capacity": ["Fewer seats than are already taken."]}
    assert Slot.objects.values_list("capacity", "seats_taken").get(pk=slot.pk) == (3, 2)


def test_a_slot_with_applications_cannot_be_deleted(slot, coordinator):
    ApplicationFactory(slot=slot, status=Status.WITHDRAWN)
    with pytest.raises(ValidationError) as error:
        slot_delete(slot=slot, by=coordinator)
    assert error.value.messages == ["These dates have applications; they cannot be deleted."]
    assert Slot.objects.filter(pk=slot.pk).count() == 1


def test_a_slot_with_a_placement_cannot_be_deleted(slot, coordinator):
    ApplicationFactory(slot=slot, status=Status.APPROVED)
    slot.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        slot_delete(slot=slot, by=coordinator)
    assert error.value.messages == ["A slot with taken seats cannot be deleted."]
    assert Slot.objects.filter(pk=slot.pk).count() == 1


def test_a_slot_without_applications_can_be_deleted(slot, coordinator):
    slot_delete(slot=slot, by=coordinator)
    assert Slot.objects.filter(pk=slot.pk).count() == 0


def test_saving_a_stale_slot_object_keeps_the_database_seat_count():
    """The Django admin's slot inline saves whole objects read before a seat was taken."""
    slot = SlotFactory(capacity=3)
    stale = Slot.objects.get(pk=slot.pk)
    ApplicationFactory(slot=slot, status="accepted")
    stale.capacity = 4
    stale.save()
    slot.refresh_from_db()
    assert (slot.capacity, slot.seats_taken) == (4, 1)


# Moving dates that applicants hold.

def _moved(slot, **changes):
    moved = Slot.objects.select_related("listing").get(pk=slot.pk)
    for name, days in changes.items():
        setattr(moved, name, getattr(moved, name) + timedelta(days=days))
    return moved


KEPT = ("Applicants have applied to, been offered or been placed on these dates, so they cannot be "
        "moved: add new dates instead (write to Rotamatch to move a placement).")


@pytest.mark.parametrize("status", ["submitted", "under_review", "waitlisted", "offered", "accepted",
                                    "approved", "completed"])
def test_dates_with_an_applicant_in_play_cannot_move(slot, coordinator, status):
    ApplicationFactory(slot=slot, status=status)
    before = Slot.objects.values_list("start_date", "end_date").get(pk=slot.pk)
    for field, changes in [("start_date", {"start_date": 7, "end_date": 7}), ("end_date", {"end_date": 7})]:
        with pytest.raises(ValidationError) as error:
            slot_save(slot=_moved(slot, **changes), by=coordinator)
        assert error.value.message_dict == {field: [KEPT]}
    assert Slot.objects.values_list("start_date", "end_date").get(pk=slot.pk) == before


@pytest.mark.parametrize("status", ["rejected", "withdrawn", "declined", "expired", "cancelled"])
def test_dates_whose_applications_all_ended_can_move(slot, coordinator, status):
    ApplicationFactory(slot=slot, status=status)
    saved = slot_save(slot=_moved(slot, start_date=7, end_date=7), by=coordinator)
    assert Slot.objects.get(pk=slot.pk).start_date == saved.start_date


def test_the_seats_and_deadline_of_held_dates_can_still_change(slot, coordinator):
    ApplicationFactory(slot=slot, status="approved")
    changed = _moved(slot, application_deadline=3)
    changed.capacity = 5
    slot_save(slot=changed, by=coordinator)
    assert Slot.objects.values_list("capacity", "application_deadline").get(pk=slot.pk) == (
        5, changed.application_deadline)
