"""Institutions, the coordinators and preceptors who belong to them, and the invitations that bring them in."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from localflavor.us.models import USStateField, USZipCodeField

from accounts.models import Role
from core.text import reject_direction_controls


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


class Preceptor(models.Model):
    """A supervising physician; `user` is empty for one who answers letter links without an account."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="preceptor")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT,
                                    related_name="preceptors")
    full_name = models.CharField(max_length=200)
    email = models.EmailField("e-mail address")
    credentials = models.CharField(max_length=50, blank=True, help_text="For example MD, DO, FACP.")
    specialty = models.CharField(max_length=100, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["full_name"]

    def __str__(self):
        return f"{self.full_name}, {self.credentials}" if self.credentials else self.full_name

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


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
