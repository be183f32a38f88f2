"""Reminders of the applicants app: a document expiring within 30 days."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from notifications import kinds
from notifications.reminders import remind_once, reminder
from notifications.services import notify

from .choices import EXPIRY_WARNING_DAYS
from .models import Document


@reminder
def documents_expiring() -> int:
    today, sent = timezone.localdate(), 0
    due = Document.objects.filter(expires_on__gte=today, expires_on__lte=today + timedelta(days=EXPIRY_WARNING_DAYS),
                                  ).select_related("applicant")
    for document in due:
        sent += remind_once(key=f"document:{document.pk}:{document.expires_on}", stage="30-days",
                            send=lambda d=document: notify(user=d.applicant, kind=kinds.DOCUMENT_EXPIRING,
                                                           context={"document": d},
                                                           url=reverse("applicants:documents")))
    return sent
