"""Applications through the API: who sees which, applying, and every move with its audit trail."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from applicants.services import document_review
from matching.models import Application, ApplicationEvent
from rotations.choices import ListingStatus
from rotations.models import Slot

from .factories import (
    ApplicationFactory,
    DocumentFactory,
    ListingFactory,
    ProfileFactory,
    SlotFactory,
    UserFactory,
    ids,
    login,
    uploaded,
)

pytestmark = pytest.mark.django_db

LIST_URL = "/api/applications/"


def detail_url(application) -> str:
    return reverse("api-application-detail", args=[application.pk])


def move_url(application) -> str:
    return reverse("api-application-move", args=[application.pk])


def database_state() -> tuple[list, list, list]:
    """Every application and event column and each slot's seats, to show a refused write changed nothing."""
    return (list(Application.objects.order_by("pk").values()),
            list(ApplicationEvent.objects.order_by("pk").values()),
            list(Slot.objects.order_by("pk").values_list("pk", "seats_taken")))


@pytest.fixture
def slot(coordinator):
    """Dates of a published listing of the coordinator's institution."""
    return SlotFactory(listing__institution=coordinator.coordinator.institution)


@pytest.fixture
def application(applicant, slot):
    ProfileFactory(user=applicant)
    return ApplicationFactory(applicant=applicant, slot=slot)


# --- Who sees what ------------------------------------------------------------------------------

# role → (list status, the ids it lists: "mine" = the applicant's application, detail status)
READERS = {
    "applicant": (200, True, 200),
    "other_applicant": (200, False, 404),
    "coordinator": (200, True, 200),
    "colleague": (200, True, 200),
    "stranger": (200, False, 404),
    "preceptor": (403, None, 403),
    "admin_user": (200, True, 200),
    "anonymous": (403, None, 403),
}


def user_of(request, role):
    return None if role == "anonymous" else request.getfixturevalue(role)


@pytest.mark.parametrize("role", READERS)
def test_each_role_lists_only_the_applications_it_may_see(api, request, application, role):
    status, listed, _ = READERS[role]
    ApplicationFactory()  # another institution's, another applicant's
    response = login(api, user_of(request, role)).get(LIST_URL)
    assert response.status_code == status
    if listed is not None:
        expected = [application.pk] if listed else []
        assert [pk for pk in ids(response) if pk == application.pk] == expected


def test_an_admin_lists_every_application(api, admin_user, application):
    other = ApplicationFactory()
    assert ids(login(api, admin_user).get(LIST_URL)) == [other.pk, application.pk]


def test_a_coordinator_lists_only_applications_to_their_institution(api, coordinator, application):
    ApplicationFactory()
    assert ids(login(api, coordinator).get(LIST_URL)) == [application.pk]


@pytest.mark.parametrize("role", READERS)
def test_each_role_reads_an_application_only_if_it_may(api, request, application, role):
    response = login(api, user_of(request, role)).get(detail_url(application))
    assert response.status_code == READERS[role][2]


# role → the answer to the move it would most like to make on someone else's application
MOVERS = {
    "other_applicant": ("withdraw", 404),
    "stranger": ("offer", 404),
    "preceptor": ("offer", 403),
    "anonymous": ("withdraw", 403),
}


@pytest.mark.parametrize("role", MOVERS)
def test_a_move_by_someone_it_does_not_concern_is_refused_and_changes_nothing(api, request, application, role):
    action, status = MOVERS[role]
    before = database_state()
    response = login(api, user_of(request, role)).post(move_url(application), {"action": action}, format="json")
    assert response.status_code == status
    assert database_state() == before


@pytest.mark.parametrize("pk", ["987654", str(10**30), "-1", "abc"])
def test_an_unknown_application_id_is_a_json_404(api, applicant, pk):
    response = login(api, applicant).get(f"{LIST_URL}{pk}/")
    assert response.status_code == 404
    assert list(response.json()) == ["detail"]


# --- What each reader gets ----------------------------------------------------------------------


def test_the_applicant_gets_their_application_with_its_history_but_not_the_host_view(api, applicant, application):
    body = login(api, applicant).get(detail_url(application)).json()
    assert (body["status"], body["statement"]) == ("submitted", application.statement)
    assert body["slot"]["listing"]["institution"]["id"] == application.slot.listing.institution_id
    assert body["actions"] == ["withdraw"]
    assert (body["applicant_profile"], body["applicant_documents"]) == (None, None)


def test_a_coordinator_sees_the_profile_and_only_the_verified_documents(api, coordinator, applicant, application):
    verified = DocumentFactory(applicant=applicant, kind="cv")
    DocumentFactory(applicant=applicant, kind="good_standing", status="pending")
    body = login(api, coordinator).get(detail_url(application)).json()
    assert body["applicant_profile"]["legal_name"] == applicant.profile.legal_name
    assert "calendar_token" not in body["applicant_profile"]
    assert [d["id"] for d in body["applicant_documents"]] == [verified.pk]
    assert body["applicant_documents"][0]["download_url"] == (
        f"http://testserver/documents/{verified.pk}/download/")
    assert body["actions"] == ["review", "offer", "waitlist", "reject"]


def test_an_admin_sees_every_document_of_the_applicant(api, admin_user, applicant, application):
    documents = [DocumentFactory(applicant=applicant, kind="cv"),
                 DocumentFactory(applicant=applicant, kind="good_standing", status="pending")]
    body = login(api, admin_user).get(detail_url(application)).json()
    assert [d["id"] for d in body["applicant_documents"]] == [d.pk for d in documents]


def test_the_history_names_roles_never_e_mail_addresses(api, applicant, coordinator, application):
    login(api, coordinator).post(move_url(application), {"action": "review"}, format="json")
    response = login(api, applicant).get(detail_url(application))
    events = [(e["action"], e["from_status"], e["to_status"], e["by_role"]) for e in response.json()["events"]]
    assert events == [("review", "submitted", "under_review", "coordinator")]
    assert coordinator.email not in response.content.decode()


# --- Listing filters and queries ----------------------------------------------------------------


def test_the_status_filter_keeps_only_that_status(api, applicant, slot):
    offered = ApplicationFactory(applicant=applicant, status="offered")
    ApplicationFactory(applicant=applicant, slot=slot)
    response = login(api, applicant).get(LIST_URL, {"status": "offered"})
    assert ids(response) == [offered.pk]


@pytest.mark.parametrize("value", ["pending", "\x00", "offered\x00"])
def test_a_bad_status_filter_is_a_400_naming_it(api, applicant, value):
    response = login(api, applicant).get(LIST_URL, {"status": value})
    assert response.status_code == 400
    assert list(response.json()) == ["status"]


@pytest.mark.parametrize("count", [1, 5])
def test_the_application_list_takes_the_same_queries_for_1_and_5(api, coordinator, slot,
                                                              django_assert_num_queries, count):
    for _ in range(count):
        ProfileFactory(user=ApplicationFactory(slot=slot).applicant)
    login(api, coordinator)
    # user (the session comes from the cache), the coordinator's institution, count, applications with their details
    with django_assert_num_queries(4):
        response = api.get(LIST_URL)
    assert len(response.json()["results"]) == count


# --- Applying -----------------------------------------------------------------------------------


def test_an_eligible_applicant_applies(api, applicant, slot):
    ProfileFactory(user=applicant)
    response = login(api, applicant).post(LIST_URL, {"slot": slot.pk, "statement": "I want to learn."},
                                          format="json")
    assert response.status_code == 201
    application = Application.objects.get()
    assert (application.applicant, application.slot, application.status) == (applicant, slot, "submitted")
    assert response.json()["events"][0]["action"] == "submit"


@pytest.mark.parametrize("visitor", ["coordinator", "preceptor", "admin_user"])
def test_only_applicants_apply(api, request, slot, visitor):
    response = login(api, request.getfixturevalue(visitor)).post(
        LIST_URL, {"slot": slot.pk, "statement": "Let me in."}, format="json")
    assert response.status_code == 403
    assert Application.objects.count() == 0


@pytest.mark.parametrize("payload, field", [
    ({"statement": "I want to learn\x00."}, "statement"),
    ({"statement": "   "}, "statement"),
    ({"statement": "x" * 5001}, "statement"),
    ({"slot": 987654}, "slot"),
    ({"slot": 10**30}, "slot"),
    ({"slot": "abc"}, "slot"),
], ids=["NUL in statement", "blank statement", "long statement", "no such slot", "huge id", "not an id"])
def test_bad_application_input_is_a_400_naming_the_field(api, applicant, slot, payload, field):
    ProfileFactory(user=applicant)
    response = login(api, applicant).post(LIST_URL, {"slot": slot.pk, "statement": "Hello.", **payload},
                                          format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert Application.objects.count() == 0


@pytest.mark.parametrize("wrong", ["half", "true"])
def test_an_id_that_is_not_a_whole_number_never_names_another_slot(api, applicant, slot, wrong):
    """The database would cast 1.5 (or true) to 1: the request must be refused, not applied to slot 1."""
    ProfileFactory(user=applicant)
    value = slot.pk + 0.5 if wrong == "half" else True
    response = login(api, applicant).post(LIST_URL, {"slot": value, "statement": "Hello."}, format="json")
    assert response.status_code == 400
    assert response.json() == {"slot": [
        f"Incorrect type. Expected pk value, received {'float' if wrong == 'half' else 'bool'}."]}
    assert Application.objects.count() == 0


def test_a_slot_of_a_draft_listing_is_answered_like_a_missing_one(api, applicant):
    ProfileFactory(user=applicant)
    draft = SlotFactory(listing__status=ListingStatus.DRAFT, listing__published_at=None)
    response = login(api, applicant).post(LIST_URL, {"slot": draft.pk, "statement": "Hi."}, format="json")
    assert response.status_code == 400
    assert response.json() == {"slot": [f'Invalid pk "{draft.pk}" - object does not exist.']}


def test_an_applicant_without_a_profile_is_told_what_is_missing(api, applicant, slot):
    response = login(api, applicant).post(LIST_URL, {"slot": slot.pk, "statement": "Hi."}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Complete your profile: hosts need your school, exams and visa status."]}
    assert Application.objects.count() == 0


def test_applying_twice_is_a_400(api, applicant, application):
    before = database_state()
    response = login(api, applicant).post(LIST_URL, {"slot": application.slot_id, "statement": "Again."},
                                          format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["You have applied to these dates already."]}
    assert database_state() == before


# --- Moves --------------------------------------------------------------------------------------


def move(api, user, application, action, message=""):
    return login(api, user).post(move_url(application), {"action": action, "message": message}, format="json")


def test_the_full_path_from_application_to_approved_placement(api, applicant, coordinator, admin_user):
    slot = SlotFactory(listing=ListingFactory(institution=coordinator.coordinator.institution,
                                              required_documents=["cv"]))
    login(api, applicant).put("/api/profile/", {
        "legal_name": "Amina Yusuf", "citizenship": "NG", "medical_school": "University of Lagos",
        "school_country": "NG", "stage": "graduate", "graduation_year": 2023, "visa_status": "b1"}, format="json")
    api.post("/api/documents/", {"kind": "cv", "file": uploaded()}, format="multipart")
    submitted = api.post(LIST_URL, {"slot": slot.pk, "statement": "Internal medicine is my path."}, format="json")
    assert submitted.status_code == 201
    application = Application.objects.get()

    offered = move(api, coordinator, application, "offer", "Welcome aboard.")
    assert (offered.status_code, offered.json()["status"], offered.json()["message"]) == (
        200, "offered", "Welcome aboard.")
    accepted = move(api, applicant, application, "accept")
    assert (accepted.status_code, accepted.json()["status"]) == (200, "accepted")

    too_early = move(api, admin_user, application, "approve")
    assert too_early.status_code == 400
    assert too_early.json()["non_field_errors"] == [
        "Not every check passes; verify the documents first.", "CV: Awaiting verification by Rotamatch."]

    document_review(document=applicant.documents.get(), by=admin_user, verified=True)
    approved = move(api, admin_user, application, "approve")
    assert (approved.status_code, approved.json()["status"]) == (200, "approved")
    assert [(e["action"], e["from_status"], e["to_status"], e["by_role"]) for e in approved.json()["events"]] == [
        ("submit", "", "submitted", "applicant"),
        ("offer", "submitted", "offered", "coordinator"),
        ("accept", "offered", "accepted", "applicant"),
        ("approve", "accepted", "approved", "admin"),
    ]
    application.refresh_from_db()
    slot.refresh_from_db()
    assert (application.status, slot.seats_taken) == ("approved", 1)


@pytest.mark.parametrize("user", ["coordinator", "colleague"])
def test_owner_and_colleague_make_the_review_moves(api, request, application, user):
    response = move(api, request.getfixturevalue(user), application, "waitlist", "We will tell you soon.")
    assert response.status_code == 200
    application.refresh_from_db()
    assert (application.status, application.message) == ("waitlisted", "We will tell you soon.")


def test_accepting_an_expired_offer_is_a_400_and_changes_nothing(api, applicant, slot):
    application = ApplicationFactory(applicant=applicant, slot=slot, status="offered",
                                     offer_deadline=timezone.now() - timedelta(hours=1))
    before = database_state()
    response = move(api, applicant, application, "accept")
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    assert response.json()["non_field_errors"][0].startswith("This offer expired on ")
    assert database_state() == before


def test_approving_a_withdrawn_application_is_a_400_and_changes_nothing(api, admin_user, slot):
    application = ApplicationFactory(slot=slot, status="withdrawn")
    before = database_state()
    response = move(api, admin_user, application, "approve")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["An application that is withdrawn cannot be approved."]}
    assert database_state() == before


def test_an_applicant_cannot_offer_themselves_a_seat(api, applicant, application):
    before = database_state()
    response = move(api, applicant, application, "offer")
    assert response.status_code == 403
    assert response.json() == {"detail": "You may not make this move on this application."}
    assert database_state() == before


def test_nobody_expires_an_offer_by_hand(api, applicant, slot):
    application = ApplicationFactory(applicant=applicant, slot=slot, status="offered")
    before = database_state()
    response = move(api, applicant, application, "expire")
    assert response.status_code == 403
    assert database_state() == before


@pytest.mark.parametrize("payload, field", [
    ({"action": "promote"}, "action"),
    ({"action": "\x00"}, "action"),
    ({}, "action"),
    ({"action": "waitlist", "message": "Soon\x00"}, "message"),
    ({"action": "waitlist", "message": "x" * 5001}, "message"),
], ids=["unknown action", "NUL action", "no action", "NUL message", "long message"])
def test_a_bad_move_request_is_a_400_naming_the_field(api, coordinator, application, payload, field):
    before = database_state()
    response = login(api, coordinator).post(move_url(application), payload, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert database_state() == before


def test_a_move_answers_with_the_application_as_stored(api, applicant, application):
    response = move(api, applicant, application, "withdraw")
    body = response.json()
    assert (response.status_code, body["status"], body["actions"]) == (200, "withdrawn", [])
    assert [e["action"] for e in body["events"]] == ["withdraw"]


def test_another_applicant_gets_404_before_any_validation(api, other_applicant, application):
    response = login(api, other_applicant).post(move_url(application), {"action": "nonsense"}, format="json")
    assert response.status_code == 404


def test_a_new_user_sees_no_applications(api):
    response = login(api, UserFactory()).get(LIST_URL)
    assert response.json()["count"] == 0
