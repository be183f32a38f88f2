"""Business logic of reviews, their moderation and responses, and evaluations of applicants.

Every function checks its rule in `policies` (PermissionDenied for who, ValidationError for the
rest), validates every value on the server, writes in one transaction, logs moderation in
`ReviewDecision`, and notifies the people concerned without ever putting sealed content (text or
ratings) in a notification or e-mail.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from matching.models import Application
from notifications import kinds
from notifications.reminders import remind_once
from notifications.services import notify
from rotations.models import Listing
from rotations.search_cache import listings_changed

from . import policies
from .models import (
    COMPETENCIES,
    TEXT_MAX,
    TEXT_MIN,
    Evaluation,
    Level,
    RejectReason,
    Review,
    ReviewDecision,
    ReviewResponse,
    ReviewStatus,
)
from .selectors import revealed_applications

RATINGS = ("overall", "teaching", "hands_on", "organisation", "value")
NARRATIVE_MAX = 5000


# Values

def _rating(errors: dict, name: str, value) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | str):
        errors[name] = "Choose a rating from 1 to 5."
        return None
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= 5:
        errors[name] = "Choose a rating from 1 to 5."
        return None
    return number


def _level(errors: dict, name: str, value) -> int | None:
    try:
        number = int(value) if not isinstance(value, bool) else -1
    except (TypeError, ValueError):
        number = -1
    if number not in Level.values:
        errors[name] = "Choose a level from 1 to 5, or “not observed”."
        return None
    return number


def _yes_no(errors: dict, name: str, value) -> bool | None:
    if not isinstance(value, bool):
        errors[name] = "Answer yes or no."
        return None
    return value


def _text(errors: dict, name: str, value, *, low: int, high: int) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if "\x00" in text:
        errors[name] = "The text contains a character that cannot be stored."
    elif len(text) < low:
        errors[name] = f"Write at least {low} characters." if low > 1 else "This field is required."
    elif len(text) > high:
        errors[name] = f"Keep it under {high} characters."
    return text


def review_values(data: dict) -> dict:
    """The review's fields, each checked; ValidationError with every field's problem."""
    errors: dict = {}
    values = {name: _rating(errors, name, data.get(name)) for name in RATINGS}
    values["would_recommend"] = _yes_no(errors, "would_recommend", data.get("would_recommend"))
    values["text"] = _text(errors, "text", data.get("text"), low=TEXT_MIN, high=TEXT_MAX)
    if errors:
        raise ValidationError(errors)
    return values


def evaluation_values(data: dict) -> dict:
    errors: dict = {}
    values = {name: _level(errors, name, data.get(name)) for name, _ in COMPETENCIES}
    values["overall"] = _rating(errors, "overall", data.get("overall"))
    for name in ("strengths", "improvements"):
        values[name] = _text(errors, name, data.get(name), low=1, high=NARRATIVE_MAX)
    values["would_write_letter"] = _yes_no(errors, "would_write_letter", data.get("would_write_letter"))
    if errors:
        raise ValidationError(errors)
    return values


# Reviews

def review_submit(*, application: Application, by, data: dict, now=None) -> Review:
    """The placement's applicant reviews it, once, within the window.

    Side effects: the review awaits moderation (the admins are told); if the evaluation is in
    already, the placement is revealed (both sides are told, without content).
    """
    now = now or timezone.now()
    if refusal := policies.can_review(application, by, now):
        raise PermissionDenied(refusal) if refusal == policies.NOT_YOURS else ValidationError(refusal)
    values = review_values(data)
    try:
        with transaction.atomic():
            review = Review.objects.create(application=application, listing_id=application.slot.listing_id, **values)
            _notify_admins(review)
            if Evaluation.objects.filter(application=application).exists():
                placement_reveal(application=application)
    except IntegrityError:
        raise ValidationError("You have reviewed this placement already.") from None
    return review


def review_moderate(*, review: Review, action: str, by, reason: str = "") -> Review:
    """An admin publishes or rejects a pending review (rejection: a reason of the content policy).

    Side effects: a `ReviewDecision` (who, when, reason); the author is told the decision and the
    reason; the listing's published count and average are recomputed.
    """
    if reason and reason not in RejectReason.values:
        raise ValidationError({"reason": "Choose the reason from the content policy."})
    with transaction.atomic():
        review = Review.objects.select_for_update(of=("self",)).select_related("application__slot__listing").get(pk=review.pk)
        _check_move(review, action, by, reason)
        review.status = policies.MODERATION[action].target
        review.reject_reason = reason if action == "reject" else ""
        review.published_at = timezone.now() if action == "approve" else None
        review.save(update_fields=["status", "reject_reason", "published_at"])
        ReviewDecision.objects.create(review=review, action=action, reason=review.reject_reason, by=by)
        listing_reviews_refresh(listing_id=review.listing_id)
        notify(user=review.application.applicant, kind=kinds.REVIEW_DECIDED,
               context={"review": review, "listing": review.listing, "action": action,
                        "reason": review.get_reject_reason_display()},
               url=reverse("preceptors:review", args=[review.application_id]))
    return review


def review_resubmit(*, review: Review, by, data: dict) -> Review:
    """The author edits a rejected review and sends it back to moderation, once."""
    values = review_values(data)
    with transaction.atomic():
        review = Review.objects.select_for_update(of=("self",)).select_related("application__slot__listing").get(pk=review.pk)
        _check_move(review, "resubmit", by, "")
        for name, value in values.items():
            setattr(review, name, value)
        review.status, review.reject_reason, review.resubmitted = ReviewStatus.PENDING, "", True
        review.save(update_fields=[*values, "status", "reject_reason", "resubmitted"])
        ReviewDecision.objects.create(review=review, action="resubmit", by=by)
        _notify_admins(review)
    return review


def _check_move(review: Review, action: str, by, reason: str) -> None:
    if refusal := policies.can_moderate(review, action, by, reason=reason):
        if refusal == policies.NOT_YOURS:
            raise PermissionDenied(refusal)
        raise ValidationError(refusal)


def response_post(*, review: Review, by, text: str) -> ReviewResponse:
    """The host's one public response to a published review; it awaits moderation."""
    if refusal := policies.can_respond(review, by):
        raise PermissionDenied(refusal) if refusal == policies.NOT_YOURS else ValidationError(refusal)
    errors: dict = {}
    text = _text(errors, "text", text, low=1, high=TEXT_MAX)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            response = ReviewResponse.objects.create(review=review, author=by, text=text)
            _notify_admins(review, response=True)
    except IntegrityError:
        raise ValidationError("This review has a response already.") from None
    return response


def response_moderate(*, response: ReviewResponse, action: str, by, reason: str = "") -> ReviewResponse:
    """An admin publishes or rejects a response; its author is told, and on publication the
    review's author too."""
    if action not in policies.RESPONSE_MODERATION:
        raise ValidationError(f"Unknown action {action!r}.")
    if reason and reason not in RejectReason.values:
        raise ValidationError({"reason": "Choose the reason from the content policy."})
    move = policies.RESPONSE_MODERATION[action]
    with transaction.atomic():
        response = ReviewResponse.objects.select_for_update(of=("self",)).select_related(
            "review__application__slot__listing", "author").get(pk=response.pk)
        sides = {policies.ADMIN} if by.is_authenticated and by.role == Role.ADMIN else set()
        if refusal := policies.moderation_refusal(move, response.status, sides):
            raise PermissionDenied(refusal) if refusal == policies.NOT_YOURS else ValidationError(refusal)
        if action == "reject" and not reason:
            raise ValidationError({"reason": "Choose the reason from the content policy."})
        response.status, response.reject_reason = move.target, reason if action == "reject" else ""
        response.save(update_fields=["status", "reject_reason"])
        ReviewDecision.objects.create(response=response, action=action, reason=response.reject_reason, by=by)
        listing = response.review.listing
        if response.author:
            notify(user=response.author, kind=kinds.RESPONSE_DECIDED,
                   context={"listing": listing, "action": action, "reason": response.get_reject_reason_display()},
                   url=reverse("preceptors:dashboard"))
        if action == "approve":
            notify(user=response.review.application.applicant, kind=kinds.REVIEW_ANSWERED,
                   context={"listing": listing}, url=reverse("preceptors:review", args=[response.review.application_id]))
    return response


def listing_reviews_refresh(*, listing_id: int) -> None:
    """Store the listing's count and average of published, revealed reviews (the threshold is
    applied where they are shown), and tell the search cache."""
    stats = Review.objects.filter(
        listing_id=listing_id, status=ReviewStatus.PUBLISHED,
        application__in=revealed_applications(timezone.now())).aggregate(count=Count("id"), average=Avg("overall"))
    Listing.objects.filter(pk=listing_id).update(review_count=stats["count"], review_average=stats["average"])
    transaction.on_commit(listings_changed)


# Evaluations

def evaluation_submit(*, application: Application, by, data: dict, now=None) -> Evaluation:
    """A preceptor of the placement evaluates its applicant; the evaluation is locked.

    Side effects: if the review is in already, the placement is revealed (both told).
    """
    return _evaluation_write(application, by, data, now, correction=False)


def evaluation_correct(*, application: Application, by, data: dict, now=None) -> Evaluation:
    """A correction: a new version, keeping every previous one."""
    return _evaluation_write(application, by, data, now, correction=True)


def _evaluation_write(application, by, data, now, *, correction: bool) -> Evaluation:
    now = now or timezone.now()
    if refusal := policies.can_evaluate(application, by, now, correction=correction):
        raise PermissionDenied(refusal) if refusal == policies.NOT_YOURS else ValidationError(refusal)
    values = evaluation_values(data)
    author = application.slot.listing.preceptors.filter(user=by).first()
    with transaction.atomic():
        Application.objects.select_for_update(of=("self",)).filter(pk=application.pk).first()
        last = Evaluation.objects.filter(application=application).order_by("-version").first()
        evaluation = Evaluation.objects.create(application=application, author=author,
                                               version=last.version + 1 if last else 1, **values)
        if last is None and Review.objects.filter(application=application).exists():
            placement_reveal(application=application)
    return evaluation


# Notifications (never with sealed content)

def _notify_admins(review: Review, *, response: bool = False) -> None:
    for admin in get_user_model().objects.filter(role=Role.ADMIN, is_active=True):
        notify(user=admin, kind=kinds.REVIEW_TO_MODERATE,
               context={"listing": review.listing, "response": response}, url=reverse("preceptors:moderation"))


def placement_hosts(application: Application):
    """The preceptors (with an account) of the placement's listing."""
    return get_user_model().objects.filter(
        Q(preceptor__listings=application.slot.listing_id), is_active=True).distinct()


def placement_reveal(*, application: Application) -> bool:
    """Tell both sides, once, that the placement's review and evaluation are revealed (no content),
    and count a published review in the listing's figures; True when told now."""
    def tell():
        context = {"listing": application.slot.listing, "slot": application.slot}
        url = reverse("preceptors:evaluation", args=[application.pk])
        for user in [application.applicant, *placement_hosts(application)]:
            notify(user=user, kind=kinds.PLACEMENT_REVEALED, context=context, url=url)
        listing_reviews_refresh(listing_id=application.slot.listing_id)

    return remind_once(key=f"reveal:{application.pk}", stage="revealed", send=tell)
