"""E-mails sent by the accounts app."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse


def send_invitation_email(invitation) -> None:
    link = settings.SITE_URL + reverse("accounts:invitation_accept", args=[invitation.token])
    context = {"invitation": invitation, "link": link}
    subject = f"You are invited to join {invitation.institution.name} on Rotamatch"
    body = render_to_string("accounts/email/invitation.txt", context)
    transaction.on_commit(
        lambda: send_mail(subject, body, None, [invitation.email], fail_silently=False)
    )
