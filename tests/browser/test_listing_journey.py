"""The listings journey across three roles in a real browser.

A coordinator posts a listing with a slot and submits it, an admin publishes it, and an
applicant finds it by search and filters and compares it with another listing.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from rotations.choices import ListingStatus
from rotations.models import Listing

from ..factories import PASSWORD, AdminFactory, CoordinatorFactory, SlotFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Zephyr Cardiology Observership"


def _sign_in(page: Page, live_server, email: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("banner").get_by_role("button", name="Sign out")).to_be_visible()


def _sign_out(page: Page) -> None:
    page.get_by_role("banner").get_by_role("button", name="Sign out").click()


def _post_listing(page: Page, live_server) -> None:
    page.goto(live_server.url + "/coordinator/listings/new/")
    page.locator("[name=title]").fill(TITLE)
    page.locator("[name=specialty]").select_option("cardiology")
    page.locator("[name=rotation_type]").select_option("observership")
    page.locator("[name=setting]").select_option("outpatient")
    page.locator("[name=audience]").select_option("graduates")
    page.locator("input[name=visas][value=b1]").check()
    page.locator("[name=duration_weeks]").fill("4")
    page.locator("[name=fee_usd]").fill("0")
    page.locator("[name=description]").fill("Echo lab, cath conference and clinic with the team.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()

    page.get_by_role("button", name="Add a slot").click()
    start = timezone.localdate() + timedelta(days=60)
    page.locator("[name=start_date]").fill(start.isoformat())
    page.locator("[name=end_date]").fill((start + timedelta(days=27)).isoformat())
    page.locator("[name=capacity]").fill("2")
    page.locator("[name=application_deadline]").fill((start - timedelta(days=20)).isoformat())
    page.get_by_role("button", name="Save slot").click()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted for review").first).to_be_visible()


def test_a_listing_goes_from_coordinator_to_admin_to_applicant(page: Page, live_server):
    coordinator = CoordinatorFactory().user
    admin = AdminFactory()
    applicant = UserFactory()
    other = SlotFactory(listing__title="Brookside Family Medicine Externship", listing__fee_usd=0).listing

    _sign_in(page, live_server, coordinator.email)
    _post_listing(page, live_server)
    _sign_out(page)
    assert Listing.objects.get(title=TITLE).status == ListingStatus.SUBMITTED

    _sign_in(page, live_server, admin.email)
    page.goto(live_server.url + "/staff/moderation/")
    page.get_by_role("button", name=f"Publish “{TITLE}”").click()
    expect(page.get_by_role("button", name=f"Publish “{TITLE}”")).to_have_count(0)
    _sign_out(page)
    assert Listing.objects.get(title=TITLE).status == ListingStatus.PUBLISHED

    _sign_in(page, live_server, applicant.email)
    page.goto(live_server.url + "/listings/")
    results = page.locator("#search-results")
    expect(results.get_by_role("link", name=TITLE)).to_be_visible()
    page.locator("[name=specialty]").select_option("cardiology")  # HTMX refreshes the results
    expect(results.get_by_role("link", name=other.title)).to_have_count(0)
    page.locator("[name=q]").fill("zephyr")
    expect(results.get_by_role("link", name=TITLE)).to_be_visible()
    assert "specialty=cardiology" in page.url  # the URL keeps the query, to share it

    results.get_by_role("link", name=TITLE).click()
    page.get_by_role("button", name="Add to comparison").click()
    page.goto(live_server.url + f"/listings/{other.pk}/")
    page.get_by_role("button", name="Add to comparison").click()
    page.get_by_role("link", name="See the comparison").click()
    table = page.locator("table.compare")
    expect(table.get_by_role("link", name=TITLE)).to_be_visible()
    expect(table.get_by_role("link", name=other.title)).to_be_visible()
