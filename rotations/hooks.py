"""Answers about slots and listings that only higher apps know, registered by them at start-up.

rotations sits below matching in the stack and never imports it: matching registers here whether a
slot's dates are held by applications, which offers on a slot are still open, and what an
applicant sees on a listing's page.
"""

from collections.abc import Callable

_slot_dates_holds: list[Callable] = []
_listing_page_parts: list[Callable] = []
_open_offers: list[Callable] = []


def register_slot_dates_hold(check: Callable) -> None:
    """`check(slot) -> bool`: True when people are in play on the slot's saved dates."""
    _slot_dates_holds.append(check)


def slot_dates_held(slot) -> bool:
    return any(check(slot) for check in _slot_dates_holds)


def register_open_offers(offers: Callable) -> None:
    """`offers(slot) -> [(applicant's name, offered at)]`: the slot's unanswered offers, oldest first."""
    _open_offers.append(offers)


def open_offers(slot) -> list[tuple]:
    return [offer for offers in _open_offers for offer in offers(slot)]


def register_listing_page_part(part: Callable) -> None:
    """`part(request, listing) -> dict`: context the listing's page adds for this visitor."""
    _listing_page_parts.append(part)


def listing_page_parts(request, listing) -> dict:
    context = {}
    for part in _listing_page_parts:
        context.update(part(request, listing))
    return context
