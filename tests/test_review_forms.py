"""The pages of reviews and evaluations: the forms post through the services, the seal holds on
every page, e-mail and notification, and the host's list never singles out a reviewer."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Notification, OutgoingEmail
from preceptors import services
from preceptors.models import Evaluation, Review
from preceptors.services import listing_reviews_refresh

from .factories import (
    EVALUATION_DATA,
    REVIEW_DATA,
    AdminFactory,
    ApplicationFactory,
    CoordinatorFactory,
    EvaluationFactory,
    ReviewFactory,
    completed_placement,
    preceptor_of,
)

pytestmark = pytest.mark.django_db


def review_post():
    return {**REVIEW_DATA, "would_recommend": "yes"}


def evaluation_post(**changes):
    return {**EVALUATION_DATA, "would_write_letter": "yes", **changes}


def test_the_applicant_reviews_from_the_form(client):
    application = completed_placement()
    client.force_login(application.applicant)
    page = client.get(reverse("matching:application", args=[application.pk]))
    assert reverse("preceptors:review", args=[application.pk]) in page.text
    response = client.post(reverse("preceptors:review", args=[application.pk]), review_post())
    assert response.status_code == 302
    review = Review.objects.get(application=application)
    assert (review.status, review.would_recommend, review.hands_on) == ("pending", True, 3)


def test_a_short_review_is_refused_with_the_fields_error(client):
    application = completed_placement()
    client.force_login(application.applicant)
    response = client.post(reverse("preceptors:review", args=[application.pk]), {**review_post(), "text": "Fine."})
    assert response.status_code == 200
    assert "Ensure this value has at least 50 characters" in response.text
    assert Review.objects.count() == 0


def test_the_preceptor_evaluates_then_corrects_as_a_new_version(client):
    application = completed_placement()
    client.force_login(preceptor_of(application))
    form = client.get(reverse("preceptors:evaluate", args=[application.pk]))
    assert "Proficient: works independently" in form.text and "Not observed" in form.text
    client.post(reverse("preceptors:evaluate", args=[application.pk]), evaluation_post())
    client.post(reverse("preceptors:evaluate", args=[application.pk]), evaluation_post(overall="5"))
    assert list(Evaluation.objects.values_list("version", "overall")) == [(2, 5), (1, 4)]


def test_the_evaluation_form_takes_no_value_off_the_scale(client):
    application = completed_placement()
    client.force_login(preceptor_of(application))
    response = client.post(reverse("preceptors:evaluate", args=[application.pk]), evaluation_post(professionalism="9"))
    assert response.status_code == 200
    assert Evaluation.objects.count() == 0


def test_nothing_sealed_shows_anywhere_before_the_reveal(client):
    """Walks every page, notification and e-mail of both sides while only one side is in."""
    application = completed_placement(slot__capacity=6)
    preceptor = preceptor_of(application)
    review = ReviewFactory(application=application, text="Secret review words " * 5)
    for _ in range(3):  # enough published reviews on the listing for its lists to show any
        ReviewFactory(application=ApplicationFactory(slot=application.slot, status="completed"),
                      listing=application.slot.listing, status="published")
    admin = AdminFactory()
    client.force_login(admin)
    client.post(reverse("preceptors:moderate_review", args=[review.pk, "approve"]))
    client.force_login(preceptor)
    client.post(reverse("preceptors:evaluate", args=[application.pk]),
                evaluation_post(strengths="Secret evaluation words"))
    # Both are in: revealed. Now seal a second placement with only the evaluation in.
    sealed = completed_placement(applicant=application.applicant)
    EvaluationFactory(application=sealed, strengths="Sealed evaluation words")
    client.force_login(application.applicant)
    for url in [reverse("preceptors:review", args=[sealed.pk]), reverse("preceptors:evaluation", args=[sealed.pk]),
                reverse("matching:application", args=[sealed.pk]), reverse("notifications:inbox")]:
        assert "Sealed evaluation words" not in client.get(url).text, url
    assert "Secret evaluation words" in client.get(reverse("preceptors:evaluation", args=[application.pk])).text
    # The host side of a sealed review.
    other = completed_placement(ended_days_ago=5)
    ReviewFactory(application=other, text="Sealed review words " * 5, status="published")
    for user in (preceptor_of(other), CoordinatorFactory(institution=other.slot.listing.institution).user):
        client.force_login(user)
        for url in [reverse("preceptors:host_reviews"), reverse("preceptors:evaluation", args=[other.pk]),
                    reverse("notifications:inbox")]:
            page = client.get(url)
            assert "Sealed review words" not in page.text, url
    told = [*Notification.objects.values_list("body", flat=True), *OutgoingEmail.objects.values_list("text_body", flat=True)]
    assert [text for text in told if "Sealed" in text or "Secret" in text] == []


def test_the_hosts_list_waits_for_three_reviews_and_names_nobody(client):
    application = completed_placement(ended_days_ago=20)
    ReviewFactory(application=application, status="published")
    client.force_login(preceptor_of(application))
    assert "Not enough reviews yet" in client.get(reverse("preceptors:host_reviews")).text
    application.slot.listing.review_count = 3
    application.slot.listing.save(update_fields=["review_count"])
    page = client.get(reverse("preceptors:host_reviews")).text
    assert f"Verified rotation, {application.slot.end_date:%B %Y}" in page
    assert application.applicant.last_name not in page and application.applicant.email not in page


def test_the_admin_rejects_with_a_reason_and_the_author_may_resubmit(client):
    review = ReviewFactory()
    client.force_login(AdminFactory())
    assert review.text in client.get(reverse("preceptors:moderation")).text
    client.post(reverse("preceptors:moderate_review", args=[review.pk, "reject"]), {"reason": "abuse"})
    review.refresh_from_db()
    assert (review.status, review.reject_reason) == ("rejected", "abuse")
    client.force_login(review.application.applicant)
    page = client.get(reverse("preceptors:review", args=[review.application_id]))
    assert "abusive" in page.text and "Resubmit my review" in page.text
    client.post(reverse("preceptors:review", args=[review.application_id]), review_post())
    review.refresh_from_db()
    assert (review.status, review.resubmitted) == ("pending", True)


def test_a_rejection_without_a_reason_changes_nothing(client):
    review = ReviewFactory()
    client.force_login(AdminFactory())
    client.post(reverse("preceptors:moderate_review", args=[review.pk, "reject"]))
    review.refresh_from_db()
    assert review.status == "pending"


def test_the_listing_page_shows_its_reviews_from_three_without_names(client):
    application = completed_placement(ended_days_ago=20, slot__capacity=6)
    listing = application.slot.listing
    for n in range(3):
        ReviewFactory(application=ApplicationFactory(slot=application.slot, status="completed"), listing=listing,
                      status="published", text=f"Review number {n} " * 5)
        listing_reviews_refresh(listing_id=listing.pk)
        page = client.get(reverse("rotations:listing_detail", args=[listing.pk])).text
        assert ("Review number 0" in page) is (n == 2)
    assert f"Verified rotation, {application.slot.end_date:%B %Y}" in page


def test_a_coordinator_reaches_the_evaluation_from_the_placements_page(client):
    application = completed_placement()
    EvaluationFactory(application=application)
    client.force_login(CoordinatorFactory(institution=application.slot.listing.institution).user)
    page = client.get(reverse("matching:review", args=[application.pk])).text
    assert reverse("preceptors:evaluation", args=[application.pk]) in page
    assert EVALUATION_DATA["strengths"] in client.get(reverse("preceptors:evaluation", args=[application.pk])).text


# Constant queries (STYLE.md rule 12): one item or several, the same count.

def _host_with_reviews(count):
    application = completed_placement(ended_days_ago=20, slot__capacity=10)
    listing = application.slot.listing
    for _ in range(count):
        review = ReviewFactory(application=ApplicationFactory(slot=application.slot, status="completed"),
                               listing=listing, status="published")
    type(listing).objects.filter(pk=listing.pk).update(review_count=count)
    return application, review


@pytest.mark.parametrize("page", ["host_reviews", "moderation", "dashboard", "api_reviews", "api_evaluations"])
def test_the_lists_take_the_same_queries_for_one_or_several(client, django_assert_num_queries, page):
    application, review = _host_with_reviews(3)
    preceptor, admin = preceptor_of(application), AdminFactory()
    user, url = {"host_reviews": (preceptor, reverse("preceptors:host_reviews")),
                 "moderation": (admin, reverse("preceptors:moderation")),
                 "dashboard": (preceptor, reverse("preceptors:dashboard")),
                 "api_reviews": (None, "/api/reviews/"),
                 "api_evaluations": (admin, "/api/evaluations/")}[page]

    def more():
        for _ in range(3):
            other = ApplicationFactory(slot=application.slot, status="completed")
            ReviewFactory(application=other, listing=application.slot.listing,
                          status="pending" if page == "moderation" else "published")
            EvaluationFactory(application=other)

    ReviewFactory(application=ApplicationFactory(slot=application.slot, status="completed"),
                  listing=application.slot.listing, status="pending")
    EvaluationFactory(application=application)
    if user:
        client.force_login(user)
    client.get(url)  # warm the per-process caches before counting
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    more()
    with django_assert_num_queries(len(before.captured_queries)):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("model", ["review", "reviewresponse", "reviewdecision", "evaluation"])
def test_the_django_admin_lists_them_read_only(client, model):
    review = ReviewFactory()
    EvaluationFactory(application=review.application)
    services.review_moderate(review=review, action="reject", by=AdminFactory(), reason="abuse")
    client.force_login(AdminFactory())
    assert client.get(reverse(f"admin:preceptors_{model}_changelist")).status_code == 200
    assert client.get(reverse("admin:preceptors_review_change", args=[review.pk])).status_code == 200
    assert client.get(reverse(f"admin:preceptors_{model}_add")).status_code == 403
