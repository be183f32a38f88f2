"""Sending outgoing e-mail rows exactly once: claim, send, record; and the sweep that recovers.

A worker claims rows with a conditional UPDATE (pending → sending, returning the rows it changed)
and sends only those, so two workers, a retried task or a duplicate message never send the same
e-mail twice. It claims a batch at a time and sends it over the SMTP connection its process keeps
open (`_Smtp`), marking each row sent as soon as the server accepts it: a connection that drops
mid-batch costs nothing already accepted, and the rows not yet sent are retried.
One window remains: a crash (or a dropped connection) after the SMTP server accepted a message
but before the worker heard so repeats that one e-mail; the fixed Message-ID lets receiving
systems drop such a repeat.
"""

import contextlib
import logging
import smtplib
import threading
import time
from collections import Counter
from collections.abc import Iterable
from datetime import timedelta
from urllib.parse import urlparse

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import OutgoingEmail

logger = logging.getLogger(__name__)
State = OutgoingEmail.State


def _setting(name: str, default):
    return getattr(settings, name, default)


def emails_claim(email_ids: Iterable[int]) -> list[OutgoingEmail]:
    """Move the pending rows among `email_ids` to sending for this worker alone; return them by id.

    One statement: a row another worker claimed first is no longer pending when this UPDATE
    reaches it, so it is neither changed nor returned.
    """
    claimed = OutgoingEmail.objects.raw(
        f"UPDATE {OutgoingEmail._meta.db_table} SET state = %s, attempts = attempts + 1, claimed_at = %s "
        "WHERE id = ANY(%s) AND state = %s RETURNING *",
        [State.SENDING, timezone.now(), list(email_ids), State.PENDING],
    )
    return sorted(claimed, key=lambda email: email.id)


def email_claim(email_id: int) -> OutgoingEmail | None:
    """Claim one row; None if another worker has it or it is done."""
    claimed = emails_claim([email_id])
    return claimed[0] if claimed else None


def email_deliver(email_id: int) -> str:
    """Claim and send one row; return what happened: sent, retry, failed or skipped."""
    outcomes = emails_deliver([email_id])
    return next(iter(outcomes))


def emails_deliver(email_ids: Iterable[int]) -> Counter:
    """Claim the pending rows among `email_ids` and send them; count the outcomes
    (sent, retry, failed, skipped, released).

    When no connection to the server can be opened, the row in hand and the rest of the batch
    go back to pending for a retry. Rows still untried when their claim is half-way to
    OUTBOX_STALE_SENDING_SECONDS (a slow server) are released untried, before the sweep could
    hand them to another worker while this one still sends.
    """
    email_ids = set(email_ids)
    claimed = emails_claim(email_ids)
    outcomes = Counter({"skipped": len(email_ids) - len(claimed)})
    deadline = time.monotonic() + _setting("OUTBOX_STALE_SENDING_SECONDS", 600) / 2
    for position, email in enumerate(claimed):
        if position and time.monotonic() > deadline:
            outcomes["released"] += _release(claimed[position:])
            break
        try:
            _smtp.send(_message(email))
        except SmtpUnreachable as error:
            logger.warning("The SMTP server is unreachable (%s); %s e-mail(s) wait for a retry",
                           error.__cause__, len(claimed) - position)
            outcomes.update(_record_failure(rest, error.__cause__) for rest in claimed[position:])
            break
        except Exception as error:  # noqa: BLE001 - every failure is recorded on the row
            outcomes[_record_failure(email, error)] += 1
            continue
        OutgoingEmail.objects.filter(id=email.id, state=State.SENDING).update(
            state=State.SENT, sent_at=timezone.now(), last_error=""
        )
        outcomes["sent"] += 1
    return +outcomes  # without the zero counts


class SmtpUnreachable(Exception):
    """No connection to the mail server could be opened; the cause is the original error."""


class _Smtp(threading.local):
    """This process's connection to the mail server (one per thread under a threaded pool).

    Opening a connection costs more round trips than sending a message, so it stays open across
    messages and tasks. It is dropped after any failure (whatever state the session is in, the
    next message starts afresh), after OUTBOX_SMTP_IDLE_SECONDS unused, and when the mailer's
    settings change (tests).
    """

    def __init__(self):
        self.backend, self.config, self.used_at = None, None, 0.0

    def send(self, message: EmailMultiAlternatives) -> None:
        if self.backend is not None and (
                time.monotonic() - self.used_at > _setting("OUTBOX_SMTP_IDLE_SECONDS", 30)
                or self.config != settings.MAILERS["default"]):
            self.close()
        reused = self.backend is not None
        if not reused:
            self._open()
        try:
            self.backend.send_messages([message])
        except Exception as error:
            self.close()
            if reused and _dropped(error):
                # The server closed the session while it sat open here (its own idle timeout, a
                # restart, a limit of messages per connection): one try on a fresh connection.
                return self.send(message)
            raise
        self.used_at = time.monotonic()

    def _open(self) -> None:
        config, backend = settings.MAILERS["default"], mail.mailers.default
        try:
            backend.open()
        except Exception as error:
            with contextlib.suppress(Exception):
                backend.close()
            raise SmtpUnreachable from error
        self.backend, self.config = backend, config

    def close(self) -> None:
        backend, self.backend = self.backend, None
        if backend is not None:
            with contextlib.suppress(Exception):  # a dead connection cannot say goodbye
                backend.close()


_smtp = _Smtp()


def smtp_close() -> None:
    """Say goodbye to the mail server (a worker process shutting down, the end of a test)."""
    _smtp.close()


def _dropped(error: Exception) -> bool:
    """The server closed the session (or announced it with 421), rather than refusing a message."""
    return isinstance(error, smtplib.SMTPServerDisconnected) or getattr(error, "smtp_code", None) == 421


def _message(email: OutgoingEmail) -> EmailMultiAlternatives:
    domain = urlparse(settings.SITE_URL).hostname or "rotamatch"
    message = EmailMultiAlternatives(
        subject=email.subject, body=email.text_body, to=[email.to],
        headers={"Message-ID": f"<outbox-{email.id}@{domain}>"},
    )
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    return message


def _is_permanent(error: Exception) -> bool:
    """5xx answers (bad recipient, refused sender) will not improve by retrying."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    code = getattr(error, "smtp_code", None)
    return isinstance(code, int) and code >= 500


def _record_failure(email: OutgoingEmail, error: Exception) -> str:
    from .services import publish

    max_attempts = _setting("OUTBOX_MAX_ATTEMPTS", 5)
    text = f"{type(error).__name__}: {error}"[:2000]
    if _is_permanent(error) or email.attempts >= max_attempts:
        OutgoingEmail.objects.filter(id=email.id, state=State.SENDING).update(
            state=State.FAILED, last_error=text
        )
        logger.error("Outgoing e-mail %s failed for good after %s attempt(s): %s",
                     email.id, email.attempts, text)
        return "failed"
    delay = _setting("OUTBOX_RETRY_BASE_SECONDS", 30) * 2 ** (email.attempts - 1)
    OutgoingEmail.objects.filter(id=email.id, state=State.SENDING).update(
        state=State.PENDING, last_error=text, queued_at=timezone.now() + timedelta(seconds=delay)
    )
    transaction.on_commit(lambda: publish(email.id, countdown=delay))
    return "retry"


def _release(emails: list[OutgoingEmail]) -> int:
    """Give claimed rows that were never tried back to the workers; their attempt does not count."""
    from .services import publish_batch

    ids = [email.id for email in emails]
    released = OutgoingEmail.objects.filter(id__in=ids, state=State.SENDING).update(
        state=State.PENDING, attempts=F("attempts") - 1, queued_at=timezone.now()
    )
    transaction.on_commit(lambda: publish_batch(ids))
    return released


def outbox_sweep() -> int:
    """Re-publish rows whose message may be lost; return how many were published.

    Pending rows not handed over for OUTBOX_SWEEP_AFTER_SECONDS (the broker was down at commit,
    or Redis restarted without its data), and rows stuck in sending longer than
    OUTBOX_STALE_SENDING_SECONDS (the worker died mid-send), go back to the workers.
    """
    from .services import publish_batch

    now = timezone.now()
    stale = OutgoingEmail.objects.filter(
        state=State.SENDING,
        claimed_at__lt=now - timedelta(seconds=_setting("OUTBOX_STALE_SENDING_SECONDS", 600)),
    )
    # A message that kills its worker every time must still end, like any other failure.
    stale.filter(attempts__gte=_setting("OUTBOX_MAX_ATTEMPTS", 5)).update(
        state=State.FAILED, last_error="The worker stopped while sending, at every attempt."
    )
    stale.update(state=State.PENDING, queued_at=now - timedelta(days=1))
    overdue = now - timedelta(seconds=_setting("OUTBOX_SWEEP_AFTER_SECONDS", 120))
    due = list(OutgoingEmail.objects.filter(state=State.PENDING, queued_at__lte=overdue)
               .order_by("queued_at", "id").values_list("id", flat=True)[:5000])
    OutgoingEmail.objects.filter(id__in=due, state=State.PENDING).update(queued_at=now)
    return publish_batch(due)


def email_resend(*, email: OutgoingEmail) -> bool:
    """An admin sends a failed row again, with a fresh set of attempts."""
    from .services import publish

    reset = OutgoingEmail.objects.filter(id=email.id, state=State.FAILED).update(
        state=State.PENDING, attempts=0, last_error="", queued_at=timezone.now()
    )
    if reset:
        transaction.on_commit(lambda: publish(email.id))
    return reset == 1


def outbox_purge() -> int:
    """Delete sent rows older than OUTBOX_KEEP_DAYS: their bodies hold personal data."""
    cutoff = timezone.now() - timedelta(days=_setting("OUTBOX_KEEP_DAYS", 90))
    deleted, _ = OutgoingEmail.objects.filter(
        Q(state=State.SENT, sent_at__lt=cutoff) | Q(state=State.FAILED, created_at__lt=cutoff)
    ).delete()
    return deleted
