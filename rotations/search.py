"""Listing search: the form that parses the query string strictly, and the selector it feeds."""

import calendar
import re
from collections.abc import Mapping

from django import forms
from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.paginator import Paginator
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import cached_property

from .choices import Audience, RotationType, Specialty, Visa, listing_places
from .models import Slot
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
    state = forms.ChoiceField(label="State", required=False,
                              choices=lambda: [("", "Any state"), *listing_places()])
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


def listing_search(params: Mapping) -> QuerySet:
    """Public listings matching `params` (SearchForm.cleaned_data; missing keys filter nothing).

    Each result carries `next_start` (earliest slot starting today or later, or None) and
    `seats_open` (seats left in slots still taking applications), plus `rank` when searching
    by keywords, and its institution: a page of results is two queries (count, rows).
    """
    today = timezone.localdate()
    listings = (listings_public().filter(*_conditions(params, today)).select_related("institution")
                .defer("search_vector").annotate(seats_open=_seats_open(today)))
    q = params.get("q")
    if q:
        query = keyword_query(q)
        listings = listings.filter(search_vector=query).annotate(rank=SearchRank(F("search_vector"), query))
    return listings.order_by(*_ordering(params.get("sort"), keywords=bool(q)))


def keyword_query(q: str) -> SearchQuery:
    """The search box's words: web-search syntax ("quoted phrase", or, -word), or every word as a
    prefix, so that a word still being typed ("cardio") already finds "cardiology"."""
    query = SearchQuery(q, search_type="websearch", config="english")
    words = re.findall(r"\w+", q)[:10]
    if words:
        prefixes = " & ".join(f"{word}:*" for word in words)  # \w+ only: no tsquery syntax
        query |= SearchQuery(prefixes, search_type="raw", config="english")
    return query


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
        conditions.append(Q(review_count__gte=settings.REVIEWS_MIN_PUBLISHED, review_average__gte=4))
    if params.get("open_only"):
        conditions.append(Exists(_open_slots(today).filter(seats_taken__lt=F("capacity"))))
    return conditions


def _slots():
    return Slot.objects.filter(listing=OuterRef("pk")).order_by()


def _open_slots(today):
    """Slots still taking applications; a full one adds no seats, and open_only also drops it."""
    return _slots().filter(application_deadline__gte=today)


def _month_range(first_day):
    last = calendar.monthrange(first_day.year, first_day.month)[1]
    return first_day.replace(day=1), first_day.replace(day=last)


def _seats_open(today):
    seats = _open_slots(today).values("listing").annotate(
        seats=Sum(F("capacity") - F("seats_taken"), output_field=IntegerField()))
    return Coalesce(Subquery(seats.values("seats")), 0, output_field=IntegerField())


def _ordering(sort: str | None, *, keywords: bool) -> list:
    soonest = F("next_start").asc(nulls_last=True)
    if sort == "fee":
        return ["fee_usd", soonest, "pk"]
    if sort == "rated":
        shown = Case(When(review_count__gte=settings.REVIEWS_MIN_PUBLISHED, then=F("review_average")))
        return [shown.desc(nulls_last=True), F("review_count").desc(), soonest, "pk"]
    if sort in ("relevance", "", None) and keywords:
        return [F("rank").desc(), soonest, "pk"]
    return [soonest, "fee_usd", "pk"]


COUNT_CAP = 1000


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 matches: an exact count of 90,000 rows costs more than the
    page itself, and nobody pages past fifty pages of rotations."""

    @cached_property
    def count(self):
        return self.object_list[:COUNT_CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP
