"""Celery tasks of the matching app."""

from celery import shared_task

from .services import expire_offers as _expire_offers
from .services import requeue_surplus_offers as _requeue_surplus_offers


@shared_task(ignore_result=True)
def expire_offers() -> int:
    return _expire_offers()


@shared_task(ignore_result=True)
def requeue_surplus_offers() -> int:
    return _requeue_surplus_offers()
