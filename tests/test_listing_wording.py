"""A listing's facts and a slot's dates read the same on every page that shows them."""

from datetime import date

import pytest
from django.urls import reverse

from rotations.models import Slot
from rotations.templatetags.slot_dates import date_range

from .factories import ListingFactory, SlotFactory

pytestmark = pytest.mark.django_db

USMLE = "Step 1 passed; Step 2 CK passed with a score of 230 or more"


@pytest.fixture
def listing(coordinator):
    listing = ListingFactory(institution=coordinator.coordinator.institution, title="Nephrology elective",
                             requires_step1=True, requires_step2=True, min_step2_score=230)
    SlotFactory(listing=listing)
    return listing


def test_the_usmle_requirement_reads_the_same_on_every_page(client, coordinator, listing):
    dd, td = f"<dd>{USMLE}</dd>", f"<td>{USMLE}</td>"
    pages = {
        "search card": (reverse("rotations:search") + "?q=Nephrology", dd),
        "listing page": (reverse("rotations:listing_detail", args=[listing.pk]), dd),
        "comparison": (reverse("rotations:compare") + f"?ids={listing.pk}", td),
        "coordinator's listing page": (reverse("rotations:coordinator_listing", args=[listing.pk]), dd),
    }
    client.force_login(coordinator)
    counts = {name: client.get(url).content.decode().count(cell) for name, (url, cell) in pages.items()}
    assert counts == dict.fromkeys(pages, 1)


@pytest.mark.parametrize(("facts", "words"), [
    ({}, "Not required"),
    ({"requires_step1": True}, "Step 1 passed"),
    ({"requires_step2": True}, "Step 2 CK passed"),
])
def test_a_lighter_usmle_requirement_is_worded_once_too(client, facts, words):
    listing = ListingFactory(**facts)
    page = client.get(reverse("rotations:listing_detail", args=[listing.pk])).content.decode()
    assert f"<dd>{words}</dd>" in page


@pytest.mark.parametrize(("start", "end", "words"), [
    (date(2027, 3, 2), date(2027, 3, 29), "Mar 2 – Mar 29, 2027"),
    (date(2026, 12, 28), date(2027, 1, 24), "Dec 28, 2026 – Jan 24, 2027"),
])
def test_a_slots_dates_read_one_way(start, end, words):
    assert date_range(Slot(start_date=start, end_date=end)) == words


def test_the_listing_page_and_the_coordinator_page_show_the_slot_dates_one_way(client, coordinator, listing):
    slot = listing.slots.get()
    client.force_login(coordinator)
    for url in (reverse("rotations:listing_detail", args=[listing.pk]),
                reverse("rotations:coordinator_listing", args=[listing.pk])):
        assert date_range(slot) in client.get(url).content.decode()
