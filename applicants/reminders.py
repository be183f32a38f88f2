"""Reminders of the applicants app: a document expiring within 30 days."""

from django.urls import reverse

from notifications import kinds
from notifications.reminders import remind_once, reminder
from notifications.services import notify

from .models import Document
from .policies import EXPIRING_SOON, expiry_state_filter


@reminder
def documents_expiring() -> int:
    sent = 0
    due = Document.objects.filter(expiry_state_filter(EXPIRING_SOON)).select_related("applicant")
    for document in due:
        sent += remind_once(key=f"document:{document.pk}:{document.expires_on}", stage="30-days",
                            send=lambda d=document: notify(user=d.applicant, kind=kinds.DOCUMENT_EXPIRING,
                                                           context={"document": d},
                                                           url=reverse("applicants:documents")))
    return sent
