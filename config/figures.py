"""The marketplace's figures for a period, counted by the database in aggregate queries.

The queries are the same whatever the number of rows: every count, sum and median is an
aggregate, and the breakdowns are grouped by the database (one row per month, or per specialty
and state), so the page costs the same number of queries for ten slots as for ten thousand.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, FloatField, Func, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.aggregates import Aggregate
from django.db.models.functions import TruncMonth

from accounts.models import Role, User
from applicants.models import Profile
from applicants.selectors import documents_to_review
from matching.models import Application, ApplicationEvent, Status
from rotations.choices import ListingStatus
from rotations.models import Listing
from rotations.selectors import slots_managed_by

from .figures_period import Period

# A decision ends the applicant's wait for an answer; a waitlisting (or a requeue) does not.
DECISIONS = ["offer", "reject"]
# A match round's result is the round's offer (already accepted: binding, as in the NRMP).
OFFERED = ["offer", "match"]
SECONDS_A_DAY = 86_400
# The listing's fields that demand and supply are broken down by.
DEMAND_FIELDS = ("specialty", "state")


class Median(Aggregate):
    """PostgreSQL's continuous median, computed by the database over the group's rows."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)%(filter)s"
    output_field = FloatField()


class Days(Func):
    """`Days(until, since)`: the days (with their fraction) between two timestamps."""

    template = f"EXTRACT(EPOCH FROM (%(expressions)s)) / {SECONDS_A_DAY}"
    arg_joiner = " - "
    output_field = FloatField()


@dataclass(frozen=True)
class Scope:
    """Whose slots are counted: every institution's for admins, one institution's for its coordinators.

    A slot counts once its listing has been published (drafts never reached an applicant).
    """

    slots: QuerySet
    site_wide: bool


def scope_of(user) -> Scope:
    return Scope(slots=slots_managed_by(user).filter(listing__published_at__isnull=False),
                 site_wide=user.role == Role.ADMIN)


@dataclass(frozen=True)
class MonthRow:
    month: date  # its first day
    slots: int
    seats: int
    taken: int


@dataclass(frozen=True)
class DemandRow:
    key: str
    label: str
    applications: int
    seats: int


@dataclass(frozen=True)
class Figures:
    period: Period
    months: list[MonthRow]
    applications: dict  # applications, accepted, approved, completed, days_to_offer, days_to_decision
    moves: dict  # offers, accepts, expires
    demand: dict[str, list[DemandRow]]  # by "specialty" and by "state"
    funnel: dict | None  # admins only: signed_up, profile, applied, offered, placed
    queues: dict | None  # admins only: documents, listings

    @property
    def slots(self) -> int:
        return sum(row.slots for row in self.months)

    @property
    def seats(self) -> int:
        return sum(row.seats for row in self.months)

    @property
    def taken(self) -> int:
        return sum(row.taken for row in self.months)


def figures_for(scope: Scope, period: Period) -> Figures:
    slots = scope.slots.filter(start_date__gte=period.first, start_date__lt=period.end)
    applications = Application.objects.filter(slot__in=slots)
    return Figures(
        period=period, months=month_rows(slots, period), applications=application_counts(applications),
        moves=move_counts(applications),
        demand={field: demand_rows(slots, applications, field) for field in DEMAND_FIELDS},
        funnel=funnel_counts(period) if scope.site_wide else None,
        queues=queue_counts() if scope.site_wide else None)


def month_rows(slots, period: Period) -> list[MonthRow]:
    """Every month of the period, those without slots too (a chart shows the gap)."""
    counted = {row["month"]: row for row in slots.annotate(month=TruncMonth("start_date")).values("month").annotate(
        n=Count("id"), seats=Sum("capacity"), taken=Sum("seats_taken")).order_by()}
    rows = []
    for month in period.months:
        row = counted.get(month, {"n": 0, "seats": 0, "taken": 0})
        rows.append(MonthRow(month, row["n"], row["seats"], row["taken"]))
    return rows


def _events(actions: list[str]):
    return ApplicationEvent.objects.filter(application=OuterRef("pk"), action__in=actions)


def _days_to_first(actions: list[str]) -> Median:
    first = Subquery(_events(actions).order_by("at", "id").values("at")[:1])
    return Median(Days(first, "created_at"))


def application_counts(applications) -> dict:
    """Counts by status now, and the medians of the days to the first offer and the first decision
    (over the applications that had one: a median ignores the others' empty value)."""
    in_status = {"accepted": [Status.ACCEPTED], "approved": [Status.APPROVED, Status.COMPLETED],
                 "completed": [Status.COMPLETED]}
    return applications.aggregate(
        applications=Count("id"),
        **{name: Count("id", filter=Q(status__in=statuses)) for name, statuses in in_status.items()},
        with_offer=Count("id", filter=Q(Exists(_events(["offer"])))),
        with_decision=Count("id", filter=Q(Exists(_events(DECISIONS)))),
        days_to_offer=_days_to_first(["offer"]), days_to_decision=_days_to_first(DECISIONS))


def move_counts(applications) -> dict:
    """Offers made, accepted and expired on these applications (every offer counts, a second one too)."""
    actions = {"offers": "offer", "accepts": "accept", "expires": "expire"}
    return ApplicationEvent.objects.filter(application__in=applications).aggregate(
        **{name: Count("id", filter=Q(action=action)) for name, action in actions.items()})


def demand_rows(slots, applications, field: str) -> list[DemandRow]:
    """Applications against seats by the listing's `field` (specialty or state), most applied-to first."""
    labels = dict(Listing._meta.get_field(field).flatchoices)
    seats = dict(slots.values_list(f"listing__{field}").annotate(Sum("capacity")).order_by())
    demand = dict(applications.values_list(f"slot__listing__{field}").annotate(Count("id")).order_by())
    rows = [DemandRow(key, str(labels.get(key, key)), demand.get(key, 0), seats.get(key, 0))
            for key in seats.keys() | demand.keys()]
    return sorted(rows, key=lambda row: (-row.applications, -row.seats, row.label))


def funnel_counts(period: Period) -> dict:
    """Applicants who signed up in the period, and how many of them reached each later step (ever)."""
    start, end = period.moments
    applications = Application.objects.filter(applicant=OuterRef("pk"))
    steps = {
        "profile": Exists(Profile.objects.filter(user=OuterRef("pk"))),
        "applied": Exists(applications),
        "offered": Exists(ApplicationEvent.objects.filter(application__applicant=OuterRef("pk"), action__in=OFFERED)),
        "placed": Exists(applications.filter(status__in=Status.holding_a_seat())),
    }
    return User.objects.filter(role=Role.APPLICANT, date_joined__gte=start, date_joined__lt=end).aggregate(
        signed_up=Count("id"), **{name: Count("id", filter=Q(step)) for name, step in steps.items()})


def queue_counts() -> dict:
    """The work waiting for admins now, whatever the period."""
    return {"documents": documents_to_review().count(),
            "listings": Listing.objects.filter(status=ListingStatus.SUBMITTED).count()}


def percent(part: int, whole: int) -> float | None:
    """None, not a division by zero, when there is nothing to divide."""
    return 100 * part / whole if whole else None

