"""E-mails of the institutions app, all written to the notifications outbox."""

from django.urls import reverse

from accounts.models import User
from accounts.permissions import dashboard_url_name
from notifications import kinds
from notifications.services import notify, notify_address


def send_invitation_email(invitation, *, reminder: bool = False) -> None:
    notify_address(
        email=invitation.email,
        kind=kinds.INVITATION_REMINDER if reminder else kinds.INVITATION,
        # A preceptor invited to one more institution signs in rather than creating an account.
        context={"invitation": invitation,
                 "has_account": User.objects.filter(email__iexact=invitation.email).exists()},
        url=reverse("institutions:invitation_accept", args=[invitation.token]),
    )


def notify_invitation_accepted(invitation, *, member=None) -> None:
    if invitation.invited_by is None:
        return
    notify(user=invitation.invited_by, kind=kinds.INVITATION_ACCEPTED,
           context={"invitation": invitation, "member": member or invitation.accepted_by},
           url=reverse(dashboard_url_name(invitation.invited_by)))


def _notify_preceptor(preceptor, kind, context, url) -> None:
    # A preceptor without an account has no inbox; verification concerns account holders only.
    if preceptor.user_id:
        notify(user=preceptor.user, kind=kind, context={"preceptor": preceptor, **context}, url=url)


def notify_verification(preceptor) -> None:
    verified = preceptor.status == preceptor.Status.VERIFIED
    _notify_preceptor(preceptor, kinds.PRECEPTOR_VERIFIED if verified else kinds.PRECEPTOR_REJECTED,
                      {}, reverse("preceptors:profile_edit"))


def notify_dispute_opened(dispute) -> None:
    _notify_preceptor(dispute.claimant, kinds.NPI_DISPUTE_OPENED, {"dispute": dispute},
                      reverse("preceptors:profile_edit"))


def notify_dispute_resolved(dispute) -> None:
    for side in (dispute.claimant, dispute.holder):
        _notify_preceptor(side, kinds.NPI_DISPUTE_RESOLVED, {"dispute": dispute},
                          reverse("preceptors:profile_edit"))
