"""Applicant profiles, the document vault (private files) and the clinical experience log."""

import secrets
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django_countries.fields import CountryField
from localflavor.us.models import USStateField

from core.text import reject_direction_controls
from rotations.choices import DocumentKind, Setting, Specialty, Visa

from . import policies
from .choices import DocumentStatus, EcfmgStatus, ExamStatus, Stage
from .validation import profile_rule_errors

RULE_FIELDS = ("stage", "graduation_year", "ecfmg_status", "step1_status", "step1_score",
               "step2_status", "step2_score", "available_from", "available_until")


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class Profile(models.Model):
    """What hosts need to know about an applicant; one per applicant user."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    legal_name = models.CharField(max_length=200, help_text="As in your passport.", validators=[reject_direction_controls])
    citizenship = CountryField()
    medical_school = models.CharField(max_length=200, validators=[reject_direction_controls])
    school_country = CountryField("country of the medical school")
    stage = models.CharField(max_length=20, choices=Stage)
    graduation_year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1960), MaxValueValidator(2040)],
        help_text="The year you graduated, or expect to.")
    ecfmg_status = models.CharField("ECFMG status", max_length=20, choices=EcfmgStatus,
                                    default=EcfmgStatus.NOT_STARTED)
    step1_status = models.CharField("USMLE Step 1", max_length=20, choices=ExamStatus,
                                    default=ExamStatus.NOT_TAKEN)
    step1_score = models.PositiveSmallIntegerField(
        "Step 1 score", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(300)],
        help_text="Only for exams scored before Step 1 became pass/fail.")
    step2_status = models.CharField("USMLE Step 2 CK", max_length=20, choices=ExamStatus,
                                    default=ExamStatus.NOT_TAKEN)
    step2_score = models.PositiveSmallIntegerField(
        "Step 2 CK score", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(300)])
    visa_status = models.CharField(max_length=20, choices=Visa)
    languages = ArrayField(models.CharField(max_length=50, validators=[reject_direction_controls]), default=list, blank=True)
    specialties = ArrayField(models.CharField(max_length=40, choices=Specialty), default=list, blank=True,
                             verbose_name="specialties of interest")
    preferred_states = ArrayField(USStateField(), default=list, blank=True)
    available_from = models.DateField(null=True, blank=True)
    available_until = models.DateField(null=True, blank=True)
    budget_usd = models.PositiveIntegerField("budget (USD)", null=True, blank=True,
                                             validators=[MaxValueValidator(100_000)])
    target_match_year = models.PositiveSmallIntegerField(
        "target Match year", null=True, blank=True, validators=[MinValueValidator(2025), MaxValueValidator(2040)],
        help_text="The residency Match (in March) you apply to, e.g. 2028: we plan your rotations and letters for it.")
    # The secret in the applicant's calendar feed URL: calendar apps cannot log in.
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(available_until__isnull=True) | models.Q(available_from__isnull=True)
                | models.Q(available_until__gte=models.F("available_from")),
                name="profile_available_dates_in_order"),
        ]

    def __str__(self):
        return self.legal_name

    def clean(self):
        errors = profile_rule_errors(**{name: getattr(self, name) for name in RULE_FIELDS})
        if errors:
            raise ValidationError(errors)

    def get_specialties_display(self) -> list[str]:
        return [Specialty(s).label for s in self.specialties]


def _document_key(instance, filename) -> str:
    # A random key: the applicant's file name (which may hold their name) never reaches the disk.
    return f"documents/{uuid.uuid4().hex}"


class Document(models.Model):
    """One document of an applicant's vault; a new upload of the same kind replaces it."""

    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=30, choices=DocumentKind)
    file = models.FileField(upload_to=_document_key, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    expires_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=DocumentStatus, default=DocumentStatus.PENDING)
    rejection_reason = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind"]
        constraints = [models.UniqueConstraint(fields=["applicant", "kind"], name="document_one_per_kind")]
        indexes = [models.Index(fields=["status", "uploaded_at"], name="document_review_queue_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.applicant}"

    @property
    def expiry_state(self) -> str:
        """"expired", "soon" or "" today: what pages show (see `policies.expiry_state`)."""
        return policies.expiry_state(self.expires_on)


class DocumentDownload(models.Model):
    """Who downloaded which document, and when: passports are not read unnoticed."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="downloads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"{self.user} downloaded {self.document} at {self.at:%Y-%m-%d %H:%M}"


class ExperienceEntry(models.Model):
    """A line of the clinical experience log: a completed placement, or one the applicant adds."""

    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="experience")
    application = models.OneToOneField("matching.Application", on_delete=models.SET_NULL, null=True,
                                       blank=True, related_name="experience_entry")
    start_date = models.DateField()
    end_date = models.DateField()
    institution = models.CharField(max_length=200, validators=[reject_direction_controls])
    specialty = models.CharField(max_length=40, choices=Specialty)
    setting = models.CharField(max_length=20, choices=Setting)
    hours = models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5000)])
    duties = models.TextField(blank=True)
    supervisor = models.CharField(max_length=200, blank=True, validators=[reject_direction_controls])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name_plural = "experience entries"
        constraints = [
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")),
                                   name="experience_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.get_specialty_display()} at {self.institution}"

    @property
    def from_placement(self) -> bool:
        return self.application_id is not None
