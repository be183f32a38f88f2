"""The e-mail outbox: a row is claimed exactly once, sent and recorded; SMTP failures are retried
or failed; the sweep re-publishes lost rows and the purge deletes old ones; the admin lists and
re-sends. SMTP failures come from tiny mail backends defined here, selected through settings.MAILERS."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from notifications import delivery
from notifications.models import OutgoingEmail

from .concurrency import run_together
from .factories import (
    OutgoingEmailFactory,
)
from .outbox_harness import publishing_to

pytestmark = pytest.mark.django_db

State = OutgoingEmail.State


# Mail backends that fail the way an SMTP server does.

class DisconnectingBackend(BaseEmailBackend):
    """The server drops the connection (a temporary failure); records the row as it was at each try."""

    seen: list[list[tuple[str, int, str]]] = []

    def send_messages(self, messages):
        DisconnectingBackend.seen.append(
            list(OutgoingEmail.objects.values_list("state", "attempts", "last_error")))
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class RefusingBackend(BaseEmailBackend):
    """The server answers 550 for the recipient (a permanent failure)."""

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"no such user")})


DISCONNECTED = "SMTPServerDisconnected: Connection unexpectedly closed"


@pytest.fixture
def disconnecting_mailer(settings):
    DisconnectingBackend.seen = []
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.DisconnectingBackend"}}


@pytest.fixture
def refusing_mailer(settings):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.RefusingBackend"}}


# What happens while Redis is down: publishing to a port nothing listens on.
DEAD_BROKER = "redis://127.0.0.1:9/0"

# Delivery: claim exactly once, send, record.

def test_a_pending_row_is_claimed_once():
    email = OutgoingEmailFactory()
    claimed = delivery.email_claim(email.id)
    assert (claimed.id, claimed.state, claimed.attempts) == (email.id, State.SENDING, 1)
    assert delivery.email_claim(email.id) is None


def test_delivering_a_row_that_was_already_sent_is_skipped_and_sends_nothing():
    email = OutgoingEmailFactory(state=State.SENT, attempts=1, sent_at=timezone.now())
    assert delivery.email_deliver(email.id) == "skipped"
    assert mail.outbox == []
    email.refresh_from_db()
    assert (email.state, email.attempts) == (State.SENT, 1)


@pytest.mark.django_db(transaction=True)
def test_eight_workers_claiming_the_same_row_at_once_get_it_exactly_once():
    email = OutgoingEmailFactory()
    workers = 8
    claims = []
    outcomes = run_together([lambda: claims.append(delivery.email_claim(email.id))] * workers, join_seconds=30)
    errors = [outcome for outcome in outcomes.values() if outcome != "ok"]
    assert errors == []
    assert len(claims) == workers
    assert [claimed.id for claimed in claims if claimed is not None] == [email.id]
    email.refresh_from_db()
    assert (email.state, email.attempts) == (State.SENDING, 1)


# Failure handling.

def test_a_dropped_connection_puts_the_row_back_for_a_later_retry(
        settings, disconnecting_mailer, django_capture_on_commit_callbacks, caplog):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    email = OutgoingEmailFactory()
    before = timezone.now()
    # With the broker down the delayed retry cannot be handed over, so the row waits for it.
    with publishing_to(DEAD_BROKER), django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert delivery.email_deliver(email.id) == "retry"
    after = timezone.now()
    assert len(callbacks) == 1
    assert f"Could not publish outgoing e-mail {email.id}" in caplog.text
    email.refresh_from_db()
    assert (email.state, email.attempts, email.last_error) == (State.PENDING, 1, DISCONNECTED)
    assert before + timedelta(seconds=30) <= email.queued_at <= after + timedelta(seconds=30)


def test_the_last_attempt_marks_the_row_failed(settings, disconnecting_mailer):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    email = OutgoingEmailFactory(attempts=1, last_error=DISCONNECTED)
    assert delivery.email_deliver(email.id) == "failed"
    email.refresh_from_db()
    assert (email.state, email.attempts, email.last_error) == (State.FAILED, 2, DISCONNECTED)


def test_with_eager_tasks_the_retry_runs_at_once_and_ends_failed(
        settings, disconnecting_mailer, django_capture_on_commit_callbacks):
    # Eager Celery ignores the retry's countdown: the second attempt runs as soon as the first
    # attempt's transaction commits.
    settings.OUTBOX_MAX_ATTEMPTS = 2
    email = OutgoingEmailFactory()
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.email_deliver(email.id) == "retry"
    email.refresh_from_db()
    assert (email.state, email.attempts, email.last_error) == (State.FAILED, 2, DISCONNECTED)
    # The first failure was recorded on the row before the retry claimed it again.
    assert DisconnectingBackend.seen == [[(State.SENDING, 1, "")],
                                         [(State.SENDING, 2, DISCONNECTED)]]
    assert mail.outbox == []


def test_a_refused_recipient_fails_at_once_without_retrying(settings, refusing_mailer):
    settings.OUTBOX_MAX_ATTEMPTS = 5
    email = OutgoingEmailFactory()
    assert delivery.email_deliver(email.id) == "failed"
    email.refresh_from_db()
    assert (email.state, email.attempts) == (State.FAILED, 1)
    assert email.last_error == ("SMTPRecipientsRefused: "
                                "{'x@example.org': (550, b'no such user')}")


def test_resending_a_failed_row_sends_it_with_fresh_attempts(django_capture_on_commit_callbacks):
    email = OutgoingEmailFactory(state=State.FAILED, attempts=5, last_error=DISCONNECTED)
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.email_resend(email=email) is True
    email.refresh_from_db()
    assert (email.state, email.attempts, email.last_error) == (State.SENT, 1, "")
    assert [message.to for message in mail.outbox] == [[email.to]]


def test_resending_a_row_that_is_not_failed_does_nothing():
    email = OutgoingEmailFactory(state=State.SENT, attempts=1, sent_at=timezone.now())
    assert delivery.email_resend(email=email) is False
    assert mail.outbox == []


# The sweep and the purge.

def test_the_sweep_publishes_a_pending_row_whose_message_was_lost(settings):
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 60
    email = OutgoingEmailFactory(queued_at=timezone.now() - timedelta(seconds=61))
    assert delivery.outbox_sweep() == 1
    email.refresh_from_db()
    assert (email.state, email.attempts) == (State.SENT, 1)
    assert [message.to for message in mail.outbox] == [[email.to]]


def test_the_sweep_gives_a_row_stuck_in_sending_back_to_the_workers(settings):
    settings.OUTBOX_STALE_SENDING_SECONDS = 600
    email = OutgoingEmailFactory(state=State.SENDING, attempts=1,
                                 claimed_at=timezone.now() - timedelta(seconds=601))
    assert delivery.outbox_sweep() == 1
    email.refresh_from_db()
    assert (email.state, email.attempts) == (State.SENT, 2)
    assert len(mail.outbox) == 1


def test_the_sweep_fails_a_row_that_stopped_its_worker_at_every_attempt(settings):
    settings.OUTBOX_STALE_SENDING_SECONDS = 600
    settings.OUTBOX_MAX_ATTEMPTS = 3
    email = OutgoingEmailFactory(state=State.SENDING, attempts=3,
                                 claimed_at=timezone.now() - timedelta(seconds=601))
    assert delivery.outbox_sweep() == 0
    email.refresh_from_db()
    assert (email.state, email.attempts) == (State.FAILED, 3)
    assert mail.outbox == []


def test_the_sweep_leaves_a_fresh_pending_row_alone(settings):
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 60
    email = OutgoingEmailFactory(queued_at=timezone.now() - timedelta(seconds=30))
    assert delivery.outbox_sweep() == 0
    email.refresh_from_db()
    assert email.state == State.PENDING
    assert mail.outbox == []


def test_the_sweep_leaves_a_row_being_sent_alone(settings):
    settings.OUTBOX_STALE_SENDING_SECONDS = 600
    email = OutgoingEmailFactory(state=State.SENDING, attempts=1,
                                 claimed_at=timezone.now() - timedelta(seconds=30))
    assert delivery.outbox_sweep() == 0
    email.refresh_from_db()
    assert email.state == State.SENDING


def test_the_purge_deletes_sent_rows_older_than_the_keep_days_and_keeps_newer_ones(settings):
    settings.OUTBOX_KEEP_DAYS = 90
    now = timezone.now()
    OutgoingEmailFactory(state=State.SENT, sent_at=now - timedelta(days=91))
    recent = OutgoingEmailFactory(state=State.SENT, sent_at=now - timedelta(days=89))
    assert delivery.outbox_purge() == 1
    assert list(OutgoingEmail.objects.values_list("id", flat=True)) == [recent.id]


def test_the_purge_never_deletes_a_row_still_waiting_to_be_sent(settings):
    settings.OUTBOX_KEEP_DAYS = 90
    waiting = OutgoingEmailFactory()
    OutgoingEmail.objects.filter(id=waiting.id).update(created_at=timezone.now() - timedelta(days=91))
    assert delivery.outbox_purge() == 0
    assert list(OutgoingEmail.objects.values_list("id", flat=True)) == [waiting.id]

# The admin.

def test_the_outbox_admin_lists_rows_filtered_by_state(client, admin_user):
    failed = OutgoingEmailFactory(state=State.FAILED, attempts=5)
    OutgoingEmailFactory(state=State.SENT, attempts=1, sent_at=timezone.now())
    client.force_login(admin_user)
    response = client.get(reverse("admin:notifications_outgoingemail_changelist"),
                          {"state__exact": "failed"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [failed]


def test_the_outbox_admin_is_closed_to_non_admins(client, owner):
    client.force_login(owner)
    response = client.get(reverse("admin:notifications_outgoingemail_changelist"))
    assert response.status_code == 302
    assert OutgoingEmail.objects.count() == 0


def test_the_admin_resend_action_sends_a_failed_row(client, admin_user, django_capture_on_commit_callbacks):
    email = OutgoingEmailFactory(state=State.FAILED, attempts=5, last_error=DISCONNECTED)
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:notifications_outgoingemail_changelist"),
                               {"action": "resend", "_selected_action": [email.pk]})
    assert response.status_code == 302
    email.refresh_from_db()
    assert (email.state, email.attempts, email.last_error) == (State.SENT, 1, "")
    assert [message.to for message in mail.outbox] == [[email.to]]
