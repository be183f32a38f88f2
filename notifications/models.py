"""Notifications in the inbox, outgoing e-mail rows, e-mail preferences and sent reminders."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Category(models.TextChoices):
    """What a notification is about; users choose per category whether they also get e-mail."""

    ACCOUNT = "account", "Account and security"
    TEAM = "team", "Team and invitations"
    LISTINGS = "listings", "Listings and moderation"
    APPLICATIONS = "applications", "Applications and offers"
    DOCUMENTS = "documents", "Documents"
    LETTERS = "letters", "Letters and evaluations"
    DIGEST = "digest", "Weekly digest of new rotations that fit you"

    @classmethod
    def optional(cls):
        """The categories a user may mute by e-mail (account e-mails always go out)."""
        return [c for c in cls if c != cls.ACCOUNT]

    @classmethod
    def opt_in(cls):
        """The categories that send nothing until the user asks for them."""
        return [cls.DIGEST]


class Notification(models.Model):
    """One line in a user's inbox."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notifications")
    kind = models.CharField(max_length=60)
    category = models.CharField(max_length=20, choices=Category)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self):
        return self.title


class OutgoingEmail(models.Model):
    """An e-mail written in the same transaction as the change it reports, sent later by a worker.

    pending → sending (claimed by exactly one worker) → sent, or back to pending for a retry,
    or failed after the last attempt.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    notification = models.OneToOneField(Notification, on_delete=models.SET_NULL, null=True,
                                        blank=True, related_name="email")
    kind = models.CharField(max_length=60)
    to = models.EmailField()
    subject = models.CharField(max_length=300)
    text_body = models.TextField()
    html_body = models.TextField(blank=True)
    state = models.CharField(max_length=10, choices=State, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # When the row was last handed to the broker (or is due for its retry); the sweep re-publishes
    # pending rows whose message may have been lost.
    queued_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "outgoing e-mail"
        indexes = [models.Index(fields=["state", "queued_at"], name="outbox_due_idx")]

    def __str__(self):
        return f"{self.subject} → {self.to}"


class EmailPreference(models.Model):
    """A user's choice to receive (or not) e-mail for one category; no row means yes."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="email_preferences")
    category = models.CharField(max_length=20, choices=Category)
    email_enabled = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "category"],
                                               name="email_preference_unique")]

    def __str__(self):
        return f"{self.user}: {self.get_category_display()} by e-mail {'on' if self.email_enabled else 'off'}"


class SentReminder(models.Model):
    """Proof that the reminder for one thing at one stage went out, so it never goes twice."""

    key = models.CharField(max_length=200, help_text="What the reminder is about, e.g. invitation:42.")
    stage = models.CharField(max_length=50, help_text="Which reminder, e.g. expires-in-2-days.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "stage"], name="reminder_once")]

    def __str__(self):
        return f"{self.key} / {self.stage}"


class WorkerHeartbeat(models.Model):
    """When each Celery worker last ran beat's heartbeat task; the readiness check reads it.

    A fresh row proves the whole path works (beat → Redis → a worker → PostgreSQL), and it is
    readable while Redis is down, when asking the workers directly is impossible.
    """

    worker = models.CharField(max_length=200, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self):
        return f"{self.worker} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
