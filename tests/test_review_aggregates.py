"""Published review counts and averages on listings: the listing page, the search card and
filter and sort, the comparison and the API, all honouring the small-numbers threshold."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from preceptors.services import listing_reviews_refresh
from rotations.models import Slot
from rotations.search_cache import listings_changed
from rotations.templatetags import search_cards

from .factories import ApplicationFactory, ListingFactory, ReviewFactory, SlotFactory, slot_starting_in

pytestmark = pytest.mark.django_db


def reviewed(title, ratings):
    """A public listing with one upcoming slot and a published, revealed review per rating."""
    listing = ListingFactory(title=title)
    slot_starting_in(30, listing=listing)
    past = _ended(SlotFactory(listing=listing, capacity=10))
    for rating in ratings:
        application = ApplicationFactory(slot=past, status="completed")
        ReviewFactory(application=application, listing=listing, status="published", overall=rating)
    listing_reviews_refresh(listing_id=listing.pk)
    listing.refresh_from_db()
    return listing


def _ended(slot):
    """The slot moved to dates that ended 20 days ago: its reviews are past the seal."""
    today = timezone.localdate()
    Slot.objects.filter(pk=slot.pk).update(start_date=today - timedelta(days=47), end_date=today - timedelta(days=20),
                                           application_deadline=today - timedelta(days=68))
    slot.refresh_from_db()
    return slot


def test_the_listing_keeps_count_and_average_and_shows_them_from_three(client):
    three = reviewed("Three", [4, 5, 4])
    two = reviewed("Two", [5, 5])
    assert (three.review_count, float(three.review_average)) == (3, pytest.approx(4.33, abs=0.01))
    assert "4.3 / 5 (3 reviews)" in client.get(reverse("rotations:listing_detail", args=[three.pk])).text
    page = client.get(reverse("rotations:listing_detail", args=[two.pk])).text
    assert "Not enough reviews yet" in page and "5.0 / 5" not in page


def test_search_filters_rated_4_or_higher_above_the_threshold_only(client):
    reviewed("Good", [4, 5, 4])
    reviewed("Few", [5, 5])
    reviewed("Middling", [3, 4, 3])
    response = client.get("/listings/", {"rated": "on"})
    assert [listing.title for listing in response.context["page"].object_list] == ["Good"]


def test_search_sorts_best_rated_first_and_unrated_last(client):
    reviewed("Few", [5, 5])
    reviewed("Middling", [3, 4, 3])
    reviewed("Best", [5, 5, 4])
    response = client.get("/listings/", {"sort": "rated"})
    assert [listing.title for listing in response.context["page"].object_list] == ["Best", "Middling", "Few"]
    assert "4.7 / 5 (3 reviews)" in response.text


@pytest.mark.django_db(transaction=True)  # committed, as the search index reads only what is
@pytest.mark.parametrize("params", [{"rated": "on", "sort": "rated"}, {"sort": "rated"}])
def test_rated_search_takes_the_same_queries_for_one_or_five_results(client, django_assert_num_queries, params):
    reviewed("Rated 0", [5, 4, 4])
    client.get("/listings/", params)
    listings_changed()
    search_cards.cards.forget()  # the page's listings read, not shown from the cards kept
    with django_assert_num_queries(2):  # what changed since the search index looked, the page's listings
        response = client.get("/listings/", params)
    assert len(response.context["page"].object_list) == 1
    for n in range(1, 5):
        reviewed(f"Rated {n}", [5, 4, 4])
    listings_changed()
    search_cards.cards.forget()
    with django_assert_num_queries(2):
        response = client.get("/listings/", params)
    assert len(response.context["page"].object_list) == 5


def test_the_comparison_shows_the_rating(client):
    good, few = reviewed("Good", [4, 4, 4]), reviewed("Few", [5])
    page = client.get(reverse("rotations:compare"), {"ids": f"{good.pk},{few.pk}"}).text
    assert "4.0 / 5 (3 reviews)" in page and "Not enough reviews yet" in page


def test_the_api_gives_null_below_the_threshold(api):
    good, few = reviewed("Good", [4, 4, 5]), reviewed("Few", [5])
    answer = {item["id"]: (item["review_count"], item["review_average"])
              for item in api.get("/api/listings/").json()["results"]}
    assert answer == {good.pk: (3, pytest.approx(4.33, abs=0.01)), few.pk: (None, None)}


@pytest.mark.parametrize(("ratings", "summary"), [
    ([5, 4], "Not enough reviews yet"),
    ([5, 4, 3], "4.0 / 5 from 3 published reviews"),
])
def test_the_preceptor_page_shows_the_summary_from_three_reviews_without_names(client, preceptor, ratings, summary):
    listing = reviewed("Cardiology Clinic", ratings)
    listing.preceptors.add(preceptor.preceptor)
    page = client.get(reverse("preceptors:public", args=[preceptor.preceptor.pk])).content.decode()
    assert summary in page
    assert page.count("Verified rotation,") == (len(ratings) if len(ratings) >= 3 else 0)
    for review in listing.reviews.all():
        assert review.application.applicant.email not in page
        assert review.application.applicant.get_full_name() not in page
