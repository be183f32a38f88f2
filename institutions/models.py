"""Institutions, the coordinators and preceptors who belong to them, and the invitations that bring them in."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from localflavor.us.models import USStateField, USZipCodeField

from accounts.models import Role
from core.specialties import Specialty
from core.text import reject_direction_controls

from .validation import validate_board_year, validate_npi


class Institution(models.Model):
    """A hospital, clinic or practice; an admin sets `verified_at` after checking it is real."""

    class Kind(models.TextChoices):
        ACADEMIC_HOSPITAL = "academic_hospital", "Academic hospital"
        COMMUNITY_HOSPITAL = "community_hospital", "Community hospital"
        PRIVATE_PRACTICE = "private_practice", "Private practice"
        CLINIC = "clinic", "Clinic"

    name = models.CharField(max_length=200, validators=[reject_direction_controls])
    kind = models.CharField(max_length=30, choices=Kind)
    address = models.CharField("street address", max_length=200, validators=[reject_direction_controls])
    city = models.CharField(max_length=100, validators=[reject_direction_controls])
    state = USStateField()
    zip_code = USZipCodeField("ZIP code")
    website = models.URLField(blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "city", "state"], name="institution_unique_place"),
        ]

    def __str__(self):
        return f"{self.name} ({self.city}, {self.state})"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class Coordinator(models.Model):
    """Membership of a coordinator user in the institution whose listings they manage."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="coordinator")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="coordinators")
    title = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["institution", "user__email"]

    def __str__(self):
        return f"{self.user} at {self.institution.name}"


class Degree(models.TextChoices):
    MD = "md", "MD"
    DO = "do", "DO"
    OTHER = "other", "Other"


def _photo_key(preceptor, filename):
    # A random name: the key never tells who is pictured, and a new photo never reuses a cached URL.
    return f"preceptor-photos/{secrets.token_hex(16)}.jpg"


class Preceptor(models.Model):
    """A supervising physician and their public profile.

    `user` is empty for one who answers letter links without an account. `institution` is the
    home institution (where they were first listed or invited); the institutions where they
    teach are their `memberships`, and listings check those.
    """

    class Status(models.TextChoices):
        UNVERIFIED = "unverified", "Unverified"
        VERIFIED = "verified", "Verified"
        REJECTED = "rejected", "Rejected"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="preceptor")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT,
                                    related_name="preceptors", verbose_name="home institution")
    full_name = models.CharField(max_length=200, validators=[reject_direction_controls])
    email = models.EmailField("e-mail address")
    credentials = models.CharField(max_length=50, blank=True, help_text="For example MD, DO, FACP.")
    degree = models.CharField(max_length=10, choices=Degree, blank=True)
    specialty = models.CharField(max_length=100, choices=Specialty, blank=True)
    board = models.CharField("board certification", max_length=150, blank=True,
                             validators=[reject_direction_controls],
                             help_text="For example American Board of Internal Medicine.")
    board_year = models.PositiveSmallIntegerField("year certified", null=True, blank=True,
                                                  validators=[validate_board_year])
    npi = models.CharField("NPI", max_length=10, blank=True, validators=[validate_npi],
                           help_text="Your 10-digit National Provider Identifier.")
    title = models.CharField(max_length=100, blank=True, validators=[reject_direction_controls])
    department = models.CharField(max_length=100, blank=True, validators=[reject_direction_controls])
    languages = models.CharField(max_length=200, blank=True, validators=[reject_direction_controls],
                                 help_text="Comma-separated, for example English, Spanish.")
    teaching_interests = models.CharField(max_length=300, blank=True, validators=[reject_direction_controls])
    bio = models.TextField("short bio", max_length=1500, blank=True, validators=[reject_direction_controls])
    photo = models.FileField(upload_to=_photo_key, max_length=200, blank=True)
    status = models.CharField(max_length=12, choices=Status, default=Status.UNVERIFIED)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+")
    rejection_reason = models.TextField(blank=True)
    registry_response = models.JSONField(null=True, blank=True,
                                         help_text="The NPI registry's answer when the admin decided.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["full_name"]
        constraints = [
            # A verified NPI belongs to one profile; a second claimant waits in a dispute.
            models.UniqueConstraint(fields=["npi"], condition=models.Q(status="verified") & ~models.Q(npi=""),
                                    name="preceptor_verified_npi_unique"),
        ]

    def __str__(self):
        return f"{self.full_name}, {self.credentials}" if self.credentials else self.full_name

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def language_list(self) -> list[str]:
        return [part.strip() for part in self.languages.split(",") if part.strip()]


class PreceptorMembership(models.Model):
    """An institution where a preceptor teaches, confirmed by its coordinators' invitation."""

    preceptor = models.ForeignKey(Preceptor, on_delete=models.CASCADE, related_name="memberships")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE,
                                    related_name="preceptor_memberships")
    invitation = models.OneToOneField("Invitation", on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="membership",
                                      help_text="The accepted invitation that confirms it (empty for "
                                                "memberships carried over from before invitations).")
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["institution__name"]
        constraints = [
            models.UniqueConstraint(fields=["preceptor", "institution"], name="preceptor_membership_unique"),
        ]

    def __str__(self):
        return f"{self.preceptor} at {self.institution.name}"


class NpiDispute(models.Model):
    """A second profile claiming an NPI another profile already holds; an admin decides."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLAIMANT = "claimant", "Given to the claimant"
        HOLDER = "holder", "Kept by the holder"

    npi = models.CharField("NPI", max_length=10)
    claimant = models.ForeignKey(Preceptor, on_delete=models.CASCADE, related_name="npi_claims")
    holder = models.ForeignKey(Preceptor, on_delete=models.CASCADE, related_name="npi_challenges")
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN)
    opened_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = "NPI dispute"
        constraints = [
            models.UniqueConstraint(fields=["claimant"], condition=models.Q(status="open"),
                                    name="npi_dispute_one_open_per_claimant"),
        ]

    def __str__(self):
        return f"NPI {self.npi}: {self.claimant} vs {self.holder}"


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def _default_expiry():
    return timezone.now() + timedelta(days=Invitation.VALID_DAYS)


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True,
                           expires_at__gt=timezone.now())


class Invitation(models.Model):
    """An e-mailed link that lets a coordinator or preceptor create their account."""

    VALID_DAYS = 14
    ROLES = [(Role.COORDINATOR.value, Role.COORDINATOR.label),
             (Role.PRECEPTOR.value, Role.PRECEPTOR.label)]

    email = models.EmailField("e-mail address")
    role = models.CharField(max_length=20, choices=ROLES)
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE,
                                    related_name="invitations")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="invitations_sent")
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_default_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="invitation")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=[Role.COORDINATOR, Role.PRECEPTOR]),
                name="invitation_role_is_invitable",
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()} invitation for {self.email}"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"
