"""Reminders on Celery beat, each sent once per thing per stage.

An app registers a function with `@reminder`; it finds what is due and calls `remind_once` for
each. The unique (key, stage) row written in the same transaction as the notification makes a
second run (or two beats at once) a no-op.
"""

from collections.abc import Callable

from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from .models import SentReminder

_REMINDERS: list[Callable[[], int]] = []


def reminder(function: Callable[[], int]) -> Callable[[], int]:
    _REMINDERS.append(function)
    return function


def remind_once(*, key: str, stage: str, send: Callable[[], object]) -> bool:
    """Call `send` unless this (key, stage) reminder went out already; True when it was sent now."""
    with transaction.atomic():
        _, created = SentReminder.objects.get_or_create(key=key, stage=stage)
        if created:
            send()
    return created


def reminders_run() -> int:
    """Run every registered reminder; return how many reminders were sent."""
    autodiscover_modules("reminders")
    return sum(function() for function in _REMINDERS)
