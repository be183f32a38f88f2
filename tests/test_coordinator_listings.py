"""Coordinators' listing and slot pages and the admins' moderation queue, through the web."""

from datetime import timedelta

import pytest
from django.contrib.postgres.search import SearchQuery
from django.urls import reverse
from django.utils import timezone

from notifications import kinds
from notifications.models import Notification
from rotations.choices import ListingStatus
from rotations.models import Listing, Slot

from .factories import ApplicationFactory, InstitutionFactory, ListingFactory, PreceptorFactory, SlotFactory

pytestmark = pytest.mark.django_db


def draft(institution, **kwargs) -> Listing:
    return ListingFactory(institution=institution, status=ListingStatus.DRAFT, published_at=None, **kwargs)


def day(n: int) -> str:
    return (timezone.localdate() + timedelta(days=n)).isoformat()


LISTING_FORM = {
    "title": "Cardiology observership", "specialty": "cardiology", "rotation_type": "observership",
    "setting": "inpatient", "duration_weeks": "4", "description": "Clinic, echo lab and rounds.",
    "city": "Springfield", "state": "IL", "audience": "graduates", "visas": ["b1", "b2"],
    "requires_step1": "on", "min_step2_score": "", "required_documents": ["cv", "passport"],
    "fee_usd": "0", "fee_covers": "", "refund_policy": "", "letter_possible": "on",
}
SLOT_FORM = {"start_date": day(60), "end_date": day(87), "capacity": "2",
             "application_deadline": day(39), "offer_valid_days": "7"}


@pytest.fixture
def listing(coordinator):
    """A draft of the owner's institution with one slot."""
    listing = draft(coordinator.coordinator.institution)
    SlotFactory(listing=listing)
    return listing


def state():
    """Everything the pages below could change."""
    return (list(Listing.objects.order_by("pk").values_list("pk", "status", "title", "updated_at")),
            list(Slot.objects.order_by("pk").values_list("pk", "start_date", "capacity")))


# Every URL, as (method, name, what its arguments are, POST data).
def urls(listing):
    slot = listing.slots.get()
    return {
        "coordinator_listings": ("get", reverse("rotations:coordinator_listings"), {}),
        "listing_create": ("get", reverse("rotations:listing_create"), {}),
        "coordinator_listing": ("get", reverse("rotations:coordinator_listing", args=[listing.pk]), {}),
        "listing_edit": ("get", reverse("rotations:listing_edit", args=[listing.pk]), {}),
        "listing_edit_post": ("post", reverse("rotations:listing_edit", args=[listing.pk]), LISTING_FORM),
        "slot_create": ("get", reverse("rotations:slot_create", args=[listing.pk]), {}),
        "slot_create_post": ("post", reverse("rotations:slot_create", args=[listing.pk]), SLOT_FORM),
        "slot_import": ("get", reverse("rotations:slot_import", args=[listing.pk]), {}),
        "slot_import_example": ("get", reverse("rotations:slot_import_example"), {}),
        "slot_edit": ("get", reverse("rotations:slot_edit", args=[slot.pk]), {}),
        "slot_edit_post": ("post", reverse("rotations:slot_edit", args=[slot.pk]), SLOT_FORM),
        "slot_delete": ("post", reverse("rotations:slot_delete", args=[slot.pk]), {}),
        "submit": ("post", reverse("rotations:listing_action", args=[listing.pk, "submit"]), {}),
        "archive": ("post", reverse("rotations:listing_action", args=[listing.pk, "archive"]), {}),
        "moderation": ("get", reverse("rotations:moderation"), {}),
        "publish": ("post", reverse("rotations:moderation_action", args=[listing.pk, "publish"]), {}),
        "return": ("post", reverse("rotations:moderation_action", args=[listing.pk, "return"]),
                   {"reason": "Add the fee."}),
    }


COORDINATOR_PAGES = ["coordinator_listings", "listing_create", "coordinator_listing", "listing_edit",
                     "slot_create", "slot_import", "slot_import_example", "slot_edit"]
OBJECT_URLS = ["coordinator_listing", "listing_edit", "listing_edit_post", "slot_create", "slot_create_post",
               "slot_import", "slot_edit", "slot_edit_post", "slot_delete", "submit", "archive"]
MODERATION_URLS = ["moderation", "publish", "return"]
ALL_URLS = [*COORDINATOR_PAGES, "listing_edit_post", "slot_create_post", "slot_edit_post", "slot_delete",
            "submit", "archive", *MODERATION_URLS]


def call(client, listing, key):
    method, url, data = urls(listing)[key]
    return getattr(client, method)(url, data)


# Owner, colleague, stranger; applicants and anonymous visitors.

@pytest.mark.parametrize("who", ["coordinator", "colleague"])
@pytest.mark.parametrize("key", COORDINATOR_PAGES)
def test_owner_and_colleague_open_every_coordinator_page(client, request, listing, who, key):
    client.force_login(request.getfixturevalue(who))
    assert call(client, listing, key).status_code == 200


@pytest.mark.parametrize("key", OBJECT_URLS)
def test_a_stranger_gets_404_and_nothing_changes(client, listing, stranger, key):
    before = state()
    client.force_login(stranger)
    assert call(client, listing, key).status_code == 404
    assert state() == before


def test_a_stranger_does_not_see_another_institutions_listings(client, listing, stranger):
    own = draft(stranger.coordinator.institution)
    client.force_login(stranger)
    response = client.get(reverse("rotations:coordinator_listings"))
    assert [item for _, _, items in response.context["groups"] for item in items] == [own]


@pytest.mark.parametrize("key", ALL_URLS)
def test_applicants_get_403_and_nothing_changes(client, listing, applicant, key):
    before = state()
    client.force_login(applicant)
    assert call(client, listing, key).status_code == 403
    assert state() == before


@pytest.mark.parametrize("key", ALL_URLS)
def test_anonymous_visitors_are_sent_to_the_login_page(client, listing, key):
    before = state()
    response = call(client, listing, key)
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={urls(listing)[key][1]}"
    assert state() == before


@pytest.mark.parametrize("key", MODERATION_URLS)
def test_coordinators_are_refused_moderation(client, coordinator, key):
    listing = ListingFactory(institution=coordinator.coordinator.institution, status=ListingStatus.SUBMITTED)
    SlotFactory(listing=listing)
    before = state()
    client.force_login(coordinator)
    assert call(client, listing, key).status_code == 403
    assert state() == before


@pytest.mark.parametrize("key", ["coordinator_listings", "coordinator_listing", "submit"])
def test_admins_do_not_use_the_coordinator_pages(client, listing, admin_user, key):
    client.force_login(admin_user)
    assert call(client, listing, key).status_code == 403


def test_a_colleague_edits_a_draft_of_the_institution(client, listing, colleague):
    client.force_login(colleague)
    response = client.post(reverse("rotations:listing_edit", args=[listing.pk]), LISTING_FORM)
    assert response.status_code == 302
    listing.refresh_from_db()
    assert (listing.title, listing.specialty) == ("Cardiology observership", "cardiology")


def test_a_colleague_deletes_a_slot_of_the_institution(client, listing, colleague):
    client.force_login(colleague)
    client.post(reverse("rotations:slot_delete", args=[listing.slots.get().pk]))
    assert listing.slots.count() == 0


# Creating and editing listings.

def test_creating_a_listing_lands_it_as_a_draft_of_the_coordinators_institution(client, coordinator):
    preceptor = PreceptorFactory(institution=coordinator.coordinator.institution)
    client.force_login(coordinator)
    response = client.post(reverse("rotations:listing_create"), {**LISTING_FORM, "preceptors": [preceptor.pk]})
    listing = Listing.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("rotations:coordinator_listing", args=[listing.pk])
    assert (listing.institution, listing.status) == (coordinator.coordinator.institution, ListingStatus.DRAFT)
    assert (listing.visas, listing.required_documents) == (["b1", "b2"], ["cv", "passport"])
    assert (listing.requires_step1, listing.requires_step2, listing.letter_possible) == (True, False, True)
    assert list(listing.preceptors.all()) == [preceptor]


def test_a_new_listing_is_placed_where_the_institution_is(client, coordinator):
    institution = coordinator.coordinator.institution
    client.force_login(coordinator)
    form = client.get(reverse("rotations:listing_create")).context["form"]
    assert (form["city"].value(), form["state"].value()) == (institution.city, institution.state)


def test_a_new_listing_gets_a_search_document(client, coordinator):
    client.force_login(coordinator)
    client.post(reverse("rotations:listing_create"), LISTING_FORM)
    query = SearchQuery("cardiology", config="english")
    assert Listing.objects.filter(search_vector=query).count() == 1


def test_the_form_offers_only_the_institutions_preceptors(client, coordinator):
    own = PreceptorFactory(institution=coordinator.coordinator.institution)
    PreceptorFactory()
    client.force_login(coordinator)
    form = client.get(reverse("rotations:listing_create")).context["form"]
    assert list(form.fields["preceptors"].queryset) == [own]


def test_another_institutions_preceptor_is_refused(client, coordinator):
    elsewhere = PreceptorFactory()
    client.force_login(coordinator)
    response = client.post(reverse("rotations:listing_create"), {**LISTING_FORM, "preceptors": [elsewhere.pk]})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["preceptors"]
    assert Listing.objects.count() == 0


def test_an_invalid_listing_shows_field_errors_and_keeps_what_was_typed(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("rotations:listing_create"),
                           {**LISTING_FORM, "title": "", "duration_weeks": "60"})
    form = response.context["form"]
    assert response.status_code == 200
    assert form.errors == {"title": ["This field is required."],
                           "duration_weeks": ["Ensure this value is less than or equal to 52."]}
    assert form["description"].value() == "Clinic, echo lab and rounds."
    assert form["visas"].value() == ["b1", "b2"]
    assert Listing.objects.count() == 0


def test_a_title_with_direction_characters_is_a_field_error(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("rotations:listing_create"),
                           {**LISTING_FORM, "title": "Cardiology\u202e observership", "city": "Chicago\u2066"})
    assert response.context["form"].errors == {
        field: ["Remove the invisible text-direction characters (such as U+202E) from this text."]
        for field in ("title", "city")}
    assert Listing.objects.count() == 0


def test_a_minimum_step2_score_needs_step2_required(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("rotations:listing_create"), {**LISTING_FORM, "min_step2_score": "240"})
    assert response.context["form"].errors == {
        "min_step2_score": ["Set a minimum score only when Step 2 CK is required."]}


def test_editing_a_published_listing_is_refused(client, coordinator):
    listing = ListingFactory(institution=coordinator.coordinator.institution)
    client.force_login(coordinator)
    response = client.post(reverse("rotations:listing_edit", args=[listing.pk]), LISTING_FORM)
    assert response.status_code == 409
    assert "changes only through moderation" in response.content.decode()
    listing.refresh_from_db()
    assert listing.title.startswith("Internal Medicine Observership")


def test_the_edit_page_of_a_submitted_listing_says_why_not(client, coordinator):
    listing = ListingFactory(institution=coordinator.coordinator.institution, status=ListingStatus.SUBMITTED)
    client.force_login(coordinator)
    response = client.get(reverse("rotations:listing_edit", args=[listing.pk]))
    assert response.status_code == 409
    assert "waiting for an administrator" in response.content.decode()


def test_the_listing_page_offers_the_actions_of_its_state(client, listing, coordinator):
    client.force_login(coordinator)
    context = client.get(reverse("rotations:coordinator_listing", args=[listing.pk])).context
    assert (context["can_edit"], context["can_add_slots"], context["actions"]) == (True, True, ["submit", "archive"])


def test_a_published_listing_offers_only_archive_and_slots(client, coordinator):
    listing = ListingFactory(institution=coordinator.coordinator.institution)
    client.force_login(coordinator)
    context = client.get(reverse("rotations:coordinator_listing", args=[listing.pk])).context
    assert (context["can_edit"], context["can_add_slots"], context["actions"]) == (False, True, ["archive"])


def test_an_unknown_action_is_not_found(client, listing, coordinator):
    client.force_login(coordinator)
    assert client.post(reverse("rotations:listing_action", args=[listing.pk, "publish"])).status_code == 404
    listing.refresh_from_db()
    assert listing.status == ListingStatus.DRAFT


# Slots.

def test_a_slot_is_added_to_the_listing(client, listing, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("rotations:slot_create", args=[listing.pk]), SLOT_FORM)
    assert response.status_code == 302
    slot = listing.slots.latest("pk")
    assert (slot.start_date.isoformat(), slot.capacity, slot.offer_valid_days) == (day(60), 2, 7)


def test_a_slot_ending_before_it_starts_gets_a_field_error(client, listing, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("rotations:slot_create", args=[listing.pk]), {**SLOT_FORM, "end_date": day(50)})
    assert response.context["form"].errors == {"end_date": ["Must be after the start date."]}
    assert response.context["form"]["capacity"].value() == "2"
    assert listing.slots.count() == 1


def test_a_slot_deadline_after_its_start_gets_a_field_error(client, listing, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("rotations:slot_create", args=[listing.pk]),
                           {**SLOT_FORM, "application_deadline": day(61)})
    assert response.context["form"].errors == {"application_deadline": ["Must be on or before the start date."]}


def test_a_slot_starting_in_the_past_gets_a_field_error(client, listing, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("rotations:slot_create", args=[listing.pk]),
                           {**SLOT_FORM, "start_date": day(-1), "application_deadline": day(-3)})
    assert response.context["form"].errors == {"start_date": ["Must not be in the past."]}


def test_a_slot_keeps_at_least_its_taken_seats(client, listing, coordinator):
    slot = listing.slots.get()
    Slot.objects.filter(pk=slot.pk).update(seats_taken=2)
    client.force_login(coordinator)
    response = client.post(reverse("rotations:slot_edit", args=[slot.pk]), {**SLOT_FORM, "capacity": "1"})
    assert response.context["form"].errors == {"capacity": ["Fewer seats than are already taken."]}
    slot.refresh_from_db()
    assert slot.capacity == 2


def test_dates_an_applicant_applied_to_keep_their_start_with_a_field_error(client, listing, coordinator):
    slot = listing.slots.get()
    ApplicationFactory(slot=slot, status="submitted")
    client.force_login(coordinator)
    response = client.post(reverse("rotations:slot_edit", args=[slot.pk]),
                           {**SLOT_FORM, "start_date": day(67), "end_date": day(94)})
    assert list(response.context["form"].errors) == ["start_date"]
    assert "cannot be moved: add new dates instead" in response.content.decode()
    assert Slot.objects.get(pk=slot.pk).start_date == slot.start_date


def test_a_slot_with_taken_seats_is_not_deleted(client, listing, coordinator):
    slot = listing.slots.get()
    Slot.objects.filter(pk=slot.pk).update(seats_taken=1)
    client.force_login(coordinator)
    response = client.post(reverse("rotations:slot_delete", args=[slot.pk]), follow=True)
    assert "A slot with taken seats cannot be deleted." in response.content.decode()
    assert listing.slots.count() == 1


def test_the_listing_page_shows_seats_left_and_closed_slots(client, listing, coordinator):
    full = SlotFactory(listing=listing, capacity=1)
    Slot.objects.filter(pk=full.pk).update(seats_taken=1)
    client.force_login(coordinator)
    page = client.get(reverse("rotations:coordinator_listing", args=[listing.pk])).content.decode()
    assert page.count("Closed: full") == 1
    assert page.count(">Open</span>") == 1


# Moderation, through the web.

def test_the_full_moderation_path(client, coordinator, admin_user):
    client.force_login(coordinator)
    client.post(reverse("rotations:listing_create"), LISTING_FORM)
    listing = Listing.objects.get()
    client.post(reverse("rotations:slot_create", args=[listing.pk]), SLOT_FORM)
    client.post(reverse("rotations:listing_action", args=[listing.pk, "submit"]))
    assert Listing.objects.get().status == ListingStatus.SUBMITTED

    client.force_login(admin_user)
    assert list(client.get(reverse("rotations:moderation")).context["queue"]) == [listing]
    client.post(reverse("rotations:moderation_action", args=[listing.pk, "return"]), {"reason": "Say what the fee covers."})
    assert Listing.objects.get().status == ListingStatus.RETURNED

    client.force_login(coordinator)
    client.post(reverse("rotations:listing_edit", args=[listing.pk]), {**LISTING_FORM, "fee_covers": "Parking."})
    client.post(reverse("rotations:listing_action", args=[listing.pk, "submit"]))
    assert Listing.objects.get().status == ListingStatus.SUBMITTED

    client.force_login(admin_user)
    client.post(reverse("rotations:moderation_action", args=[listing.pk, "publish"]))
    assert Listing.objects.get().status == ListingStatus.PUBLISHED

    client.force_login(coordinator)
    client.post(reverse("rotations:listing_action", args=[listing.pk, "archive"]))
    listing.refresh_from_db()
    assert (listing.status, listing.fee_covers) == (ListingStatus.ARCHIVED, "Parking.")


def test_submitting_needs_a_slot(client, coordinator):
    listing = draft(coordinator.coordinator.institution)
    client.force_login(coordinator)
    response = client.post(reverse("rotations:listing_action", args=[listing.pk, "submit"]), follow=True)
    assert "Add at least one slot before submitting the listing for review." in response.content.decode()
    listing.refresh_from_db()
    assert listing.status == ListingStatus.DRAFT


def test_submitting_tells_the_admins(client, listing, coordinator, admin_user):
    client.force_login(coordinator)
    client.post(reverse("rotations:listing_action", args=[listing.pk, "submit"]))
    notification = admin_user.notifications.get()
    assert (notification.kind, notification.url) == (kinds.LISTING_SUBMITTED.name, reverse("rotations:moderation"))


@pytest.fixture
def submitted(coordinator):
    listing = ListingFactory(institution=coordinator.coordinator.institution, status=ListingStatus.SUBMITTED,
                             published_at=None, submitted_at=timezone.now())
    SlotFactory(listing=listing)
    return listing


def test_returning_needs_a_reason(client, submitted, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("rotations:moderation_action", args=[submitted.pk, "return"]), {"reason": "  "})
    assert response.status_code == 400
    assert list(response.context["queue"])[0].return_form.errors == {"reason": ["Say what needs to change."]}
    submitted.refresh_from_db()
    assert submitted.status == ListingStatus.SUBMITTED
    assert Notification.objects.count() == 0


def test_returning_tells_every_coordinator_of_the_institution_the_reason(
        client, submitted, coordinator, colleague, stranger, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("rotations:moderation_action", args=[submitted.pk, "return"]),
                           {"reason": "Say what the fee covers."})
    assert response.status_code == 302
    notified = Notification.objects.filter(kind=kinds.LISTING_RETURNED.name)
    assert sorted(n.user_id for n in notified) == sorted([coordinator.pk, colleague.pk])
    assert all("Say what the fee covers." in n.body for n in notified)
    assert {n.url for n in notified} == {reverse("rotations:coordinator_listing", args=[submitted.pk])}


def test_the_return_reason_shows_on_the_listing_page(client, submitted, coordinator, admin_user):
    client.force_login(admin_user)
    client.post(reverse("rotations:moderation_action", args=[submitted.pk, "return"]), {"reason": "Add the refund policy."})
    client.force_login(coordinator)
    page = client.get(reverse("rotations:coordinator_listing", args=[submitted.pk])).content.decode()
    assert "Add the refund policy." in page


def test_publishing_makes_the_listing_public(client, submitted, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("rotations:moderation_action", args=[submitted.pk, "publish"]))
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert (submitted.status, submitted.is_public) == (ListingStatus.PUBLISHED, True)


def test_an_unverified_institution_cannot_publish(client, coordinator, submitted, admin_user):
    institution = coordinator.coordinator.institution
    institution.verified_at = None
    institution.save()
    client.force_login(admin_user)
    response = client.post(reverse("rotations:moderation_action", args=[submitted.pk, "publish"]))
    assert response.status_code == 400
    assert response.context["error"] == (f"“{submitted.title}” was not published: The institution is not "
                                         "verified yet; verify it before publishing.")
    submitted.refresh_from_db()
    assert submitted.status == ListingStatus.SUBMITTED


def test_the_queue_lists_exactly_the_submitted_listings(client, submitted, admin_user):
    other = ListingFactory(status=ListingStatus.SUBMITTED, submitted_at=timezone.now())
    for status in [ListingStatus.DRAFT, ListingStatus.RETURNED, ListingStatus.PUBLISHED, ListingStatus.ARCHIVED]:
        ListingFactory(institution=submitted.institution, status=status)
    client.force_login(admin_user)
    response = client.get(reverse("rotations:moderation"))
    assert list(response.context["queue"]) == [submitted, other]


def test_the_queue_says_whether_the_institution_is_verified(client, submitted, admin_user):
    ListingFactory(status=ListingStatus.SUBMITTED, institution=InstitutionFactory(verified_at=None))
    client.force_login(admin_user)
    page = client.get(reverse("rotations:moderation")).content.decode()
    assert (page.count("Verified institution"), page.count("Institution not verified")) == (1, 1)


# Constant queries on list pages.

@pytest.mark.parametrize("count", [1, 8])
def test_the_coordinator_listings_page_takes_constant_queries(client, coordinator, django_assert_num_queries, count):
    for n in range(count):
        listing = ListingFactory(institution=coordinator.coordinator.institution,
                                 status=list(ListingStatus)[n % 5])
        SlotFactory.create_batch(2, listing=listing)
    client.force_login(coordinator)
    with django_assert_num_queries(5):
        response = client.get(reverse("rotations:coordinator_listings"))
    assert sum(len(items) for _, _, items in response.context["groups"]) == count


@pytest.mark.parametrize("count", [1, 8])
def test_the_moderation_queue_takes_constant_queries(client, admin_user, django_assert_num_queries, count):
    for _ in range(count):
        institution = InstitutionFactory()
        listing = ListingFactory(institution=institution, status=ListingStatus.SUBMITTED, submitted_at=timezone.now())
        listing.preceptors.add(PreceptorFactory(institution=institution))
        SlotFactory.create_batch(2, listing=listing)
    client.force_login(admin_user)
    with django_assert_num_queries(5):
        response = client.get(reverse("rotations:moderation"))
    assert len(response.context["queue"]) == count
