"""Reminders: each goes exactly once, and only when due."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notifications.models import SentReminder
from notifications.reminders import reminders_run

from .factories import (
    InstitutionFactory,
    InvitationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


# Reminders.

def _run_reminders(capture):
    with capture(execute=True):
        return reminders_run()


def test_an_invitation_expiring_within_two_days_is_reminded_exactly_once(
        django_capture_on_commit_callbacks):
    invitation = InvitationFactory(expires_at=timezone.now() + timedelta(days=1),
                                   institution=InstitutionFactory(name="Lakeside Clinic"))
    assert _run_reminders(django_capture_on_commit_callbacks) == 1
    assert _run_reminders(django_capture_on_commit_callbacks) == 0
    assert [(message.to, message.subject) for message in mail.outbox] == [
        ([invitation.email], "Reminder: your invitation to Lakeside Clinic expires soon")]
    assert list(SentReminder.objects.values_list("key", "stage")) == [
        (f"invitation:{invitation.pk}", "expires-in-2-days")]


def test_an_invitation_expiring_in_ten_days_is_not_reminded_yet(django_capture_on_commit_callbacks):
    InvitationFactory(expires_at=timezone.now() + timedelta(days=10))
    assert _run_reminders(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_an_accepted_invitation_is_not_reminded(django_capture_on_commit_callbacks):
    InvitationFactory(expires_at=timezone.now() + timedelta(days=1), accepted_at=timezone.now(),
                      accepted_by=UserFactory())
    assert _run_reminders(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []
