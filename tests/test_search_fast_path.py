"""The fast search (rotations.search, rotations.search_order) against the straightforward query.

The fast path keeps open seats on the listing (trigger-kept, with a fallback once a deadline has
passed), caps the count, reads a page's ids off a prefix of the sort's index or collects the few
matches, and merges relevance tiers. The straightforward query below does none of that: it sums
the slots per listing, probes them for "open seats only", ranks every match and sorts it all. On
a few hundred listings with many ties, random filter combinations must give the same count, the
same pages in the same order and the same seats, on every path (windows and the count cap are
made small so that each path runs).
"""

import random
import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Subquery, Sum, When
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils import timezone

from rotations import search, search_order
from rotations.choices import ListingStatus, RotationType, Specialty
from rotations.models import Listing, Slot, rating_shown
from rotations.search import SearchForm, _conditions, listing_search

from .factories import InstitutionFactory, ListingFactory, SlotFactory

pytestmark = pytest.mark.django_db

WORDS = ["medicine", "cardiology", "cardio", "surgery", "pediatrics", "observership", "elective", "springfield",
         "riverside", "lakeside", "rounds", "teaching", "clinic", "internal medicine", '"internal medicine"',
         "medicine -surgery", "cardiology or neurology", "zzz"]
SPECIALTIES = [Specialty.INTERNAL_MEDICINE, Specialty.CARDIOLOGY, Specialty.PEDIATRICS, Specialty.GENERAL_SURGERY]
TYPES = [RotationType.OBSERVERSHIP, RotationType.ELECTIVE, RotationType.EXTERNSHIP, RotationType.SUB_INTERNSHIP]
DESCRIPTIONS = ["Rounds with the team and teaching conferences.", "Clinic with attending physicians.",
                "Cardiology consults and surgery rounds.", "Research and chart reviews."]


def days(n):
    return timezone.localdate() + timedelta(days=n)


@pytest.fixture
def listings(settings):
    """A few hundred listings with ties everywhere (fees, next starts, ratings), open, full, past
    and stale slots, drafts and an unverified institution's."""
    settings.REVIEWS_MIN_PUBLISHED = 3
    rng = random.Random(20261205)
    institutions = [InstitutionFactory(name=name, city=city, state=state) for name, city, state in [
        ("Riverside Hospital", "Springfield", "IL"), ("Lakeside Clinic", "Chicago", "IL"),
        ("Mercy Medical Center", "Houston", "TX"), ("Cardiology Partners", "Boston", "MA")]]
    institutions.append(InstitutionFactory(name="Unverified Hospital", verified_at=None))
    for n in range(240):
        specialty, kind = rng.choice(SPECIALTIES), rng.choice(TYPES)
        listing = ListingFactory(
            institution=rng.choice(institutions), title=f"{specialty.label} {kind.label} {n % 40}",
            specialty=specialty, rotation_type=kind, description=rng.choice(DESCRIPTIONS),
            fee_usd=rng.choice([0, 500, 500, 1500]), duration_weeks=rng.choice([2, 4, 4, 8]),
            audience=rng.choice(["students", "graduates", "both"]), letter_possible=rng.random() < 0.5,
            visas=rng.choice([[], ["b1"], ["b1", "j1"]]),
            status=ListingStatus.PUBLISHED if rng.random() < 0.9 else ListingStatus.DRAFT)
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            start = days(rng.choice([5, 30, 30, 60, 90, -3]))
            capacity = rng.choice([1, 2, 3])
            SlotFactory(listing=listing, start_date=start, application_deadline=start - timedelta(days=rng.choice([1, 8])),
                        capacity=capacity, seats_taken=rng.choice([0, 0, capacity]))
        if rng.random() < 0.5:
            Listing.objects.filter(pk=listing.pk).update(review_count=rng.choice([1, 3, 5]),
                                                         review_average=rng.choice([3.5, 4.0, 4.5]))
    # Some figures counted yesterday with a slot whose deadline was yesterday: stale until the
    # hourly refresh, which search must not trust.
    for listing in rng.sample(list(Listing.objects.all()), 25):
        slot = SlotFactory(listing=listing, start_date=days(10), application_deadline=days(-1), capacity=2)
        Listing.objects.filter(pk=listing.pk).update(seats_open=F("seats_open") + slot.capacity,
                                                     seats_open_until=days(-1))


@pytest.fixture
def small_paths(monkeypatch):
    """Windows and the count cap small enough for a few hundred listings to take every path."""
    monkeypatch.setattr(search_order, "WINDOWS", (15, 40))
    monkeypatch.setattr("rotations.search.COUNT_CAP", 30)
    search_order.forget_bounds()
    yield
    search_order.forget_bounds()


def random_params(rng) -> dict:
    params = {}
    if rng.random() < 0.6:
        params["q"] = rng.choice(WORDS)
    for name, chance, values in [("specialty", 0.25, SPECIALTIES), ("type", 0.2, TYPES), ("state", 0.2, ["IL", "TX"]),
                                 ("audience", 0.15, ["students", "graduates"]), ("visa", 0.15, ["b1", "j1"]),
                                 ("duration", 0.15, ["1-2", "3-4", "5-8"]), ("max_fee", 0.2, ["0", "500", "1000"]),
                                 ("start_month", 0.1, [days(30).strftime("%Y-%m")])]:
        if rng.random() < chance:
            params[name] = rng.choice(values)
    for flag, chance in [("open_only", 0.35), ("hands_on", 0.15), ("free", 0.1), ("letter", 0.15), ("rated", 0.1)]:
        if rng.random() < chance:
            params[flag] = "on"
    if sort := rng.choice(["", "relevance", "soonest", "fee", "rated"]):
        params["sort"] = sort
    return params


def cleaned(params: dict) -> dict:
    form = SearchForm(QueryDict(urlencode(params)))
    assert form.is_valid(), form.errors
    return form.cleaned_data


def straightforward(params: dict, today) -> list[tuple[int, int]]:
    """(id, seats open) of every match in order, the plain way: no kept figures, every match ranked."""
    params = cleaned(params)
    plain = {key: value for key, value in params.items() if key != "open_only"}
    open_slots = Slot.objects.filter(listing=OuterRef("pk"), application_deadline__gte=today).order_by()
    listings = Listing.objects.filter(status=ListingStatus.PUBLISHED, institution__verified_at__isnull=False).filter(
        *_conditions(plain, today))
    if params.get("open_only"):
        listings = listings.filter(Exists(open_slots.filter(seats_taken__lt=F("capacity"))))
    seats = open_slots.values("listing").annotate(seats=Sum(F("capacity") - F("seats_taken"), output_field=IntegerField()))
    listings = listings.annotate(seats=Coalesce(Subquery(seats.values("seats")), 0))
    soonest = [F("next_start").asc(nulls_last=True), "fee_usd", "pk"]
    sort = params.get("sort")
    if params.get("q"):
        q = params["q"]
        query = SearchQuery(q, search_type="websearch", config="english")
        query |= SearchQuery(" & ".join(f"{word}:*" for word in re.findall(r"\w+", q)[:10]), search_type="raw",
                             config="english")
        listings = listings.filter(search_vector=query).annotate(
            tier=Case(When(search_title=query, then=0), When(search_head=query, then=1), default=2))
    if sort == "fee":
        ordering = ["fee_usd", F("next_start").asc(nulls_last=True), "pk"]
    elif sort == "rated":
        ordering = [rating_shown().desc(nulls_last=True), F("review_count").desc(), F("next_start").asc(nulls_last=True),
                    "pk"]
    elif params.get("q") and sort in ("", "relevance"):
        ordering = ["tier", *soonest]
    else:
        ordering = soonest
    return list(listings.order_by(*ordering).values_list("pk", "seats"))


def fast(params: dict, start: int, stop: int) -> tuple[int, list[tuple[int, int]]]:
    results = listing_search(cleaned(params))
    return results.count(), [(listing.pk, listing.seats_open) for listing in results[start:stop]]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("use_index", [
    # The index reads only committed rows (a transaction that has written searches by query).
    pytest.param(True, id="index", marks=pytest.mark.django_db(transaction=True)),
    pytest.param(False, id="queries"),
])
def test_the_fast_path_finds_what_the_straightforward_query_finds(listings, small_paths, settings, index_answers,
                                                                  seed, use_index):
    """Through the search index (rotations/search_index.py), whose count is exact, and through the
    queries alone, whose count is capped."""
    settings.SEARCH_INDEX = use_index
    rng = random.Random(seed)
    today = timezone.localdate()
    paths_seen = set()
    for _ in range(70):
        params = random_params(rng)
        expected = straightforward(params, today)
        for start, stop in [(0, 5), (5, 10), (20, 25), (40, 45)]:
            count, page = fast(params, start, stop)
            assert count == (len(expected) if use_index else min(len(expected), search.COUNT_CAP + 1)), params
            assert page == expected[start:stop], (params, start)
        paths_seen.add("many" if len(expected) > search.COUNT_CAP else "few")
    assert paths_seen == {"many", "few"}  # both ways of reading a page were compared
    if use_index:  # and the index answered every search it could (not one fell back to queries)
        assert len(index_answers) > 100 and None not in index_answers


def test_a_dense_search_reads_its_page_off_the_prefix_and_a_rare_one_collects(listings, small_paths, settings,
                                                                           django_assert_max_num_queries):
    settings.SEARCH_INDEX = False
    many = {"sort": "soonest"}
    assert len(straightforward(many, timezone.localdate())) > 100
    count, page = fast(many, 0, 5)  # the bound is read once per process and kept
    with django_assert_max_num_queries(3):  # count, the page's ids off the prefix, the listings
        fast(many, 0, 5)
    assert page == straightforward(many, timezone.localdate())[:5]


def test_open_seats_are_kept_on_the_listing_by_the_slots(listings):
    listing = ListingFactory()
    slot = SlotFactory(listing=listing, start_date=days(40), application_deadline=days(20), capacity=3)
    listing.refresh_from_db()
    assert (listing.seats_open, listing.seats_open_until) == (3, days(20))
    Slot.objects.filter(pk=slot.pk).update(seats_taken=3)  # as matching's trigger does on acceptance
    listing.refresh_from_db()
    assert (listing.seats_open, listing.seats_open_until) == (0, None)
    Slot.objects.filter(pk=slot.pk).update(seats_taken=1, capacity=4)
    listing.refresh_from_db()
    assert listing.seats_open == 3
    slot.delete()
    listing.refresh_from_db()
    assert (listing.seats_open, listing.seats_open_until) == (0, None)


def test_saving_a_listing_read_earlier_keeps_the_seats_the_slots_set():
    listing = ListingFactory()
    stale_copy = Listing.objects.get(pk=listing.pk)
    SlotFactory(listing=listing, capacity=2)
    stale_copy.title = "Renamed"
    stale_copy.save()
    listing.refresh_from_db()
    assert (listing.title, listing.seats_open) == ("Renamed", 2)


def test_the_hourly_refresh_moves_seats_past_a_deadline():
    from rotations.services import listings_refresh_next_start

    listing = ListingFactory()
    SlotFactory(listing=listing, start_date=days(5), application_deadline=days(-1), capacity=2)
    Listing.objects.filter(pk=listing.pk).update(seats_open=2, seats_open_until=days(-1))  # as counted yesterday
    assert listings_refresh_next_start() == 1
    listing.refresh_from_db()
    assert (listing.seats_open, listing.seats_open_until) == (0, None)


def test_a_card_is_drawn_anew_when_what_it_shows_changes(client):
    listing = ListingFactory(title="Cardiology Observership", fee_usd=900)
    assert "$900" in client.get("/listings/", {"q": "cardiology", "x": "1"}).content.decode()
    Listing.objects.filter(pk=listing.pk).update(fee_usd=1200)
    listing.institution.__class__.objects.filter(pk=listing.institution_id).update(name="Renamed Hospital")
    page = client.get("/listings/", {"q": "cardiology", "x": "2"}).content.decode()  # another URL: not cached
    assert "$1,200" in page and "$900" not in page
    assert "Renamed Hospital" in page
