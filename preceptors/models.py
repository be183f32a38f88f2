"""Reviews of completed placements (with their moderation log and public responses) and the
preceptors' evaluations of their applicants (versioned: a correction keeps what it corrects)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

RATING = [MinValueValidator(1), MaxValueValidator(5)]
TEXT_MIN, TEXT_MAX = 50, 5000


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Awaiting moderation"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"


class RejectReason(models.TextChoices):
    """The published content policy: the only grounds for refusing a review or a response.
    Being negative is not one of them."""

    PERSONAL_DATA = "personal_data", "It contains personal data (names, contacts, health details of anyone)"
    ABUSE = "abuse", "It is abusive, threatening or discriminatory"
    OFF_TOPIC = "off_topic", "It is off-topic (advertising, unrelated matters)"
    NOT_THIS_ROTATION = "not_this_rotation", "It is not about this rotation"


def _rating(label: str):
    return models.PositiveSmallIntegerField(label, validators=RATING)


class Review(models.Model):
    """The applicant's review of one completed placement: once per placement."""

    application = models.OneToOneField("matching.Application", on_delete=models.CASCADE, related_name="review")
    # Kept beside the application so that a listing's aggregates are one indexed query.
    listing = models.ForeignKey("rotations.Listing", on_delete=models.CASCADE, related_name="reviews")
    overall = _rating("overall rating")
    teaching = _rating("teaching")
    hands_on = _rating("hands-on exposure as the listing promised")
    organisation = _rating("organisation")
    value = _rating("value for the fee")
    would_recommend = models.BooleanField("would recommend")
    text = models.TextField()
    status = models.CharField(max_length=20, choices=ReviewStatus, default=ReviewStatus.PENDING)
    reject_reason = models.CharField(max_length=30, choices=RejectReason, blank=True)
    resubmitted = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(**{f"{name}__gte": 1, f"{name}__lte": 5}),
                                   name=f"review_{name}_1_to_5")
            for name in ("overall", "teaching", "hands_on", "organisation", "value")
        ]
        indexes = [models.Index(fields=["listing", "status"], name="review_listing_status_idx")]

    def __str__(self):
        return f"Review of application {self.application_id} ({self.status})"


class ReviewDecision(models.Model):
    """The moderation log: every approval, rejection and resubmission, who made it and when."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, null=True, blank=True, related_name="decisions")
    response = models.ForeignKey("ReviewResponse", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="decisions")
    action = models.CharField(max_length=20)
    reason = models.CharField(max_length=30, choices=RejectReason, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.action} by {self.by} at {self.at:%Y-%m-%d %H:%M}"


class ReviewResponse(models.Model):
    """The host's one public answer to a review (by a preceptor of the listing or a coordinator)."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="response")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField()
    status = models.CharField(max_length=20, choices=ReviewStatus, default=ReviewStatus.PENDING)
    reject_reason = models.CharField(max_length=30, choices=RejectReason, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Response to review {self.review_id} ({self.status})"


class Level(models.IntegerChoices):
    """A competency's level, with the anchors the form shows; 0 is "not observed"."""

    NOT_OBSERVED = 0, "Not observed"
    NOVICE = 1, "1 – Novice: needs direct supervision for routine tasks"
    ADVANCED_BEGINNER = 2, "2 – Advanced beginner: performs routine tasks with frequent guidance"
    COMPETENT = 3, "3 – Competent: performs routine tasks with occasional guidance"
    PROFICIENT = 4, "4 – Proficient: works independently, as expected of a starting resident"
    EXPERT = 5, "5 – Exemplary: beyond what is expected of a starting resident"


COMPETENCIES = [
    ("patient_care", "Patient care"),
    ("medical_knowledge", "Medical knowledge"),
    ("practice_based_learning", "Practice-based learning and improvement"),
    ("interpersonal_communication", "Interpersonal and communication skills"),
    ("professionalism", "Professionalism"),
    ("systems_based_practice", "Systems-based practice"),
]


def _competency(label: str):
    return models.PositiveSmallIntegerField(label, choices=Level, validators=[MaxValueValidator(5)])


class Evaluation(models.Model):
    """One version of the preceptors' evaluation of a placement's applicant; never edited."""

    application = models.ForeignKey("matching.Application", on_delete=models.CASCADE, related_name="evaluations")
    version = models.PositiveSmallIntegerField(default=1)
    author = models.ForeignKey("institutions.Preceptor", on_delete=models.SET_NULL, null=True, related_name="+")
    patient_care = _competency("patient care")
    medical_knowledge = _competency("medical knowledge")
    practice_based_learning = _competency("practice-based learning and improvement")
    interpersonal_communication = _competency("interpersonal and communication skills")
    professionalism = _competency("professionalism")
    systems_based_practice = _competency("systems-based practice")
    overall = _rating("overall rating")
    strengths = models.TextField()
    improvements = models.TextField("areas to improve")
    would_write_letter = models.BooleanField("I would write a letter of recommendation")
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["application_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["application", "version"], name="evaluation_version_once"),
            models.CheckConstraint(condition=models.Q(overall__gte=1, overall__lte=5), name="evaluation_overall_1_to_5"),
            *[models.CheckConstraint(condition=models.Q(**{f"{name}__lte": 5}), name=f"evaluation_{name}_0_to_5")
              for name, _ in COMPETENCIES],
        ]

    def __str__(self):
        return f"Evaluation of application {self.application_id}, version {self.version}"


# Letters of recommendation live in their own module; Django finds their models through this one.
from .models_letters import (  # noqa: E402, F401
    LetterAccess,
    LetterRequest,
    LetterShare,
    LetterStatus,
    LetterVersion,
)
