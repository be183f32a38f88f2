"""E-mails of the institutions app, all written to the notifications outbox."""

from django.urls import reverse

from accounts.permissions import dashboard_url_name
from notifications import kinds
from notifications.services import notify, notify_address


def send_invitation_email(invitation, *, reminder: bool = False) -> None:
    notify_address(
        email=invitation.email,
        kind=kinds.INVITATION_REMINDER if reminder else kinds.INVITATION,
        context={"invitation": invitation},
        url=reverse("institutions:invitation_accept", args=[invitation.token]),
    )


def notify_invitation_accepted(invitation) -> None:
    if invitation.invited_by is None:
        return
    notify(user=invitation.invited_by, kind=kinds.INVITATION_ACCEPTED,
           context={"invitation": invitation, "member": invitation.accepted_by},
           url=reverse(dashboard_url_name(invitation.invited_by)))
