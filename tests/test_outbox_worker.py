"""The outbox with real parts: Celery worker processes, Redis, and an SMTP server on loopback.

Every test keeps a ledger of what the SMTP server accepted and checks it against what was
written: each e-mail exactly once, none lost, none twice.
"""

import time
from collections import Counter

import pytest
from django.db import transaction

from notifications.models import OutgoingEmail
from notifications.services import email_enqueue, publish
from notifications.tasks import sweep_outbox

from .outbox_harness import PrivateRedis, Workers, publishing_to, wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.fixture
def redis(tmp_path):
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def workers(redis, sink):
    with publishing_to(redis.url):
        group = Workers(redis, sink)
        yield group
        group.stop_all()


def _write(count: int, prefix: str = "Update") -> list[tuple[str, str]]:
    """Write `count` e-mails, each in its own transaction as a request would; return the ledger."""
    expected = []
    for n in range(count):
        to, subject = f"person{n}@example.org", f"{prefix} {n}"
        with transaction.atomic():
            email_enqueue(to=to, kind="test", subject=subject, text_body=f"Body {n}")
        expected.append((to, subject))
    return expected


def _assert_each_once(sink, expected, settle: float = 1.0):
    wait_until(lambda: len(sink.delivered) >= len(expected), 60, what=f"{len(expected)} e-mails")
    time.sleep(settle)  # anything sent twice would arrive now
    delivered = sink.delivered
    assert Counter(delivered) == Counter(expected)
    assert OutgoingEmail.objects.exclude(state=OutgoingEmail.State.SENT).count() == 0


def test_n_notifications_give_exactly_n_emails(workers, sink):
    workers.start()
    expected = _write(40)
    _assert_each_once(sink, expected)


def test_two_workers_racing_for_the_same_rows_send_each_once(workers, sink):
    workers.start("w1")
    workers.start("w2")
    expected = _write(30)
    for email_id in OutgoingEmail.objects.values_list("id", flat=True):
        for _ in range(3):  # every message published again: duplicates for both workers to race on
            publish(email_id)
    _assert_each_once(sink, expected)


def test_emails_written_while_the_broker_is_down_arrive_once_after_it_returns(workers, redis, sink):
    redis.stop()
    expected = _write(25)  # each commit's publish fails; the requests must not
    assert OutgoingEmail.objects.filter(state=OutgoingEmail.State.PENDING).count() == 25
    redis.start()
    workers.start()
    sweep_outbox.delay()  # what beat does every 30 seconds
    _assert_each_once(sink, expected)


def test_a_worker_killed_mid_send_loses_nothing(workers, sink):
    first = workers.start("doomed", concurrency=1)
    expected = _write(1, prefix="Slow [hang]") + _write(5)
    wait_until(lambda: sink.handler.refused, 20, what="the slow e-mail to reach the SMTP server")
    workers.kill(first)
    assert OutgoingEmail.objects.filter(state=OutgoingEmail.State.SENDING).count() == 1
    workers.start("rescuer")
    wait_until(lambda: len(sink.delivered) >= 5, 30, what="the other e-mails")
    time.sleep(2.5)  # past OUTBOX_STALE_SENDING_SECONDS: the claim of the dead worker is stale
    sweep_outbox.delay()
    _assert_each_once(sink, expected)


def test_a_temporary_smtp_failure_is_retried_until_sent(workers, sink):
    workers.start()
    expected = _write(1, prefix="Flaky [fail:2]")
    _assert_each_once(sink, expected)
    assert OutgoingEmail.objects.get().attempts == 3


def test_after_the_last_attempt_the_row_is_failed_and_not_sent(redis, sink):
    with publishing_to(redis.url):
        group = Workers(redis, sink, OUTBOX_MAX_ATTEMPTS="3")
        try:
            group.start()
            _write(1, prefix="Doomed [fail:99]")
            wait_until(lambda: OutgoingEmail.objects.get().state == OutgoingEmail.State.FAILED, 30,
                       what="the row to fail")
        finally:
            group.stop_all()
    email = OutgoingEmail.objects.get()
    assert (email.attempts, sink.delivered) == (3, [])
    assert "451" in email.last_error


def _write_in_transactions(count: int, per_transaction: int) -> list[tuple[str, str]]:
    """Write `count` e-mails, `per_transaction` at a time (one broker message per batch)."""
    expected = []
    for start in range(0, count, per_transaction):
        with transaction.atomic():
            for n in range(start, min(start + per_transaction, count)):
                to, subject = f"person{n}@example.org", f"Batch {n}"
                email_enqueue(to=to, kind="test", subject=subject, text_body=f"Body {n}")
                expected.append((to, subject))
    return expected


def test_a_server_that_drops_connections_mid_batch_gets_each_email_once(workers, sink):
    sink.handler.drop_after = 4  # every connection: four accepted, the fifth message cut off
    workers.start(concurrency=2)
    expected = _write_in_transactions(60, per_transaction=20)
    _assert_each_once(sink, expected)
    # 60 e-mails need at least 15 connections, and each but the last of a process ended in a drop.
    assert sink.handler.drops >= 15 - 2
    # Each cut-off message went again on a fresh connection within its attempt.
    assert set(OutgoingEmail.objects.values_list("attempts", flat=True)) == {1}


def test_a_server_that_goes_away_mid_batch_gets_the_rest_once_it_is_back(redis, sink):
    sink.handler.drop_after, sink.handler.on_drop = 5, sink.stop_listening
    with publishing_to(redis.url):
        group = Workers(redis, sink, OUTBOX_MAX_ATTEMPTS="20")
        try:
            group.start(concurrency=1)
            expected = _write_in_transactions(30, per_transaction=30)  # one batch
            wait_until(lambda: sink.handler.drops == 1, 20, what="the server to hang up")
            time.sleep(0.5)  # the unsent rows find the server gone and wait for their retry
            sink.handler.drop_after = None
            sink.restart()
            _assert_each_once(sink, expected)
        finally:
            group.stop_all()
    attempts = Counter(OutgoingEmail.objects.values_list("attempts", flat=True))
    assert attempts[1] == 5  # the five accepted before the drop were sent once, never again
    assert sum(attempts.values()) == 30
