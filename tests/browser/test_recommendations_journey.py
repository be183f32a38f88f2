"""Recommendations in a real browser, through the real pages.

The applicant opens their recommendations, reads why the first fits, follows "What is missing" to
the document vault, uploads the missing TB test, and goes back to see the item change: first
awaiting verification, then, once an administrator verifies it in the queue, in order. The
dashboard shows "Recommended for you" and, with a target Match year, the road to that Match; the
page of a listing the applicant is not eligible for says why under "Why not this one?". axe-core
finds no serious issue on each page. Only the world is set up through factories: an applicant
(a graduate on B-1, internal medicine, IL/NY, $3,000) holding a verified CV, an internal-medicine
externship in IL requiring a CV and a TB test, a cardiology observership in IL requiring a CV, and
a pediatrics observership for J-1 holders only.

Set JOURNEY_SHOTS_DIR to keep screenshots at 1280 and 375 px.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from applicants.models import Document

from ..factories import (
    AdminFactory,
    DocumentFactory,
    InstitutionFactory,
    ProfileFactory,
    SlotFactory,
    UserFactory,
    pdf_bytes,
)
from .journey import look, message, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
EMAIL = "amara.okafor@example.org"
INTERNAL = "Lakeshore Internal Medicine Externship"
CARDIOLOGY = "Lakeshore Cardiology Observership"
PEDIATRICS = "Lakeshore Pediatrics Observership"
MATCH_YEAR = 2028
INTERNAL_FITS = [
    "Internal Medicine is one of your specialties.",
    "IL is one of your preferred states.",
    "$2,500 is within your $3,000 budget.",
    "Hands-on: you examine and treat patients under supervision.",
    "A letter of recommendation is possible.",
    "3 seats left.",
]
IN_ORDER = "Your documents for it are in order."


@pytest.fixture
def world():
    applicant = UserFactory(first_name="Amara", last_name="Okafor", email=EMAIL)
    profile = ProfileFactory(user=applicant, legal_name="Amara Okafor")
    DocumentFactory(applicant=applicant, kind="cv")
    lakeshore = InstitutionFactory(name="Lakeshore Medical Center", city="Chicago", state="IL", zip_code="60611")
    internal = SlotFactory(
        capacity=3, listing__institution=lakeshore, listing__title=INTERNAL, listing__specialty="internal_medicine",
        listing__rotation_type="externship", listing__letter_possible=True, listing__fee_usd=2500,
        listing__required_documents=["cv", "tb_test"])
    cardiology = SlotFactory(
        capacity=3, listing__institution=lakeshore, listing__title=CARDIOLOGY, listing__specialty="cardiology",
        listing__fee_usd=2000, listing__required_documents=["cv"])
    pediatrics = SlotFactory(
        capacity=3, listing__institution=lakeshore, listing__title=PEDIATRICS, listing__specialty="pediatrics",
        listing__fee_usd=1000, listing__visas=["j1"], listing__required_documents=["cv"])
    return {"applicant": applicant, "profile": profile, "admin": AdminFactory(), "internal": internal,
            "cardiology": cardiology, "pediatrics": pediatrics}








def _recommendations(page: Page):
    """The recommendation articles, best first."""
    return page.get_by_role("main").locator("article.recommendation")


def _open_recommendations_from_dashboard(page: Page) -> None:
    page.get_by_role("navigation", name="Your pages").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Amara")
    page.get_by_role("region", name="Recommended for you").get_by_role("link", name="All your recommendations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recommended for you")


def _read_first(page: Page, live_server, world) -> None:
    page.goto(live_server.url + "/applicant/recommendations/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Recommended for you")
    # The J-1 listing does not pass the filters; the other two do, the internal-medicine one first.
    expect(page.get_by_role("main")).to_contain_text("2 open dates pass every filter")
    articles = _recommendations(page)
    expect(articles).to_have_count(2)
    first, second = articles.nth(0), articles.nth(1)
    expect(first.get_by_role("link").first).to_have_text(INTERNAL)
    expect(first).to_contain_text("Lakeshore Medical Center, Chicago, IL")
    expect(first.locator(".fits-heading")).to_have_text("Why it fits")
    expect(first.locator("ul.fits > li")).to_have_text(INTERNAL_FITS)
    expect(first.locator(".missing-heading")).to_have_text("What is missing")
    expect(first.locator("ul.missing > li")).to_have_text(["TB test: Missing: upload it to your documents."])
    expect(first.locator("ul.unknown")).to_contain_text("Your target Match year")
    expect(second.get_by_role("link").first).to_have_text(CARDIOLOGY)
    expect(second.locator("ul.fits")).to_contain_text(IN_ORDER)
    expect(second.locator("ul.missing")).to_have_count(0)
    expect(page.get_by_role("main")).not_to_contain_text(PEDIATRICS)
    look(page, "reco-01-recommendations")


def _upload_missing(page: Page, tmp_path: Path, slot) -> None:
    first = _recommendations(page).nth(0)
    first.get_by_role("link", name="Upload it in your documents").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your documents")
    vault_item = page.get_by_role("article", name="TB test", exact=True)
    expect(vault_item).to_contain_text("Not uploaded")
    look(page, "reco-02-documents")
    pdf = tmp_path / "tb-test-quantiferon.pdf"
    pdf.write_bytes(pdf_bytes("QuantiFERON-TB Gold: negative. Amara Okafor."))
    vault_item.get_by_label("File").set_input_files(pdf)
    # A TB test expires: valid well after the rotation ends, but before programs open applications.
    vault_item.get_by_label("Expires on").fill((slot.end_date + timedelta(days=120)).isoformat())
    vault_item.get_by_role("button", name="Upload your TB test").click()
    message(page, "Your TB test was uploaded; an administrator will verify it.")
    expect(page.get_by_role("article", name="TB test", exact=True).get_by_text("Awaiting verification")).to_be_visible()
    look(page, "reco-03-documents-uploaded")


def _see_it_pending(page: Page) -> None:
    _open_recommendations_from_dashboard(page)
    first = _recommendations(page).nth(0)
    expect(first.get_by_role("link").first).to_have_text(INTERNAL)
    # Uploaded, not yet verified: no longer missing, but listed as being verified.
    expect(first.locator("ul.missing")).to_have_count(0)
    expect(first.locator("ul.pending > li")).to_have_text(["TB test: Awaiting verification by Rotamatch."])
    expect(first.locator("ul.fits")).to_contain_text("Your documents for it are all uploaded; Rotamatch is verifying some.")
    look(page, "reco-04-recommendations-pending")


def _verify(page: Page, live_server) -> None:
    page.goto(live_server.url + "/staff/documents/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Documents to verify")
    page.get_by_role("button", name=f"Verify the TB test of {EMAIL}").click()
    message(page, f"TB test of {EMAIL} verified.")


def _see_it_in_order(page: Page) -> None:
    _open_recommendations_from_dashboard(page)
    first = _recommendations(page).nth(0)
    expect(first.get_by_role("link").first).to_have_text(INTERNAL)
    expect(first.locator("ul.missing")).to_have_count(0)
    expect(first.get_by_text("What is missing")).to_have_count(0)
    expect(first.locator("ul.fits > li")).to_have_text(INTERNAL_FITS + [IN_ORDER])
    look(page, "reco-05-recommendations-in-order")


def _dashboard(page: Page, live_server, profile) -> None:
    page.goto(live_server.url + "/applicant/")
    block = page.get_by_role("region", name="Recommended for you")
    expect(block.locator("article.recommendation")).to_have_count(2)
    expect(block.locator("article.recommendation").first).to_contain_text(INTERNAL)
    road = page.get_by_role("region", name="Your road to the Match")
    expect(road).to_contain_text("Add your target Match year to your profile")
    look(page, "reco-06-dashboard")

    profile.target_match_year = MATCH_YEAR
    profile.save(update_fields=["target_match_year"])
    page.reload()
    road = page.get_by_role("region", name=f"Your road to the {MATCH_YEAR} Match")
    expect(road.get_by_role("heading", level=2)).to_have_text(f"Your road to the {MATCH_YEAR} Match")
    expect(road).to_contain_text(f"September 25, {MATCH_YEAR - 1}")
    expect(road.get_by_text("What to do next", exact=True)).to_be_visible()
    steps = road.locator("ul.next-steps > li")
    expect(steps.filter(has_text=f"Book a rotation ending by August 14, {MATCH_YEAR - 1}")).to_have_count(1)
    expect(steps.filter(has_text="Ask for 3 more letters")).to_have_count(1)
    # The TB test expires before programs open applications: renew it (case-insensitive: see the report).
    expect(steps.filter(has_text=re.compile(r"Renew your TB test: it expires on", re.IGNORECASE))).to_have_count(1)
    # With the year known, the recommendations say the rotation ends in time for a letter.
    expect(page.get_by_role("region", name="Recommended for you").locator("article.recommendation").first).to_contain_text(
        f"Ends by Aug 14, {MATCH_YEAR - 1}: in time for a letter before programs open applications.")
    look(page, "reco-07-dashboard-road")


def _why_not(page: Page, live_server, slot) -> None:
    page.goto(live_server.url + f"/listings/{slot.listing.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(PEDIATRICS)
    readiness = page.get_by_role("region", name="Before you can apply")
    expect(readiness).to_contain_text("This rotation accepts J-1")
    why_not = page.locator("details.why-not")
    summary = why_not.locator("summary")
    expect(summary).to_have_text("Why not this one?")
    expect(why_not).not_to_have_attribute("open", "")
    summary.click()
    expect(why_not).to_have_attribute("open", "")
    reason = why_not.get_by_role("listitem")
    expect(reason).to_have_count(1)
    expect(reason).to_contain_text(f"{slot.start_date:%b} {slot.start_date.day} – ")
    expect(reason).to_contain_text("not recommended. This rotation accepts J-1")
    look(page, "reco-08-listing-why-not")


def test_applicant_follows_what_is_missing_and_sees_the_recommendation_change(page: Page, live_server, world, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 900})
    internal = world["internal"]

    sign_in(page, live_server, world["applicant"])
    _read_first(page, live_server, world)
    _upload_missing(page, tmp_path, internal)
    _see_it_pending(page)

    sign_in(page, live_server, world["admin"])
    _verify(page, live_server)

    sign_in(page, live_server, world["applicant"])
    _see_it_in_order(page)
    _dashboard(page, live_server, world["profile"])
    _why_not(page, live_server, world["pediatrics"])

    tb = Document.objects.get(applicant=world["applicant"], kind="tb_test")
    assert (tb.status, tb.expires_on, tb.original_name) == ("verified", internal.end_date + timedelta(days=120),
                                                             "tb-test-quantiferon.pdf")
