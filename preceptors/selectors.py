"""Reads of reviews and evaluations, scoped by the user who asks and honouring the seal."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Avg, Count, Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import Role
from institutions.models import Coordinator
from matching.models import Application

from .models import COMPETENCIES, Evaluation, Level, Review, ReviewResponse, ReviewStatus


def revealed_applications(now):
    """Placements whose review and evaluation are revealed (the queryset form of
    `policies.is_revealed`): both submitted, or the seal's days after the end have passed."""
    sealed_until = timezone.localdate(now) - timedelta(days=settings.REVIEW_SEAL_DAYS)
    both_in = Exists(Review.objects.filter(application=OuterRef("pk"))) & Exists(
        Evaluation.objects.filter(application=OuterRef("pk")))
    return Application.objects.filter(Q(slot__end_date__lte=sealed_until) | both_in)


def _host_applications(user):
    """Placements of listings the user is a preceptor of, or of their coordinator's institution."""
    if user.role == Role.PRECEPTOR:
        return Application.objects.filter(slot__listing__preceptors__user=user)
    if user.role == Role.COORDINATOR:
        institution_ids = Coordinator.objects.filter(user=user).values("institution_id")
        return Application.objects.filter(slot__listing__institution_id__in=institution_ids)
    return Application.objects.none()


def reviews_visible_to(user, now=None):
    """Admins: every review. The author: their own. The host (the listing's preceptors, the
    institution's coordinators): published reviews of their placements once revealed."""
    now = now or timezone.now()
    qs = Review.objects.select_related("application__slot__listing__institution", "listing", "response")
    if not user.is_authenticated:
        return qs.none()
    if user.role == Role.ADMIN:
        return qs
    if user.role == Role.APPLICANT:
        return qs.filter(application__applicant=user)
    return qs.filter(status=ReviewStatus.PUBLISHED, application__in=_host_applications(user),
                     ).filter(application__in=revealed_applications(now))


def reviews_public(now=None):
    """Published reviews of revealed placements (the threshold is the caller's: see
    `listing_reviews_shown`)."""
    now = now or timezone.now()
    return Review.objects.filter(status=ReviewStatus.PUBLISHED, application__in=revealed_applications(now)
                                 ).select_related("application__slot", "response").order_by("-published_at", "-id")


def listing_reviews_shown(listing, now=None):
    """The listing's public reviews, or none below the threshold (small numbers protect reviewers)."""
    if listing.review_count < settings.REVIEWS_MIN_PUBLISHED:
        return Review.objects.none()
    return reviews_public(now).filter(listing=listing)


def preceptor_review_summary(preceptor, now=None) -> dict:
    """For the public preceptor page: count, average and the reviews of the preceptor's listings'
    placements, or `enough=False` below the threshold (then the page says "Not enough reviews yet")."""
    reviews = reviews_public(now).filter(listing__preceptors=preceptor).distinct()
    stats = Review.objects.filter(pk__in=reviews.values("pk")).aggregate(count=Count("id"), average=Avg("overall"))
    enough = stats["count"] >= settings.REVIEWS_MIN_PUBLISHED
    return {"enough": enough, "count": stats["count"] if enough else None,
            "average": stats["average"] if enough else None, "reviews": reviews if enough else Review.objects.none()}


def evaluations_visible_to(user, now=None):
    """Every version. Admins: all. The applicant: their own, once revealed. The placement's
    preceptors (who write them) and the institution's coordinators: those of their placements."""
    now = now or timezone.now()
    qs = Evaluation.objects.select_related("application__slot__listing__institution", "author")
    if not user.is_authenticated:
        return qs.none()
    if user.role == Role.ADMIN:
        return qs
    if user.role == Role.APPLICANT:
        return qs.filter(application__applicant=user, application__in=revealed_applications(now))
    return qs.filter(application__in=_host_applications(user))


def placements_of_applicant(user):
    return Application.objects.filter(applicant=user, status__in=["approved", "completed"]).select_related(
        "slot__listing__institution")


def placements_of_preceptor(user):
    return Application.objects.filter(slot__listing__preceptors__user=user, status__in=["approved", "completed"]
                                      ).select_related("slot__listing__institution", "applicant").distinct()


def placements_with_evaluations_for(user):
    """The placements whose evaluation page the user may open (its contents are still sealed
    from the applicant until the reveal)."""
    if not user.is_authenticated:
        return Application.objects.none()
    if user.role == Role.ADMIN:
        qs = Application.objects.all()
    elif user.role == Role.APPLICANT:
        qs = Application.objects.filter(applicant=user)
    else:
        qs = _host_applications(user)
    return qs.filter(status__in=["approved", "completed"]).select_related("slot__listing__institution", "applicant")


def moderation_queue():
    reviews = Review.objects.filter(status=ReviewStatus.PENDING).select_related("listing__institution").order_by(
        "submitted_at")
    responses = ReviewResponse.objects.filter(status=ReviewStatus.PENDING).select_related(
        "review__listing__institution").order_by("created_at")
    return reviews, responses


def evaluation_summaries(user, application_ids) -> dict:
    """For the experience log's export, at the applicant's choice: the newest version of each
    evaluation the user may read now (`evaluations_visible_to`: sealed ones are not there)."""
    newest = {}
    for evaluation in evaluations_visible_to(user).filter(application_id__in=application_ids).order_by(
            "application_id", "-version"):
        newest.setdefault(evaluation.application_id, evaluation)
    return {application_id: ("Preceptor's evaluation", evaluation_items(evaluation))
            for application_id, evaluation in newest.items()}


def evaluation_items(evaluation) -> list[tuple[str, str]]:
    def level(value):
        # "4 – Proficient: works independently…" is shortened to "4 – Proficient" for a summary.
        return Level(value).label.split(":")[0]

    author = f" by {evaluation.author}" if evaluation.author else ""
    day = timezone.localdate(evaluation.submitted_at)
    return [
        ("Submitted", f"{day:%b} {day.day}, {day.year}{author} (version {evaluation.version})"),
        ("Overall rating", f"{evaluation.overall} of 5"),
        *[(label, level(getattr(evaluation, name))) for name, label in COMPETENCIES],
        ("Strengths", evaluation.strengths),
        ("Areas to improve", evaluation.improvements),
        ("Would write a letter", "Yes" if evaluation.would_write_letter else "No"),
    ]
