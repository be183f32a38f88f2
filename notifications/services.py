"""Writing notifications: the inbox line and the outgoing e-mail row, in the caller's transaction.

Nothing is sent here. The e-mail rows a transaction writes are published to the broker after
commit, a batch per message; if that fails (Redis down), the periodic sweep publishes them later.
Sending itself lives in `delivery.py`.
"""

import logging
import threading
import time

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import Truncator

from .kinds import KINDS, Kind
from .models import Category, EmailPreference, Notification, OutgoingEmail

logger = logging.getLogger(__name__)


def notify(*, user, kind: Kind | str, context: dict | None = None, url: str = "") -> Notification:
    """Record an inbox notification for `user` and, unless they muted its category, an e-mail.

    `url` is the site path of the object concerned; the e-mail gets its absolute form.
    """
    kind = KINDS[kind] if isinstance(kind, str) else kind
    subject, text = _render(kind, {"user": user, "url": _absolute(url), **(context or {})})
    notification = Notification.objects.create(
        user=user, kind=kind.name, category=kind.category, title=Truncator(subject).chars(200),
        body=text, url=url,
    )
    if kind.always_email or email_wanted(user, kind.category):
        email_enqueue(to=user.email, kind=kind.name, subject=subject, text_body=text,
                      url=_absolute(url), notification=notification)
    return notification


def notify_many(*, kind: Kind | str, items) -> int:
    """`notify` for many users at once (a match round's publication): `items` are (user, context,
    url). The rows are written in a few bulk statements; after commit the e-mails are handed to
    the workers OUTBOX_BATCH_SIZE per broker message. Returns how many."""
    kind = KINDS[kind] if isinstance(kind, str) else kind
    items = list(items)
    muted = set(EmailPreference.objects.filter(user__in=[user for user, _, _ in items], category=kind.category,
                                               email_enabled=False).values_list("user_id", flat=True))
    notifications, emails = [], []
    for user, context, url in items:
        subject, text = _render(kind, {"user": user, "url": _absolute(url), **(context or {})})
        notification = Notification(user=user, kind=kind.name, category=kind.category,
                                    title=Truncator(subject).chars(200), body=text, url=url)
        notifications.append(notification)
        if kind.always_email or user.pk not in muted:
            html = render_to_string("notifications/email/wrapper.html",
                                    {"subject": subject, "text": text, "url": _absolute(url), "has_account": True})
            emails.append(OutgoingEmail(to=user.email, kind=kind.name, subject=Truncator(subject).chars(300),
                                        text_body=text, html_body=html, notification=notification))
    Notification.objects.bulk_create(notifications, batch_size=1000)
    OutgoingEmail.objects.bulk_create(emails, batch_size=1000)
    _publish_on_commit([email.pk for email in emails])
    return len(notifications)


def notify_address(*, email: str, kind: Kind | str, context: dict | None = None, url: str = "") -> OutgoingEmail:
    """E-mail someone who has no account yet (an invitee); there is no inbox to write to."""
    kind = KINDS[kind] if isinstance(kind, str) else kind
    subject, text = _render(kind, {"url": _absolute(url), **(context or {})})
    return email_enqueue(to=email, kind=kind.name, subject=subject, text_body=text, url=_absolute(url))


def email_enqueue(*, to: str, kind: str, subject: str, text_body: str, html_body: str = "",
                  url: str = "", notification: Notification | None = None) -> OutgoingEmail:
    """Write one outgoing e-mail row and publish it to the workers once the transaction commits
    (with the other rows the transaction wrote)."""
    if not html_body:
        html_body = render_to_string("notifications/email/wrapper.html",
                                     {"subject": subject, "text": text_body, "url": url,
                                      "has_account": notification is not None})
    email = OutgoingEmail.objects.create(
        to=to, kind=kind, subject=Truncator(subject).chars(300), text_body=text_body, html_body=html_body,
        notification=notification,
    )
    _publish_on_commit([email.pk])
    return email


class _CommitBatch:
    """The ids of the outgoing e-mails one transaction wrote, published together after commit."""

    def __init__(self, hooks: list):
        self.hooks, self.ids = hooks, []

    def flush(self) -> None:
        ids, self.ids = self.ids, []
        if ids:
            publish_batch(ids)


_commit_batch = threading.local()


def _publish_on_commit(email_ids: list[int]) -> None:
    """Publish the rows after commit, a broker message per batch rather than per row (a publish
    costs more than writing the row).

    Each call registers the batch's flush again, because Django drops the callbacks of a savepoint
    that rolls back: whichever flush survives runs first after commit and takes every id (those of
    rolled-back rows name no row and are skipped by the worker); the later ones find none.
    Django starts a new list of commit callbacks when a transaction ends or a savepoint rolls
    back, and that is how the batch of a finished transaction is told from the current one.
    """
    hooks = transaction.get_connection().run_on_commit
    batch = getattr(_commit_batch, "batch", None)
    if batch is None or batch.hooks is not hooks:
        batch = _commit_batch.batch = _CommitBatch(hooks)
    batch.ids.extend(email_ids)
    transaction.on_commit(batch.flush)


# Per broker URL, the monotonic time until which this process does not try to publish: after one
# failure the rows of the next few seconds wait for the sweep instead of each paying a timeout.
_broker_down_until: dict[str, float] = {}


def publish(email_id: int, countdown: float | None = None) -> bool:
    """Hand a row to the broker; a failure is logged, never raised, and left to the sweep."""
    return publish_batch([email_id], countdown=countdown) == 1


def publish_batch(email_ids: list[int], countdown: float | None = None) -> int:
    """Hand rows to the broker, OUTBOX_BATCH_SIZE per message; return how many were handed over.

    A failure is logged, never raised: that batch and the rest stay pending for the sweep.
    """
    from .tasks import send_emails

    broker, size = send_emails.app.conf.broker_url, settings.OUTBOX_BATCH_SIZE
    for start in range(0, len(email_ids), size):
        if time.monotonic() < _broker_down_until.get(broker, 0.0):
            return start
        try:
            send_emails.apply_async((email_ids[start:start + size],), countdown=countdown)
        except Exception:  # noqa: BLE001 - any broker failure; the rows stay pending for the sweep
            _broker_down_until[broker] = time.monotonic() + settings.REDIS_RETRY_AFTER
            rest = len(email_ids) - start - 1
            logger.warning("Could not publish outgoing e-mail %s%s; the sweep will retry", email_ids[start],
                           f" and {rest} more" if rest else "", exc_info=True)
            return start
    return len(email_ids)


def email_wanted(user, category: str) -> bool:
    if category in Category.opt_in():  # nothing until the user asked for it
        return EmailPreference.objects.filter(user=user, category=category, email_enabled=True).exists()
    return not EmailPreference.objects.filter(
        user=user, category=category, email_enabled=False
    ).exists()


def email_preferences_set(*, user, enabled: dict[str, bool]) -> None:
    """Save the user's e-mail choice per optional category (account e-mails cannot be muted)."""
    for category in Category.optional():
        EmailPreference.objects.update_or_create(
            user=user, category=category, defaults={"email_enabled": enabled.get(category, True)}
        )


def notifications_mark_read(*, user, notification_ids=None) -> int:
    """Mark the user's notifications read (all unread ones when no ids are given)."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(id__in=notification_ids)
    return unread.update(read_at=timezone.now())


def _render(kind: Kind, context: dict) -> tuple[str, str]:
    subject = render_to_string(f"notifications/{kind.name}/subject.txt", context)
    text = render_to_string(f"notifications/{kind.name}/body.txt", context)
    return " ".join(subject.split()), text.strip()


def _absolute(url: str) -> str:
    return settings.SITE_URL + url if url.startswith("/") else url
