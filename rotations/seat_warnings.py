"""The warning a coordinator gets on saving a slot with more open offers than free seats.

A host may offer more people than there are seats: the first to accept take them, and once the
last one is taken matching's beat task puts the offers still open back on the waitlist. Saving
fewer seats than open offers is allowed, but the coordinator should hear it from us, not from
the applicants.
"""

from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.dateformat import format as date_format

from .hooks import open_offers


def surplus_offers_warning(slot) -> str:
    """"" while the free seats cover the open offers; else how many offers exceed them, naming
    every open offer (any of them may be the one still unanswered when the seats are gone)."""
    offers = open_offers(slot)
    free = max(slot.seats_left, 0)
    surplus = len(offers) - free
    if surplus <= 0:
        return ""
    named = "; ".join(f"{name} (offered {date_format(timezone.localtime(at), 'M j')})" for name, at in offers)
    if not free:
        return (f"No seat is free, so the {len(offers)} open offer{pluralize(len(offers))} "
                f"go{pluralize(len(offers), 'es,')} back to the waitlist within minutes: {named}.")
    return (f"{len(offers)} offers are open for {free} free seat{pluralize(free)}: once "
            f"{pluralize(free, 'it is,they are')} taken, the {surplus} offer{pluralize(surplus)} still "
            f"unanswered go{pluralize(surplus, 'es,')} back to the waitlist. Open offers: {named}.")
