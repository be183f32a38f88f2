"""The listings API: the public search, and coordinators' listings and slots, scoped to their institution."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from rotations.choices import Audience, ListingStatus, RotationType, Specialty
from rotations.models import Listing, Slot

from .factories import InstitutionFactory, ListingFactory, PreceptorFactory, SlotFactory, ids, login

pytestmark = pytest.mark.django_db


def database_state() -> tuple[list, list]:
    """Every listing and slot column, to show that a refused write changed nothing."""
    return list(Listing.objects.order_by("pk").values()), list(Slot.objects.order_by("pk").values())


@pytest.fixture
def draft(coordinator):
    return ListingFactory(institution=coordinator.coordinator.institution, status=ListingStatus.DRAFT,
                          published_at=None, title="Cardiology draft")


@pytest.fixture
def slot(draft):
    return SlotFactory(listing=draft)


def listing_payload(**overrides) -> dict:
    return {
        "title": "Family Medicine Externship", "specialty": Specialty.FAMILY_MEDICINE,
        "rotation_type": RotationType.EXTERNSHIP, "setting": "outpatient", "city": "Peoria", "state": "IL",
        "audience": Audience.STUDENTS, "visas": ["b1"], "duration_weeks": 4, "fee_usd": 2000,
        "description": "Clinic with the family medicine team.", **overrides,
    }


def slot_payload(**overrides) -> dict:
    start = timezone.localdate() + timedelta(days=90)
    return {"start_date": start.isoformat(), "end_date": (start + timedelta(days=27)).isoformat(),
            "application_deadline": (start - timedelta(days=30)).isoformat(), "capacity": 3, **overrides}


# --- Public search ------------------------------------------------------------------------------


def test_public_list_shows_only_published_listings_of_verified_institutions(api):
    published = ListingFactory()
    ListingFactory(status=ListingStatus.DRAFT, published_at=None)
    ListingFactory(status=ListingStatus.SUBMITTED, published_at=None)
    ListingFactory(status=ListingStatus.ARCHIVED)
    ListingFactory(institution=InstitutionFactory(verified_at=None))
    response = api.get(reverse("api-listing-list"))
    assert response.status_code == 200
    assert ids(response) == [published.pk]


def test_public_detail_gives_the_facts_and_slots(api):
    listing = ListingFactory(rotation_type=RotationType.EXTERNSHIP, fee_usd=0, letter_possible=True,
                             required_documents=["cv", "passport"])
    listing.preceptors.add(PreceptorFactory(institution=listing.institution, user=None, full_name="Dr. Ada Osei"))
    slot = SlotFactory(listing=listing, capacity=3)
    body = api.get(reverse("api-listing-detail", args=[listing.pk])).json()
    assert body["institution"]["name"] == listing.institution.name
    assert (body["specialty"], body["specialty_label"]) == ("internal_medicine", "Internal Medicine")
    assert (body["rotation_type_label"], body["hands_on"]) == ("Hands-on externship", True)
    assert body["visa_labels"] == ["B-1 (business visitor)", "B-2 (visitor)"]
    assert body["required_document_labels"] == ["CV", "Passport"]
    assert (body["fee_usd"], body["letter_possible"]) == (0, True)
    assert [p["full_name"] for p in body["preceptors"]] == ["Dr. Ada Osei"]
    assert body["slots"] == [{
        "id": slot.pk, "start_date": slot.start_date.isoformat(), "end_date": slot.end_date.isoformat(),
        "capacity": 3, "seats_left": 3, "application_deadline": slot.application_deadline.isoformat(),
        "offer_valid_days": 7, "is_open": True,
    }]
    assert "status" not in body


@pytest.mark.parametrize("listing_kwargs", [
    {"status": ListingStatus.DRAFT, "published_at": None},
    {"status": ListingStatus.ARCHIVED},
    {"institution__verified_at": None},
], ids=["draft", "archived", "unverified institution"])
def test_public_detail_of_a_listing_that_is_not_public_is_404(api, listing_kwargs):
    listing = ListingFactory(**listing_kwargs)
    assert api.get(reverse("api-listing-detail", args=[listing.pk])).status_code == 404


@pytest.mark.parametrize("pk", ["987654", str(10**30), "-1", "abc", "%00"])
def test_public_detail_of_an_unknown_id_is_a_json_404(api, pk):
    response = api.get(f"/api/listings/{pk}/")
    assert response.status_code == 404
    assert list(response.json()) == ["detail"]


FILTER_CASES = [
    ({"specialty": "cardiology"}, {"specialty": Specialty.CARDIOLOGY}, {}),
    ({"type": "research"}, {"rotation_type": RotationType.RESEARCH}, {}),
    ({"hands_on": "true"}, {"rotation_type": RotationType.SUB_INTERNSHIP}, {}),
    ({"state": "NY"}, {"state": "NY"}, {}),
    ({"duration": "1-2"}, {"duration_weeks": 2}, {}),
    ({"free": "on"}, {"fee_usd": 0}, {}),
    ({"max_fee": "500"}, {"fee_usd": 500}, {"fee_usd": 501}),
    ({"audience": "students"}, {"audience": Audience.STUDENTS}, {"audience": Audience.GRADUATES}),
    ({"visa": "j1"}, {"visas": ["j1"]}, {}),
    ({"letter": "true"}, {"letter_possible": True}, {}),
    ({"q": "sleep"}, {"title": "Sleep Medicine Clinic"}, {}),
]


@pytest.mark.parametrize("params, match, other", FILTER_CASES, ids=[next(iter(p)) for p, _, _ in FILTER_CASES])
def test_each_filter_keeps_only_matching_listings(api, params, match, other):
    wanted = ListingFactory(**match)
    ListingFactory(**other)
    response = api.get(reverse("api-listing-list"), params)
    assert response.status_code == 200
    assert ids(response) == [wanted.pk]


def test_start_month_keeps_listings_with_a_slot_starting_that_month(api):
    start = date(timezone.localdate().year + 1, 3, 10)
    wanted = SlotFactory(start_date=start).listing
    SlotFactory(start_date=start + timedelta(days=31))
    response = api.get(reverse("api-listing-list"), {"start_month": f"{start.year}-03"})
    assert ids(response) == [wanted.pk]


def test_open_only_drops_listings_whose_slots_are_full_or_past_their_deadline(api):
    wanted = SlotFactory().listing
    Slot.objects.filter(pk=SlotFactory(capacity=1).pk).update(seats_taken=1)
    SlotFactory(application_deadline=timezone.localdate() - timedelta(days=1))
    response = api.get(reverse("api-listing-list"), {"open_only": "true"})
    assert ids(response) == [wanted.pk]


def test_fee_sort_puts_the_cheapest_first(api):
    dear, cheap, free = ListingFactory(fee_usd=3000), ListingFactory(fee_usd=900), ListingFactory(fee_usd=0)
    response = api.get(reverse("api-listing-list"), {"sort": "fee"})
    assert ids(response) == [free.pk, cheap.pk, dear.pk]


@pytest.mark.parametrize("param, value", [
    ("specialty", "astrology"),
    ("type", "vacation"),
    ("state", "ZZ"),
    ("max_fee", "-1"),
    ("max_fee", "lots"),
    ("max_fee", "9" * 40),
    ("start_month", "2026-13"),
    ("duration", "7"),
    ("free", "maybe"),
    ("sort", "random"),
    ("q", "heart\x00attack"),
    ("specialty", "\x00"),
    ("start_month", "\x00"),
    ("open_only", "\x00"),
])
def test_a_bad_filter_value_is_a_400_naming_the_parameter(api, param, value):
    ListingFactory()
    response = api.get(reverse("api-listing-list"), {param: value})
    assert response.status_code == 400
    assert list(response.json()) == [param]


@pytest.mark.django_db(transaction=True)  # committed, as the search index reads only what is
@pytest.mark.parametrize("count", [1, 10])
def test_public_list_takes_the_same_queries_for_1_and_10_listings(api, django_assert_num_queries, count):
    for _ in range(count):
        listing = ListingFactory()
        SlotFactory.create_batch(2, listing=listing)
        listing.preceptors.add(PreceptorFactory(institution=listing.institution, user=None))
    api.get(reverse("api-listing-list"), {"page": 2})  # the index is built once per process
    # what changed since the index looked, listings with institution, slots, preceptors
    with django_assert_num_queries(4):
        response = api.get(reverse("api-listing-list"))
    assert len(response.json()["results"]) == count


# --- Coordinators: who may do what --------------------------------------------------------------

# (method, URL name, which object's id, payload) for every coordinator endpoint.
ENDPOINTS = {
    "list listings": ("get", "api-coordinator-listing-list", None, None),
    "create listing": ("post", "api-coordinator-listing-list", None, listing_payload()),
    "read listing": ("get", "api-coordinator-listing-detail", "listing", None),
    "replace listing": ("put", "api-coordinator-listing-detail", "listing", listing_payload()),
    "edit listing": ("patch", "api-coordinator-listing-detail", "listing", {"title": "Changed"}),
    "submit listing": ("post", "api-coordinator-listing-submit", "listing", None),
    "archive listing": ("post", "api-coordinator-listing-archive", "listing", None),
    "list slots": ("get", "api-coordinator-listing-slots", "listing", None),
    "add slot": ("post", "api-coordinator-listing-slots", "listing", slot_payload()),
    "read slot": ("get", "api-coordinator-slot-detail", "slot", None),
    "replace slot": ("put", "api-coordinator-slot-detail", "slot", slot_payload()),
    "edit slot": ("patch", "api-coordinator-slot-detail", "slot", {"capacity": 5}),
    "delete slot": ("delete", "api-coordinator-slot-detail", "slot", None),
}
OBJECT_ENDPOINTS = [name for name, (_, _, target, _) in ENDPOINTS.items() if target]


def call(api, endpoint: str, slot: Slot):
    method, url_name, target, payload = ENDPOINTS[endpoint]
    args = {"listing": [slot.listing_id], "slot": [slot.pk], None: []}[target]
    return getattr(api, method)(reverse(url_name, args=args), payload, format="json")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("visitor", ["applicant", "preceptor"])
def test_applicants_and_preceptors_are_refused_every_coordinator_endpoint(api, request, slot, visitor,
                                                                          endpoint):
    before = database_state()
    response = call(login(api, request.getfixturevalue(visitor)), endpoint, slot)
    assert response.status_code == 403
    assert database_state() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_anonymous_visitors_are_refused_every_coordinator_endpoint(api, slot, endpoint):
    before = database_state()
    response = call(api, endpoint, slot)
    assert response.status_code == 403
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert database_state() == before


@pytest.mark.parametrize("endpoint", OBJECT_ENDPOINTS)
def test_a_coordinator_of_another_institution_gets_404_for_every_object(api, stranger, slot, endpoint):
    before = database_state()
    response = call(login(api, stranger), endpoint, slot)
    assert response.status_code == 404
    assert database_state() == before


def test_a_coordinator_of_another_institution_lists_none_of_its_listings(api, stranger, slot):
    response = login(api, stranger).get(reverse("api-coordinator-listing-list"))
    assert response.json()["count"] == 0


@pytest.mark.parametrize("user", ["coordinator", "colleague"])
def test_owner_and_colleague_list_their_institutions_drafts(api, request, slot, user):
    response = login(api, request.getfixturevalue(user)).get(reverse("api-coordinator-listing-list"))
    assert ids(response) == [slot.listing_id]
    assert response.json()["results"][0]["status"] == "draft"


@pytest.mark.parametrize("user", ["coordinator", "colleague"])
def test_owner_and_colleague_edit_their_institutions_draft(api, request, draft, user):
    response = login(api, request.getfixturevalue(user)).patch(
        reverse("api-coordinator-listing-detail", args=[draft.pk]), {"title": "Renamed"}, format="json")
    assert response.status_code == 200
    assert response.json()["title"] == "Renamed"
    draft.refresh_from_db()
    assert draft.title == "Renamed"


@pytest.mark.parametrize("user", ["coordinator", "colleague"])
def test_owner_and_colleague_read_and_edit_their_institutions_slot(api, request, slot, user):
    login(api, request.getfixturevalue(user))
    url = reverse("api-coordinator-slot-detail", args=[slot.pk])
    assert api.get(url).json()["capacity"] == 2
    response = api.patch(url, {"capacity": 6}, format="json")
    assert response.status_code == 200
    assert (response.json()["capacity"], response.json()["seats_left"]) == (6, 6)
    slot.refresh_from_db()
    assert slot.capacity == 6


@pytest.mark.parametrize("user", ["coordinator", "colleague"])
def test_owner_and_colleague_add_a_slot_to_their_institutions_listing(api, request, draft, user):
    response = login(api, request.getfixturevalue(user)).post(
        reverse("api-coordinator-listing-slots", args=[draft.pk]), slot_payload(capacity=4), format="json")
    assert response.status_code == 201
    assert list(draft.slots.values_list("capacity", flat=True)) == [4]


def test_admin_reads_any_institutions_listing(api, admin_user, draft):
    response = login(api, admin_user).get(reverse("api-coordinator-listing-detail", args=[draft.pk]))
    assert response.status_code == 200


# --- Coordinators: creating and editing ---------------------------------------------------------


def test_create_puts_the_listing_in_the_coordinators_own_institution(api, coordinator):
    other = InstitutionFactory()
    response = login(api, coordinator).post(reverse("api-coordinator-listing-list"),
                                            listing_payload(institution=other.pk), format="json")
    assert response.status_code == 201
    listing = Listing.objects.get()
    assert listing.institution == coordinator.coordinator.institution
    assert (listing.status, response.json()["institution"]["id"]) == (ListingStatus.DRAFT, listing.institution_id)


def test_an_admin_must_name_the_institution_of_a_new_listing(api, admin_user):
    response = login(api, admin_user).post(reverse("api-coordinator-listing-list"), listing_payload(),
                                           format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["institution"]
    assert Listing.objects.count() == 0


def test_an_admin_creates_a_listing_for_the_institution_named(api, admin_user):
    institution = InstitutionFactory()
    response = login(api, admin_user).post(reverse("api-coordinator-listing-list"),
                                           listing_payload(institution=institution.pk), format="json")
    assert response.status_code == 201
    assert Listing.objects.get().institution == institution


def test_a_preceptor_of_another_institution_cannot_be_attached(api, coordinator):
    outsider = PreceptorFactory()
    response = login(api, coordinator).post(reverse("api-coordinator-listing-list"),
                                            listing_payload(preceptors=[outsider.pk]), format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["preceptors"]
    assert Listing.objects.count() == 0


@pytest.mark.parametrize("field, value", [
    ("fee_usd", -1),
    ("specialty", "astrology"),
    ("title", "Cardio\x00logy"),
    ("duration_weeks", 53),
    ("visas", ["martian"]),
])
def test_bad_listing_input_is_a_400_naming_the_field_and_saves_nothing(api, coordinator, field, value):
    response = login(api, coordinator).post(reverse("api-coordinator-listing-list"),
                                            listing_payload(**{field: value}), format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert Listing.objects.count() == 0


@pytest.mark.parametrize("field, overrides", [
    ("end_date", {"end_date": (timezone.localdate() + timedelta(days=80)).isoformat()}),
    ("application_deadline", {"application_deadline": (timezone.localdate() + timedelta(days=91)).isoformat()}),
    ("capacity", {"capacity": 0}),
    ("start_date", {"start_date": "2001-01-01", "application_deadline": "2000-12-01"}),
    ("start_date", {"start_date": "yesterday"}),
], ids=["end before start", "deadline after start", "capacity 0", "start in the past", "not a date"])
def test_bad_slot_input_is_a_400_naming_the_field_and_saves_nothing(api, coordinator, draft, field, overrides):
    response = login(api, coordinator).post(reverse("api-coordinator-listing-slots", args=[draft.pk]),
                                            slot_payload(**overrides), format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert Slot.objects.count() == 0


def test_editing_a_slot_to_end_before_it_starts_is_a_400(api, coordinator, slot):
    before = database_state()
    response = login(api, coordinator).patch(reverse("api-coordinator-slot-detail", args=[slot.pk]),
                                             {"end_date": slot.start_date.isoformat()}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["end_date"]
    assert database_state() == before


def test_editing_a_published_listing_is_a_400(api, coordinator):
    listing = ListingFactory(institution=coordinator.coordinator.institution)
    before = database_state()
    response = login(api, coordinator).patch(reverse("api-coordinator-listing-detail", args=[listing.pk]),
                                             {"title": "Quietly changed"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Only drafts and listings returned for changes can be edited."]}
    assert database_state() == before


def test_there_is_no_delete_for_a_listing(api, coordinator, draft):
    response = login(api, coordinator).delete(reverse("api-coordinator-listing-detail", args=[draft.pk]))
    assert response.status_code == 405
    assert Listing.objects.filter(pk=draft.pk).exists()


# --- Coordinators: moderation and slots ---------------------------------------------------------


def test_submit_sends_a_draft_with_a_slot_for_review(api, coordinator, slot):
    response = login(api, coordinator).post(reverse("api-coordinator-listing-submit", args=[slot.listing_id]))
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    assert Listing.objects.get(pk=slot.listing_id).status == ListingStatus.SUBMITTED


def test_submit_without_a_slot_is_a_400(api, coordinator, draft):
    response = login(api, coordinator).post(reverse("api-coordinator-listing-submit", args=[draft.pk]))
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Add at least one slot before submitting the listing for review."]}
    assert Listing.objects.get(pk=draft.pk).status == ListingStatus.DRAFT


def test_archive_archives_the_listing(api, coordinator, draft):
    response = login(api, coordinator).post(reverse("api-coordinator-listing-archive", args=[draft.pk]))
    assert response.status_code == 200
    assert Listing.objects.get(pk=draft.pk).status == ListingStatus.ARCHIVED


def test_an_archived_listing_takes_no_new_slot(api, coordinator):
    listing = ListingFactory(institution=coordinator.coordinator.institution, status=ListingStatus.ARCHIVED)
    response = login(api, coordinator).post(reverse("api-coordinator-listing-slots", args=[listing.pk]),
                                            slot_payload(), format="json")
    assert response.status_code == 400
    assert Slot.objects.count() == 0


def test_owner_deletes_a_slot_with_no_seats_taken(api, coordinator, slot):
    response = login(api, coordinator).delete(reverse("api-coordinator-slot-detail", args=[slot.pk]))
    assert response.status_code == 204
    assert Slot.objects.count() == 0


def test_a_slot_with_seats_taken_is_not_deleted(api, coordinator, slot):
    Slot.objects.filter(pk=slot.pk).update(seats_taken=1)
    response = login(api, coordinator).delete(reverse("api-coordinator-slot-detail", args=[slot.pk]))
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["A slot with taken seats cannot be deleted."]}
    assert Slot.objects.count() == 1


@pytest.mark.parametrize("count", [1, 10])
def test_coordinator_list_takes_the_same_queries_for_1_and_10_listings(api, coordinator,
                                                                      django_assert_num_queries, count):
    institution = coordinator.coordinator.institution
    for _ in range(count):
        listing = ListingFactory(institution=institution, status=ListingStatus.DRAFT, published_at=None)
        SlotFactory.create_batch(2, listing=listing)
        listing.preceptors.add(PreceptorFactory(institution=institution, user=None))
    login(api, coordinator)
    # user (the session comes from the cache), the user's institution, count, listings with institution, slots, preceptors
    with django_assert_num_queries(6):
        response = api.get(reverse("api-coordinator-listing-list"))
    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [1, 10])
def test_slot_list_takes_the_same_queries_for_1_and_10_slots(api, coordinator, draft,
                                                             django_assert_num_queries, count):
    SlotFactory.create_batch(count, listing=draft)
    login(api, coordinator)
    # user (the session comes from the cache), the user's institution, the listing, count, slots
    with django_assert_num_queries(5):
        response = api.get(reverse("api-coordinator-listing-slots", args=[draft.pk]))
    assert len(response.json()["results"]) == count


# --- Schema -------------------------------------------------------------------------------------


def test_the_schema_describes_every_listing_endpoint(api):
    response = api.get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    mine = {path: sorted(paths[path]) for path in paths
            if path.startswith(("/api/listings/", "/api/coordinator/listings/", "/api/coordinator/slots/"))}
    assert mine == {
        "/api/listings/": ["get"],
        "/api/listings/{id}/": ["get"],
        "/api/coordinator/listings/": ["get", "post"],
        "/api/coordinator/listings/{id}/": ["get", "patch", "put"],
        "/api/coordinator/listings/{id}/submit/": ["post"],
        "/api/coordinator/listings/{id}/archive/": ["post"],
        "/api/coordinator/listings/{id}/slots/": ["get", "post"],
        "/api/coordinator/slots/{id}/": ["delete", "get", "patch", "put"],
    }


def test_anonymous_requests_are_limited_by_the_anon_rate_and_signed_in_ones_by_the_user_rate(api, applicant, monkeypatch):
    from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

    from core.api_support import SignedInRateThrottle
    from rotations.api import ListingSearchViewSet

    # The site's throttles (config/settings/base.py; the suite's settings turn them off).
    monkeypatch.setattr(ListingSearchViewSet, "throttle_classes", [AnonRateThrottle, SignedInRateThrottle])
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "1/min"})
    address = {"REMOTE_ADDR": "198.51.100.23"}  # throttled apart from every other test's requests
    # Another URL each time: the anonymous search cache answers a repeated one before throttling.
    url = reverse("api-listing-list")
    assert [api.get(url, {"n": n}, **address).status_code for n in range(4)] == [200, 200, 200, 429]
    login(api, applicant)
    assert [api.get(url, {"n": n}, **address).status_code for n in range(2)] == [200, 429]
