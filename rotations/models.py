"""Institutions that host rotations, and the coordinators who act for them."""

from django.conf import settings
from django.db import models
from localflavor.us.models import USStateField, USZipCodeField


class Institution(models.Model):
    """A hospital, clinic or practice; an admin sets `verified_at` after checking it is real."""

    class Kind(models.TextChoices):
        ACADEMIC_HOSPITAL = "academic_hospital", "Academic hospital"
        COMMUNITY_HOSPITAL = "community_hospital", "Community hospital"
        PRIVATE_PRACTICE = "private_practice", "Private practice"
        CLINIC = "clinic", "Clinic"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind)
    address = models.CharField("street address", max_length=200)
    city = models.CharField(max_length=100)
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
