"""Celery tasks of the notifications app: thin wrappers around delivery and reminders."""

from celery import shared_task
from celery.signals import worker_process_shutdown
from django.utils import timezone

from . import delivery
from .models import WorkerHeartbeat
from .reminders import reminders_run


@shared_task(ignore_result=True)
def send_emails(email_ids: list[int]) -> dict[str, int]:
    """Send a batch of rows over this process's SMTP connection; the outcomes are counted."""
    return dict(delivery.emails_deliver(email_ids))


# The two tasks below are no longer published; they serve messages queued before batching.
@shared_task(ignore_result=True)
def send_email(email_id: int) -> str:
    return delivery.email_deliver(email_id)


@shared_task(ignore_result=True)
def publish_emails(email_ids: list[int]) -> int:
    from .services import publish_batch

    return publish_batch(email_ids)


@worker_process_shutdown.connect
def _close_smtp_connection(**kwargs) -> None:
    delivery.smtp_close()


@shared_task(ignore_result=True)
def sweep_outbox() -> int:
    return delivery.outbox_sweep()


@shared_task(ignore_result=True)
def purge_outbox() -> int:
    return delivery.outbox_purge()


@shared_task(ignore_result=True)
def send_reminders() -> int:
    return reminders_run()


@shared_task(bind=True, ignore_result=True)
def heartbeat(self) -> None:
    WorkerHeartbeat.objects.update_or_create(worker=self.request.hostname or "unknown",
                                             defaults={"beat_at": timezone.now()})
