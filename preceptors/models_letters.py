"""Letters of recommendation: the applicant's request to an author, the letter's versions, the
applicant's shares with programs, and the record of every look at a letter.

The waiver lives on the request; the rules that keep a waived letter from its applicant live in
`policies.py` and the letter selectors, never in a template.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

# Crockford's base 32: no I, L, O or U, so a letter ID read over the phone is not misheard.
_LETTER_ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_letter_code() -> str:
    """A short, human-readable letter ID such as LOR-7K3M-9QX2 (40 random bits)."""
    chars = "".join(secrets.choice(_LETTER_ID_ALPHABET) for _ in range(8))
    return f"LOR-{chars[:4]}-{chars[4:]}"


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def _letter_key(instance, filename) -> str:
    # A random key: neither the author's file name nor the applicant's name reaches the disk.
    return f"letters/{uuid.uuid4().hex}"


class LetterStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    UPLOADED = "uploaded", "Uploaded"
    CANCELLED = "cancelled", "Cancelled"
    REMOVED = "removed", "Removed by an admin"


class LetterRequest(models.Model):
    """An applicant's request for a letter from one author, and the letter once it is in."""

    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="letter_requests")
    code = models.CharField("letter ID", max_length=20, unique=True, default=new_letter_code, editable=False)
    # The author: a preceptor of one of the applicant's placements, or any physician by e-mail.
    preceptor = models.ForeignKey("institutions.Preceptor", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="letter_requests")
    author_name = models.CharField(max_length=200)
    author_email = models.EmailField()
    author_title = models.CharField(max_length=100, blank=True)
    author_department = models.CharField(max_length=100, blank=True)
    specialty_label = models.CharField(max_length=100)
    message = models.TextField(blank=True, max_length=2000)
    waived = models.BooleanField()
    waiver_recorded_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=12, choices=LetterStatus, default=LetterStatus.REQUESTED)
    # The upload link: signed, and valid while its nonce is the current one and it has not expired.
    # Sending the link again (or an upload) draws a new nonce, which retires every older link.
    link_nonce = models.CharField(max_length=40, default=new_nonce, editable=False)
    link_expires_at = models.DateTimeField()
    nudged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    uploaded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When it was cancelled or removed.")
    removal_reason = models.TextField(blank=True)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="letter_request_due_idx")]

    def __str__(self):
        return f"{self.code} from {self.author_name}"


class LetterVersion(models.Model):
    """One uploaded file of a letter; a replacement adds a version and every version is kept."""

    request = models.ForeignKey(LetterRequest, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    file = models.FileField(upload_to=_letter_key, max_length=200)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", help_text="Empty when the author used the e-mailed link.")

    class Meta:
        ordering = ["request_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["request", "number"], name="letter_version_once")]

    def __str__(self):
        return f"{self.request.code} version {self.number}"


class LetterShare(models.Model):
    """Up to four letters an applicant sends to one program, through a link that expires."""

    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="letter_shares")
    program_name = models.CharField(max_length=200)
    recipient_email = models.EmailField()
    letters = models.ManyToManyField(LetterRequest, related_name="shares")
    nonce = models.CharField(max_length=40, default=new_nonce, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Letters for {self.program_name}"


class LetterAccess(models.Model):
    """Every look at a letter: a program's view of a share or download of a letter, an author's,
    an applicant's (unwaived only) or an admin's (with the reason they gave)."""

    class Kind(models.TextChoices):
        VIEW = "view", "Opened the shared letters"
        DOWNLOAD = "download", "Downloaded"

    kind = models.CharField(max_length=10, choices=Kind)
    share = models.ForeignKey(LetterShare, on_delete=models.CASCADE, null=True, blank=True, related_name="accesses")
    version = models.ForeignKey(LetterVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="accesses")
    request = models.ForeignKey(LetterRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    reason = models.TextField(blank=True, help_text="Why an admin opened the letter.")
    ip_prefix = models.CharField("address (truncated)", max_length=50, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "letter accesses"

    def __str__(self):
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"
