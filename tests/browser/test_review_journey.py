"""A review and an evaluation across four roles in a real browser, through the real pages.

The coordinator marks a placement completed; the applicant reviews it and finds the evaluation
sealed; the preceptor evaluates; both are revealed at once; the applicant reads the evaluation;
an admin publishes the review; the listing, anonymous, shows its rating from three published
reviews. axe-core finds no serious issue on each new page. Only the world is set up through
factories: a placement whose rotation ended three days ago, and two earlier published reviews of
the same listing (the third is the one written here: the small-numbers threshold is three).

Set JOURNEY_SHOTS_DIR to keep screenshots at 1280 and 375 px.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from preceptors.models import Evaluation, Review
from preceptors.services import listing_reviews_refresh

from ..factories import (
    AdminFactory,
    ApplicationFactory,
    CoordinatorFactory,
    PreceptorFactory,
    ReviewFactory,
    SlotFactory,
    UserFactory,
)
from .journey import look, message, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TITLE = "Harbor Family Medicine Clerkship"
REVIEW_TEXT = ("Two clinic days and three ward days a week; I presented a new patient every morning and "
               "wrote notes that were signed off the same day.")
STRENGTHS = "Clear, organised presentations; patients trusted her from the first visit."


@pytest.fixture
def world():
    coordinator = CoordinatorFactory(user__first_name="Dana", user__last_name="Whitfield").user
    institution = coordinator.coordinator.institution
    preceptor = PreceptorFactory(institution=institution, user__first_name="Ruth", user__last_name="Adler",
                                 full_name="Ruth Adler")
    applicant = UserFactory(first_name="Amara", last_name="Okafor", email="amara.okafor@example.org")
    end = timezone.localdate() - timedelta(days=3)
    placement = ApplicationFactory(
        applicant=applicant, status="approved", slot__capacity=4, slot__start_date=end - timedelta(days=27),
        slot__end_date=end, slot__application_deadline=end - timedelta(days=50),
        slot__listing__institution=institution, slot__listing__title=TITLE)
    listing = placement.slot.listing
    listing.preceptors.add(preceptor)
    # An earlier rotation of the listing, its two reviews revealed (by time) and published long ago.
    earlier = SlotFactory(listing=listing, capacity=2, start_date=end - timedelta(days=120),
                          end_date=end - timedelta(days=93), application_deadline=end - timedelta(days=150))
    for _ in range(2):
        ReviewFactory(application=ApplicationFactory(slot=earlier, status="completed"), listing=listing,
                      status="published", published_at=timezone.now() - timedelta(days=80), overall=5)
    listing_reviews_refresh(listing_id=listing.pk)
    return {"coordinator": coordinator, "preceptor": preceptor.user, "applicant": applicant,
            "admin": AdminFactory(), "placement": placement, "listing": listing}








def _choose(page: Page, group: str, option: str) -> None:
    page.get_by_role("group", name=group, exact=True).get_by_label(option, exact=True).check()


def _complete(page: Page, live_server, placement) -> None:
    page.goto(live_server.url + f"/coordinator/applications/{placement.pk}/")
    page.get_by_role("button", name="Mark completed").click()
    message(page, "Placement marked completed.")


def _review(page: Page, live_server, placement) -> None:
    page.goto(live_server.url + f"/applications/{placement.pk}/")
    page.get_by_role("link", name="Review this rotation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Review: {TITLE}")
    look(page, "review-form")
    for group, stars in [("Overall", "4"), ("Teaching", "5"), ("Hands-on exposure, as the listing promised", "4"),
                         ("Organisation", "3"), ("Value for the fee", "4")]:
        _choose(page, group, stars)
    _choose(page, "Would you recommend this rotation?", "Yes")
    page.get_by_role("textbox", name="Your review").fill(REVIEW_TEXT)
    page.get_by_role("button", name="Send my review").click()
    message(page, "Thank you: your review awaits moderation.")
    expect(page.get_by_role("heading", name="Your review: Awaiting moderation")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Your preceptor's evaluation of you")).click()
    expect(page.get_by_role("main")).to_contain_text("Sealed: your preceptor's evaluation and your review")
    expect(page.get_by_role("main")).not_to_contain_text(STRENGTHS)
    look(page, "review-evaluation-sealed")


def _evaluate(page: Page) -> None:
    page.get_by_role("link", name=re.compile(rf"^Amara Okafor · {TITLE}")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Evaluation of Amara Okafor")
    look(page, "review-evaluate")
    for group in ("Patient care", "Medical knowledge", "Interpersonal and communication skills", "Professionalism"):
        _choose(page, group, "4 – Proficient: works independently, as expected of a starting resident")
    _choose(page, "Practice-based learning and improvement", "Not observed")
    _choose(page, "Systems-based practice", "3 – Competent: performs routine tasks with occasional guidance")
    _choose(page, "Overall rating", "4")
    page.get_by_label("Strengths").fill(STRENGTHS)
    page.get_by_label("Areas to improve").fill("Commit to a differential before presenting it.")
    _choose(page, "I would write a letter of recommendation", "Yes")
    page.get_by_role("button", name="Submit the evaluation").click()
    message(page, "Evaluation submitted.")


def _publish(page: Page, live_server) -> None:
    page.goto(live_server.url + "/staff/reviews/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reviews to moderate")
    review = page.get_by_role("article").filter(has_text=REVIEW_TEXT)
    look(page, "review-moderation")
    review.get_by_role("button", name=re.compile("^Publish")).click()
    message(page, "Decision recorded; the author is told.")
    expect(page.get_by_text("No review awaits moderation.")).to_be_visible()


def test_review_and_evaluation_are_sealed_revealed_and_published(page: Page, live_server, world):
    placement, listing = world["placement"], world["listing"]
    page.set_viewport_size({"width": 1280, "height": 900})

    sign_in(page, live_server, world["coordinator"])
    _complete(page, live_server, placement)

    sign_in(page, live_server, world["applicant"])
    _review(page, live_server, placement)

    sign_in(page, live_server, world["preceptor"])
    page.goto(live_server.url + "/preceptor/")
    _evaluate(page)

    # Both are in: revealed at once, and the applicant is told.
    sign_in(page, live_server, world["applicant"])
    page.goto(live_server.url + f"/placements/{placement.pk}/evaluation/")
    expect(page.get_by_role("main")).to_contain_text(STRENGTHS)
    look(page, "review-evaluation-revealed")

    sign_in(page, live_server, world["admin"])
    _publish(page, live_server)

    page.context.clear_cookies()
    page.goto(live_server.url + f"/listings/{listing.pk}/")
    expect(page.get_by_role("complementary", name="Key facts")).to_contain_text("4.7 / 5 (3 reviews)")
    expect(page.get_by_role("main")).to_contain_text(REVIEW_TEXT)
    expect(page.get_by_role("main")).not_to_contain_text("Amara")
    look(page, "review-listing")

    review = Review.objects.get(application=placement)
    assert (review.status, review.overall, review.hands_on) == ("published", 4, 4)
    evaluation = Evaluation.objects.get(application=placement)
    assert (evaluation.practice_based_learning, evaluation.systems_based_practice, evaluation.would_write_letter) == (
        0, 3, True)
    listing.refresh_from_db()
    assert (listing.review_count, float(listing.review_average)) == (3, round((5 + 5 + 4) / 3, 2))
