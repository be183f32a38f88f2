"""The coordinator's review pages (list, one application, offering a freed seat) and the admins'
approval queue, through the web; every move posts to `matching:move` as the pages' forms do."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from matching.models import Application, ApplicationEvent
from matching.services import application_transition
from notifications import kinds
from notifications.models import Notification

from .factories import (
    ApplicationFactory,
    DocumentFactory,
    ListingFactory,
    ProfileFactory,
    SlotFactory,
    UserFactory,
    messages_of,
)

pytestmark = pytest.mark.django_db

REQUIRED = ["cv", "passport"]


def ready_applicant(*, passport="verified"):
    """An eligible applicant with a verified CV and a passport in the given state."""
    profile = ProfileFactory(legal_name="Amina Yusuf")
    DocumentFactory(applicant=profile.user, kind="cv")
    DocumentFactory(applicant=profile.user, kind="passport", status=passport)
    return profile.user


def slot_of(institution, **kwargs):
    listing = ListingFactory(institution=institution, required_documents=REQUIRED)
    return SlotFactory(listing=listing, **kwargs)


def past_slot_of(institution):
    today = timezone.localdate()
    return slot_of(institution, start_date=today - timedelta(days=40), end_date=today - timedelta(days=10),
                   application_deadline=today - timedelta(days=60))


@pytest.fixture
def slot(coordinator):
    return slot_of(coordinator.coordinator.institution)


@pytest.fixture
def application(slot):
    return ApplicationFactory(applicant=ready_applicant(passport="pending"), slot=slot)


def page(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(name, args=args), params)


def move(client, user, application, action, message="", follow=False):
    """Post to matching:move exactly as the review page's form does (coming back to the page)."""
    client.force_login(user)
    here = reverse("matching:review", args=[application.pk])
    return client.post(reverse("matching:move", args=[application.pk, action]),
                       {"message": message, "next": here}, follow=follow)


def listed(response) -> list[Application]:
    return list(response.context["page"].object_list)


# Access

@pytest.mark.parametrize("who", ["coordinator", "colleague", "admin_user"])
def test_the_institution_and_admins_open_the_list(client, application, who, request):
    response = page(client, request.getfixturevalue(who), "matching:review_list")
    assert (response.status_code, listed(response)) == (200, [application])


@pytest.mark.parametrize("who", ["coordinator", "colleague", "admin_user"])
def test_the_institution_and_admins_open_the_review_page(client, application, who, request):
    response = page(client, request.getfixturevalue(who), "matching:review", application.pk)
    assert response.status_code == 200


def test_a_stranger_gets_404_on_the_review_page(client, application, stranger):
    assert page(client, stranger, "matching:review", application.pk).status_code == 404


def test_a_stranger_lists_only_applications_to_their_own_institution(client, application, stranger):
    theirs = ApplicationFactory(slot=slot_of(stranger.coordinator.institution))
    assert listed(page(client, stranger, "matching:review_list")) == [theirs]


@pytest.mark.parametrize("who", ["applicant", "other_applicant", "preceptor"])
@pytest.mark.parametrize("name", ["matching:review_list", "matching:review"])
def test_applicants_and_preceptors_get_403(client, application, who, name, request):
    args = [application.pk] if name == "matching:review" else []
    assert page(client, request.getfixturevalue(who), name, *args).status_code == 403


def test_the_applicant_of_the_application_gets_403_on_its_review_page(client, application):
    assert page(client, application.applicant, "matching:review", application.pk).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, application):
    response = client.get(reverse("matching:review", args=[application.pk]))
    assert (response.status_code, response.url.split("?")[0]) == (302, reverse("account_login"))


# The list

def test_the_list_shows_submitted_and_under_review_by_default(client, coordinator, slot):
    submitted = ApplicationFactory(slot=slot)
    under_review = ApplicationFactory(slot=slot, status="under_review")
    ApplicationFactory(slot=slot, status="waitlisted")
    ApplicationFactory(slot=slot, status="rejected")
    assert listed(page(client, coordinator, "matching:review_list")) == [submitted, under_review]


@pytest.mark.parametrize("tab, statuses", [
    ("waitlisted", ["waitlisted"]), ("offered", ["offered"]),
    ("placements", ["accepted", "approved"]), ("closed", ["rejected", "withdrawn"]),
])
def test_each_tab_shows_its_statuses(client, coordinator, slot, tab, statuses):
    for status in ["submitted", "waitlisted", "offered", "accepted", "approved", "rejected", "withdrawn"]:
        ApplicationFactory(slot=slot, status=status)
    response = page(client, coordinator, "matching:review_list", show=tab)
    assert sorted(a.status for a in listed(response)) == sorted(statuses)


def test_the_tabs_count_their_applications(client, coordinator, slot):
    for status in ["submitted", "under_review", "waitlisted", "rejected"]:
        ApplicationFactory(slot=slot, status=status)
    tabs = page(client, coordinator, "matching:review_list").context["tabs"]
    assert [(key, count) for key, _, count, _ in tabs] == [
        ("review", 2), ("waitlisted", 1), ("offered", 0), ("placements", 0), ("closed", 1)]


def test_the_list_filters_by_one_slot(client, coordinator, slot):
    ApplicationFactory(slot=slot)
    other = ApplicationFactory(slot=SlotFactory(listing=slot.listing, start_date=slot.start_date + timedelta(days=30)))
    response = page(client, coordinator, "matching:review_list", rotation=f"s{other.slot_id}")
    assert listed(response) == [other]


def test_the_list_filters_by_listing(client, coordinator, slot):
    mine = ApplicationFactory(slot=slot)
    ApplicationFactory(slot=slot_of(coordinator.coordinator.institution))
    response = page(client, coordinator, "matching:review_list", rotation=f"l{slot.listing_id}")
    assert listed(response) == [mine]


def test_a_filter_naming_another_institutions_slot_is_ignored(client, coordinator, application, stranger):
    theirs = ApplicationFactory(slot=slot_of(stranger.coordinator.institution))
    response = page(client, coordinator, "matching:review_list", rotation=f"s{theirs.slot_id}")
    assert (response.status_code, listed(response)) == (200, [application])


def test_nonsense_filters_still_open_the_list(client, coordinator, application):
    response = page(client, coordinator, "matching:review_list", show="nope", rotation="s\x00", page="x")
    assert (response.status_code, listed(response)) == (200, [application])


def test_a_row_shows_the_legal_name_and_the_verified_documents(client, coordinator, application):
    html = page(client, coordinator, "matching:review_list").content.decode()
    assert ("Amina Yusuf" in html, "1 of 2 verified" in html) == (True, True)


def test_a_row_without_a_profile_shows_the_account_name(client, coordinator, slot):
    ApplicationFactory(slot=slot, applicant=UserFactory(first_name="Ravi", last_name="Menon"))
    assert "Ravi Menon" in page(client, coordinator, "matching:review_list").content.decode()


def _applications(institution, count):
    slot = slot_of(institution, capacity=20)
    for _ in range(count):
        ApplicationFactory(slot=slot, applicant=ready_applicant())


@pytest.mark.parametrize("count", [1, 10])
def test_the_list_takes_constant_queries(client, coordinator, django_assert_num_queries, count):
    _applications(coordinator.coordinator.institution, count)
    client.force_login(coordinator)
    with django_assert_num_queries(10):
        response = client.get(reverse("matching:review_list"))
    assert len(listed(response)) == count


# The review page

def test_verified_documents_link_to_the_download_and_others_do_not(client, coordinator, application):
    cv, passport = application.applicant.documents.order_by("kind")
    html = page(client, coordinator, "matching:review", application.pk).content.decode()
    assert (reverse("applicants:document_download", args=[cv.pk]) in html,
            reverse("applicants:document_download", args=[passport.pk]) in html,
            "Awaiting verification" in html) == (True, False, True)


def test_a_document_awaiting_verification_is_waiting_not_a_problem(client, coordinator, application):
    rows = page(client, coordinator, "matching:review", application.pk).context["application"].document_rows
    assert [(row.label, row.state, row.waiting) for row in rows] == [
        ("CV", "Verified", False), ("Passport", "Awaiting verification", True)]


def test_a_rejected_document_is_a_problem_not_waiting(client, coordinator, slot):
    rejected = ApplicationFactory(applicant=ready_applicant(passport="rejected"), slot=slot)
    rows = page(client, coordinator, "matching:review", rejected.pk).context["application"].document_rows
    assert [(row.label, row.waiting) for row in rows] == [("CV", False), ("Passport", False)]


@pytest.mark.parametrize("expires_in, state", [
    (-1, "Expired on {:%b %-d, %Y}"), (70, "Expires on {:%b %-d, %Y}, before the rotation ends")])
def test_a_document_expiring_is_worded_by_whether_it_has_expired(client, coordinator, slot, expires_in, state):
    applicant = ready_applicant()
    expires = timezone.localdate() + timedelta(days=expires_in)  # the slot runs from day 60 to day 87
    applicant.documents.filter(kind="passport").update(expires_on=expires)
    expiring = ApplicationFactory(applicant=applicant, slot=slot)
    rows = page(client, coordinator, "matching:review", expiring.pk).context["application"].document_rows
    assert [(row.label, row.state) for row in rows] == [("CV", "Verified"), ("Passport", state.format(expires))]


def test_a_document_awaiting_verification_is_styled_as_pending(client, coordinator, application):
    html = page(client, coordinator, "matching:review", application.pk).content.decode()
    assert (html.count('<li class="document-waiting">'), html.count('<li class="document-problem">')) == (1, 0)


def test_the_review_page_shows_the_profile_and_the_statement(client, coordinator, application):
    html = page(client, coordinator, "matching:review", application.pk).content.decode()
    assert ("University of Lagos College of Medicine" in html, "Nigeria" in html,
            "I want to learn how a US inpatient team works." in html) == (True, True, True)


def test_the_review_page_offers_the_coordinators_moves_for_a_submitted_application(client, coordinator, application):
    moves = page(client, coordinator, "matching:review", application.pk).context["moves"]
    assert [m.action for m in moves] == ["review", "offer", "waitlist", "reject"]


def test_the_review_page_offers_the_admin_approve_and_cancel_for_an_accepted_placement(client, admin_user, slot):
    accepted = ApplicationFactory(slot=slot, applicant=ready_applicant(), status="accepted")
    moves = page(client, admin_user, "matching:review", accepted.pk).context["moves"]
    assert [(m.action, m.blocked) for m in moves] == [("approve", []), ("cancel", [])]


def test_the_review_page_of_an_offer_says_until_when_it_waits_for_the_answer(client, coordinator, slot):
    offered = ApplicationFactory(slot=slot, applicant=ready_applicant(), status="offered")
    deadline = date_format(timezone.localtime(offered.offer_deadline), "M j, Y, g:i A")
    html = page(client, coordinator, "matching:review", offered.pk).content.decode()
    assert ("The offer waits for the applicant's answer until" in html,
            f"{deadline}</time>; unanswered, it expires then." in html, "No moves are yours" in html) == (
        True, True, False)


def test_the_review_page_of_an_accepted_offer_tells_the_coordinator_it_waits_for_approval(client, coordinator, slot):
    accepted = ApplicationFactory(slot=slot, applicant=ready_applicant(), status="accepted")
    html = page(client, coordinator, "matching:review", accepted.pk).content.decode()
    assert "The applicant accepted the offer; the placement waits for Rotamatch's approval." in html


def test_the_review_page_asks_the_admin_to_confirm_cancelling(client, admin_user, slot):
    accepted = ApplicationFactory(slot=slot, applicant=ready_applicant(), status="accepted")
    html = page(client, admin_user, "matching:review", accepted.pk).content.decode()
    details = html[html.index('<details class="confirm-move review-confirm">'):html.index("</details>")]
    assert (reverse("matching:move", args=[accepted.pk, "cancel"]) in details,
            ">Yes, cancel the placement</button>" in details) == (True, True)


def test_the_history_names_who_moved_and_their_role(client, coordinator, application):
    move(client, coordinator, application, "review")
    html = page(client, coordinator, "matching:review", application.pk).content.decode()
    assert f"{coordinator} <small class=\"muted\">(coordinator)</small>" in html


@pytest.mark.parametrize("action, status", [("offer", "offered"), ("waitlist", "waitlisted"),
                                            ("reject", "rejected")])
def test_a_decision_changes_the_status(client, coordinator, application, action, status):
    response = move(client, coordinator, application, action, "Thank you for applying.")
    application.refresh_from_db()
    assert (response.url, application.status) == (reverse("matching:review", args=[application.pk]), status)


@pytest.mark.parametrize("action", ["offer", "waitlist", "reject"])
def test_a_decision_is_recorded_with_the_coordinator(client, coordinator, application, action):
    move(client, coordinator, application, action, "Thank you for applying.")
    event = ApplicationEvent.objects.get(application=application, action=action)
    assert (event.by, event.message) == (coordinator, "Thank you for applying.")


@pytest.mark.parametrize("action", ["offer", "waitlist", "reject"])
def test_a_decision_notifies_the_applicant_with_the_message(client, coordinator, application, action):
    move(client, coordinator, application, action, "Our seats went to final-year students.")
    inbox = Notification.objects.filter(user=application.applicant, kind=kinds.APPLICATION_STATUS.name)
    assert [("Our seats went to final-year students." in n.body) for n in inbox] == [True]


def test_mark_completed_is_refused_before_the_end_date(client, coordinator, slot):
    approved = ApplicationFactory(slot=slot, applicant=ready_applicant(), status="approved")
    response = move(client, coordinator, approved, "complete", follow=True)
    approved.refresh_from_db()
    assert (approved.status, messages_of(response)) == (
        "approved", ["A placement can be marked completed once its end date has passed."])


def test_mark_completed_is_not_offered_before_the_end_date(client, coordinator, slot):
    approved = ApplicationFactory(slot=slot, applicant=ready_applicant(), status="approved")
    response = page(client, coordinator, "matching:review", approved.pk)
    assert (response.context["moves"], response.context["completable_on"]) == (
        [], slot.end_date + timedelta(days=1))


def test_mark_completed_is_offered_after_the_end_date(client, coordinator):
    ended = ApplicationFactory(slot=past_slot_of(coordinator.coordinator.institution), status="approved")
    moves = page(client, coordinator, "matching:review", ended.pk).context["moves"]
    assert [m.action for m in moves] == ["complete"]


def test_mark_completed_is_accepted_after_the_end_date(client, coordinator):
    slot = past_slot_of(coordinator.coordinator.institution)
    approved = ApplicationFactory(slot=slot, applicant=ready_applicant(), status="approved")
    move(client, coordinator, approved, "complete")
    approved.refresh_from_db()
    assert approved.status == "completed"


def test_offer_is_disabled_with_the_reason_when_no_seat_is_left(client, coordinator):
    full = slot_of(coordinator.coordinator.institution, capacity=1)
    ApplicationFactory(slot=full, status="accepted")
    waiting = ApplicationFactory(slot=full, status="under_review")
    moves = {m.action: m for m in page(client, coordinator, "matching:review", waiting.pk).context["moves"]}
    assert moves["offer"].blocked == ["No seats are left on these dates; waitlist the applicant instead."]


# Offering a freed seat to the waitlist

@pytest.fixture
def freed(coordinator):
    """A one-seat slot whose offer was declined, with two applicants waitlisted (the first earlier)."""
    slot = slot_of(coordinator.coordinator.institution, capacity=1)
    offered = ApplicationFactory(slot=slot, status="offered")
    now = timezone.now()
    second = ApplicationFactory(slot=slot, status="waitlisted", waitlisted_at=now - timedelta(days=1))
    first = ApplicationFactory(slot=slot, status="waitlisted", waitlisted_at=now - timedelta(days=2))
    application_transition(application=offered, action="decline", by=offered.applicant)
    return slot, first, second


def offer_next(client, user, slot):
    client.force_login(user)
    return client.post(reverse("matching:offer_next", args=[slot.pk]), follow=True)


def test_offer_next_offers_the_seat_to_the_first_waitlisted(client, coordinator, freed):
    slot, first, second = freed
    offer_next(client, coordinator, slot)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("offered", "waitlisted")


def test_offer_next_tells_the_first_waitlisted(client, coordinator, freed):
    slot, first, _ = freed
    offer_next(client, coordinator, slot)
    assert Notification.objects.filter(user=first.applicant, kind=kinds.APPLICATION_STATUS.name).count() == 1


def test_offer_next_says_to_whom_it_offered(client, coordinator, freed):
    slot, first, _ = freed
    response = offer_next(client, coordinator, slot)
    assert messages_of(response) == [f"Offered to {first.applicant}; they have been told."]


def test_offer_next_with_an_empty_waitlist_says_so(client, coordinator, slot):
    response = offer_next(client, coordinator, slot)
    assert messages_of(response) == ["Nobody is on the waitlist for these dates."]


@pytest.mark.parametrize("who, status", [("colleague", 302), ("stranger", 404), ("admin_user", 403),
                                         ("applicant", 403)])
def test_only_the_institution_offers_its_seats(client, freed, who, status, request):
    slot, first, _ = freed
    client.force_login(request.getfixturevalue(who))
    response = client.post(reverse("matching:offer_next", args=[slot.pk]))
    first.refresh_from_db()
    assert (response.status_code, first.status) == (status, "offered" if status == 302 else "waitlisted")


def test_the_offer_next_button_shows_where_a_seat_is_free_and_someone_waits(client, coordinator, freed):
    slot, first, _ = freed
    button = reverse("matching:offer_next", args=[slot.pk])
    list_html = page(client, coordinator, "matching:review_list").content.decode()
    review_html = page(client, coordinator, "matching:review", first.pk).content.decode()
    assert (button in list_html, button in review_html) == (True, True)


def test_the_offer_next_button_hides_once_the_seat_is_offered(client, coordinator, freed):
    slot, first, _ = freed
    offer_next(client, coordinator, slot)
    button = reverse("matching:offer_next", args=[slot.pk])
    assert button not in page(client, coordinator, "matching:review", first.pk).content.decode()


# The approval queue

@pytest.fixture
def accepted(coordinator):
    return ApplicationFactory(slot=slot_of(coordinator.coordinator.institution), applicant=ready_applicant(),
                              status="accepted")


def test_the_queue_shows_only_accepted_applications(client, admin_user, accepted):
    for status in ["submitted", "offered", "approved", "cancelled"]:
        ApplicationFactory(slot=accepted.slot, status=status)
    assert listed(page(client, admin_user, "matching:approval_queue")) == [accepted]


def test_the_queue_is_oldest_first(client, admin_user, accepted):
    older = ApplicationFactory(slot=accepted.slot, status="accepted")
    Application.objects.filter(pk=older.pk).update(status_changed_at=timezone.now() - timedelta(days=3))
    assert listed(page(client, admin_user, "matching:approval_queue")) == [older, accepted]


def queue_post(client, admin_user, application, action, message=""):
    client.force_login(admin_user)
    return client.post(reverse("matching:move", args=[application.pk, action]),
                       {"message": message, "next": reverse("matching:approval_queue")}, follow=True)


def test_approving_with_every_document_verified_approves(client, admin_user, accepted):
    queue_post(client, admin_user, accepted, "approve")
    accepted.refresh_from_db()
    assert accepted.status == "approved"


def test_approving_notifies_the_applicant(client, admin_user, accepted):
    queue_post(client, admin_user, accepted, "approve")
    inbox = Notification.objects.filter(user=accepted.applicant, kind=kinds.APPLICATION_STATUS.name)
    assert [n.title for n in inbox] == [f"Placement approved: {accepted.slot.listing.title}, "
                                        f"{accepted.slot.start_date:%b} {accepted.slot.start_date.day}"]


def test_approving_with_an_unverified_document_is_refused(client, admin_user, coordinator):
    pending = ApplicationFactory(slot=slot_of(coordinator.coordinator.institution),
                                 applicant=ready_applicant(passport="pending"), status="accepted")
    response = queue_post(client, admin_user, pending, "approve")
    pending.refresh_from_db()
    assert (pending.status, messages_of(response)) == ("accepted", [
        "Not every check passes; verify the documents first.", "Passport: Awaiting verification by Rotamatch."])


def test_the_queue_disables_approve_with_the_reason(client, admin_user, coordinator):
    pending = ApplicationFactory(slot=slot_of(coordinator.coordinator.institution),
                                 applicant=ready_applicant(passport="pending"), status="accepted")
    html = page(client, admin_user, "matching:approval_queue").content.decode()
    assert (f'disabled aria-describedby="approve-{pending.pk}-note"' in html,
            "Not every check passes: Passport: Awaiting verification." in html) == (True, True)


def test_cancelling_frees_the_seat(client, admin_user, accepted):
    assert accepted.slot.__class__.objects.get(pk=accepted.slot_id).seats_taken == 1
    queue_post(client, admin_user, accepted, "cancel", "The host cannot take observers this month.")
    accepted.refresh_from_db()
    accepted.slot.refresh_from_db()
    assert (accepted.status, accepted.slot.seats_taken) == ("cancelled", 0)


def test_the_queue_asks_to_confirm_cancelling_a_placement(client, admin_user, accepted):
    html = page(client, admin_user, "matching:approval_queue").content.decode()
    details = html[html.index('<details class="confirm-move">'):html.index("</details>")]
    assert (reverse("matching:move", args=[accepted.pk, "cancel"]) in details,
            ">Yes, cancel the placement<span class=\"visually-hidden\"> of Amina Yusuf</span></button>" in details) == (
        True, True)


@pytest.mark.parametrize("who", ["coordinator", "applicant", "preceptor"])
def test_the_queue_is_for_admins_only(client, accepted, who, request):
    assert page(client, request.getfixturevalue(who), "matching:approval_queue").status_code == 403


@pytest.mark.parametrize("count", [1, 5])
def test_the_queue_takes_constant_queries(client, admin_user, coordinator, django_assert_num_queries, count):
    slot = slot_of(coordinator.coordinator.institution, capacity=10)
    for _ in range(count):
        ApplicationFactory(slot=slot, applicant=ready_applicant(), status="accepted")
    client.force_login(admin_user)
    with django_assert_num_queries(5):
        response = client.get(reverse("matching:approval_queue"))
    assert len(listed(response)) == count


# The coordinator's dashboard

def test_the_dashboard_links_to_the_applications(client, coordinator):
    html = page(client, coordinator, "dashboards:coordinator").content.decode()
    assert f'href="{reverse("matching:review_list")}"' in html


# Accessibility, in a real browser

def _serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']]}"
            for v in results.response["violations"] if v["impact"] in {"serious", "critical"}]


def _browse_as(page, live_server, user):
    from .factories import PASSWORD

    page.goto(live_server.url + "/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.get_by_role("banner").get_by_role("button", name="Sign out").wait_for()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_review_pages_have_no_serious_accessibility_violations(page, live_server):
    from .factories import AdminFactory, CoordinatorFactory

    coordinator = CoordinatorFactory().user
    slot = slot_of(coordinator.coordinator.institution, capacity=1)
    waiting = ApplicationFactory(slot=slot, applicant=ready_applicant(passport="pending"), status="waitlisted")
    ApplicationFactory(slot=slot_of(coordinator.coordinator.institution), applicant=ready_applicant(),
                       status="accepted")
    found = {}
    _browse_as(page, live_server, coordinator)
    for path in [reverse("matching:review_list") + "?show=waitlisted", reverse("matching:review", args=[waiting.pk])]:
        page.goto(live_server.url + path)
        found[path] = _serious_violations(page)
    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    _browse_as(page, live_server, AdminFactory())
    page.goto(live_server.url + reverse("matching:approval_queue"))
    found["queue"] = _serious_violations(page)
    assert found == {path: [] for path in found}


def test_a_coordinator_never_sees_an_admins_name_or_address_in_the_history(client, coordinator, slot):
    """An admin made by createsuperuser has no name: the history says "Rotamatch", not the e-mail."""
    from .factories import AdminFactory

    admin = AdminFactory(first_name="", last_name="", email="secret-admin@example.org")
    placement = ApplicationFactory(applicant=ready_applicant(), slot=slot, status="accepted")
    move(client, admin, placement, "cancel", "Visa refused.")
    body = page(client, coordinator, "matching:review", placement.pk).content.decode()
    assert "secret-admin@example.org" not in body
    assert '<span>Rotamatch <small class="muted">(admin)</small></span>' in body  # the cancel's history row


# A refused move keeps what the reviewer typed; the history names the applicant as the profile does.

def test_a_refused_move_shows_the_page_again_with_the_typed_message(client, coordinator):
    full = slot_of(coordinator.coordinator.institution, capacity=1)
    waiting = ApplicationFactory(slot=full, applicant=ready_applicant(), status="under_review")
    ApplicationFactory(slot=full, status="accepted")  # the last seat went while the reviewer typed
    response = move(client, coordinator, waiting, "offer", "We would love to have you in February.")
    html = response.content.decode()
    waiting.refresh_from_db()
    assert (response.status_code, waiting.status, messages_of(response)) == (
        200, "under_review", ["No seats are left on these dates; waitlist the applicant instead."])
    assert ('>We would love to have you in February.</textarea>' in html,
            'name="message" rows="2" maxlength="5000" aria-describedby="message-waitlist-help"></textarea>' in html,
            f'name="next" value="{reverse("matching:review", args=[waiting.pk])}"' in html) == (True, True, True)


def test_a_refused_move_from_elsewhere_still_goes_back_there(client, coordinator, slot):
    approved = ApplicationFactory(slot=slot, applicant=ready_applicant(), status="approved")
    client.force_login(coordinator)
    response = client.post(reverse("matching:move", args=[approved.pk, "complete"]),
                           {"next": reverse("matching:review_list")})
    assert (response.status_code, response.url) == (302, reverse("matching:review_list"))


def test_the_history_names_the_applicant_by_the_legal_name(client, coordinator, application):
    application_transition(application=application, action="withdraw", by=application.applicant)
    html = page(client, coordinator, "matching:review", application.pk).content.decode()
    assert ('<span>Amina Yusuf <small class="muted">(applicant)</small></span>' in html,
            f"{application.applicant.get_full_name()} <small" in html) == (True, False)


def test_the_history_names_an_applicant_without_a_profile_by_the_account(client, coordinator, slot):
    applicant = UserFactory(first_name="", last_name="", email="no-profile@example.org")
    application = ApplicationFactory(slot=slot, applicant=applicant)
    application_transition(application=application, action="withdraw", by=applicant)
    html = page(client, coordinator, "matching:review", application.pk).content.decode()
    assert '<span>no-profile@example.org <small class="muted">(applicant)</small></span>' in html
