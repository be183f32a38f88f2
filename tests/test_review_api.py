"""The reviews and evaluations API: writes by the eligible only, reads honouring the seal and the
threshold, and both in the OpenAPI schema."""

import pytest

from preceptors.models import Evaluation, Review, ReviewResponse

from .factories import (
    EVALUATION_DATA,
    REVIEW_DATA,
    ApplicationFactory,
    CoordinatorFactory,
    EvaluationFactory,
    ReviewFactory,
    UserFactory,
    completed_placement,
    login,
    preceptor_of,
)

pytestmark = pytest.mark.django_db


def test_the_applicant_posts_a_review_and_reads_it_with_its_state(api):
    application = completed_placement()
    login(api, application.applicant)
    response = api.post("/api/reviews/", {**REVIEW_DATA, "application": application.pk}, format="json")
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["overall"]) == ("pending", 4)
    mine = api.get("/api/reviews/", {"mine": "true"}).json()["results"]
    assert [item["status"] for item in mine] == ["pending"]


def test_a_review_of_anothers_placement_is_refused(api):
    application = completed_placement()
    login(api, UserFactory())
    response = api.post("/api/reviews/", {**REVIEW_DATA, "application": application.pk}, format="json")
    assert response.status_code == 403
    assert Review.objects.count() == 0


def test_a_bad_rating_answers_the_fields_error(api):
    application = completed_placement()
    login(api, application.applicant)
    response = api.post("/api/reviews/", {**REVIEW_DATA, "overall": 7, "application": application.pk}, format="json")
    assert (response.status_code, response.json()) == (400, {"overall": ["Choose a rating from 1 to 5."]})


def test_public_reviews_wait_for_the_threshold_and_name_nobody(api):
    application = completed_placement(ended_days_ago=20, slot__capacity=6)
    listing = application.slot.listing
    reviews = [ReviewFactory(application=ApplicationFactory(slot=application.slot, status="completed"),
                             listing=listing, status="published") for _ in range(3)]
    listing.review_count = 2
    listing.save(update_fields=["review_count"])
    assert api.get("/api/reviews/", {"listing": listing.pk}).json()["results"] == []
    listing.review_count = 3
    listing.save(update_fields=["review_count"])
    results = api.get("/api/reviews/", {"listing": listing.pk}).json()["results"]
    assert sorted(item["id"] for item in results) == sorted(r.pk for r in reviews)
    assert set(results[0]) == {"id", "listing", "verified_rotation", "overall", "teaching", "hands_on",
                               "organisation", "value", "would_recommend", "text", "response"}
    assert results[0]["verified_rotation"] == f"Verified rotation, {application.slot.end_date:%B %Y}"


def test_the_preceptor_posts_an_evaluation_and_a_second_is_a_correction(api):
    application = completed_placement()
    login(api, preceptor_of(application))
    for overall in (4, 5):
        response = api.post("/api/evaluations/", {**EVALUATION_DATA, "overall": overall,
                                                  "application": application.pk}, format="json")
        assert response.status_code == 201
    assert list(Evaluation.objects.values_list("version", "overall")) == [(2, 5), (1, 4)]


def test_evaluations_are_read_by_the_applicant_after_the_reveal_and_by_the_coordinators(api):
    application = completed_placement()
    evaluation = EvaluationFactory(application=application)
    login(api, application.applicant)
    assert api.get("/api/evaluations/").json()["results"] == []
    assert api.get(f"/api/evaluations/{evaluation.pk}/").status_code == 404
    ReviewFactory(application=application)
    assert [item["id"] for item in api.get("/api/evaluations/").json()["results"]] == [evaluation.pk]
    login(api, CoordinatorFactory(institution=application.slot.listing.institution).user)
    assert [item["id"] for item in api.get("/api/evaluations/").json()["results"]] == [evaluation.pk]
    login(api, CoordinatorFactory().user)
    assert api.get("/api/evaluations/").json()["results"] == []


def test_the_schema_describes_reviews_and_evaluations(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    assert {"/api/reviews/", "/api/reviews/{id}/", "/api/reviews/{id}/resubmit/", "/api/reviews/{id}/response/",
            "/api/evaluations/", "/api/evaluations/{id}/"} <= set(schema["paths"])


def test_the_author_resubmits_a_rejected_review_once(api):
    review = ReviewFactory(status="rejected", reject_reason="personal_data")
    edited = {**REVIEW_DATA, "text": "Rounds, clinic and a case presentation; the names I gave are taken out now."}
    login(api, UserFactory())
    assert api.post(f"/api/reviews/{review.pk}/resubmit/", edited, format="json").status_code == 404
    login(api, review.application.applicant)
    assert api.post(f"/api/reviews/{review.pk}/resubmit/", {**edited, "overall": 9}, format="json").status_code == 400
    response = api.post(f"/api/reviews/{review.pk}/resubmit/", edited, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["resubmitted"]) == ("pending", True)
    Review.objects.filter(pk=review.pk).update(status="rejected")
    assert api.post(f"/api/reviews/{review.pk}/resubmit/", edited, format="json").status_code == 400
    assert Review.objects.get(pk=review.pk).text == edited["text"]


def test_the_host_responds_once_to_a_published_review_of_their_placement(api):
    review = ReviewFactory(status="published", application=completed_placement(ended_days_ago=20))
    login(api, CoordinatorFactory().user)  # another institution's coordinator does not see it
    assert api.post(f"/api/reviews/{review.pk}/response/", {"text": "Thanks."}, format="json").status_code == 404
    login(api, review.application.applicant)  # sees their own review, but is not its host
    assert api.post(f"/api/reviews/{review.pk}/response/", {"text": "Thanks."}, format="json").status_code == 403
    login(api, preceptor_of(review.application))
    assert api.post(f"/api/reviews/{review.pk}/response/", {"text": ""}, format="json").status_code == 400
    response = api.post(f"/api/reviews/{review.pk}/response/", {"text": "Thank you; clinic days are fixed now."},
                        format="json")
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["text"]) == ("pending", "Thank you; clinic days are fixed now.")
    assert api.post(f"/api/reviews/{review.pk}/response/", {"text": "Again."}, format="json").status_code == 400
    assert ReviewResponse.objects.filter(review=review).count() == 1
