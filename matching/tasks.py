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


@shared_task(ignore_result=True)
def advance_match_rounds() -> int:
    from .services_rounds import rounds_advance

    return rounds_advance()


@shared_task(ignore_result=True)
def run_match_round(round_id: int, by_id: int | None = None) -> bool:
    """The admin's "Run the match" (`by_id`, who pressed it): the page polls the round's progress
    while this runs."""
    from accounts.models import User

    from .services_rounds import round_run, round_run_failed

    try:
        return round_run(round_id=round_id, by=User.objects.filter(pk=by_id).first() if by_id else None)
    except Exception as error:
        round_run_failed(round_id=round_id, error=str(error) or error.__class__.__name__)
        raise
