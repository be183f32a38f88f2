"""`{% search_card listing %}`: a search result's card, rendered once per state of the listing.

A results page shows twenty cards, and rendering them through the template engine took most of
an uncached search's time in Python. The same listing turns up in search after search, so each
process keeps the cards it rendered, keyed by every value a card shows: a listing that changes
(its title, fee, rating, next start, seats, its institution's name) gets a new key and a new
card, and nothing needs to be invalidated. Old cards leave as new ones come (least recently
used first). The card holds nothing about who is looking, so it is the same for everyone.
"""

from collections import OrderedDict
from contextlib import suppress

from django import template
from django.template.loader import get_template

register = template.Library()

CARDS_KEPT = 5000  # about 10 MB of HTML per process
_cards: OrderedDict = OrderedDict()

# Everything `rotations/search/_card.html` reads of a listing.
SHOWN = ("pk", "title", "city", "state", "specialty", "rotation_type", "fee_usd", "duration_weeks", "audience",
         "requires_step1", "requires_step2", "min_step2_score", "letter_possible", "review_count", "review_average",
         "next_start", "seats_open")


def card_key(listing) -> tuple:
    return (*(getattr(listing, name) for name in SHOWN), listing.institution.name)


@register.simple_tag
def search_card(listing) -> str:
    key = card_key(listing)
    card = _cards.get(key)
    if card is None:
        card = get_template("rotations/search/_card.html").render({"listing": listing})
        _cards[key] = card
        if len(_cards) > CARDS_KEPT:
            _cards.popitem(last=False)
    else:
        with suppress(KeyError):  # another thread's card pushed it out meanwhile
            _cards.move_to_end(key)
    return card
