"""Reviews and evaluations (issue 10): who may write them and when, the sealed reveal, the
moderation table, and the server's checks of every field."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from notifications.models import Notification
from preceptors import policies, services
from preceptors.models import Evaluation, Review, ReviewDecision, ReviewStatus
from preceptors.selectors import evaluations_visible_to, preceptor_review_summary, reviews_visible_to

from .factories import (
    EVALUATION_DATA,
    REVIEW_DATA,
    AdminFactory,
    CoordinatorFactory,
    EvaluationFactory,
    PreceptorFactory,
    ReviewFactory,
    UserFactory,
    completed_placement,
    preceptor_of,
)

pytestmark = pytest.mark.django_db


def now():
    return timezone.now()


# Who reviews

def test_the_placements_applicant_reviews_it_once():
    application = completed_placement()
    review = services.review_submit(application=application, by=application.applicant, data=REVIEW_DATA)
    assert (review.status, review.overall, review.listing_id) == ("pending", 4, application.slot.listing_id)
    with pytest.raises(ValidationError, match="reviewed this placement already"):
        services.review_submit(application=application, by=application.applicant, data=REVIEW_DATA)


@pytest.mark.parametrize("who", ["other applicant", "preceptor", "coordinator", "admin"])
def test_nobody_else_reviews_a_placement(who):
    application = completed_placement()
    user = {"other applicant": UserFactory, "admin": AdminFactory,
            "preceptor": lambda: preceptor_of(application),
            "coordinator": lambda: CoordinatorFactory(institution=application.slot.listing.institution).user}[who]()
    with pytest.raises(PermissionDenied):
        services.review_submit(application=application, by=user, data=REVIEW_DATA)
    assert Review.objects.count() == 0


@pytest.mark.parametrize("status", ["accepted", "approved", "cancelled", "withdrawn"])
def test_only_a_completed_placement_is_reviewed(status):
    application = completed_placement(status=status)
    assert policies.can_review(application, application.applicant, now()) == "Only a completed placement can be reviewed."


def test_the_review_window_closes_60_days_after_the_end():
    application = completed_placement(ended_days_ago=60)
    assert policies.can_review(application, application.applicant, now()) is None
    late = completed_placement(ended_days_ago=61)
    assert policies.can_review(late, late.applicant, now()).startswith("The time to review this placement ended on")


def test_no_one_reviews_their_own_institution():
    application = completed_placement()
    PreceptorFactory(user=application.applicant, institution=application.slot.listing.institution)
    assert policies.can_review(application, application.applicant, now()) == "No one reviews their own institution."


# Who evaluates

def test_any_preceptor_of_the_listing_evaluates_and_a_correction_is_a_new_version():
    application = completed_placement()
    second = PreceptorFactory(institution=application.slot.listing.institution)
    application.slot.listing.preceptors.add(second)
    first = services.evaluation_submit(application=application, by=preceptor_of(application), data=EVALUATION_DATA)
    with pytest.raises(ValidationError, match="submit a correction"):
        services.evaluation_submit(application=application, by=second.user, data=EVALUATION_DATA)
    corrected = services.evaluation_correct(application=application, by=second.user,
                                            data={**EVALUATION_DATA, "overall": 5})
    assert (first.version, corrected.version, corrected.author) == (1, 2, second)
    assert list(Evaluation.objects.filter(application=application).values_list("version", "overall")) == [(2, 5), (1, 4)]


@pytest.mark.parametrize("who", ["applicant", "colleague preceptor", "stranger preceptor", "coordinator", "admin"])
def test_nobody_but_the_listings_preceptors_evaluates(who):
    application = completed_placement()
    institution = application.slot.listing.institution
    user = {"applicant": lambda: application.applicant,
            "colleague preceptor": lambda: PreceptorFactory(institution=institution).user,
            "stranger preceptor": lambda: PreceptorFactory().user,
            "coordinator": lambda: CoordinatorFactory(institution=institution).user,
            "admin": AdminFactory}[who]()
    with pytest.raises(PermissionDenied):
        services.evaluation_submit(application=application, by=user, data=EVALUATION_DATA)


@pytest.mark.parametrize(("ended_days_ago", "open_"), [(-7, False), (-6, True), (0, True), (30, True), (31, False)])
def test_the_evaluation_window_runs_from_the_last_week_to_30_days_after(ended_days_ago, open_):
    application = completed_placement(ended_days_ago=ended_days_ago, status="approved")
    assert (policies.can_evaluate(application, preceptor_of(application), now()) is None) is open_


# The seal

def test_sealed_until_both_are_submitted():
    application = completed_placement()
    preceptor = preceptor_of(application)
    review = services.review_submit(application=application, by=application.applicant, data=REVIEW_DATA)
    services.review_moderate(review=review, action="approve", by=AdminFactory())
    assert policies.is_revealed(application, now()) is False
    assert list(reviews_visible_to(preceptor)) == []
    services.evaluation_submit(application=application, by=preceptor, data=EVALUATION_DATA)
    assert policies.is_revealed(application, now()) is True
    assert list(reviews_visible_to(preceptor)) == [review]
    assert evaluations_visible_to(application.applicant).count() == 1


def test_the_evaluation_is_sealed_from_the_applicant_until_the_review_is_in():
    application = completed_placement()
    EvaluationFactory(application=application)
    assert evaluations_visible_to(application.applicant).count() == 0
    assert evaluations_visible_to(CoordinatorFactory(institution=application.slot.listing.institution).user).count() == 1
    assert evaluations_visible_to(CoordinatorFactory().user).count() == 0
    assert evaluations_visible_to(UserFactory()).count() == 0


@pytest.mark.parametrize(("ended_days_ago", "revealed"), [(13, False), (14, True)])
def test_the_seal_ends_14_days_after_the_rotation(ended_days_ago, revealed):
    application = completed_placement(ended_days_ago=ended_days_ago)
    review = ReviewFactory(application=application, status="published")
    assert policies.is_revealed(application, now()) is revealed
    assert (list(reviews_visible_to(preceptor_of(application))) == [review]) is revealed


def test_both_submitted_reveals_and_tells_both_sides_without_content():
    application = completed_placement()
    services.review_submit(application=application, by=application.applicant, data=REVIEW_DATA)
    services.evaluation_submit(application=application, by=preceptor_of(application), data=EVALUATION_DATA)
    revealed = Notification.objects.filter(kind="placement_revealed")
    assert sorted(n.user_id for n in revealed) == sorted([application.applicant_id, preceptor_of(application).pk])
    for text in Notification.objects.values_list("body", flat=True):
        assert REVIEW_DATA["text"] not in text and EVALUATION_DATA["strengths"] not in text


# Moderation: every (role, state, action)

ROLES = ["author", "admin", "preceptor", "coordinator", "stranger"]
ALLOWED = {("admin", "pending", "approve"), ("admin", "pending", "reject"), ("author", "rejected", "resubmit")}


@pytest.mark.parametrize("action", list(policies.MODERATION))
@pytest.mark.parametrize("state", list(ReviewStatus.values))
@pytest.mark.parametrize("role", ROLES)
def test_the_moderation_table(role, state, action):
    review = ReviewFactory(status=state, reject_reason="abuse" if state == "rejected" else "")
    application = review.application
    user = {"author": lambda: application.applicant, "admin": AdminFactory,
            "preceptor": lambda: preceptor_of(application),
            "coordinator": lambda: CoordinatorFactory(institution=application.slot.listing.institution).user,
            "stranger": UserFactory}[role]()
    call = {"approve": lambda: services.review_moderate(review=review, action="approve", by=user),
            "reject": lambda: services.review_moderate(review=review, action="reject", by=user, reason="off_topic"),
            "resubmit": lambda: services.review_resubmit(review=review, by=user, data=REVIEW_DATA)}[action]
    if (role, state, action) in ALLOWED:
        call()
        review.refresh_from_db()
        assert review.status == policies.MODERATION[action].target
        decision = ReviewDecision.objects.get(review=review)
        assert (decision.action, decision.by) == (action, user)
    else:
        with pytest.raises((PermissionDenied, ValidationError)):
            call()
        review.refresh_from_db()
        assert review.status == state


def test_a_rejection_needs_a_reason_from_the_policy_and_tells_the_author():
    review, admin = ReviewFactory(), AdminFactory()
    with pytest.raises(ValidationError, match="content policy"):
        services.review_moderate(review=review, action="reject", by=admin)
    with pytest.raises(ValidationError, match="content policy"):
        services.review_moderate(review=review, action="reject", by=admin, reason="too negative")
    services.review_moderate(review=review, action="reject", by=admin, reason="personal_data")
    told = Notification.objects.get(user=review.application.applicant, kind="review_decided")
    assert "It contains personal data" in told.body


def test_a_rejected_review_is_resubmitted_once():
    review, admin = ReviewFactory(), AdminFactory()
    author = review.application.applicant
    services.review_moderate(review=review, action="reject", by=admin, reason="off_topic")
    services.review_resubmit(review=review, by=author, data={**REVIEW_DATA, "overall": 2})
    services.review_moderate(review=review, action="reject", by=admin, reason="off_topic")
    with pytest.raises(ValidationError, match="once only"):
        services.review_resubmit(review=review, by=author, data=REVIEW_DATA)
    assert list(review.decisions.values_list("action", flat=True)) == ["reject", "resubmit", "reject"]


def test_one_moderated_response_per_published_review():
    review = ReviewFactory(status="published")
    preceptor = preceptor_of(review.application)
    response = services.response_post(review=review, by=preceptor, text="Thank you for the kind words.")
    with pytest.raises(ValidationError, match="has a response already"):
        services.response_post(review=review, by=preceptor, text="Again.")
    with pytest.raises(PermissionDenied):
        services.response_moderate(response=response, action="approve", by=preceptor)
    services.response_moderate(response=response, action="approve", by=AdminFactory())
    response.refresh_from_db()
    assert response.status == "published"
    assert Notification.objects.filter(user=review.application.applicant, kind="review_answered").count() == 1


@pytest.mark.parametrize("who", ["stranger coordinator", "applicant"])
def test_only_the_host_responds(who):
    review = ReviewFactory(status="published")
    user = CoordinatorFactory().user if who == "stranger coordinator" else review.application.applicant
    with pytest.raises(PermissionDenied):
        services.response_post(review=review, by=user, text="Hello.")


# Validation of every field

@pytest.mark.parametrize("field", services.RATINGS)
@pytest.mark.parametrize("value", [0, 6, -1, "five", None, True, 4.5])
def test_every_rating_is_checked(field, value):
    application = completed_placement()
    with pytest.raises(ValidationError) as error:
        services.review_submit(application=application, by=application.applicant, data={**REVIEW_DATA, field: value})
    assert error.value.message_dict == {field: ["Choose a rating from 1 to 5."]}


@pytest.mark.parametrize(("text", "problem"), [("x" * 49, "Write at least 50 characters."),
                                               ("x" * 5001, "Keep it under 5000 characters."),
                                               (None, "Write at least 50 characters.")])
def test_the_review_text_is_50_to_5000_characters(text, problem):
    application = completed_placement()
    with pytest.raises(ValidationError) as error:
        services.review_submit(application=application, by=application.applicant, data={**REVIEW_DATA, "text": text})
    assert error.value.message_dict == {"text": [problem]}


@pytest.mark.parametrize("value", ["yes", None, 1])
def test_would_recommend_is_yes_or_no(value):
    application = completed_placement()
    with pytest.raises(ValidationError) as error:
        services.review_submit(application=application, by=application.applicant,
                               data={**REVIEW_DATA, "would_recommend": value})
    assert error.value.message_dict == {"would_recommend": ["Answer yes or no."]}


@pytest.mark.parametrize(("field", "value", "problem"), [
    *[(name, bad, "Choose a level from 1 to 5, or “not observed”.") for name in (
        "patient_care", "medical_knowledge", "practice_based_learning", "interpersonal_communication",
        "professionalism", "systems_based_practice") for bad in (6, -1, "good", None)],
    ("overall", 0, "Choose a rating from 1 to 5."),
    ("strengths", "  ", "This field is required."),
    ("improvements", None, "This field is required."),
    ("would_write_letter", "no", "Answer yes or no."),
])
def test_every_evaluation_item_is_checked(field, value, problem):
    application = completed_placement()
    with pytest.raises(ValidationError) as error:
        services.evaluation_submit(application=application, by=preceptor_of(application),
                                   data={**EVALUATION_DATA, field: value})
    assert error.value.message_dict == {field: [problem]}
    assert Evaluation.objects.count() == 0


# Small numbers

def test_a_preceptors_summary_waits_for_three_published_reviews():
    preceptor = PreceptorFactory()
    for count in (1, 2, 3):
        application = completed_placement(ended_days_ago=20)
        application.slot.listing.preceptors.add(preceptor)
        ReviewFactory(application=application, status="published", overall=count + 2)
        summary = preceptor_review_summary(preceptor)
        assert (summary["enough"], summary["count"]) == ((True, 3) if count == 3 else (False, None))
    assert summary["average"] == 4


def test_the_listing_keeps_its_published_revealed_count_and_average():
    application = completed_placement(ended_days_ago=20)
    review = ReviewFactory(application=application)
    services.review_moderate(review=review, action="approve", by=AdminFactory())
    listing = application.slot.listing
    listing.refresh_from_db()
    assert (listing.review_count, listing.review_average) == (1, 4)


def test_a_sealed_review_does_not_count_yet():
    application = completed_placement(ended_days_ago=2)
    services.review_moderate(review=ReviewFactory(application=application), action="approve", by=AdminFactory())
    application.slot.listing.refresh_from_db()
    assert application.slot.listing.review_count == 0


# Reminders

def _reminded(kind):
    return list(Notification.objects.filter(kind=kind).values_list("user_id", flat=True))


def test_the_applicant_is_invited_once_then_reminded_a_week_before_the_window_closes():
    from preceptors.reminders import reviews_to_write

    application = completed_placement(ended_days_ago=3)
    assert (reviews_to_write(), reviews_to_write()) == (1, 0)
    closing = completed_placement(ended_days_ago=54)
    assert reviews_to_write() == 1
    assert _reminded("review_invitation") == [application.applicant_id]
    assert _reminded("review_reminder") == [closing.applicant_id]


def test_the_preceptor_is_asked_at_the_last_week_then_weekly_until_it_is_in():
    from preceptors.reminders import evaluations_to_write

    completed_placement(ended_days_ago=-7, status="approved")  # not the last week yet
    application = completed_placement(ended_days_ago=-6, status="approved")
    assert (evaluations_to_write(), evaluations_to_write()) == (1, 0)
    late = completed_placement(ended_days_ago=8)
    assert evaluations_to_write() == 1
    assert _reminded("evaluation_request") == [preceptor_of(application).pk]
    assert _reminded("evaluation_reminder") == [preceptor_of(late).pk]
    EvaluationFactory(application=late)
    assert evaluations_to_write() == 0


def test_the_seal_ending_by_time_tells_both_sides_once_and_counts_the_review():
    from preceptors.reminders import seals_ended

    application = completed_placement(ended_days_ago=14)
    ReviewFactory(application=application, status="published")
    assert (seals_ended(), seals_ended()) == (1, 0)
    assert sorted(_reminded("placement_revealed")) == sorted([application.applicant_id, preceptor_of(application).pk])
    application.slot.listing.refresh_from_db()
    assert application.slot.listing.review_count == 1
