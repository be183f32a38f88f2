"""The weekly e-mail digest of new rotations that fit, for applicants who asked for it."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from applicants.models import Document, Profile
from notifications import kinds
from notifications.models import Category, EmailPreference
from notifications.reminders import remind_once
from notifications.services import notify

from .recommend import explain, ranked, slots_of

# Once per ISO week per applicant (the reminders' ledger), and only when something new fits.
DIGEST_SIZE = 5


def recommendation_digests() -> int:
    today, sent = timezone.localdate(), 0
    week = "{}-W{:02d}".format(*today.isocalendar()[:2])
    asked = EmailPreference.objects.filter(category=Category.DIGEST, email_enabled=True).values("user")
    for profile in Profile.objects.filter(user__in=asked).select_related("user"):
        documents = list(Document.objects.filter(applicant=profile.user))
        fresh = ranked(profile, documents).filter(listing__published_at__gte=timezone.now() - timedelta(days=7))
        items = [explain(slot, profile, documents) for slot in slots_of(fresh[:DIGEST_SIZE])]
        if items:
            sent += remind_once(key=f"digest:{profile.user_id}", stage=week, send=lambda u=profile.user, i=items: notify(
                user=u, kind=kinds.RECOMMENDATION_DIGEST, context={"items": i},
                url=reverse("matching:recommendations")))
    return sent
