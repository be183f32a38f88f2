"""Offers expire at their deadline (a Celery beat task, idempotent), with reminders before it;
documents about to expire are reminded too."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from config.celery import app as celery_app
from matching import reminders as offer_reminders
from matching import tasks
from matching.models import Application, ApplicationEvent, Status
from matching.services import application_transition, expire_offers
from notifications.models import Notification
from notifications.reminders import reminders_run

from .factories import ApplicationFactory, DocumentFactory, SlotFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def slot(coordinator):
    return SlotFactory(listing__institution=coordinator.coordinator.institution)


def _offer(slot, left: timedelta):
    return ApplicationFactory(slot=slot, status=Status.OFFERED, offer_deadline=timezone.now() + left)


@pytest.fixture
def offers(slot):
    """Two offers past their deadline and one still open."""
    return {"late": _offer(slot, -timedelta(minutes=1)), "later": _offer(slot, -timedelta(days=2)),
            "open": _offer(slot, timedelta(hours=1))}


def _statuses(offers):
    return {name: Application.objects.get(pk=offer.pk).status for name, offer in offers.items()}


def test_only_the_offers_past_their_deadline_expire(offers):
    assert expire_offers() == 2
    assert _statuses(offers) == {"late": Status.EXPIRED, "later": Status.EXPIRED, "open": Status.OFFERED}


def test_each_expiry_is_recorded_as_a_move_of_the_system(offers):
    expire_offers()
    assert set(ApplicationEvent.objects.values_list("application", "action", "from_status", "to_status", "by")) == {
        (offers["late"].pk, "expire", "offered", "expired", None),
        (offers["later"].pk, "expire", "offered", "expired", None)}


def test_the_applicant_and_the_coordinators_are_told_of_an_expiry(slot, coordinator, colleague, stranger):
    offer = _offer(slot, -timedelta(minutes=1))
    expire_offers()
    assert set(Notification.objects.values_list("user", "kind")) == {
        (offer.applicant_id, "application_status"), (coordinator.pk, "application_activity"),
        (colleague.pk, "application_activity")}
    assert Notification.objects.get(user=offer.applicant).title.startswith("Offer expired: ")


def test_running_the_expiry_twice_changes_nothing_the_second_time(offers):
    expire_offers()
    counts = (ApplicationEvent.objects.count(), Notification.objects.count())
    assert expire_offers() == 0
    assert (ApplicationEvent.objects.count(), Notification.objects.count()) == counts
    assert _statuses(offers) == {"late": Status.EXPIRED, "later": Status.EXPIRED, "open": Status.OFFERED}


def test_the_celery_task_expires_the_offers(offers):
    result = tasks.expire_offers.delay()  # eager in the tests: runs here and now
    assert result.get() == 2
    assert _statuses(offers) == {"late": Status.EXPIRED, "later": Status.EXPIRED, "open": Status.OFFERED}


def test_the_beat_schedule_runs_the_expiry_every_five_minutes():
    assert settings.CELERY_BEAT_SCHEDULE["expire-offers"] == {
        "task": "matching.tasks.expire_offers", "schedule": 300.0}
    assert celery_app.conf.beat_schedule["expire-offers"]["task"] == "matching.tasks.expire_offers"
    assert "matching.tasks.expire_offers" in celery_app.tasks  # registered with the app beat uses


def test_an_expired_offer_cannot_be_accepted(slot):
    offer = _offer(slot, -timedelta(minutes=1))
    expire_offers()
    with pytest.raises(ValidationError) as error:
        application_transition(application=offer, action="accept", by=offer.applicant)
    assert error.value.messages == ["An application that is expired cannot be accepted."]
    slot.refresh_from_db()
    assert slot.seats_taken == 0


def test_an_offer_past_its_deadline_cannot_be_accepted_before_the_task_runs(slot):
    offer = _offer(slot, -timedelta(minutes=1))
    deadline = timezone.localtime(offer.offer_deadline)
    with pytest.raises(ValidationError) as error:
        application_transition(application=offer, action="accept", by=offer.applicant)
    assert error.value.messages == [f"This offer expired on {deadline:%b %-d, %Y at %-I:%M %p}."]
    assert Application.objects.get(pk=offer.pk).status == Status.OFFERED


# Reminders.

def _offer_reminders():
    return Notification.objects.filter(kind="offer_reminder").count()


def _later(monkeypatch, delta):
    """The offer reminders run `delta` from now (the deadline stays where it is)."""
    at = timezone.now() + delta
    monkeypatch.setattr(offer_reminders, "timezone", SimpleNamespace(now=lambda: at))


def test_an_offer_with_forty_hours_left_is_reminded_once(slot):
    offer = _offer(slot, timedelta(hours=40))
    reminders_run()
    assert list(Notification.objects.filter(kind="offer_reminder").values_list("user", flat=True)) == [
        offer.applicant_id]
    reminders_run()
    assert _offer_reminders() == 1


def test_the_last_hour_brings_one_more_reminder(slot, monkeypatch):
    _offer(slot, timedelta(hours=40))
    reminders_run()
    _later(monkeypatch, timedelta(hours=39, minutes=30))
    reminders_run()
    assert _offer_reminders() == 2
    reminders_run()
    assert _offer_reminders() == 2


def test_an_offer_made_with_less_than_an_hour_left_gets_one_reminder_not_two(slot):
    _offer(slot, timedelta(minutes=30))
    reminders_run()
    assert _offer_reminders() == 1


def test_an_offer_with_three_days_left_is_not_reminded_yet(slot):
    _offer(slot, timedelta(days=3))
    reminders_run()
    assert _offer_reminders() == 0


def test_an_accepted_offer_is_not_reminded(slot):
    ApplicationFactory(slot=slot, status=Status.ACCEPTED, offer_deadline=timezone.now() + timedelta(hours=5))
    reminders_run()
    assert _offer_reminders() == 0


def test_the_reminder_names_the_deadline(slot):
    offer = _offer(slot, timedelta(hours=40))
    reminders_run()
    deadline = timezone.localtime(offer.offer_deadline)
    notification = Notification.objects.get(kind="offer_reminder")
    assert notification.title == f"Your offer expires soon: {slot.listing.title}"
    assert f"expires on {deadline:%b} {deadline.day}, {deadline.year}, " in notification.body


def test_a_document_expiring_in_twenty_days_is_reminded_once(applicant):
    DocumentFactory(applicant=applicant, kind="passport", expires_on=timezone.localdate() + timedelta(days=20))
    reminders_run()
    reminders_run()
    assert list(Notification.objects.filter(kind="document_expiring").values_list("user", flat=True)) == [
        applicant.pk]


def test_a_document_expiring_in_two_months_is_not_reminded_yet(applicant):
    DocumentFactory(applicant=applicant, kind="passport", expires_on=timezone.localdate() + timedelta(days=60))
    reminders_run()
    assert Notification.objects.filter(kind="document_expiring").count() == 0
