"""The listing page, the comparison and saved listings: who sees what, and constant queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rotations.choices import ListingStatus
from rotations.models import Listing, SavedListing, Slot
from rotations.services import listings_refresh_next_start

from .factories import InstitutionFactory, ListingFactory, SlotFactory

pytestmark = pytest.mark.django_db


def test_a_published_listing_shows_its_facts_and_slots_to_anyone(client):
    slot = SlotFactory(capacity=3, listing__title="Cardiology Observership", listing__fee_usd=0)
    response = client.get(reverse("rotations:listing_detail", args=[slot.listing.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Cardiology Observership" in page
    assert "Free" in page
    assert "3 of 3" in page


@pytest.mark.parametrize("status", [ListingStatus.DRAFT, ListingStatus.SUBMITTED,
                                    ListingStatus.RETURNED, ListingStatus.ARCHIVED])
def test_an_unpublished_listing_is_not_found_by_the_public(client, applicant, stranger, status):
    listing = ListingFactory(status=status)
    url = reverse("rotations:listing_detail", args=[listing.pk])
    assert client.get(url).status_code == 404
    for user in (applicant, stranger):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_a_listing_of_an_unverified_institution_is_not_found(client):
    listing = ListingFactory(institution=InstitutionFactory(verified_at=None))
    assert client.get(reverse("rotations:listing_detail", args=[listing.pk])).status_code == 404


def test_coordinators_preview_their_own_draft(client, coordinator, colleague):
    listing = ListingFactory(status=ListingStatus.DRAFT, institution=coordinator.coordinator.institution)
    for user in (coordinator, colleague):
        client.force_login(user)
        response = client.get(reverse("rotations:listing_detail", args=[listing.pk]))
        assert response.status_code == 200
        assert "Preview: this listing is draft" in response.content.decode()


def test_the_comparison_shows_the_listings_of_a_shared_link_in_order(client):
    first, second = ListingFactory(title="First rotation"), ListingFactory(title="Second rotation")
    response = client.get(reverse("rotations:compare") + f"?ids={second.pk},{first.pk}")
    assert [listing.title for listing in response.context["listings"]] == ["Second rotation", "First rotation"]


def test_the_comparison_never_shows_an_unpublished_listing(client):
    draft = ListingFactory(status=ListingStatus.DRAFT)
    response = client.get(reverse("rotations:compare") + f"?ids={draft.pk}")
    assert response.context["listings"] == []


def test_the_comparison_takes_at_most_four(client):
    listings = [ListingFactory() for _ in range(5)]
    for listing in listings:
        client.post(reverse("rotations:compare_toggle", args=[listing.pk]))
    response = client.get(reverse("rotations:compare"))
    assert [listing.pk for listing in response.context["listings"]] == [each.pk for each in listings[:4]]


def test_bad_ids_in_a_comparison_link_are_ignored(client):
    listing = ListingFactory()
    response = client.get(reverse("rotations:compare") + f"?ids=abc,%00,{listing.pk},99999999999999999999")
    assert response.status_code == 200
    assert [each.pk for each in response.context["listings"]] == [listing.pk]


def test_the_comparison_page_queries_are_constant(client, django_assert_num_queries):
    one = [ListingFactory()]
    SlotFactory(listing=one[0])
    four = [ListingFactory() for _ in range(4)]
    for listing in four:
        SlotFactory(listing=listing)
        SlotFactory(listing=listing)
    client.get(reverse("rotations:compare"))  # warm up the session
    with CaptureQueriesContext(connection) as baseline:
        client.get(reverse("rotations:compare") + f"?ids={one[0].pk}")
    with django_assert_num_queries(len(baseline)):
        response = client.get(reverse("rotations:compare") + "?ids=" + ",".join(str(each.pk) for each in four))
    assert len(response.context["listings"]) == 4


def test_an_applicant_saves_and_unsaves_a_listing(client, applicant):
    listing = ListingFactory()
    client.force_login(applicant)
    client.post(reverse("rotations:listing_save", args=[listing.pk]), {"saved": "1"})
    assert list(SavedListing.objects.values_list("user", "listing")) == [(applicant.pk, listing.pk)]
    client.post(reverse("rotations:listing_save", args=[listing.pk]), {"saved": "0"})
    assert SavedListing.objects.count() == 0


def test_only_applicants_save_listings(client, coordinator):
    listing = ListingFactory()
    client.force_login(coordinator)
    assert client.post(reverse("rotations:listing_save", args=[listing.pk]), {"saved": "1"}).status_code == 403
    assert SavedListing.objects.count() == 0


def test_an_unpublished_listing_cannot_be_saved(client, applicant):
    listing = ListingFactory(status=ListingStatus.DRAFT)
    client.force_login(applicant)
    assert client.post(reverse("rotations:listing_save", args=[listing.pk]), {"saved": "1"}).status_code == 404


def test_saved_listings_show_only_the_applicants_own(client, applicant, other_applicant):
    mine, theirs = ListingFactory(title="Mine"), ListingFactory(title="Theirs")
    SavedListing.objects.create(user=applicant, listing=mine)
    SavedListing.objects.create(user=other_applicant, listing=theirs)
    client.force_login(applicant)
    response = client.get(reverse("rotations:saved_listings"))
    assert [each.title for each in response.context["listings"]] == ["Mine"]


def test_the_saved_listings_page_queries_are_constant(client, applicant, django_assert_num_queries):
    client.force_login(applicant)
    SavedListing.objects.create(user=applicant, listing=SlotFactory().listing)
    client.get(reverse("rotations:saved_listings"))
    with CaptureQueriesContext(connection) as baseline:
        client.get(reverse("rotations:saved_listings"))
    for _ in range(6):
        SavedListing.objects.create(user=applicant, listing=SlotFactory().listing)
    with django_assert_num_queries(len(baseline)):
        response = client.get(reverse("rotations:saved_listings"))
    assert len(response.context["listings"]) == 7


def test_next_start_follows_the_slots_of_a_listing():
    listing = ListingFactory()
    later = SlotFactory(listing=listing, start_date=timezone.localdate() + timedelta(days=90))
    sooner = SlotFactory(listing=listing, start_date=timezone.localdate() + timedelta(days=40))
    listing.refresh_from_db()
    assert listing.next_start == sooner.start_date
    sooner.delete()
    listing.refresh_from_db()
    assert listing.next_start == later.start_date


def test_the_hourly_refresh_moves_next_start_past_a_slot_that_has_started():
    listing = ListingFactory()
    started = SlotFactory(listing=listing, start_date=timezone.localdate() + timedelta(days=5))
    upcoming = SlotFactory(listing=listing, start_date=timezone.localdate() + timedelta(days=50))
    Slot.objects.filter(pk=started.pk).update(
        start_date=timezone.localdate() - timedelta(days=1),
        application_deadline=timezone.localdate() - timedelta(days=20))
    Listing.objects.filter(pk=listing.pk).update(next_start=timezone.localdate() - timedelta(days=1))
    assert listings_refresh_next_start() == 1
    listing.refresh_from_db()
    assert listing.next_start == upcoming.start_date


def test_the_search_count_stops_at_the_cap(client, settings, monkeypatch):
    monkeypatch.setattr("rotations.search.COUNT_CAP", 2)
    for _ in range(3):
        ListingFactory()
    response = client.get(reverse("rotations:search"))
    assert "More than 2 rotations" in response.content.decode()
