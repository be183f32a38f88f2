"""The outbox in batches: a worker sends a batch over the one SMTP connection its process keeps
open, marks each row sent as the server accepts it, and loses or repeats nothing when the server
drops the connection; the rows of a transaction reach the broker OUTBOX_BATCH_SIZE per message.

The delivery tests send for real from this process to an SMTP server on loopback (aiosmtpd)
that keeps a ledger; the publishing tests publish to a Redis of their own and read the queued
messages back.
"""

import base64
import json
import time
from collections import Counter
from contextlib import suppress
from datetime import timedelta

import pytest
import redis as redis_client
from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone

from config.settings.email_url import mailer_from_url
from notifications import delivery
from notifications.models import OutgoingEmail
from notifications.services import email_enqueue

from .concurrency import run_together
from .factories import OutgoingEmailFactory
from .outbox_harness import PrivateRedis, SmtpSink, publishing_to

pytestmark = pytest.mark.django_db

State = OutgoingEmail.State


def _use(settings, sink):
    settings.MAILERS = {"default": mailer_from_url(sink.url, timeout=5)}


@pytest.fixture
def smtp(settings, sink):
    """Real SMTP to the ledger sink; this process's connection is closed afterwards."""
    _use(settings, sink)
    yield sink
    delivery.smtp_close()


@pytest.fixture
def impatient_smtp(settings):
    """A server that closes any connection left quiet for 0.3 s, as busy mail servers do."""
    sink = SmtpSink(timeout=0.3)
    sink.start()
    _use(settings, sink)
    yield sink
    delivery.smtp_close()
    sink.stop()


def _rows(count: int) -> list[OutgoingEmail]:
    return [OutgoingEmailFactory(to=f"person{n}@example.org", subject=f"Batch {n}") for n in range(count)]


def _ids(emails) -> list[int]:
    return [email.id for email in emails]


def _ledger(emails) -> list[tuple[str, str]]:
    return [(email.to, email.subject) for email in emails]


def _states(emails) -> list[tuple[str, int]]:
    return list(OutgoingEmail.objects.filter(id__in=_ids(emails)).order_by("id").values_list("state", "attempts"))


# Sending a batch over a connection kept open.

def test_a_batch_goes_over_one_connection_and_every_row_is_marked_sent(smtp):
    emails = _rows(20)
    assert delivery.emails_deliver(_ids(emails)) == {"sent": 20}
    assert smtp.delivered == _ledger(emails)
    assert smtp.handler.sessions == 1
    assert _states(emails) == [(State.SENT, 1)] * 20


def test_the_connection_stays_open_from_one_batch_to_the_next(smtp):
    first, second = _rows(3), _rows(3)
    delivery.emails_deliver(_ids(first))
    delivery.emails_deliver(_ids(second))
    assert smtp.delivered == _ledger(first + second)
    assert smtp.handler.sessions == 1


def test_rows_another_worker_claimed_are_skipped(smtp):
    emails = _rows(5)
    taken = delivery.emails_claim(_ids(emails[:3]))
    assert _ids(taken) == _ids(emails[:3])
    assert delivery.emails_deliver(_ids(emails)) == {"sent": 2, "skipped": 3}
    assert smtp.delivered == _ledger(emails[3:])


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_overlapping_batches_at_once_split_the_rows():
    ids = _ids(_rows(40))
    claims = {}
    outcomes = run_together([lambda: claims.update(a=delivery.emails_claim(ids[:30])),
                             lambda: claims.update(b=delivery.emails_claim(ids[10:]))], join_seconds=30)
    assert list(outcomes.values()) == ["ok", "ok"]
    a, b = set(_ids(claims["a"])), set(_ids(claims["b"]))
    assert (a & b, a | b) == (set(), set(ids))
    assert set(OutgoingEmail.objects.values_list("state", "attempts")) == {(State.SENDING, 1)}


# The server drops the connection.

def test_a_connection_dropped_mid_batch_is_reopened_and_nothing_is_sent_twice(smtp):
    smtp.handler.drop_after = 3  # each connection: three accepted, the fourth message cut off
    emails = _rows(10)
    assert delivery.emails_deliver(_ids(emails)) == {"sent": 10}
    assert smtp.delivered == _ledger(emails)
    assert (smtp.handler.drops, smtp.handler.sessions) == (3, 4)
    # The cut-off messages went again on the new connection, within the same attempt.
    assert set(OutgoingEmail.objects.values_list("state", "attempts", "last_error")) == {(State.SENT, 1, "")}


def test_when_the_server_goes_away_mid_batch_the_accepted_rows_stay_sent_and_the_rest_are_retried(
        smtp, settings, django_capture_on_commit_callbacks):
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    smtp.handler.drop_after, smtp.handler.on_drop = 4, smtp.stop_listening
    emails = _rows(10)
    with django_capture_on_commit_callbacks() as retries:
        assert delivery.emails_deliver(_ids(emails)) == {"sent": 4, "retry": 6}
    assert smtp.delivered == _ledger(emails[:4])
    assert _states(emails) == [(State.SENT, 1)] * 4 + [(State.PENDING, 1)] * 6
    waiting = OutgoingEmail.objects.filter(state=State.PENDING)
    assert {email.last_error.split(":")[0] for email in waiting} == {"ConnectionRefusedError"}
    assert {email.queued_at > timezone.now() + timedelta(seconds=25) for email in waiting} == {True}

    smtp.handler.drop_after = None
    smtp.restart()
    for retry in retries:  # one retry per waiting row (eager Celery ignores the countdown)
        retry()
    assert len(retries) == 6
    assert Counter(smtp.delivered) == Counter(_ledger(emails))
    assert _states(emails) == [(State.SENT, 1)] * 4 + [(State.SENT, 2)] * 6


def test_a_connection_unused_past_the_idle_time_is_replaced(smtp, settings):
    settings.OUTBOX_SMTP_IDLE_SECONDS = 0.3
    first, second = _rows(2)
    delivery.emails_deliver([first.id])
    time.sleep(0.5)
    assert delivery.emails_deliver([second.id]) == {"sent": 1}
    assert smtp.delivered == _ledger([first, second])
    assert smtp.handler.sessions == 2


def test_a_connection_the_server_closed_while_idle_is_reopened_within_the_same_attempt(impatient_smtp, settings):
    settings.OUTBOX_SMTP_IDLE_SECONDS = 30
    first, second = _rows(2)
    delivery.emails_deliver([first.id])
    time.sleep(0.8)  # the server hangs up after 0.3 s; this process does not notice until it sends
    assert delivery.emails_deliver([second.id]) == {"sent": 1}
    assert impatient_smtp.delivered == _ledger([first, second])
    assert impatient_smtp.handler.sessions == 2
    assert _states([first, second]) == [(State.SENT, 1), (State.SENT, 1)]
    assert OutgoingEmail.objects.get(id=second.id).last_error == ""


def test_rows_still_untried_when_their_claim_grows_old_are_released_untried(smtp, settings):
    # The claim may be taken for a dead worker's after 1.9 s, so nothing is sent after 0.95 s;
    # each acceptance takes 0.5 s: the first two go, the other two are handed back untried.
    settings.OUTBOX_STALE_SENDING_SECONDS = 1.9
    smtp.handler.delay_seconds = 0.5
    emails = _rows(4)
    assert delivery.emails_deliver(_ids(emails)) == {"sent": 2, "released": 2}
    assert smtp.delivered == _ledger(emails[:2])
    assert _states(emails) == [(State.SENT, 1)] * 2 + [(State.PENDING, 0)] * 2


# Publishing: the rows of a transaction in a few broker messages.

@pytest.fixture
def broker(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    with publishing_to(server.url):
        yield redis_client.Redis.from_url(server.url)
    server.stop()


def _queued(broker) -> list[tuple[str, list[int]]]:
    """The messages waiting in the queue, oldest first: (task, the ids it carries)."""
    raw = reversed(broker.lrange(django_settings.CELERY_TASK_DEFAULT_QUEUE, 0, -1))  # LPUSH: newest first
    messages = [json.loads(message) for message in raw]
    return [(message["headers"]["task"], json.loads(base64.b64decode(message["body"]))[0][0])
            for message in messages]


def _enqueue(n: int) -> OutgoingEmail:
    return email_enqueue(to=f"person{n}@example.org", kind="test", subject=f"Update {n}", text_body="Hello.")


@pytest.mark.django_db(transaction=True)
def test_the_rows_of_one_transaction_reach_the_broker_after_commit_in_messages_of_the_batch_size(broker, settings):
    settings.OUTBOX_BATCH_SIZE = 50
    with transaction.atomic():
        ids = [_enqueue(n).id for n in range(120)]
        assert _queued(broker) == []
    task = "notifications.tasks.send_emails"
    assert _queued(broker) == [(task, ids[:50]), (task, ids[50:100]), (task, ids[100:])]


@pytest.mark.django_db(transaction=True)
def test_a_row_written_outside_a_transaction_is_published_at_once(broker):
    email = _enqueue(1)
    assert _queued(broker) == [("notifications.tasks.send_emails", [email.id])]


@pytest.mark.django_db(transaction=True)
def test_after_a_rolled_back_savepoint_the_rows_that_stay_are_still_published(broker):
    with transaction.atomic():
        with suppress(RuntimeError), transaction.atomic():
            _enqueue(1)  # the first row of the transaction, in a savepoint that rolls back
            raise RuntimeError
        kept = [_enqueue(2).id, _enqueue(3).id]
    assert list(OutgoingEmail.objects.order_by("id").values_list("id", flat=True)) == kept
    assert _queued(broker) == [("notifications.tasks.send_emails", kept)]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_publishes_nothing_and_leaves_nothing_for_the_next(broker):
    with suppress(RuntimeError), transaction.atomic():
        _enqueue(1)
        raise RuntimeError
    assert _queued(broker) == []
    with transaction.atomic():
        kept = _enqueue(2).id
    assert _queued(broker) == [("notifications.tasks.send_emails", [kept])]


@pytest.mark.django_db(transaction=True)
def test_the_sweep_publishes_overdue_rows_in_batches(broker, settings):
    settings.OUTBOX_BATCH_SIZE, settings.OUTBOX_SWEEP_AFTER_SECONDS = 50, 60
    ids = _ids(OutgoingEmailFactory.create_batch(70, queued_at=timezone.now() - timedelta(seconds=61)))
    assert delivery.outbox_sweep() == 70
    task = "notifications.tasks.send_emails"
    assert _queued(broker) == [(task, ids[:50]), (task, ids[50:])]
