"""Celery tasks of the rotations app."""

from celery import shared_task

from .services import listings_refresh_next_start


@shared_task(ignore_result=True)
def refresh_next_start() -> int:
    return listings_refresh_next_start()
