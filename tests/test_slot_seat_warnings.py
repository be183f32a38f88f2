"""Saving a slot with fewer free seats than open offers goes through, and says which offers
go back to the waitlist once the seats are taken (page and API alike)."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from matching.models import Application

from .factories import ApplicationFactory, ListingFactory, ProfileFactory, SlotFactory, login, messages_of

pytestmark = pytest.mark.django_db

OFFERED = [("Amina Yusuf", datetime(2026, 11, 2, 15, tzinfo=UTC)),
           ("Rahul Mehta", datetime(2026, 11, 3, 15, tzinfo=UTC)),
           ("Lucía Gómez", datetime(2026, 11, 4, 15, tzinfo=UTC))]
WARNING = ("3 offers are open for 1 free seat: once it is taken, the 2 offers still unanswered go back "
           "to the waitlist. Open offers: Amina Yusuf (offered Nov 2); Rahul Mehta (offered Nov 3); "
           "Lucía Gómez (offered Nov 4).")


@pytest.fixture
def slot(coordinator):
    """A slot of three seats with three open offers, made on three days."""
    slot = SlotFactory(capacity=3, listing=ListingFactory(institution=coordinator.coordinator.institution))
    for name, offered_at in OFFERED:
        offer = ApplicationFactory(slot=slot, status="offered", applicant=ProfileFactory(legal_name=name).user)
        Application.objects.filter(pk=offer.pk).update(status_changed_at=offered_at)
    ApplicationFactory(slot=slot, status="waitlisted")  # not an offer: never named
    return slot


def slot_form(slot, capacity) -> dict:
    return {"start_date": slot.start_date, "end_date": slot.end_date, "capacity": capacity,
            "application_deadline": slot.application_deadline, "offer_valid_days": slot.offer_valid_days}


def api_warnings(api, coordinator, slot, capacity) -> list[str]:
    """Change the slot's seats through the API; return the answer's warnings."""
    response = login(api, coordinator).patch(reverse("api-coordinator-slot-detail", args=[slot.pk]),
                                             {"capacity": capacity}, format="json")
    assert response.status_code == 200
    return response.json()["warnings"]


def test_the_page_warns_of_the_offers_beyond_the_seats(client, coordinator, slot):
    client.force_login(coordinator)
    response = client.post(reverse("rotations:slot_edit", args=[slot.pk]), slot_form(slot, 1), follow=True)
    assert messages_of(response) == ["The slot was saved.", WARNING]
    assert WARNING in response.content.decode()
    slot.refresh_from_db()
    assert slot.capacity == 1


def test_the_api_answer_carries_the_warning(api, coordinator, slot):
    assert api_warnings(api, coordinator, slot, 1) == [WARNING]


def test_no_free_seat_sends_every_open_offer_back(api, coordinator, slot):
    ApplicationFactory(slot=slot, status="accepted")
    assert api_warnings(api, coordinator, slot, 1) == [
        "No seat is free, so the 3 open offers go back to the waitlist within minutes: Amina Yusuf "
        "(offered Nov 2); Rahul Mehta (offered Nov 3); Lucía Gómez (offered Nov 4)."]


def test_enough_seats_for_the_offers_warn_of_nothing(client, api, coordinator, slot):
    client.force_login(coordinator)
    response = client.post(reverse("rotations:slot_edit", args=[slot.pk]), slot_form(slot, 3), follow=True)
    assert messages_of(response) == ["The slot was saved."]
    assert api_warnings(api, coordinator, slot, 4) == []


def test_an_applicant_without_a_profile_is_named_by_their_account(api, coordinator):
    slot = SlotFactory(capacity=2, listing=ListingFactory(institution=coordinator.coordinator.institution))
    offers = ApplicationFactory.create_batch(2, slot=slot, status="offered")
    (warning,) = api_warnings(api, coordinator, slot, 1)
    assert all(str(offer.applicant) in warning for offer in offers)
