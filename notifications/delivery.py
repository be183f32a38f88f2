"""Sending outgoing e-mail rows exactly once: claim, send, record; and the sweep that recovers.

A worker claims a row with a conditional UPDATE (pending → sending) and sends only when that
UPDATE changed exactly one row, so two workers, a retried task or a duplicate message never send
the same e-mail twice. One window remains: a crash after the SMTP server accepted the message
but before the row is marked sent repeats that one e-mail after the stale-claim timeout; the
fixed Message-ID lets receiving systems drop such a repeat.
"""

import logging
import smtplib
from datetime import timedelta
from urllib.parse import urlparse

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import OutgoingEmail

logger = logging.getLogger(__name__)
State = OutgoingEmail.State


def _setting(name: str, default):
    return getattr(settings, name, default)


def email_claim(email_id: int) -> OutgoingEmail | None:
    """Move a pending row to sending for this worker alone; None if another has it or it is done."""
    claimed = OutgoingEmail.objects.filter(id=email_id, state=State.PENDING).update(
        state=State.SENDING, attempts=F("attempts") + 1, claimed_at=timezone.now()
    )
    return OutgoingEmail.objects.get(id=email_id) if claimed == 1 else None


def email_deliver(email_id: int) -> str:
    """Claim and send one row; return what happened: sent, retry, failed or skipped."""
    email = email_claim(email_id)
    if email is None:
        return "skipped"
    try:
        _message(email).send()
    except Exception as error:  # noqa: BLE001 - every failure is recorded on the row
        return _record_failure(email, error)
    OutgoingEmail.objects.filter(id=email.id, state=State.SENDING).update(
        state=State.SENT, sent_at=timezone.now(), last_error=""
    )
    return "sent"


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


def outbox_sweep() -> int:
    """Re-publish rows whose message may be lost; return how many were published.

    Pending rows not handed over for OUTBOX_SWEEP_AFTER_SECONDS (the broker was down at commit,
    or Redis restarted without its data), and rows stuck in sending longer than
    OUTBOX_STALE_SENDING_SECONDS (the worker died mid-send), go back to the workers.
    """
    from .services import publish

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
               .order_by("queued_at").values_list("id", flat=True)[:5000])
    OutgoingEmail.objects.filter(id__in=due, state=State.PENDING).update(queued_at=now)
    return sum(publish(email_id) for email_id in due)


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
