"""The controlled vocabularies of applicant profiles and documents."""

from django.db import models

from rotations.choices import DocumentKind

# Documents that carry an expiry date (a passport, a TB test); the others do not expire.
EXPIRING_KINDS = frozenset({
    DocumentKind.PASSPORT, DocumentKind.IMMUNIZATION, DocumentKind.TB_TEST,
    DocumentKind.HEALTH_INSURANCE, DocumentKind.BACKGROUND_CHECK, DocumentKind.BLS_ACLS,
    DocumentKind.HIPAA,
})
# A document expiring within this many days is flagged in the vault and reminded once.
EXPIRY_WARNING_DAYS = 30


class Stage(models.TextChoices):
    STUDENT = "student", "Student (still enrolled)"
    GRADUATE = "graduate", "Graduate"


class EcfmgStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    CERTIFIED = "certified", "Certified"


class ExamStatus(models.TextChoices):
    NOT_TAKEN = "not_taken", "Not taken"
    SCHEDULED = "scheduled", "Scheduled"
    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"


class DocumentStatus(models.TextChoices):
    PENDING = "pending", "Awaiting verification"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"
