"""Anonymous search answers are cached until public listings change; logged-in users never are."""

import pytest
from django.urls import reverse

from rotations.choices import ListingStatus
from rotations.services import listing_transition
from rotations.templatetags import search_cards

from .factories import AdminFactory, ListingFactory, SlotFactory

pytestmark = pytest.mark.django_db(transaction=True)
URL = reverse("rotations:search")


def test_a_repeated_anonymous_search_is_served_from_the_cache(client, django_assert_num_queries):
    SlotFactory(listing__title="Cached Cardiology")
    first = client.get(URL, {"q": "cardiology"})
    with django_assert_num_queries(0):
        again = client.get(URL, {"q": "cardiology"})
    assert again.content == first.content


def test_publishing_a_listing_shows_it_at_once(client):
    SlotFactory(listing__title="Cardiology One")
    assert "Cardiology Two" not in client.get(URL, {"q": "cardiology"}).content.decode()
    pending = SlotFactory(listing__title="Cardiology Two", listing__status=ListingStatus.SUBMITTED).listing
    listing_transition(listing=pending, action="publish", by=AdminFactory())
    assert "Cardiology Two" in client.get(URL, {"q": "cardiology"}).content.decode()


def test_logged_in_searches_are_never_cached(client, applicant, django_assert_num_queries):
    ListingFactory()
    client.force_login(applicant)
    client.get(URL)
    search_cards.cards.forget()  # the page's listings are read again, not shown from the cards kept
    # user, unread count (the session comes from the cache), and the search's two (what changed
    # since, the page's listings)
    with django_assert_num_queries(4):
        client.get(URL)


def test_the_htmx_fragment_and_the_page_are_cached_apart(client):
    ListingFactory()
    page = client.get(URL)
    fragment = client.get(URL, headers={"HX-Request": "true"})
    assert b"<html" in page.content
    assert b"<html" not in fragment.content


def test_a_history_restore_gets_the_whole_page_even_after_a_cached_fragment(client):
    ListingFactory()
    client.get(URL, headers={"HX-Request": "true"})  # the fragment, now cached
    restored = client.get(URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert b"<html" in restored.content


def test_the_api_caches_anonymous_searches_too(client, django_assert_num_queries):
    ListingFactory()
    first = client.get("/api/listings/")
    with django_assert_num_queries(0):
        again = client.get("/api/listings/")
    assert (again.status_code, again.json()) == (200, first.json())


def test_the_api_count_stops_past_the_cap(client, monkeypatch):
    monkeypatch.setattr("rotations.search.COUNT_CAP", 2)
    for _ in range(4):
        ListingFactory()
    assert client.get("/api/listings/").json()["count"] == 3
