"""The orders of search results, and the page of a search read in that order without sorting
every match.

A page of the first `stop` matches in a sort's order is found in one of two ways:

- Most searches match a fair share of listings. Then the first `stop` lie among the first
  few thousand listings in the sort's order, a prefix of its index ("fee ≤ $1,500"), and a query
  limited to that prefix reads at most those rows, whatever the planner guesses.
- When fewer than `stop` matches lie in the prefix, the matches are few: they are all collected
  (through whichever index their filters allow) and sorted.

Either way the answer is exactly the straightforward query's: a prefix of the order holds the
first `stop` matches if it holds `stop` matches at all. This also guards against the planner
walking a whole index for a rare word it took for a common one.
"""

import time
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual

from .choices import ListingStatus
from .models import Listing, rating_shown

# Listings read in a sort's order before a search counts as a rare one: large enough that most
# searches end there, small enough that reading it costs a few milliseconds (deeper pages take
# a longer prefix, see _window).
WINDOWS = (2000, 8000)
# The bound of each prefix is kept this long per process: any bound cuts a valid prefix, so an
# old one only makes the prefix a little longer or shorter than meant.
BOUND_SECONDS = 300.0


@dataclass(frozen=True)
class Sort:
    """One order of listings: its keys (named columns, the last one the primary key), as the ORM
    orders by them, as SQL orders a collection of them, and how a prefix of it is cut."""

    name: str
    keys: dict  # name -> expression, in order
    ordering: tuple
    sql_order: str
    ascending_lead: bool = True

    def columns(self, queryset: QuerySet, *, tier=None) -> QuerySet:
        """The sort's keys and the primary key (after a leading `tier`, if given), named k_*."""
        keys = {"tier": tier, **self.keys} if tier is not None else self.keys
        return queryset.annotate(**{f"k_{name}": expression for name, expression in keys.items()}).values_list(
            *[f"k_{name}" for name in keys], "pk")

    def prefix(self, bound) -> Q:
        lead = next(iter(self.keys.values()))
        return Q(LessThanOrEqual(lead, bound) if self.ascending_lead else GreaterThanOrEqual(lead, bound))


SOONEST = Sort("soonest", {"next_start": F("next_start"), "fee_usd": F("fee_usd")},
               (F("next_start").asc(nulls_last=True), "fee_usd", "pk"),
               "k_next_start NULLS LAST, k_fee_usd, pk")
FEE = Sort("fee", {"fee_usd": F("fee_usd"), "next_start": F("next_start")},
           ("fee_usd", F("next_start").asc(nulls_last=True), "pk"),
           "k_fee_usd, k_next_start NULLS LAST, pk")
RATED = Sort("rated", {"rating": rating_shown(), "review_count": F("review_count"), "next_start": F("next_start")},
             (rating_shown().desc(nulls_last=True), F("review_count").desc(), F("next_start").asc(nulls_last=True), "pk"),
             "k_rating DESC NULLS LAST, k_review_count DESC, k_next_start NULLS LAST, pk",
             ascending_lead=False)
SORTS = {"soonest": SOONEST, "fee": FEE, "rated": RATED}


def python_key(sort: Sort, row: tuple) -> tuple:
    """A row of `Sort.columns` as a Python sort key in the same order (NULLS LAST, DESC)."""
    if sort is SOONEST:
        next_start, fee, pk = row
        return (next_start is None, next_start or date.min, fee, pk)
    raise ValueError(f"no Python key for {sort.name}")


def first(matches: QuerySet, sort: Sort, stop: int) -> list[tuple]:
    """The first `stop` matches in the sort's order, as rows of `sort.columns` (the key last)."""
    bound = _bound(sort, _window(stop))
    if bound is not None:
        found = list(sort.columns(matches.filter(sort.prefix(bound)).order_by(*sort.ordering))[:stop])
        if len(found) == stop:
            return found
    return collect(matches, sort, stop)


def collect(matches: QuerySet, sort: Sort, stop: int, *, tier=None) -> list[tuple]:
    """The first `stop` matches by collecting them all and sorting: for searches known to match
    few listings. `tier`, an expression, orders before the sort's keys and leads each row."""
    # MATERIALIZED: the matches are gathered by their filters' own indexes, never by walking the
    # sort's index in the hope of meeting them soon.
    sql, params = sort.columns(matches.order_by(), tier=tier).query.sql_with_params()
    keys = ["k_tier", *(f"k_{name}" for name in sort.keys)] if tier is not None else [f"k_{name}" for name in sort.keys]
    order = f"k_tier, {sort.sql_order}" if tier is not None else sort.sql_order
    with connection.cursor() as cursor:
        cursor.execute(f"WITH found AS MATERIALIZED ({sql}) SELECT {', '.join(keys)}, pk FROM found ORDER BY {order} "
                       "LIMIT %s", [*params, stop])
        return cursor.fetchall()


def _window(stop: int) -> int:
    """A prefix long enough to hold `stop` matches of any search matching one listing in 50."""
    return next((size for size in WINDOWS if size >= stop * 50), WINDOWS[-1])


_bounds: dict[tuple[str, int], tuple[float, object]] = {}


def _bound(sort: Sort, window: int):
    """The lead key of the window-th public listing in the sort's order, or None when fewer
    (or when it is NULL: the prefix would then be everything, better collected)."""
    now = time.monotonic()
    kept = _bounds.get((sort.name, window))
    if kept is None or kept[0] < now:
        lead = next(iter(sort.keys.values()))
        row = (Listing.objects.filter(status=ListingStatus.PUBLISHED).order_by(*sort.ordering)
               .annotate(lead=lead).values_list("lead", flat=True)[window - 1:window])
        kept = _bounds[(sort.name, window)] = (now + BOUND_SECONDS, next(iter(row), None))
    return kept[1]


def forget_bounds() -> None:
    """For tests: the next search reads the bounds afresh."""
    _bounds.clear()
