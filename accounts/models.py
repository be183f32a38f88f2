"""The user model, its roles, and the invitations that bring coordinators and preceptors in."""

import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class Role(models.TextChoices):
    APPLICANT = "applicant", "Applicant"
    COORDINATOR = "coordinator", "Coordinator"
    PRECEPTOR = "preceptor", "Preceptor"
    ADMIN = "admin", "Admin"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("Users need an e-mail address.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.update(role=Role.ADMIN, is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person who logs in with an e-mail address; `role` decides which pages are theirs."""

    username = None
    email = models.EmailField("e-mail address", unique=True)
    role = models.CharField(max_length=20, choices=Role, default=Role.APPLICANT)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            # Admins are exactly the staff users: the Django admin and the role never disagree.
            models.CheckConstraint(
                condition=models.Q(role=Role.ADMIN, is_staff=True)
                | (~models.Q(role=Role.ADMIN) & models.Q(is_staff=False)),
                name="user_admin_role_is_staff",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)


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
    institution = models.ForeignKey("rotations.Institution", on_delete=models.CASCADE,
                                    related_name="invitations")
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True,
                                   related_name="invitations_sent")
    token = models.CharField(max_length=64, unique=True, default=_new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_default_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.OneToOneField(User, on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="invitation")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
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
