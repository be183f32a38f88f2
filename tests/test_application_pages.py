"""The applicant's side of applications in the browser: readiness on the listing page, applying,
their applications, the moves through `matching:move`, and who may see what."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matching.models import Application, ApplicationEvent
from notifications.models import Notification
from rotations.choices import ListingStatus

from .factories import AdminFactory, ApplicationFactory, DocumentFactory, ProfileFactory, SlotFactory, UserFactory

pytestmark = pytest.mark.django_db

VISA_PROBLEM = "This rotation accepts B-1 (business visitor), B-2 (visitor); your visa status is F-1."


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _ready(user, **profile):
    """A complete profile (graduate, B-1, Step 1 and 2 passed) and a verified CV."""
    ProfileFactory(user=user, **profile)
    DocumentFactory(applicant=user, kind="cv")
    return user


def _slot(**listing):
    listing.setdefault("required_documents", ["cv"])
    return SlotFactory(**{f"listing__{key}": value for key, value in listing.items()})


def _apply(client, slot, statement="I want to learn how a US inpatient team works."):
    return client.post(reverse("matching:apply", args=[slot.pk]), {"statement": statement})


# Applying through the web.

def test_an_eligible_applicant_applies_and_the_host_is_told(client, applicant, coordinator):
    slot = _slot(institution=coordinator.coordinator.institution)
    client.force_login(_ready(applicant))
    response = _apply(client, slot)
    application = Application.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("matching:application", args=[application.pk])
    assert (application.applicant, application.slot, application.status) == (applicant, slot, "submitted")
    assert Notification.objects.filter(user=coordinator, kind="application_activity").count() == 1


def _wrong_visa(applicant, slot):
    _ready(applicant, visa_status="f1")
    return [VISA_PROBLEM]


def _wrong_audience(applicant, slot):
    slot.listing.audience = "students"
    slot.listing.save()
    _ready(applicant)
    return ["This rotation is for students still enrolled in medical school."]


def _no_step2(applicant, slot):
    slot.listing.requires_step2 = True
    slot.listing.save()
    _ready(applicant, step2_status="scheduled", step2_score=None)
    return ["A passed USMLE Step 2 CK is required."]


def _missing_document(applicant, slot):
    slot.listing.required_documents = ["cv", "passport"]
    slot.listing.save()
    _ready(applicant)
    return ["Passport: Missing: upload it to your documents."]


def _expiring_document(applicant, slot):
    slot.listing.required_documents = ["cv", "passport"]
    slot.listing.save()
    _ready(applicant)
    expires = slot.start_date + timedelta(days=5)
    DocumentFactory(applicant=applicant, kind="passport", expires_on=expires)
    return [f"Passport: Expires on {expires:%b %-d, %Y}, before the rotation ends."]


@pytest.mark.parametrize("setup", [_wrong_visa, _wrong_audience, _no_step2, _missing_document,
                                   _expiring_document])
def test_an_ineligible_applicant_is_told_exactly_what_is_wrong_and_nothing_is_saved(client, applicant, setup):
    slot = _slot()
    problems = setup(applicant, slot)
    client.force_login(applicant)
    response = _apply(client, slot)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == problems
    assert Application.objects.count() == 0


def test_the_apply_page_hides_the_form_from_an_ineligible_applicant(client, applicant):
    slot = _slot()
    _ready(applicant, visa_status="f1")
    client.force_login(applicant)
    page = client.get(reverse("matching:apply", args=[slot.pk])).content.decode()
    assert VISA_PROBLEM in page
    assert 'name="statement"' not in page


def test_applying_twice_is_refused_clearly(client, applicant):
    slot = _slot()
    client.force_login(_ready(applicant))
    _apply(client, slot)
    response = _apply(client, slot)
    assert response.context["form"].non_field_errors() == ["You have applied to these dates already."]
    assert Application.objects.count() == 1


def test_a_slot_past_its_deadline_refuses_applications(client, applicant):
    slot = _slot()
    slot.application_deadline = timezone.localdate() - timedelta(days=1)
    slot.save()
    client.force_login(_ready(applicant))
    response = _apply(client, slot)
    assert response.context["form"].non_field_errors() == ["The application deadline for these dates has passed."]
    assert Application.objects.count() == 0


def test_an_empty_statement_is_a_field_error(client, applicant):
    slot = _slot()
    client.force_login(_ready(applicant))
    response = _apply(client, slot, statement="   ")
    assert response.context["form"].errors == {"statement": ["This field is required."]}
    assert Application.objects.count() == 0


def test_a_nul_byte_in_the_statement_is_a_field_error_not_a_crash(client, applicant):
    slot = _slot()
    client.force_login(_ready(applicant))
    response = _apply(client, slot, statement="Hello\x00there")
    assert response.status_code == 200
    assert response.context["form"].errors == {"statement": ["Null characters are not allowed."]}
    assert Application.objects.count() == 0


@pytest.mark.parametrize("role", ["coordinator", "admin_user", "preceptor"])
def test_only_applicants_apply(client, request, role):
    slot = _slot()
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("matching:apply", args=[slot.pk])).status_code == 403
    assert _apply(client, slot).status_code == 403
    assert Application.objects.count() == 0


def test_a_slot_of_an_unpublished_listing_is_not_found(client, applicant):
    slot = _slot(status=ListingStatus.DRAFT)
    client.force_login(_ready(applicant))
    assert client.get(reverse("matching:apply", args=[slot.pk])).status_code == 404
    assert _apply(client, slot).status_code == 404
    assert Application.objects.count() == 0


# Readiness on the listing page.

def test_the_listing_page_shows_the_readiness_of_the_applicant(client, applicant):
    slot = _slot(required_documents=["cv", "passport", "tb_test"])
    _ready(applicant, visa_status="f1")
    DocumentFactory(applicant=applicant, kind="passport", status="pending")
    DocumentFactory(applicant=applicant, kind="tb_test", status="rejected", rejection_reason="Blurry scan")
    client.force_login(applicant)
    response = client.get(reverse("rotations:listing_detail", args=[slot.listing.pk]))
    check = response.context["readiness"]
    assert check.eligibility == [VISA_PROBLEM]
    assert [(c.label, c.problem) for c in check.documents] == [
        ("CV", ""), ("Passport", "Awaiting verification by Rotamatch."),
        ("TB test", "Rejected (Blurry scan): upload a new one.")]
    page = response.content.decode()
    for text in (VISA_PROBLEM, "Awaiting verification by Rotamatch.", "Rejected (Blurry scan): upload a new one.",
                 "Before you can apply"):
        assert text in page


def test_the_slot_table_gives_the_reasons_an_applicant_cannot_apply(client, applicant):
    slot = _slot(required_documents=["cv", "tb_test"])
    _ready(applicant, visa_status="f1")
    client.force_login(applicant)
    response = client.get(reverse("rotations:listing_detail", args=[slot.listing.pk]))
    [row] = response.context["slot_rows"]
    assert row.reasons == ("You are not eligible: see above.", "TB test: Missing: upload it to your documents.")
    assert reverse("matching:apply", args=[slot.pk]) not in response.content.decode()


def test_a_document_expiring_before_a_later_slot_ends_blocks_only_that_slot(client, applicant):
    early = _slot(required_documents=["cv", "passport"])
    late = SlotFactory(listing=early.listing, start_date=early.start_date + timedelta(days=60))
    _ready(applicant)
    expires = late.start_date
    DocumentFactory(applicant=applicant, kind="passport", expires_on=expires)
    client.force_login(applicant)
    response = client.get(reverse("rotations:listing_detail", args=[early.listing.pk]))
    rows = response.context["slot_rows"]
    assert [(row.slot, row.can_apply, row.reasons) for row in rows] == [
        (early, True, ()),
        (late, False, (f"Passport: Expires on {expires:%b %-d, %Y}, before the rotation ends.",))]
    page = response.content.decode()
    assert reverse("matching:apply", args=[early.pk]) in page
    assert reverse("matching:apply", args=[late.pk]) not in page


def test_the_listing_page_links_to_the_application_already_made(client, applicant):
    slot = _slot()
    application = ApplicationFactory(applicant=_ready(applicant), slot=slot, status="waitlisted")
    client.force_login(applicant)
    page = client.get(reverse("rotations:listing_detail", args=[slot.listing.pk])).content.decode()
    assert (f'<a href="{reverse("matching:application", args=[application.pk])}">Applied — waitlisted</a>'
            in page)


def test_visitors_are_asked_to_sign_in_to_apply(client):
    slot = _slot()
    response = client.get(reverse("rotations:listing_detail", args=[slot.listing.pk]))
    page = response.content.decode()
    assert "Sign in to apply" in page
    assert response.context["readiness"] is None


def test_the_listing_page_queries_are_constant_for_an_applicant(client, applicant, django_assert_num_queries):
    slot = _slot(required_documents=["cv", "passport", "tb_test"])
    listing = slot.listing
    client.force_login(_ready(applicant))
    url = reverse("rotations:listing_detail", args=[listing.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as baseline:
        client.get(url)
    for _ in range(4):
        ApplicationFactory(applicant=applicant, slot=SlotFactory(listing=listing))
    DocumentFactory(applicant=applicant, kind="passport")
    DocumentFactory(applicant=applicant, kind="tb_test", status="pending")
    with django_assert_num_queries(len(baseline)):
        response = client.get(url)
    assert len(response.context["slot_rows"]) == 5


# Moves through matching:move.

def _move(client, application, action, **data):
    return client.post(reverse("matching:move", args=[application.pk, action]), data)


def _status(application) -> str:
    application.refresh_from_db()
    return application.status


def test_an_applicant_accepts_a_live_offer_and_takes_a_seat(client, applicant):
    application = ApplicationFactory(applicant=applicant, status="offered")
    client.force_login(applicant)
    response = _move(client, application, "accept")
    assert response.url == reverse("matching:application", args=[application.pk])
    assert _messages(response) == ["Offer accepted."]
    assert _status(application) == "accepted"
    application.slot.refresh_from_db()
    assert application.slot.seats_taken == 1


def test_accepting_an_expired_offer_is_refused_and_changes_nothing(client, applicant):
    deadline = timezone.now() - timedelta(hours=1)
    application = ApplicationFactory(applicant=applicant, status="offered", offer_deadline=deadline)
    client.force_login(applicant)
    response = _move(client, application, "accept")
    local = timezone.localtime(deadline)
    assert _messages(response) == [f"This offer expired on {local:%b %-d, %Y at %-I:%M %p}."]
    assert _status(application) == "offered"
    application.slot.refresh_from_db()
    assert application.slot.seats_taken == 0


def test_an_applicant_declines_an_offer(client, applicant):
    application = ApplicationFactory(applicant=applicant, status="offered")
    client.force_login(applicant)
    response = _move(client, application, "decline")
    assert _messages(response) == ["Offer declined."]
    assert _status(application) == "declined"


def test_an_applicant_withdraws_with_a_note(client, applicant):
    application = ApplicationFactory(applicant=applicant, status="submitted")
    client.force_login(applicant)
    _move(client, application, "withdraw", message="I found another rotation.")
    assert _status(application) == "withdrawn"
    assert list(application.events.values_list("action", "message", "by")) == [
        ("withdraw", "I found another rotation.", applicant.pk)]


def test_an_applicant_may_not_approve_their_own_placement(client, applicant):
    application = ApplicationFactory(applicant=applicant, status="accepted")
    client.force_login(applicant)
    assert _move(client, application, "approve").status_code == 403
    assert _status(application) == "accepted"
    assert application.events.count() == 0


def test_a_withdrawn_application_cannot_be_accepted(client, applicant):
    application = ApplicationFactory(applicant=applicant, status="withdrawn")
    client.force_login(applicant)
    response = _move(client, application, "accept")
    assert _messages(response) == ["An application that is withdrawn cannot be accepted."]
    assert _status(application) == "withdrawn"


def test_another_applicants_application_is_not_found(client, applicant, other_applicant):
    application = ApplicationFactory(applicant=other_applicant, status="offered")
    client.force_login(applicant)
    assert client.get(reverse("matching:application", args=[application.pk])).status_code == 404
    assert _move(client, application, "accept").status_code == 404
    assert _status(application) == "offered"


def test_an_unknown_action_is_not_found(client, applicant):
    application = ApplicationFactory(applicant=applicant, status="offered")
    client.force_login(applicant)
    assert _move(client, application, "teleport").status_code == 404
    assert _status(application) == "offered"


def test_a_move_needs_a_post(client, applicant):
    application = ApplicationFactory(applicant=applicant, status="offered")
    client.force_login(applicant)
    assert client.get(reverse("matching:move", args=[application.pk, "accept"])).status_code == 405
    assert _status(application) == "offered"


def test_a_move_needs_a_signed_in_user(client):
    application = ApplicationFactory(status="offered")
    response = _move(client, application, "accept")
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert _status(application) == "offered"


def test_a_nul_byte_in_the_note_is_refused_with_a_message(client, applicant):
    application = ApplicationFactory(applicant=applicant, status="submitted")
    client.force_login(applicant)
    response = _move(client, application, "withdraw", message="bye\x00")
    assert _messages(response) == ["Message: Null characters are not allowed."]
    assert _status(application) == "submitted"


def test_a_move_returns_to_a_local_next_page(client, applicant):
    application = ApplicationFactory(applicant=applicant, status="offered")
    client.force_login(applicant)
    response = _move(client, application, "accept", next=reverse("matching:my_applications"))
    assert response.url == reverse("matching:my_applications")


def test_a_move_never_returns_to_another_site(client, applicant):
    application = ApplicationFactory(applicant=applicant, status="offered")
    client.force_login(applicant)
    response = _move(client, application, "accept", next="https://evil.example/")
    assert response.url == reverse("matching:application", args=[application.pk])


def test_the_hosts_coordinators_move_and_return_to_the_review_page(client, coordinator, colleague):
    for user in (coordinator, colleague):
        application = ApplicationFactory(slot__listing__institution=coordinator.coordinator.institution)
        client.force_login(user)
        response = _move(client, application, "review")
        assert response.url == reverse("matching:review", args=[application.pk])
        assert _status(application) == "under_review"


def test_a_coordinator_of_another_institution_cannot_move(client, coordinator, stranger):
    application = ApplicationFactory(slot__listing__institution=coordinator.coordinator.institution)
    client.force_login(stranger)
    assert _move(client, application, "review").status_code == 404
    assert _status(application) == "submitted"


# The applicant's pages.

def test_my_applications_lists_only_my_own_newest_first(client, applicant, other_applicant):
    older = ApplicationFactory(applicant=applicant)
    newer = ApplicationFactory(applicant=applicant, status="offered")
    ApplicationFactory(applicant=other_applicant)
    client.force_login(applicant)
    response = client.get(reverse("matching:my_applications"))
    assert response.context["applications"] == [newer, older]


def test_my_applications_offers_accept_and_decline_for_a_live_offer(client, applicant):
    offered = ApplicationFactory(applicant=applicant, status="offered")
    client.force_login(applicant)
    page = client.get(reverse("matching:my_applications")).content.decode()
    assert reverse("matching:move", args=[offered.pk, "accept"]) in page
    assert reverse("matching:move", args=[offered.pk, "decline"]) in page


def test_my_applications_shows_the_calendar_feed_address(client, applicant, settings):
    settings.SITE_URL = "https://rotamatch.example"
    profile = ProfileFactory(user=applicant)
    client.force_login(applicant)
    response = client.get(reverse("matching:my_applications"))
    assert response.context["feed_url"] == f"https://rotamatch.example/calendar/{profile.calendar_token}.ics"
    assert response.context["feed_url"] in response.content.decode()


def test_my_applications_offers_the_feed_as_a_webcal_link_for_phones(client, applicant, settings):
    settings.SITE_URL = "https://rotamatch.example"
    profile = ProfileFactory(user=applicant)
    client.force_login(applicant)
    html = client.get(reverse("matching:my_applications")).content.decode()
    assert f'href="webcal://rotamatch.example/calendar/{profile.calendar_token}.ics"' in html


@pytest.mark.parametrize("role", ["coordinator", "admin_user"])
def test_my_applications_is_for_applicants(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("matching:my_applications")).status_code == 403


def test_my_applications_queries_are_constant(client, applicant, django_assert_num_queries):
    ProfileFactory(user=applicant)
    ApplicationFactory(applicant=applicant, status="offered")
    client.force_login(applicant)
    url = reverse("matching:my_applications")
    client.get(url)
    with CaptureQueriesContext(connection) as baseline:
        client.get(url)
    for status in ("submitted", "waitlisted", "offered", "approved"):
        ApplicationFactory(applicant=applicant, status=status)
    with django_assert_num_queries(len(baseline)):
        response = client.get(url)
    assert len(response.context["applications"]) == 5


@pytest.mark.parametrize(("status", "actions"), [
    ("submitted", ["withdraw"]), ("waitlisted", ["withdraw"]), ("offered", ["accept", "decline", "withdraw"]),
    ("accepted", ["cancel"]), ("approved", ["cancel"]), ("rejected", []), ("completed", []),
])
def test_the_application_page_offers_the_moves_the_applicant_may_make(client, applicant, status, actions):
    application = ApplicationFactory(applicant=applicant, status=status)
    client.force_login(applicant)
    response = client.get(reverse("matching:application", args=[application.pk]))
    assert [move.action for move in response.context["moves"]] == actions


def test_an_expired_offer_can_no_longer_be_accepted_from_the_page(client, applicant):
    application = ApplicationFactory(applicant=applicant, status="offered",
                                     offer_deadline=timezone.now() - timedelta(minutes=5))
    client.force_login(applicant)
    response = client.get(reverse("matching:application", args=[application.pk]))
    assert [move.action for move in response.context["moves"]] == ["decline", "withdraw"]
    assert "This offer expired on" in response.content.decode()


def test_the_history_never_names_the_staff(client, applicant, coordinator, admin_user):
    institution = coordinator.coordinator.institution
    application = ApplicationFactory(applicant=applicant, slot__listing__institution=institution, status="expired")
    for action, to_status, by, message in [("submit", "submitted", applicant, ""),
                                           ("offer", "offered", coordinator, "Welcome aboard!"),
                                           ("expire", "expired", None, ""),
                                           ("cancel", "cancelled", admin_user, "")]:
        ApplicationEvent.objects.create(application=application, action=action, to_status=to_status, by=by,
                                        message=message)
    client.force_login(applicant)
    response = client.get(reverse("matching:application", args=[application.pk]))
    assert [(entry.what, entry.who, entry.message) for entry in response.context["history"]] == [
        ("Submitted", "you", ""), ("Offered", institution.name, "Welcome aboard!"),
        ("Offer expired", "automatically", ""), ("Placement cancelled", "Rotamatch", "")]
    page = response.content.decode()
    assert coordinator.email not in page
    assert admin_user.email not in page


@pytest.mark.parametrize("role", ["coordinator", "colleague", "stranger", "admin_user"])
def test_the_applicants_application_page_is_for_applicants(client, request, role, coordinator):
    application = ApplicationFactory(slot__listing__institution=coordinator.coordinator.institution)
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("matching:application", args=[application.pk])).status_code == 403


def test_the_application_page_queries_are_constant(client, applicant, django_assert_num_queries):
    application = ApplicationFactory(applicant=applicant, status="offered")
    ApplicationEvent.objects.create(application=application, action="submit", to_status="submitted", by=applicant)
    client.force_login(applicant)
    url = reverse("matching:application", args=[application.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as baseline:
        client.get(url)
    staff = [UserFactory(role="coordinator"), AdminFactory(), None, applicant]
    for by in staff:
        ApplicationEvent.objects.create(application=application, action="review", to_status="under_review", by=by)
    with django_assert_num_queries(len(baseline)):
        response = client.get(url)
    assert len(response.context["history"]) == 5


def test_the_cancel_button_is_gone_once_the_rotation_has_started(client):
    from datetime import timedelta

    from django.utils import timezone

    from matching.views_applicant import applicant_moves

    today = timezone.localdate()
    started = ApplicationFactory(status="approved", slot__start_date=today - timedelta(days=3),
                                 slot__end_date=today + timedelta(days=20),
                                 slot__application_deadline=today - timedelta(days=30))
    upcoming = ApplicationFactory(status="approved")
    assert [move.action for move in applicant_moves(started)] == []
    assert [move.action for move in applicant_moves(upcoming)] == ["cancel"]


# An offer whose last seat someone else took: the pages say so at once, not after the minute's sweep.

def _offer_on_full_dates(applicant):
    application = ApplicationFactory(applicant=applicant, status="offered", slot__capacity=1)
    ApplicationFactory(slot=application.slot, status="accepted")  # the trigger counts the seat
    return application


def test_the_application_page_offers_no_accept_once_the_last_seat_is_taken(client, applicant):
    application = _offer_on_full_dates(applicant)
    client.force_login(applicant)
    response = client.get(reverse("matching:application", args=[application.pk]))
    html = response.content.decode()
    assert [move.action for move in response.context["moves"]] == ["decline", "withdraw"]
    assert ('<p class="notice">The last seat on these dates was just taken.</p>' in html,
            reverse("matching:move", args=[application.pk, "accept"]) in html) == (True, False)


def test_my_applications_offers_no_accept_once_the_last_seat_is_taken(client, applicant):
    application = _offer_on_full_dates(applicant)
    client.force_login(applicant)
    html = client.get(reverse("matching:my_applications")).content.decode()
    assert ('<small class="notice">The last seat on these dates was just taken.</small>' in html,
            reverse("matching:move", args=[application.pk, "accept"]) in html,
            reverse("matching:move", args=[application.pk, "decline"]) in html) == (True, False, True)


def test_the_application_page_says_why_an_applicant_can_no_longer_cancel(client, applicant):
    today = timezone.localdate()
    started = ApplicationFactory(applicant=applicant, status="approved", slot__start_date=today - timedelta(days=3),
                                 slot__end_date=today + timedelta(days=20),
                                 slot__application_deadline=today - timedelta(days=30))
    client.force_login(applicant)
    response = client.get(reverse("matching:application", args=[started.pk]))
    assert response.context["refusals"] == ["The rotation has started; write to Rotamatch to cancel the placement."]
