"""The user model and its roles."""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower


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
