"""Reads of applications and placements, scoped to the user who asks."""

from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone

from accounts.models import Role
from institutions.selectors import coordinator_institution_id
from rotations.models import Slot
from rotations.selectors import slots_managed_by

from .models import Application, ApplicationEvent, Status

S = Status
# The tabs of the coordinator's list: tab → (label, the statuses it shows); the first is the default.
REVIEW_TABS = {
    "review": ("To review", [S.SUBMITTED, S.UNDER_REVIEW]),
    "waitlisted": ("Waitlisted", [S.WAITLISTED]),
    "offered": ("Offered", [S.OFFERED]),
    "placements": ("Placements", Status.holding_a_seat()),
    "closed": ("Closed", [S.REJECTED, S.WITHDRAWN, S.DECLINED, S.EXPIRED, S.CANCELLED]),
}


def applications_visible_to(user):
    """Applicants their own; coordinators those to their institution's slots; admins all."""
    if not user.is_authenticated:
        return Application.objects.none()
    if user.role == Role.ADMIN:
        return Application.objects.all()
    if user.role == Role.APPLICANT:
        return Application.objects.filter(applicant=user)
    institution_id = coordinator_institution_id(user)
    if institution_id is None:
        return Application.objects.none()
    return Application.objects.filter(slot__listing__institution_id=institution_id)


def with_details(applications):
    """Applications with their applicant, slot, listing and institution in one query."""
    return applications.select_related("applicant", "applicant__profile", "slot", "slot__listing",
                                       "slot__listing__institution")


def with_history(applications):
    return with_details(applications).prefetch_related(
        Prefetch("events", queryset=ApplicationEvent.objects.select_related("by").order_by("at", "id")))


def placements_to_approve():
    return Application.objects.filter(status=Status.ACCEPTED).order_by("status_changed_at", "id")


def waitlist_of(slot):
    return Application.objects.filter(slot=slot, status=Status.WAITLISTED).order_by("waitlisted_at", "id")


def seat_counts(slot) -> dict[str, int]:
    """The slot's open offers (`offers_out`) and its waitlist's length (`waitlisted`), in one query."""
    return Application.objects.filter(slot=slot).aggregate(
        offers_out=Count("pk", filter=Q(status=Status.OFFERED)),
        waitlisted=Count("pk", filter=Q(status=Status.WAITLISTED)))


def approved_placements_of(user):
    return with_details(Application.objects.filter(
        applicant=user, status__in=[Status.APPROVED, Status.COMPLETED])).order_by("slot__start_date")


def tab_counts(applications) -> dict[str, int]:
    """How many of these applications sit in each tab of REVIEW_TABS, in one query."""
    return applications.aggregate(**{
        key: Count("pk", filter=Q(status__in=statuses)) for key, (_, statuses) in REVIEW_TABS.items()})


def review_counts(user) -> dict[str, int]:
    """How many of the applications the user may review sit in each tab (for dashboards)."""
    return tab_counts(applications_visible_to(user))


def slots_to_fill(user):
    """A coordinator's slots, not yet started, with a seat that nobody holds or has been offered
    and someone on the waitlist: where "Offer to the next on the waitlist" makes sense."""
    if user.role != Role.COORDINATOR:
        return Slot.objects.none()
    return (slots_managed_by(user).filter(start_date__gt=timezone.localdate())
            .annotate(waitlisted=Count("applications", filter=Q(applications__status=Status.WAITLISTED)),
                      offers_out=Count("applications", filter=Q(applications__status=Status.OFFERED)))
            .filter(waitlisted__gt=0, capacity__gt=F("seats_taken") + F("offers_out"))
            .select_related("listing").order_by("start_date", "id"))
