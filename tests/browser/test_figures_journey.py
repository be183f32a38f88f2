"""The figures in a real browser: an admin reads them, clicks a bar and lands on the list it counts;
a coordinator reads their institution's; a bad period is refused in words. axe-core finds no
serious issue on either page; set JOURNEY_SHOTS_DIR to keep screenshots at 1280 and 375 px
to be looked at.

The world is made with factories: two of the coordinator's slots in the coming months, one
placement approved among four applications, an offer declined, and a stranger's slot.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from matching.models import ApplicationEvent

from ..factories import (
    AdminFactory,
    ApplicationFactory,
    CoordinatorFactory,
    ProfileFactory,
    SlotFactory,
    UserFactory,
)
from .journey import ANSWER_TIMEOUT, look, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _slot(institution, specialty, state, capacity, days):
    start = timezone.localdate() + timedelta(days=days)
    return SlotFactory(listing__institution=institution, listing__specialty=specialty, listing__state=state,
                       listing__title=f"{specialty.replace('_', ' ').title()} Clerkship", capacity=capacity,
                       start_date=start, end_date=start + timedelta(days=27),
                       application_deadline=start - timedelta(days=21))


def _application(slot, status, *actions, name=("Amara", "Okafor")):
    applicant = UserFactory(first_name=name[0], last_name=name[1])
    ProfileFactory(user=applicant, legal_name=" ".join(name))
    application = ApplicationFactory(applicant=applicant, slot=slot, status=status)
    for action in actions:
        ApplicationEvent.objects.create(application=application, action=action, to_status=status)
    return application


@pytest.fixture
def world():
    coordinator = CoordinatorFactory(user__first_name="Dana", user__last_name="Whitfield",
                                     institution__name="Harbor General Hospital").user
    harbor = coordinator.coordinator.institution
    cardiology = _slot(harbor, "cardiology", "NY", 3, 60)
    pediatrics = _slot(harbor, "pediatrics", "IL", 2, 95)
    _application(cardiology, "approved", "offer", "accept", "approve")
    _application(cardiology, "declined", "offer", "decline", name=("Luis", "Ortega"))
    _application(cardiology, "submitted", name=("Mei", "Tanaka"))
    _application(pediatrics, "waitlisted", "waitlist", name=("Sara", "Haddad"))
    stranger = CoordinatorFactory(institution__name="Lakeside Clinic").user
    _application(_slot(stranger.coordinator.institution, "neurology", "TX", 4, 60), "submitted",
                 name=("Omar", "Farouk"))
    UserFactory()  # signed up, nothing more yet
    return {"admin": AdminFactory(), "coordinator": coordinator}






def _open_figures(page: Page) -> None:
    page.get_by_role("navigation", name="Your pages").get_by_role("link", name="Figures").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible(timeout=ANSWER_TIMEOUT)


def _tile(page: Page, label: str):
    return page.get_by_role("link", name=re.compile(rf"{label}$"))


def test_an_admin_reads_the_figures_and_follows_a_bar(page: Page, live_server, world):
    sign_in(page, live_server, world["admin"])
    _open_figures(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Marketplace figures")
    # Nine seats on the period's three slots, one taken; two offers made, one accepted.
    expect(_tile(page, "Fill rate")).to_have_text(re.compile(r"^\s*11.1%\s+Fill rate\s*$"))
    expect(_tile(page, "Offer acceptance rate")).to_have_text(re.compile(r"^\s*50%"))
    expect(page.get_by_role("group", name="Demand against supply by specialty")).to_be_visible()
    look(page, "figures-admin")

    page.get_by_role("group", name="Applicant funnel").get_by_role("link", name="Placed: 1 applicant").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Applications", timeout=ANSWER_TIMEOUT)
    expect(page.get_by_role("navigation", name="Application status").get_by_role("link", name=re.compile("^Placements"))
           ).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("main")).to_contain_text("Amara Okafor")
    expect(page.get_by_role("main")).not_to_contain_text("Mei Tanaka")


def test_an_admin_follows_a_specialty_bar_to_its_applications(page: Page, live_server, world):
    sign_in(page, live_server, world["admin"])
    page.goto(live_server.url + "/staff/figures/")
    chart = page.get_by_role("group", name="Demand against supply by specialty")
    chart.get_by_role("link", name="Cardiology: 3 applications").click()
    expect(page).to_have_url(re.compile(r"/admin/matching/application/\?slot__listing__specialty=cardiology$"),
                             timeout=ANSWER_TIMEOUT)
    expect(page.get_by_text("3 applications")).to_be_visible()


def test_a_coordinator_reads_their_institutions_figures(page: Page, live_server, world):
    sign_in(page, live_server, world["coordinator"])
    _open_figures(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Figures: Harbor General Hospital")
    expect(_tile(page, "Fill rate")).to_have_text(re.compile(r"^\s*20%"))  # one of five seats
    expect(page.get_by_role("main")).not_to_contain_text("Neurology")
    expect(page.get_by_role("main")).to_contain_text("only Rotamatch's administrators see it")
    look(page, "figures-coordinator")


def test_a_bad_period_is_refused_in_words(page: Page, live_server, world):
    sign_in(page, live_server, world["admin"])
    page.goto(live_server.url + "/staff/figures/")
    page.get_by_label("From (slots starting in)").fill("2027-06")
    page.get_by_label("To (slots starting in)").fill("2027-01")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("alert")).to_have_text("The first month comes after the last one: swap them.",
                                                    timeout=ANSWER_TIMEOUT)
    look(page, "figures-bad-period")
