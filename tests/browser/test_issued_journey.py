"""An invitation letter from approval to revocation, in a real browser, through the real pages.

An admin approves an accepted placement in the approval queue (in Rotamatch admins approve
placements; the coordinator's review page offers no such move); the applicant issues the visa
invitation letter, then issues a new one with a passport number through the step that names the
letter it supersedes, and downloads the PDF; an anonymous checker types its code (in lower case,
with spaces) on the verification page and sees it valid, with the legal name, the institution and
the dates and nothing else; the short address printed in the PDF says the same; the first letter's
code reads "superseded"; the applicant cancels the placement, warned that the letter will be
revoked; the checker reloads and reads "Revoked on <date>"; the applicant's placement page still
lists the letter, revoked, and so does the coordinator's review page, whose coordinator then chooses
a colleague to sign the letters applicants issue. axe-core finds no serious issue on each page.
Only the world is set up through factories: the accepted placement, its verified documents and the
people.

Set JOURNEY_SHOTS_DIR to keep screenshots at 1280 and 375 px.
"""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from django.utils.dateformat import format as date_format
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from matching.models import Application, IssuedDocument, IssuedDocumentDownload

from ..factories import (
    AdminFactory,
    ApplicationFactory,
    CoordinatorFactory,
    DocumentFactory,
    ProfileFactory,
    UserFactory,
)
from .journey import ANSWER_TIMEOUT, SHOTS_DIR, look, message, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TITLE = "Lakeside Internal Medicine Observership"
INSTITUTION = "Lakeside Regional Medical Center"
LEGAL_NAME = "Amara Chidinma Okafor"
APPLICANT_EMAIL = "amara.okafor@example.org"
COORDINATOR_EMAIL = "dana.whitfield@lakeside.example.org"
PASSPORT = "A01234567"
STATEMENT = "I want to see how a US inpatient team runs morning report and hands over its patients."
CANCEL_REASON = "My visa interview was moved past the start date."
CODE = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")


@pytest.fixture
def world():
    coordinator = CoordinatorFactory(user__first_name="Dana", user__last_name="Whitfield", user__email=COORDINATOR_EMAIL,
                                     title="Rotation coordinator", institution__name=INSTITUTION,
                                     institution__address="400 Shore Drive", institution__city="Springfield",
                                     institution__state="IL", institution__zip_code="62704").user
    applicant = UserFactory(first_name="Amara", last_name="Okafor", email=APPLICANT_EMAIL)
    ProfileFactory(user=applicant, legal_name=LEGAL_NAME, citizenship="NG")
    for kind in ("cv", "passport"):
        DocumentFactory(applicant=applicant, kind=kind, status="verified")
    start = timezone.localdate() + timedelta(days=60)
    placement = ApplicationFactory(
        applicant=applicant, status="accepted", statement=STATEMENT, slot__capacity=2,
        slot__start_date=start, slot__end_date=start + timedelta(days=27),
        slot__application_deadline=start - timedelta(days=21),
        slot__listing__institution=coordinator.coordinator.institution, slot__listing__title=TITLE,
        slot__listing__required_documents=["cv", "passport"])
    admin = AdminFactory(first_name="Priya", last_name="Raman", email="priya.raman@rotamatch.example.org")
    colleague = CoordinatorFactory(user__first_name="Luis", user__last_name="Romero", title="Clerkship assistant",
                                   institution=coordinator.coordinator.institution).user
    return {"coordinator": coordinator, "colleague": colleague, "applicant": applicant, "admin": admin,
            "placement": placement}


# Helpers







def _long(day) -> str:
    return date_format(day, "F j, Y")


def _documents_section(page: Page):
    return page.get_by_role("region", name="Your documents for this placement")


# 1. Approval: the coordinator cannot; the admin does, in the approval queue

def _coordinator_cannot_approve(page: Page, live_server, placement) -> None:
    page.goto(live_server.url + f"/coordinator/applications/{placement.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(LEGAL_NAME)
    decide = page.get_by_role("region", name="Decide")
    expect(decide).to_contain_text("the placement waits for Rotamatch's approval")
    expect(page.get_by_role("button", name=re.compile("^Approve"))).to_have_count(0)
    expect(page.get_by_role("region", name="Issued documents")).to_be_visible()
    look(page, "issued-01-review-accepted-coordinator")
    response = page.goto(live_server.url + "/staff/placements/")
    assert response is not None and response.status == 403


def _admin_approves(page: Page, live_server) -> None:
    page.goto(live_server.url + "/staff/placements/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Placements to approve")
    placement = page.get_by_role("article", name=LEGAL_NAME)
    expect(placement.get_by_text("Every check passes")).to_be_visible()
    look(page, "issued-02-approval-queue")
    placement.get_by_role("button", name=f"Approve the placement of {LEGAL_NAME}").click()
    message(page, "Placement approved.")
    expect(page.get_by_text("No accepted offers are waiting for approval.")).to_be_visible()


# 2. The applicant issues and downloads the letter

def _issue(page: Page, live_server, placement) -> str:
    page.goto(live_server.url + f"/applications/{placement.pk}/")
    expect(page.get_by_role("heading", name="Status: Placement approved")).to_be_visible()
    section = _documents_section(page)
    expect(section).to_contain_text("a consular officer or a residency program can check")
    expect(section.get_by_role("link", name=re.compile("^Download"))).to_have_count(0)
    expect(section.get_by_label(re.compile("^Passport number"))).to_have_accessible_description(
        "Printed on this letter only; not saved in your profile.")
    look(page, "issued-03-placement-approved")
    section.get_by_role("button", name="Issue my invitation letter for the visa interview").click()
    message(page, "Invitation letter issued: code")
    section = _documents_section(page)
    expect(section.get_by_role("link", name="Download the invitation letter")).to_be_visible()
    first = section.locator(".letter-id").first.inner_text().strip()
    assert CODE.fullmatch(first), first
    return first


def _reissue_with_passport(page: Page, first: str) -> str:
    """A new letter, now with the passport number: the second step names the letter it replaces."""
    section = _documents_section(page)
    confirm = section.get_by_role("button", name=f"Yes, replace letter {first}")
    expect(confirm).to_be_hidden()
    section.get_by_text("Issue a new invitation letter…").click()
    expect(confirm).to_be_visible()
    expect(section.locator(".issued-warning")).to_contain_text(f"Your current letter, {first}, will be marked superseded")
    section.get_by_label(re.compile("^Passport number")).fill(PASSPORT)
    look(page, "issued-04-placement-reissue-confirm")
    confirm.click()
    message(page, f"The previous one, {first}, now shows as superseded")
    section = _documents_section(page)
    shown = section.locator(".letter-id").first.inner_text().strip()
    assert CODE.fullmatch(shown) and shown != first, shown
    expect(section.get_by_role("link", name="Download the invitation letter")).to_have_count(1)
    # The passport number is printed in the letter only: not kept on the page, nor in the database.
    expect(page.get_by_role("main")).not_to_contain_text(PASSPORT)
    expect(section.get_by_label(re.compile("^Passport number"))).to_have_value("")
    look(page, "issued-04-placement-issued")
    return shown


def _download(page: Page, code: str) -> str:
    """Download the letter; check it is the PDF for the consular officer; return its text."""
    section = _documents_section(page)
    with page.expect_download(timeout=ANSWER_TIMEOUT) as info:
        section.get_by_role("link", name="Download the invitation letter").click()
    download = info.value
    assert download.suggested_filename == f"invitation-{code}.pdf"
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF-")
    if SHOTS_DIR:
        Path(SHOTS_DIR).mkdir(parents=True, exist_ok=True)
        Path(SHOTS_DIR, "invitation.pdf").write_bytes(data)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    text = "\n".join(p.extract_text() for p in reader.pages)
    flat = " ".join(text.split())
    for needed in ("To the consular officer", "Invitation letter for a clinical rotation", code, LEGAL_NAME,
                   f"passport number {PASSPORT}", INSTITUTION, "Nigeria", "Dana Whitfield", "Rotation coordinator"):
        assert needed in flat, f"{needed!r} not in the letter:\n{text}"
    assert STATEMENT not in flat
    return text


# 3. The anonymous checker

def _verify_valid(page: Page, live_server, code: str, placement) -> None:
    slot = placement.slot
    page.goto(live_server.url + "/verify/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify a Rotamatch document")
    look(page, "issued-05-verify-empty")
    # As a person types it off paper: lower case, spaces between the groups.
    page.get_by_label("Verification code").fill(code.lower().replace("-", " "))
    page.get_by_role("button", name="Verify").click()
    result = page.get_by_role("region", name="Valid")
    expect(result).to_be_visible(timeout=ANSWER_TIMEOUT)
    expect(page).to_have_title("Valid · Verify a document · Rotamatch")
    expect(result).to_contain_text("it has been neither replaced nor revoked")
    expect(result).to_contain_text("Invitation letter")
    expect(result).to_contain_text(code)
    expect(result).to_contain_text(LEGAL_NAME)
    expect(result).to_contain_text(f"{INSTITUTION}, Springfield, IL")
    expect(result).to_contain_text(f"{_long(slot.start_date)} – {_long(slot.end_date)}")
    # Only what a checker needs: the six facts, and nothing about the person beyond the legal name.
    assert result.locator("dt").all_inner_texts() == [
        "Document", "Verification code", "Applicant (legal name)", "Institution", "Dates", "Issued"]
    main = page.get_by_role("main")
    for private in (APPLICANT_EMAIL, PASSPORT, COORDINATOR_EMAIL, STATEMENT, TITLE, "Nigeria"):
        expect(main).not_to_contain_text(private)
    look(page, "issued-06-verify-valid")


def _verify_short_address(page: Page, live_server, pdf_text: str, code: str) -> None:
    # The PDF wraps lines anywhere: find the address in its text with the line breaks removed.
    match = re.search(r"/v/([0-9A-Z]{16})/", "".join(pdf_text.split()))
    assert match, f"no /v/<code>/ address in the letter:\n{pdf_text}"
    assert match.group(1) == code.replace("-", "")
    response = page.goto(live_server.url + match.group(0))
    assert response is not None and response.status == 200
    expect(page.get_by_role("region", name="Valid")).to_contain_text(LEGAL_NAME)
    look(page, "issued-07-verify-short-address")


def _verify_not_found(page: Page, live_server) -> None:
    page.goto(live_server.url + "/verify/")
    page.get_by_label("Verification code").fill("ZZZZ-ZZZZ-ZZZZ-ZZZZ")
    with page.expect_response(re.compile(r"/verify/\?code=")) as answer:
        page.get_by_role("button", name="Verify").click()
    assert answer.value.status == 404
    expect(page.get_by_role("alert")).to_contain_text("No document has this code.")
    expect(page.get_by_label("Verification code")).to_have_value("ZZZZ-ZZZZ-ZZZZ-ZZZZ")  # to correct, not retype
    expect(page.get_by_role("region", name="Valid")).to_have_count(0)
    look(page, "issued-08-verify-not-found")


def _verify_superseded(page: Page, live_server, first: str) -> None:
    page.goto(live_server.url + f"/v/{first.replace('-', '')}/")
    result = page.get_by_role("region", name="Superseded on")
    expect(result).to_contain_text("A newer version replaced it on")
    expect(result).to_contain_text("ask the holder for the current one")
    expect(page).to_have_title("Superseded · Verify a document · Rotamatch")
    look(page, "issued-08b-verify-superseded")


def _verify_revoked(page: Page, code: str) -> None:
    page.reload()
    document = IssuedDocument.objects.get(code=code.replace("-", ""))
    revoked = f"Revoked on {_long(timezone.localtime(document.revoked_at))}"
    result = page.get_by_role("region", name=revoked)
    expect(result).to_be_visible(timeout=ANSWER_TIMEOUT)
    expect(result).to_contain_text(LEGAL_NAME)
    expect(result).to_contain_text(f"This document was {revoked[0].lower()}{revoked[1:]}. Do not rely on it.")
    expect(page).to_have_title("Revoked · Verify a document · Rotamatch")
    expect(page.get_by_role("region", name="Valid")).to_have_count(0)
    # The checker sees the date only, not why.
    expect(page.get_by_role("main")).not_to_contain_text(CANCEL_REASON)
    expect(page.get_by_role("main")).not_to_contain_text("The placement was cancelled.")
    look(page, "issued-10-verify-revoked")


# 4. The applicant cancels

def _cancel(page: Page, live_server, placement, code: str) -> None:
    page.goto(live_server.url + f"/applications/{placement.pk}/")
    moves = page.get_by_role("region", name="What you can do")
    confirm = moves.get_by_role("button", name="Yes, cancel the placement")
    expect(confirm).to_be_hidden()
    moves.get_by_text("Cancel the placement…").click()
    expect(confirm).to_be_visible()
    expect(moves.locator(".issued-warning")).to_have_text(
        f'Your invitation letter {code} will be revoked: anyone who checks its code, a consulate too, will read "revoked".')
    moves.get_by_label(re.compile("^A note to the host")).fill(CANCEL_REASON)
    look(page, "issued-09-placement-cancel-confirm")
    confirm.click()
    message(page, "Placement cancelled.")
    expect(page.get_by_role("heading", name="Status: Placement cancelled")).to_be_visible()
    # The letter stays listed, revoked, with why; it is no longer offered for download.
    section = _documents_section(page)
    letter = section.get_by_role("listitem").filter(has_text=code)
    expect(letter).to_contain_text("Revoked on")
    expect(letter).to_contain_text("The placement was cancelled.")
    expect(section.get_by_role("link", name=re.compile("^Download"))).to_have_count(0)
    expect(section.get_by_role("button")).to_have_count(0)
    look(page, "issued-09-placement-cancelled")


# 5. The coordinator sees the letter revoked

def _coordinator_sees_revoked(page: Page, live_server, placement, code: str) -> None:
    page.goto(live_server.url + f"/coordinator/applications/{placement.pk}/")
    issued = page.get_by_role("region", name="Issued documents")
    letter = issued.get_by_role("article").filter(has_text=code)
    expect(letter).to_have_count(1)
    expect(letter).to_contain_text("Invitation letter")
    expect(letter).to_contain_text("Revoked on")
    expect(letter).to_contain_text("The placement was cancelled.")
    expect(letter.get_by_role("button", name=re.compile("^Revoke"))).to_have_count(0)
    look(page, "issued-11-review-revoked-coordinator")


def _coordinator_chooses_who_signs(page: Page, live_server) -> None:
    page.goto(live_server.url + "/coordinator/documents/signatory/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Who signs your documents")
    expect(page.get_by_role("radio", name=re.compile("^Dana Whitfield, Rotation coordinator"))).to_be_checked()
    look(page, "issued-12-signatory")
    page.get_by_role("radio", name=re.compile("^Luis Romero")).check()
    page.get_by_role("button", name="Save").click()
    message(page, "Luis Romero now signs the documents applicants issue.")
    expect(page.get_by_role("radio", name=re.compile("^Luis Romero"))).to_be_checked()


def test_invitation_letter_is_issued_verified_and_revoked_with_the_placement(page: Page, browser: Browser, live_server,
                                                                             world):
    page.set_viewport_size({"width": 1280, "height": 900})
    placement = world["placement"]

    sign_in(page, live_server, world["coordinator"])
    _coordinator_cannot_approve(page, live_server, placement)

    sign_in(page, live_server, world["admin"])
    _admin_approves(page, live_server)
    placement.refresh_from_db()
    assert placement.status == "approved"

    sign_in(page, live_server, world["applicant"])
    first = _issue(page, live_server, placement)
    code = _reissue_with_passport(page, first)
    pdf_text = _download(page, code)
    document = IssuedDocument.objects.get(application=placement, superseded_at__isnull=True)
    assert (document.kind, document.grouped_code, document.state) == ("invitation", code, "valid")
    assert list(IssuedDocumentDownload.objects.filter(document=document).values_list("user", flat=True)) == [
        world["applicant"].pk]

    checker = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        anonymous = checker.new_page()
        _verify_valid(anonymous, live_server, code, placement)
        _verify_short_address(anonymous, live_server, pdf_text, code)
        _verify_not_found(anonymous, live_server)
        _verify_superseded(anonymous, live_server, first)
        anonymous.goto(live_server.url + f"/v/{code}/")  # the checker's tab on the letter, before the cancellation
        expect(anonymous.get_by_role("region", name="Valid")).to_be_visible()

        _cancel(page, live_server, placement, code)
        assert Application.objects.get(pk=placement.pk).status == "cancelled"

        _verify_revoked(anonymous, code)
    finally:
        checker.close()

    document.refresh_from_db()
    assert document.state == "revoked"
    assert document.revoke_reason == "The placement was cancelled."

    sign_in(page, live_server, world["coordinator"])
    _coordinator_sees_revoked(page, live_server, placement, code)
    _coordinator_chooses_who_signs(page, live_server)
