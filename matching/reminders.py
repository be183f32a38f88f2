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
