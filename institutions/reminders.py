"""Reminders of the institutions app: an invitation about to expire, two days before."""

from datetime import timedelta

from django.utils import timezone

from notifications.reminders import remind_once, reminder

from .emails import send_invitation_email
from .models import Invitation


@reminder
def invitations_expiring() -> int:
    soon = timezone.now() + timedelta(days=2)
    sent = 0
    for invitation in Invitation.objects.pending().filter(expires_at__lte=soon).select_related(
        "institution", "invited_by"
    ):
        sent += remind_once(key=f"invitation:{invitation.pk}", stage="expires-in-2-days",
                            send=lambda i=invitation: send_invitation_email(i, reminder=True))
    return sent
