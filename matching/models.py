"""Applications to slots, their audit trail, and (once accepted) placements."""

from django.conf import settings
from django.db import models


class Status(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    UNDER_REVIEW = "under_review", "Under review"
    WAITLISTED = "waitlisted", "Waitlisted"
    REJECTED = "rejected", "Not selected"
    WITHDRAWN = "withdrawn", "Withdrawn"
    OFFERED = "offered", "Offered"
    DECLINED = "declined", "Offer declined"
    EXPIRED = "expired", "Offer expired"
    ACCEPTED = "accepted", "Accepted, awaiting approval"
    APPROVED = "approved", "Placement approved"
    CANCELLED = "cancelled", "Placement cancelled"
    COMPLETED = "completed", "Completed"

    @classmethod
    def holding_a_seat(cls) -> list[str]:
        """The states of a placement: each holds one of the slot's seats."""
        return [cls.ACCEPTED, cls.APPROVED, cls.COMPLETED]

    @classmethod
    def open(cls) -> list[str]:
        """Applications still in play (not ended by a decision, a withdrawal or completion)."""
        return [cls.SUBMITTED, cls.UNDER_REVIEW, cls.WAITLISTED, cls.OFFERED, cls.ACCEPTED, cls.APPROVED]

    @classmethod
    def live(cls) -> list[str]:
        """Applications that still tie the applicant to the slot: in play, or completed there."""
        return [*cls.open(), cls.COMPLETED]


class Application(models.Model):
    """An applicant's application to one slot; from `accepted` on it is a placement."""

    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applications")
    slot = models.ForeignKey("rotations.Slot", on_delete=models.PROTECT, related_name="applications")
    statement = models.TextField(help_text="Why this rotation, and what you bring to it.")
    status = models.CharField(max_length=20, choices=Status, default=Status.SUBMITTED)
    # The coordinator's last message to the applicant (offer, waitlist or rejection note).
    message = models.TextField(blank=True)
    offer_deadline = models.DateTimeField(null=True, blank=True)
    # A placement made by a match round's publication (binding, as in the NRMP); empty otherwise.
    match_round = models.ForeignKey("matching.MatchRound", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="placements")
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    status_changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["slot", "applicant"], name="application_once_per_slot"),
            models.CheckConstraint(
                condition=~models.Q(status="offered") | models.Q(offer_deadline__isnull=False),
                name="application_offer_has_deadline"),
        ]
        indexes = [
            models.Index(fields=["status", "offer_deadline"], name="application_offer_deadline_idx"),
            models.Index(fields=["slot", "status"], name="application_slot_status_idx"),
        ]

    def __str__(self):
        return f"{self.applicant} → {self.slot}"


class ApplicationEvent(models.Model):
    """The audit trail: every move of an application, who made it (empty for the system) and when."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=20, choices=Status, blank=True)
    to_status = models.CharField(max_length=20, choices=Status)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                           related_name="+")
    message = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.action}: {self.from_status or '—'} → {self.to_status}"

    @property
    def move_label(self) -> str:
        """The move as the history names it ("Offer", "Withdraw", …)."""
        from .moves import history_label  # the table of moves is built on this module's Status

        return history_label(self.action)


# Match rounds live in their own module; Django finds their models through this one.
# Documents issued from placements (invitation letters, certificates), in their own module.
from .models_issued import IssuedDocument, IssuedDocumentDownload, IssuedKind  # noqa: E402, F401
from .models_rounds import (  # noqa: E402, F401
    MatchRound,
    RankEntry,
    RankList,
    RoundMatch,
    RoundStatus,
    SlotRankEntry,
    SlotRanking,
)
