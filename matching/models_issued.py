"""Documents Rotamatch issues from a placement: the visa invitation letter and the certificate of
completion, each with a verification code anyone can check, and the record of every download.

The PDF is generated once, when the document is issued, and kept: a passport number the applicant
types for one letter lives only inside that letter's file.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

# Crockford's base 32: no I, L, O or U; 16 characters are 80 random bits.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def grouped(code: str) -> str:
    """A code as read aloud: four groups of four."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def _issued_key(instance, filename) -> str:
    return f"issued/{uuid.uuid4().hex}"


class IssuedKind(models.TextChoices):
    INVITATION = "invitation", "Invitation letter"
    CERTIFICATE = "certificate", "Certificate of completion"


class IssuedDocument(models.Model):
    application = models.ForeignKey("matching.Application", on_delete=models.PROTECT, related_name="issued_documents")
    kind = models.CharField(max_length=20, choices=IssuedKind)
    code = models.CharField(max_length=CODE_LENGTH, unique=True, default=new_verification_code, editable=False)
    file = models.FileField(upload_to=_issued_key, max_length=200)
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    # The coordinator whose name, title and contact the document bears.
    signatory = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    superseded_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    revoke_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            # One current document of each kind per placement; older ones stay, superseded.
            models.UniqueConstraint(fields=["application", "kind"], condition=models.Q(superseded_at__isnull=True),
                                    name="issued_document_one_current"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.grouped_code}"

    @property
    def grouped_code(self) -> str:
        return grouped(self.code)

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        return "superseded" if self.superseded_at else "valid"


class IssuedSignatory(models.Model):
    """The coordinator an institution chose to sign the documents its applicants issue themselves
    (a coordinator who issues one signs it); without a choice, its first coordinator signs."""

    institution = models.OneToOneField("institutions.Institution", on_delete=models.CASCADE, related_name="+")
    coordinator = models.ForeignKey("institutions.Coordinator", on_delete=models.CASCADE, related_name="+")
    chosen_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    chosen_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.coordinator} signs for {self.institution_id}"


class IssuedDocumentDownload(models.Model):
    document = models.ForeignKey(IssuedDocument, on_delete=models.CASCADE, related_name="downloads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"{self.document} downloaded {self.at:%Y-%m-%d %H:%M}"
