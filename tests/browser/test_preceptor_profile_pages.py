"""The preceptor profile pages in a real browser on the demo data: a listing links its preceptor's
public page; the preceptor edits their profile; the admin opens the verification queue. axe-core
finds no serious issue on each. Set JOURNEY_SHOTS_DIR to keep screenshots at 1280 and 375 px."""

import io
import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import Page, expect

from institutions.models import Preceptor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS_DIR = os.environ.get("JOURNEY_SHOTS_DIR", "")
DEMO_PASSWORD = "rotamatch-demo"


def _look(page: Page, name: str) -> None:
    violations = [v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in {"serious", "critical"}]
    assert violations == [], f"axe-core on {page.url}"
    if SHOTS_DIR:
        Path(SHOTS_DIR).mkdir(parents=True, exist_ok=True)
        for width in (1280, 375):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=f"{SHOTS_DIR}/{name}-{width}.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})


def _sign_in(page: Page, live_server, email: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("banner").get_by_role("button", name="Sign out")).to_be_visible()


def test_public_page_profile_form_and_queue(page: Page, live_server):
    call_command("seed_demo", stdout=io.StringIO())
    okafor = Preceptor.objects.get(user__email="preceptor@rotamatch.test")
    listing = okafor.listings.filter(status="published").first()

    page.goto(f"{live_server.url}/listings/{listing.pk}/")
    page.get_by_role("link", name="Peter Okafor").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Peter Okafor, MD")
    # The demo observership he supervises has three published reviews: enough to show them.
    expect(page.locator(".review-summary")).to_contain_text("/ 5 from 3 published reviews")
    expect(page.get_by_role("heading", name="Reviews")).to_be_visible()
    expect(page.locator(".preceptor-header .badge")).to_have_text("Verified")
    assert page.locator("img.preceptor-photo").evaluate("img => img.naturalWidth") == 512
    _look(page, "preceptor-public")

    _sign_in(page, live_server, "preceptor@rotamatch.test")
    page.goto(f"{live_server.url}/preceptor/profile/")
    page.get_by_label("NPI").fill("1234567890")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Enter a valid NPI")).to_be_visible()
    _look(page, "preceptor-profile-form")

    page.context.clear_cookies()
    _sign_in(page, live_server, "admin@rotamatch.test")
    page.goto(f"{live_server.url}/staff/preceptors/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Preceptors to verify")
    _look(page, "staff-preceptor-queue")
