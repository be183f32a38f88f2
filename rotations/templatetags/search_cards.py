"""`{% search_results_list listings %}`: a results page's list of cards, and `{% search_form form %}`,
drawn by Jinja2.

Django's engine took 0.26 ms a card (5 ms a page); Jinja2 compiles a template to Python and draws
the twenty in about 1.4 ms with the helpers below, and each card is kept for the version of its
listing it shows (rotations/search_kept.py). The card's facts are worded by the listing
(`Listing.fee_words` and the like), as on every other page that shows them.
"""

import functools
import html
import threading

import cachetools
import jinja2
from django import template
from django.conf import settings
from django.template.backends.jinja2 import Jinja2
from django.template.defaultfilters import date
from django.urls import get_script_prefix, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from markupsafe import Markup

from core.specialties import Specialty

from ..choices import Audience, RotationType
from ..search import most_shown
from ..search_kept import Kept

register = template.Library()

STAND_IN_PK = 987654321


def _escaped_as_django_does(value) -> Markup:
    """Every `{{ … }}` escaped as Django escapes (`&quot;`, `&#x27;`), where markupsafe writes
    `&#34;` and `&#39;`: the card reads byte for byte as it does through Django's engine."""
    if hasattr(value, "__html__"):
        return value
    return Markup(html.escape(str(value)))


@functools.lru_cache(maxsize=4096)
def _date(value, format_string: str, language: str | None) -> str:
    # A page's next starts fall on a few hundred days, and Django's `date` takes 15 µs a call.
    return date(value, format_string)


def environment(**options) -> jinja2.Environment:
    env = jinja2.Environment(**options, finalize=_escaped_as_django_does)
    env.filters["date"] = lambda value, format_string: _date(value, format_string, get_language())
    env.globals.update(Specialty=Specialty, RotationType=RotationType, Audience=Audience)
    return env


@functools.cache
def _engine() -> Jinja2:
    return Jinja2({"NAME": "search_cards", "DIRS": [settings.BASE_DIR / "templates"], "APP_DIRS": False,
                   "OPTIONS": {"environment": f"{__name__}.environment"}})


@functools.cache
def _template():
    return _engine().get_template("rotations/search/_results_list.html")


@functools.cache
def _form_template():
    return _engine().get_template("rotations/search/_form.html").template


@register.simple_tag
def search_form(form) -> str:
    """The search panel: Django's engine took 1.2 ms to draw its fifteen fields; Jinja2, with
    each field's row remembered, 0.2 ms."""
    return mark_safe(_form_template().render({"form": form, "search_url": _search_url(get_script_prefix()),
                                              "remembered": _remembered}))


# A search form's field row (label, widget, errors) is the same for every search that sends the
# same value (the keywords and the fee take any, the rest a few each), in the same language.
@cachetools.cached(cachetools.LRUCache(maxsize=4096), lock=threading.Lock(),  # runserver answers in threads
                   key=lambda macro, field: (macro.name, field.html_name, field.data, tuple(field.errors), get_language()))
def _remembered(macro, field) -> str:
    return macro(field)


def _listing_url():
    return _listing_url_under(get_script_prefix())


@functools.cache
def _listing_url_under(script_prefix: str):
    """reverse() takes 18 µs, more than a card: one stand-in id is reversed, once per prefix the
    site is served under, and each id put in its place."""
    head, _, tail = reverse("rotations:listing_detail", args=[STAND_IN_PK]).partition(str(STAND_IN_PK))
    return lambda pk: f"{head}{pk}{tail}"


@functools.cache
def _search_url(script_prefix: str) -> str:
    return reverse("rotations:search")


# About 2.8 KB a card kept (its text, key and place in the cache): 56 MB at most per process.
cards = Kept(size=20_000)


@register.simple_tag
def search_results_list(listings) -> str:
    template, listing_url = _template().template, _listing_url()
    drawn = cards.page(listings, _drawer(template, listing_url))
    return mark_safe(template.render({"cards": drawn, "listing_url": listing_url}))


def _drawer(template, listing_url):
    """Draws a card for each of the listings it is given (the template's `card` macro)."""
    card = template.make_module({"listing_url": listing_url, "cards": ()}).card
    return lambda listings: [card(listing) for listing in listings]


# The listings at the head of each sort: about 14,000 of 100,000 listings, 9 of 10 cards shown.
WARM_HEADS = 5000


def warm() -> None:
    """Draw the cards of the listings most searches show (search_index.heads) before the first
    search does: about 2 s and 39 MB per web process for 100,000 listings (gunicorn.conf.py)."""
    draw = _drawer(_template().template, _listing_url())
    for page in most_shown(WARM_HEADS):
        cards.page(page, draw)
