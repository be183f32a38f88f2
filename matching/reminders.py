"""Reminders of the matching app: an offer about to expire, two days and again one hour before."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from notifications import kinds
from notifications.reminders import remind_once, reminder
from notifications.services import notify

from .models import Application, Status
from .selectors import with_details

# Nearest first: an offer is reminded at the tightest stage it has reached, so an offer made with
# less than an hour to go gets one reminder, not the two-day one and the one-hour one at once.
STAGES = [("1h", timedelta(hours=1)), ("48h", timedelta(hours=48))]


@reminder
def offers_expiring() -> int:
    now, sent = timezone.now(), 0
    due = with_details(Application.objects.filter(
        status=Status.OFFERED, offer_deadline__gt=now, offer_deadline__lte=now + STAGES[-1][1]))
    for application in due:
        stage = next(name for name, ahead in STAGES if application.offer_deadline <= now + ahead)
        # The deadline is part of the key: a new offer (a new deadline) is reminded afresh.
        key = f"offer:{application.pk}:{int(application.offer_deadline.timestamp())}"
        sent += remind_once(key=key, stage=stage, send=lambda a=application: _remind(a))
    return sent


def _remind(application: Application) -> None:
    notify(user=application.applicant, kind=kinds.OFFER_REMINDER,
           context={"application": application, "slot": application.slot, "listing": application.slot.listing},
           url=reverse("matching:application", args=[application.pk]))


# Match rounds: whoever has not certified hears 3 days and again 1 day before the deadline.
CERTIFY_STAGES = [("1d", timedelta(days=1)), ("3d", timedelta(days=3))]


@reminder
def rank_lists_to_certify() -> int:
    from institutions.models import Coordinator

    from .models_rounds import MatchRound, RankEntry, RankList, RoundStatus, SlotRanking

    now, sent = timezone.now(), 0
    for match_round in MatchRound.objects.filter(status=RoundStatus.RANKING_OPEN, ranking_deadline__gt=now,
                                                 ranking_deadline__lte=now + CERTIFY_STAGES[-1][1]):
        stage = next(name for name, ahead in CERTIFY_STAGES if match_round.ranking_deadline <= now + ahead)
        rank_url = reverse("matching:round_rank", args=[match_round.pk])
        for rank_list in RankList.objects.filter(round=match_round, certified_at__isnull=True).select_related("applicant"):
            sent += remind_once(key=f"round:{match_round.pk}:applicant:{rank_list.applicant_id}", stage=stage,
                                send=lambda u=rank_list.applicant, m=match_round, url=rank_url: _certify(u, m, url))
        # The slots someone ranked whose ranking is not certified: their coordinators hear.
        ranked = set(RankEntry.objects.filter(rank_list__round=match_round).values_list("slot_id", flat=True))
        certified = set(SlotRanking.objects.filter(round=match_round, certified_at__isnull=False)
                        .values_list("slot_id", flat=True))
        waiting = Coordinator.objects.filter(institution__listings__slots__in=ranked - certified).select_related(
            "user").distinct()
        url = reverse("matching:round_host", args=[match_round.pk])
        for coordinator in waiting:
            sent += remind_once(key=f"round:{match_round.pk}:coordinator:{coordinator.user_id}", stage=stage,
                                send=lambda u=coordinator.user, m=match_round, url=url: _certify(u, m, url))
    return sent


def _certify(user, match_round, url) -> None:
    notify(user=user, kind=kinds.ROUND_CERTIFY_REMINDER, context={"round": match_round}, url=url)


# The weekly digest of new rotations that fit (recommend_digest.py), run with the reminders.
from .recommend_digest import recommendation_digests  # noqa: E402

reminder(recommendation_digests)
