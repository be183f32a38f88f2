"""Match rounds: the slots a round covers, the applicants' and coordinators' certified rank
lists, and the engine's result (one row per applicant who ranked anything).

The round's states and moves are one table in `rounds.py`; the stability-based explanations are
computed from these rows (`selectors_rounds.py`), never stored.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class RoundStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    RANKING_OPEN = "ranking_open", "Ranking open"
    RANKING_CLOSED = "ranking_closed", "Ranking closed"
    MATCHED = "matched", "Matched, results under review"
    PUBLISHED = "published", "Published"

    @classmethod
    def running(cls) -> list[str]:
        """The states in which the round's seats are reserved for it."""
        return [cls.RANKING_OPEN, cls.RANKING_CLOSED, cls.MATCHED]


class MatchRound(models.Model):
    name = models.CharField(max_length=200)
    slots = models.ManyToManyField("rotations.Slot", related_name="match_rounds")
    ranking_opens_at = models.DateTimeField()
    ranking_deadline = models.DateTimeField()
    match_at = models.DateTimeField("match date")
    status = models.CharField(max_length=20, choices=RoundStatus, default=RoundStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # The run: a Celery task fills these; the admin's page polls them.
    run_progress = models.PositiveSmallIntegerField(default=0, help_text="Percent of the run done.")
    run_step = models.CharField(max_length=100, blank=True)
    run_error = models.TextField(blank=True)
    matched_at = models.DateTimeField(null=True, blank=True)
    # What the engine read at the last run (the exchange format), so the published result can be
    # audited against it after the placements have changed the slots' free seats.
    run_instance = models.JSONField(null=True, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-ranking_deadline", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ranking_opens_at__lt=models.F("ranking_deadline")),
                                   name="round_ranking_opens_before_deadline"),
            models.CheckConstraint(condition=models.Q(ranking_deadline__lte=models.F("match_at")),
                                   name="round_matches_after_deadline"),
        ]

    def __str__(self):
        return self.name


class RankList(models.Model):
    """An applicant's rank list of the round's slots (most preferred first), certified or not."""

    round = models.ForeignKey(MatchRound, on_delete=models.CASCADE, related_name="rank_lists")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rank_lists")
    certified_at = models.DateTimeField(null=True, blank=True, help_text="Empty until certified; a change un-certifies.")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "applicant"], name="rank_list_once_per_round")]

    def __str__(self):
        return f"{self.applicant}'s list for {self.round}"


class RankEntry(models.Model):
    rank_list = models.ForeignKey(RankList, on_delete=models.CASCADE, related_name="entries")
    slot = models.ForeignKey("rotations.Slot", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["rank_list_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["rank_list", "slot"], name="rank_entry_slot_once"),
            models.UniqueConstraint(fields=["rank_list", "position"], name="rank_entry_position_once"),
        ]

    def __str__(self):
        return f"{self.position}. slot {self.slot_id}"


class SlotRanking(models.Model):
    """A slot's ranking of the applicants who ranked it, by its institution's coordinators."""

    round = models.ForeignKey(MatchRound, on_delete=models.CASCADE, related_name="slot_rankings")
    slot = models.ForeignKey("rotations.Slot", on_delete=models.CASCADE, related_name="+")
    certified_at = models.DateTimeField(null=True, blank=True)
    certified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "slot"], name="slot_ranking_once_per_round")]

    def __str__(self):
        return f"Ranking of {self.slot} in {self.round}"


class SlotRankEntry(models.Model):
    ranking = models.ForeignKey(SlotRanking, on_delete=models.CASCADE, related_name="entries")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["ranking_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["ranking", "applicant"], name="slot_rank_entry_applicant_once"),
            models.UniqueConstraint(fields=["ranking", "position"], name="slot_rank_entry_position_once"),
        ]

    def __str__(self):
        return f"{self.position}. applicant {self.applicant_id}"


class RoundMatch(models.Model):
    """The engine's answer for one applicant: the slot they matched, or none."""

    round = models.ForeignKey(MatchRound, on_delete=models.CASCADE, related_name="matches")
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    slot = models.ForeignKey("rotations.Slot", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    choice = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Which of their choices (1 = first).")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "applicant"], name="round_match_once")]
        indexes = [models.Index(fields=["round", "slot"], name="round_match_slot_idx")]

    def __str__(self):
        return f"{self.applicant_id} → {self.slot_id or 'unmatched'}"
