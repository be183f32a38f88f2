"""Celery tasks of the notifications app: thin wrappers around delivery and reminders."""

from celery import shared_task
from django.utils import timezone

from . import delivery
from .models import WorkerHeartbeat
from .reminders import reminders_run


@shared_task(ignore_result=True)
def send_email(email_id: int) -> str:
    return delivery.email_deliver(email_id)


@shared_task(ignore_result=True)
def publish_emails(email_ids: list[int]) -> int:
    """Hand a batch of rows written together (`notify_many`) to the workers, one message each."""
    from .services import publish

    return sum(publish(email_id) for email_id in email_ids)


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
