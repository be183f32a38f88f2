"""Listing search: the form that parses the query string strictly, and the selector it feeds."""

import calendar
import re
from collections.abc import Callable, Mapping, Sequence

from django import forms
from django.conf import settings
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Sum, When
from django.utils import timezone
from django.utils.functional import cached_property

from . import search_index, search_order
from .choices import Audience, RotationType, Specialty, Visa, listing_places
from .models import Listing, Slot
from .search_order import Sort
from .selectors import listings_public

# Length filter: ranges of weeks rather than a maximum, because applicants plan around a
# rotation block ("a month", "two weeks"), and a range says so in one choice.
DURATIONS = {"1-2": (1, 2), "3-4": (3, 4), "5-8": (5, 8), "9+": (9, 52)}
DURATION_CHOICES = [("1-2", "1–2 weeks"), ("3-4", "3–4 weeks"), ("5-8", "5–8 weeks"), ("9+", "9 weeks or more")]

AUDIENCES = {
    "students": [Audience.STUDENTS, Audience.BOTH],
    "graduates": [Audience.GRADUATES, Audience.BOTH],
}

# "relevance" needs keywords; without them it falls back to the soonest start.
SORT_CHOICES = [("relevance", "Best match"), ("soonest", "Soonest start"), ("fee", "Lowest fee"),
                ("rated", "Best rated")]

FLAG_TRUE = {"on", "1", "true", "yes"}
FLAG_FALSE = {"", "0", "false", "no", "off"}


class FlagInput(forms.CheckboxInput):
    """A checkbox that hands the raw value to its field, so an unknown value is an error, not "on"."""

    def __init__(self, attrs=None):
        super().__init__(attrs, check_test=lambda value: value is True or str(value).lower() in FLAG_TRUE)

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class FlagField(forms.Field):
    """On/off from a query string: absent or a false word is off, "on" or a true word is on."""

    widget = FlagInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        if value is None or isinstance(value, bool):
            return bool(value)
        word = str(value).strip().lower()
        if word in FLAG_TRUE | FLAG_FALSE:
            return word in FLAG_TRUE
        raise forms.ValidationError("Leave this box ticked or unticked.", code="invalid")


def _choice(label, choices, blank):
    return forms.ChoiceField(label=label, required=False, choices=[("", blank), *choices])


class SearchForm(forms.Form):
    """Every search parameter; each invalid one gets a field error and is left out of the search.

    CharField rejects NUL bytes (Django's ProhibitNullCharactersValidator), and the other fields
    accept only their choices, numbers or dates, so no NUL byte ever reaches PostgreSQL.
    """

    q = forms.CharField(label="Keywords", required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Cardiology, Chicago…",
                                                      "autocomplete": "off"}))
    specialty = _choice("Specialty", Specialty.choices, "Any specialty")
    type = _choice("Type", RotationType.choices, "Any type")
    state = forms.ChoiceField(label="State", required=False, choices=lambda: [("", "Any state"), *listing_places()])
    start_month = forms.DateField(
        label="Starting in", required=False, input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month", "placeholder": "YYYY-MM"}, format="%Y-%m"),
        error_messages={"invalid": "Enter a month as YYYY-MM, for example 2026-09."})
    duration = _choice("Length", DURATION_CHOICES, "Any length")
    max_fee = forms.IntegerField(label="Maximum fee (USD)", required=False, min_value=0, max_value=1_000_000,
                                 widget=forms.NumberInput(attrs={"step": 100, "inputmode": "numeric"}))
    audience = _choice("Open to", [("students", "Students"), ("graduates", "Graduates")], "Anyone")
    visa = _choice("Your visa status", Visa.choices, "Any visa status")
    open_only = FlagField(label="Open seats only")
    hands_on = FlagField(label="Hands-on only")
    free = FlagField(label="Free only")
    letter = FlagField(label="Letter of recommendation possible")
    rated = FlagField(label="Rated 4 or higher")
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SORT_CHOICES)

    SELECTS = ["specialty", "type", "state", "audience", "visa", "duration", "start_month", "max_fee"]
    FLAGS = ["open_only", "hands_on", "free", "letter", "rated"]

    def selects(self):
        return [self[name] for name in self.SELECTS]

    def flags(self):
        return [self[name] for name in self.FLAGS]

    def active_filter_count(self) -> int:
        """How many filters narrow the search (shown on the collapsed filter panel on phones)."""
        data = getattr(self, "cleaned_data", {})
        return sum(1 for name in self.SELECTS + self.FLAGS if data.get(name) not in (None, "", False))


class SharedFields(dict):
    """A form's fields that every form of its class shares rather than copies (Django deep-copies
    `base_fields` for each form): nothing changes a search form's field once declared, and copying
    the fifteen, with their widgets and lazily translated choices, took 0.25 ms of every search."""

    def __deepcopy__(self, memo):
        return SharedFields(self)


SearchForm.base_fields = SharedFields(SearchForm.base_fields)


def listing_search(params: Mapping, *, rows: Callable[[QuerySet], QuerySet] | None = None) -> "SearchResults":
    """Public listings matching `params` (SearchForm.cleaned_data; missing keys filter nothing),
    in the order asked for, fetched a page at a time (see SearchResults).

    Each result carries `next_start` (earliest slot starting today or later, or None) and
    `seats_open` (seats left in slots still taking applications), and its institution; `rows`
    may add to the query that loads a page's listings (the API's slots and preceptors).
    """
    today = timezone.localdate()
    q = params.get("q")
    sort = search_order.SORTS.get(params.get("sort"))
    if sort is None and not q:
        sort = search_order.SOONEST  # "relevance" needs keywords
    if settings.SEARCH_INDEX:
        answer = search_index.search(params, sort=(sort or search_order.SOONEST).name,
                                     words=_words(q) if q else None,
                                     websearch=q if q and not _plain_words(q) else None, tiers=sort is None, today=today)
        if answer is not None:
            return IndexedResults(answer, today=today, rows=rows)
    filtered = listings_public().filter(*_conditions(params, today)).order_by()
    query = keyword_query(q) if q else None
    matches = filtered.filter(search_vector=query) if query is not None else filtered
    return SearchResults(matches, sort=sort or search_order.SOONEST, query=None if sort else query,
                         filtered=filtered, today=today, rows=rows)


def keyword_query(q: str) -> SearchQuery:
    """The search box's words: web-search syntax ("quoted phrase", or, -word), or every word as a
    prefix, so that a word still being typed ("cardio") already finds "cardiology"."""
    query = SearchQuery(q, search_type="websearch", config="english")
    words = _words(q)
    if not words:
        return query
    prefixes = SearchQuery(" & ".join(f"{word}:*" for word in words), search_type="raw", config="english")
    if _plain_words(q):
        # Plain words: each prefix also matches its whole word, so the prefixes alone find what
        # both would, and the index is read once instead of twice.
        return prefixes
    return query | prefixes  # \w+ only in the prefixes: no tsquery syntax


# No web-search syntax: no quotes, no "-word" (and no "or", checked word by word).
PLAIN_WORDS = re.compile(r"[\w\s]+")


def _words(q: str) -> list[str]:
    """The search box's words (the first ten), each matched as a prefix."""
    return re.findall(r"\w+", q)[:10]


def _plain_words(q: str) -> bool:
    """Words and spaces only, at least one word, none of them "or"."""
    words = re.findall(r"\w+", q)
    return bool(words) and PLAIN_WORDS.fullmatch(q) is not None and "or" not in (word.lower() for word in words)


RATED_AT_LEAST = 4  # "Rated 4 or higher"


def _conditions(params: Mapping, today) -> list:
    conditions = []
    simple = {"specialty": "specialty", "type": "rotation_type", "state": "state"}
    for param, field in simple.items():
        if params.get(param):
            conditions.append(Q(**{field: params[param]}))
    if params.get("hands_on"):
        conditions.append(Q(rotation_type__in=RotationType.hands_on()))
    if params.get("start_month"):
        conditions.append(Exists(_slots().filter(start_date__range=_month_range(params["start_month"]))))
    if params.get("duration"):
        conditions.append(Q(duration_weeks__range=DURATIONS[params["duration"]]))
    if params.get("free"):
        conditions.append(Q(fee_usd=0))
    if params.get("max_fee") is not None:
        conditions.append(Q(fee_usd__lte=params["max_fee"]))
    if params.get("audience"):
        conditions.append(Q(audience__in=AUDIENCES[params["audience"]]))
    if params.get("visa"):
        # No visa ticked means any visa status (the listing form says so; readiness agrees).
        conditions.append(Q(visas__contains=[params["visa"]]) | Q(visas=[]))
    if params.get("letter"):
        conditions.append(Q(letter_possible=True))
    if params.get("rated"):
        # Only a listing whose reviews may be shown (the small-numbers threshold) has a rating.
        conditions.append(Q(review_count__gte=settings.REVIEWS_MIN_PUBLISHED, review_average__gte=RATED_AT_LEAST))
    if params.get("open_only"):
        # The kept figure while it holds; past its earliest deadline, the slots themselves.
        # (IS NOT NULL first: for a listing with no open seat, "until < today" is NULL, not false,
        # and PostgreSQL would probe the slots to settle NULL AND EXISTS.)
        stale = (Q(seats_open_until__isnull=False) & Q(seats_open_until__lt=today)
                 & Exists(seats_with_seats_left(today).filter(listing=OuterRef("pk"))))
        conditions.append(Q(seats_open__gt=0, seats_open_until__gte=today) | stale)
    return conditions


def _slots():
    return Slot.objects.filter(listing=OuterRef("pk")).order_by()


def _month_range(first_day):
    last = calendar.monthrange(first_day.year, first_day.month)[1]
    return first_day.replace(day=1), first_day.replace(day=last)


COUNT_CAP = 1000


class SearchResults:
    """A search's matches in order, as a paginator slices them: `count()` and `[start:stop]`.

    A page is three cheap steps instead of one query that loads, ranks and sums every match:
    the count stops at COUNT_CAP + 1 matches (nobody pages past fifty pages of rotations); the
    page's ids, from all the matches if they are that few, else read in the sort's order only
    as far as the page (search_order); and only those listings, with their institution.

    Relevance, with keywords: listings with every word in the title or specialty first, then
    those with them in the institution's name and city as well, then the rest (the
    description); each tier in the soonest-start order.
    """

    ordered = True  # for Paginator: the order is always total (every sort ends in the key)

    def __init__(self, matches: QuerySet, *, sort: Sort, query: SearchQuery | None, filtered: QuerySet,
                 today, rows: Callable[[QuerySet], QuerySet] | None):
        self.matches, self.sort, self.query, self.filtered, self.today = matches, sort, query, filtered, today
        self.rows = rows or with_institution

    @cached_property
    def _count(self) -> int:
        return self.matches.values("pk")[:COUNT_CAP + 1].count()

    def count(self) -> int:
        return self._count

    def __getitem__(self, item: slice) -> list[Listing]:
        start, stop = item.start or 0, item.stop
        try:
            ids = [row[-1] for row in self._first(stop)[start:stop]]
        except EmptyResultSet:  # a condition no row can meet (Django knows before asking)
            return []
        return _load(ids, self.rows, self.today)

    def _first(self, stop: int) -> list[tuple]:
        if self.query is None:
            if self._count <= COUNT_CAP:
                return search_order.collect(self.matches, self.sort, stop)
            return search_order.first(self.matches, self.sort, stop)
        if self._count <= COUNT_CAP:
            tier = Case(When(search_title=self.query, then=0), When(search_head=self.query, then=1), default=2)
            return search_order.collect(self.matches, self.sort, stop, tier=tier)
        # Many matches: each tier's first `stop`. The tiers nest (title within head within
        # everything), a listing's tier is the first it is found in; every listing of the true
        # first `stop` is among them with its own tier, and no other can come before one of those.
        # A tier that alone fills the page leaves nothing for the wider ones to add.
        tier_of = {}
        for rank, tier in enumerate([self.filtered.filter(search_title=self.query),
                                     self.filtered.filter(search_head=self.query), self.matches]):
            rows = search_order.first(tier, self.sort, stop)
            for row in rows:
                tier_of.setdefault(row, rank)
            if len(rows) == stop:
                break
        return sorted(((tier_of[row], *row) for row in tier_of),
                      key=lambda row: (row[0], search_order.python_key(self.sort, row[1:])))


class IndexedResults:
    """The matches found by the search index (rotations/search_index.py), in order: the same
    `count()` and `[start:stop]` as SearchResults, a page being an IndexedPage."""

    ordered = True

    def __init__(self, answer: search_index.Answer, *, today, rows: Callable[[QuerySet], QuerySet] | None):
        self.answer, self.today = answer, today
        self.rows = rows or with_institution

    def count(self) -> int:
        return len(self.answer)

    def __getitem__(self, item: slice) -> "IndexedPage":
        ids, stamps = self.answer.slice(item.start or 0, item.stop)
        return IndexedPage(ids, stamps, lambda ids: _load(ids, self.rows, self.today), today=self.today)


class IndexedPage(Sequence):
    """A page of listings found by the index: its ids and the version of each (`versions`), read
    from the database only when iterated, or only for those a caller has not kept
    (`load(ids)`, as the cards of rotations/templatetags/search_cards.py do)."""

    def __init__(self, ids: list[int], stamps: list[int], load: Callable[[list[int]], list[Listing]], *, today):
        self.ids, self.load, self.today = ids, load, today
        self.versions = list(zip(ids, stamps, strict=True))

    @cached_property
    def _listings(self) -> list[Listing]:
        return self.load(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        return self._listings[index]


def most_shown(count: int, *, rows: Callable[[QuerySet], QuerySet] | None = None, batch: int = 500) -> list["IndexedPage"]:
    """The listings at the head of each sort order (search_index.heads), as pages of `batch` to
    draw ahead: rotations/search_kept.py says why."""
    today, heads = timezone.localdate(), search_index.heads(count)
    return [IndexedPage([pk for pk, _ in part], [stamp for _, stamp in part],
                        lambda ids: _load(ids, rows or with_institution, today), today=today)
            for part in (heads[start:start + batch] for start in range(0, len(heads), batch))]


def with_institution(listings: QuerySet) -> QuerySet:
    """What a results page loads with its listings unless asked for more."""
    return listings.select_related("institution")


def _load(ids: list[int], rows: Callable[[QuerySet], QuerySet], today) -> list[Listing]:
    """The page's listings in the order of `ids`, read as anyone may see them: a listing
    withdrawn since its id was found is left out rather than shown."""
    loaded = rows(listings_public().filter(pk__in=ids).defer(*DEFERRED)).in_bulk()
    listings = [loaded[pk] for pk in ids if pk in loaded]
    _count_stale_seats(listings, today)
    return listings


# Never shown on a results page, and the biggest columns of the row.
DEFERRED = ["search_vector", "search_title", "search_head"]


def _count_stale_seats(listings: list[Listing], today) -> None:
    """Seats of listings whose kept figure counts a deadline that has passed since (between
    midnight and the hourly refresh), counted from their slots; usually there are none."""
    stale = [listing for listing in listings if listing.seats_open_until and listing.seats_open_until < today]
    if not stale:
        return
    seats = dict(seats_with_seats_left(today).filter(listing__in=stale).values("listing")
                 .annotate(seats=Sum(F("capacity") - F("seats_taken"))).values_list("listing", "seats"))
    for listing in stale:
        listing.seats_open = seats.get(listing.pk, 0)


def seats_with_seats_left(today):
    return Slot.objects.filter(application_deadline__gte=today, seats_taken__lt=F("capacity")).order_by()


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 matches: an exact count of 90,000 rows costs more than the
    page itself."""

    @cached_property
    def count(self):
        return min(self.object_list.count(), COUNT_CAP + 1)

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP
