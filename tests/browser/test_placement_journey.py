"""An application's whole life across three roles in a real browser, through the real pages.

The applicant builds a profile, uploads a CV and a passport, applies; the coordinator offers a
seat; the applicant accepts; the admin verifies the documents and approves the placement; the
applicant finds it in the calendar feed. Each role reads the notification meant for them. Only the
world is set up through factories (institution, coordinator, listing, admin, applicant account).

Set JOURNEY_SHOTS_DIR (e.g. /tmp/shots) to save a screenshot of every page at 1280 and 390 px
wide, for a person to look at; the test asserts nothing about them.
"""

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from django.utils.dateformat import format as date_format
from playwright.sync_api import Page, expect

from applicants.models import Document
from matching.models import Application
from notifications.models import Notification

from ..factories import (
    PASSWORD,
    AdminFactory,
    CoordinatorFactory,
    ListingFactory,
    SlotFactory,
    UserFactory,
    image_bytes,
    pdf_bytes,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Lakeside Internal Medicine Observership"
LEGAL_NAME = "Amara Chidinma Okafor"
STATEMENT = "I want to see how a US inpatient team runs morning report and hands over its patients."
OFFER_MESSAGE = "Welcome aboard: report to the medicine office at 8 am on your first day."
WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}
SHOTS_DIR = os.environ.get("JOURNEY_SHOTS_DIR", "")
# After a form post, the page that answers (with its flash message) may take a while on a busy
# machine running other suites; waiting longer than the default 5 s costs nothing when it is fast.
ANSWER_TIMEOUT = 15_000


# Set-up of the world and small helpers

@pytest.fixture
def world():
    coordinator = CoordinatorFactory(user__first_name="Dana", user__last_name="Whitfield",
                                     user__email="dana.whitfield@lakeside.example.org").user
    listing = ListingFactory(title=TITLE, institution=coordinator.coordinator.institution,
                             required_documents=["cv", "passport"])
    slot = SlotFactory(listing=listing, capacity=1)
    admin = AdminFactory(first_name="Priya", last_name="Raman", email="priya.raman@rotamatch.example.org")
    applicant = UserFactory(first_name="Amara", last_name="Okafor", email="amara.okafor@example.org")
    return {"coordinator": coordinator, "listing": listing, "slot": slot, "admin": admin, "applicant": applicant}


def _sign_in(page: Page, live_server, email: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(_sign_out_button(page)).to_be_visible(timeout=ANSWER_TIMEOUT)


def _sign_out(page: Page) -> None:
    _sign_out_button(page).click()
    expect(_sign_out_button(page)).to_have_count(0, timeout=ANSWER_TIMEOUT)


def _sign_out_button(page: Page):
    return page.get_by_role("banner").get_by_role("button", name="Sign out")


def _nav(page: Page, label: str) -> None:
    """Follow a link of the role's navigation, as a user would (the inbox's name carries a count)."""
    page.get_by_role("navigation", name="Your pages").get_by_role("link", name=re.compile(rf"^{label}\b")).click()


def _shoot(page: Page, name: str) -> None:
    """Full-page screenshots at desktop and phone width, when asked for (JOURNEY_SHOTS_DIR)."""
    if not SHOTS_DIR:
        return
    Path(SHOTS_DIR).mkdir(parents=True, exist_ok=True)
    for label, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=f"{SHOTS_DIR}/{name}-{label}.png", full_page=True)
    page.set_viewport_size({"width": WIDTHS["desktop"][0], "height": WIDTHS["desktop"][1]})


def _assert_accessible(page: Page) -> None:
    violations = [v for v in Axe().run(page).response["violations"] if v["impact"] in {"serious", "critical"}]
    described = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
                 for v in violations]
    assert described == [], f"axe-core on {page.url}"


def _see_notification(page: Page, title: str, shot: str):
    """The inbox's link of the notification with exactly this title (it leads to its page)."""
    _nav(page, "Notifications")
    link = page.get_by_role("main").get_by_role("link", name=title, exact=True)
    expect(link).to_be_visible()
    _assert_accessible(page)
    _shoot(page, shot)
    return link


def _expect_message(page: Page, text: str) -> None:
    expect(page.get_by_role("region", name="Messages")).to_contain_text(text, timeout=ANSWER_TIMEOUT)


# 1. The applicant: profile, documents, application

def _fill_profile(page: Page, slot) -> None:
    page.get_by_label("Legal name").fill(LEGAL_NAME)
    page.get_by_label("Citizenship").select_option(label="Nigeria")
    page.get_by_label("US visa status").select_option(label="B-1 (business visitor)")
    page.get_by_label("Languages").fill("English, Yoruba, French")
    page.get_by_role("textbox", name="Medical school", exact=True).fill("University of Lagos College of Medicine")
    page.get_by_label("Country of the medical school").select_option(label="Nigeria")
    page.get_by_label("Stage").select_option(label="Graduate")
    page.get_by_label("Graduation year").fill("2024")
    page.get_by_label("USMLE Step 1", exact=True).select_option(label="Passed")
    page.get_by_label("USMLE Step 2 CK", exact=True).select_option(label="Passed")
    page.get_by_label("Step 2 CK score").fill("245")
    page.get_by_label("ECFMG status").select_option(label="Certified")
    page.get_by_role("group", name="Specialties of interest").get_by_label("Internal Medicine").check()
    page.get_by_role("group", name="Preferred states").get_by_label("Illinois").check()
    page.get_by_label("Available from").fill((slot.start_date - timedelta(days=14)).isoformat())
    page.get_by_label("Available until").fill((slot.end_date + timedelta(days=30)).isoformat())
    page.get_by_label("Budget (USD)").fill("3000")


def _build_profile(page: Page, live_server, slot) -> None:
    page.goto(live_server.url + "/applicant/profile/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Build your profile")
    _fill_profile(page, slot)
    _assert_accessible(page)
    _shoot(page, "01-profile-filled")
    page.get_by_role("button", name="Create profile").click()
    _expect_message(page, "Your profile was created.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")


def _upload(page: Page, label: str, path: Path, expires_on=None) -> None:
    vault_item = page.get_by_role("article", name=label, exact=True)
    vault_item.get_by_label("File").set_input_files(path)
    if expires_on is not None:
        vault_item.get_by_label("Expires on").fill(expires_on.isoformat())
    vault_item.get_by_role("button", name=f"Upload your {label}").click()
    _expect_message(page, f"Your {label} was uploaded; an administrator will verify it.")
    expect(page.get_by_role("article", name=label, exact=True).get_by_text("Awaiting verification")).to_be_visible()


def _upload_documents(page: Page, live_server, tmp_path: Path) -> None:
    cv, passport = tmp_path / "Amara Okafor CV.pdf", tmp_path / "passport-scan.jpg"
    cv.write_bytes(pdf_bytes("Amara Okafor: curriculum vitae"))
    passport.write_bytes(image_bytes("JPEG"))
    page.goto(live_server.url + "/applicant/documents/")
    _assert_accessible(page)
    _upload(page, "CV", cv)
    _upload(page, "Passport", passport, expires_on=timezone.localdate() + timedelta(days=3 * 365))
    expect(page.get_by_text("2 of 10 uploaded.")).to_be_visible()
    _shoot(page, "02-documents-uploaded")


def _apply(page: Page, live_server, listing) -> None:
    page.goto(live_server.url + f"/listings/{listing.pk}/")
    readiness = page.get_by_role("region", name="You can apply")
    expect(readiness.get_by_role("listitem").filter(has_text="CV")).to_have_text(
        "CV: Awaiting verification by Rotamatch.")
    expect(readiness.get_by_role("listitem").filter(has_text="Passport")).to_have_text(
        "Passport: Awaiting verification by Rotamatch.")
    _assert_accessible(page)
    _shoot(page, "03-listing-readiness")
    page.get_by_role("button", name=re.compile(r"^Apply for ")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Apply: {TITLE}")
    _assert_accessible(page)
    page.get_by_label("Your statement").fill(STATEMENT)
    _shoot(page, "04-apply")
    page.get_by_role("button", name="Send my application").click()
    _expect_message(page, "Application sent.")
    expect(page.get_by_role("heading", name="Status: Submitted")).to_be_visible()
    _shoot(page, "05-application-submitted")


def _see_submitted(page: Page) -> None:
    _nav(page, "Applications")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=TITLE))
    expect(row.get_by_role("cell").filter(has_text="Submitted")).to_have_count(1)
    _assert_accessible(page)
    _shoot(page, "06-my-applications-submitted")


# 2. The coordinator offers a seat

def _offer(page: Page, title: str) -> None:
    _see_notification(page, title, "07-inbox-coordinator")
    _nav(page, "Applications")
    expect(page.get_by_role("heading", name="To review (1)")).to_be_visible()
    _assert_accessible(page)
    _shoot(page, "08-review-list")
    page.get_by_role("table").get_by_role("link", name=LEGAL_NAME).click()
    profile = page.get_by_role("region", name="Applicant")
    expect(profile).to_contain_text("University of Lagos College of Medicine, Nigeria")
    expect(profile).to_contain_text("Passed (245)")
    expect(page.get_by_role("region", name="Statement")).to_contain_text(STATEMENT)
    _assert_accessible(page)
    page.get_by_label("Message with the offer").fill(OFFER_MESSAGE)
    _shoot(page, "09-review")
    page.get_by_role("button", name="Offer a seat").click()
    _expect_message(page, "Seat offered.")
    expect(page.get_by_role("heading", level=1)).to_have_text(LEGAL_NAME)
    expect(page.get_by_role("region", name="Decide")).to_contain_text("The offer waits for the applicant's answer until")
    _assert_accessible(page)
    _shoot(page, "10-review-offered")


# 3. The applicant accepts

def _accept(page: Page, title: str) -> None:
    _see_notification(page, title, "11-inbox-applicant-offer").click()
    expect(page.get_by_role("heading", name="Status: Offered")).to_be_visible()
    expect(page.get_by_role("figure")).to_contain_text(OFFER_MESSAGE)
    _shoot(page, "12-application-offered")
    page.get_by_role("button", name="Accept the offer").click()
    _expect_message(page, "Offer accepted.")
    expect(page.get_by_role("heading", name="Status: Accepted, awaiting approval")).to_be_visible()
    _shoot(page, "13-application-accepted")


# 4. The admin verifies the documents and approves

def _verify_documents(page: Page, applicant_email: str) -> None:
    _nav(page, "Documents")
    expect(page.get_by_text("2 documents awaiting verification")).to_be_visible()
    _assert_accessible(page)
    _shoot(page, "15-document-queue")
    for label in ("CV", "Passport"):
        page.get_by_role("button", name=f"Verify the {label} of {applicant_email}").click()
        _expect_message(page, f"{label} of {applicant_email} verified.")
    expect(page.get_by_text("Nothing is waiting for verification.")).to_be_visible()


def _approve(page: Page, title: str, applicant_email: str) -> None:
    _see_notification(page, title, "14-inbox-admin")
    _verify_documents(page, applicant_email)
    _nav(page, "Placements")
    placement = page.get_by_role("article", name=LEGAL_NAME)
    for label in ("CV", "Passport"):
        expect(placement.get_by_role("listitem").filter(has_text=label)).to_have_text(f"{label}: Verified")
    expect(placement.get_by_text("Every check passes")).to_be_visible()
    # Cancelling takes a second step: the first click only opens the confirmation.
    cancel = placement.get_by_text("Cancel the placement…")
    confirm = placement.get_by_role("button", name=f"Yes, cancel the placement of {LEGAL_NAME}")
    expect(confirm).to_be_hidden()
    cancel.click()
    expect(confirm).to_be_visible()
    _assert_accessible(page)
    _shoot(page, "16-approval-queue")
    cancel.click()
    placement.get_by_role("button", name=f"Approve the placement of {LEGAL_NAME}").click()
    _expect_message(page, "Placement approved.")
    expect(page.get_by_text("No accepted offers are waiting for approval.")).to_be_visible()


# 5. The applicant sees the approved placement and its calendar feed

def _see_approved(page: Page, live_server, title: str, slot) -> None:
    _see_notification(page, title, "17-inbox-applicant-approved").click()
    expect(page.get_by_role("heading", name="Status: Placement approved")).to_be_visible()
    _shoot(page, "18-application-approved")
    _nav(page, "Applications")
    _assert_accessible(page)
    _shoot(page, "19-my-applications-approved")
    feed = page.get_by_label("Calendar feed address").input_value()
    # The address is the configured site's; fetch its path from the live server.
    path = re.sub(r"^https?://[^/]+", "", feed)
    response = page.request.get(live_server.url + path)
    assert response.status == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    ical = response.text()
    assert ical.count("BEGIN:VEVENT") == 1
    assert f"SUMMARY:{TITLE}" in ical
    assert f"DTSTART;VALUE=DATE:{slot.start_date:%Y%m%d}" in ical


# The journey

def _titles(user) -> list[str]:
    return list(Notification.objects.filter(user=user).order_by("created_at", "id").values_list("title", flat=True))


def test_application_goes_from_applicant_to_coordinator_to_admin(page: Page, live_server, world, tmp_path):
    applicant, coordinator, admin = world["applicant"], world["coordinator"], world["admin"]
    listing, slot = world["listing"], world["slot"]
    when = f"{TITLE}, {date_format(slot.start_date, 'M j')}"
    who = f"Amara Okafor, {TITLE}"
    page.set_viewport_size({"width": WIDTHS["desktop"][0], "height": WIDTHS["desktop"][1]})

    _sign_in(page, live_server, applicant.email)
    _build_profile(page, live_server, slot)
    _upload_documents(page, live_server, tmp_path)
    _apply(page, live_server, listing)
    _see_submitted(page)
    _sign_out(page)

    _sign_in(page, live_server, coordinator.email)
    _offer(page, f"New application: {who}")
    _sign_out(page)

    _sign_in(page, live_server, applicant.email)
    _accept(page, f"Offer: {when}")
    _sign_out(page)

    _sign_in(page, live_server, admin.email)
    _approve(page, f"Placement to approve: {who}", applicant.email)
    _sign_out(page)

    _sign_in(page, live_server, applicant.email)
    _see_approved(page, live_server, f"Placement approved: {when}", slot)

    application = Application.objects.get(applicant=applicant, slot=slot)
    assert application.status == "approved"
    slot.refresh_from_db()
    assert slot.seats_taken == 1
    assert list(application.events.values_list("action", "by")) == [
        ("submit", applicant.pk), ("offer", coordinator.pk), ("accept", applicant.pk), ("approve", admin.pk)]
    assert sorted(Document.objects.filter(applicant=applicant).values_list("kind", "status")) == [
        ("cv", "verified"), ("passport", "verified")]
    assert _titles(applicant) == [f"Application sent: {when}", f"Offer: {when}", "Document verified: CV",
                                  "Document verified: Passport", f"Placement approved: {when}"]
    assert _titles(coordinator) == [f"New application: {who}", f"Offer accepted: {who}",
                                    f"Placement approved: {who}"]
    assert _titles(admin) == [f"Placement to approve: {who}"]
