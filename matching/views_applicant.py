"""The applicant's side of applications: applying, their applications and the calendar feed.

Which moves the pages offer, and why not the others, is the rule book's (`policies`) answer;
the forms post to `views_moves.move`.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from icalendar import Calendar, Event

from accounts.models import Role
from accounts.permissions import role_required
from applicants.models import Profile
from applicants.readiness import readiness
from applicants.selectors import documents_visible_to, profile_of
from applicants.services import profile_new_calendar_address
from core.form_support import add_service_errors
from rotations.models import Slot
from rotations.selectors import listings_public

from . import policies
from .forms import ApplicationForm
from .models import Application, Status
from .moves import APPLICANT, Move
from .selectors import applications_visible_to, approved_placements_of, with_details, with_history
from .services import application_submit

OFFER_ANSWERS = ("accept", "decline")
STATUS_HELP = {
    Status.SUBMITTED: "The host has your application and will review it.",
    Status.UNDER_REVIEW: "The host is reviewing your application.",
    Status.WAITLISTED: "You are on the waitlist: if a seat frees up, the host can offer it to you.",
    Status.OFFERED: "The host offers you a seat: accept it before the deadline, or decline it.",
    Status.ACCEPTED: "You accepted the offer; Rotamatch checks your documents and approves the placement.",
    Status.APPROVED: "Your placement is confirmed. It appears in your calendar feed.",
    Status.COMPLETED: "Rotation completed; it is in your experience log.",
}
# Calendar tokens are secrets.token_urlsafe(24); anything else cannot match and never reaches the database.
CALENDAR_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    what: str
    who: str
    message: str


def offer_is_open(application: Application) -> bool:
    return application.status == Status.OFFERED and application.offer_deadline >= timezone.now()


def _weighed(application: Application, now) -> list[tuple[Move, str | None]]:
    """Each move open to the applicant from this state, with the policy's refusal of it now."""
    return [(move, policies.rule_refusal(move, application, application.applicant, now))
            for move in policies.moves_open_to(application.status, APPLICANT)]


def applicant_moves(application: Application, now=None) -> list[Move]:
    """The moves the applicant may make now; the answers to an offer come first."""
    moves = [move for move, refusal in _weighed(application, now or timezone.now()) if refusal is None]
    return sorted(moves, key=lambda move: OFFER_ANSWERS.index(move.action)
                  if move.action in OFFER_ANSWERS else len(OFFER_ANSWERS))


def applicant_refusals(application: Application, now=None) -> list[str]:
    """Why the other moves of this state cannot be made now (an expired offer, a seat taken since),
    shown instead of their buttons."""
    return [refusal for _, refusal in _weighed(application, now or timezone.now()) if refusal]


def history_for_applicant(application: Application) -> list[HistoryEntry]:
    """The audit trail as the applicant may read it: the host's moves carry the institution's
    name and the admins' moves "Rotamatch", never a staff member's name or e-mail."""
    institution = application.slot.listing.institution.name
    entries = []
    for event in application.events.all():
        if event.by_id is None:
            who = "automatically"
        elif event.by_id == application.applicant_id:
            who = "you"
        elif event.by.role == Role.COORDINATOR:
            who = institution
        else:
            who = "Rotamatch"
        entries.append(HistoryEntry(event.at, event.get_to_status_display(), who, event.message))
    return entries


@role_required(Role.APPLICANT)
def apply(request, pk):
    slot = get_object_or_404(
        Slot.objects.filter(listing__in=listings_public()).select_related("listing__institution"), pk=pk)
    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = application_submit(applicant=request.user, slot=slot,
                                             statement=form.cleaned_data["statement"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Application sent. The host will review it; we will let you know.")
            return redirect("matching:application", pk=application.pk)
    check = readiness(profile=profile_of(request.user), documents=documents_visible_to(request.user),
                      listing=slot.listing, slot=slot)
    return render(request, "matching/apply.html", {
        "slot": slot, "listing": slot.listing, "form": form, "readiness": check,
        "existing": applications_visible_to(request.user).filter(slot=slot).first(),
    })


@role_required(Role.APPLICANT)
def my_applications(request):
    applications = list(with_details(applications_visible_to(request.user)).order_by("-created_at", "-id"))
    now = timezone.now()
    for item in applications:
        item.offer_open = offer_is_open(item)
        item.accept_refusal = policies.can_accept(item, request.user, now) if item.offer_open else None
    profile = profile_of(request.user)
    feed_url = (settings.SITE_URL + reverse("matching:calendar_feed", args=[profile.calendar_token])
                if profile else None)
    return render(request, "matching/my_applications.html", {
        "applications": applications, "feed_url": feed_url,
    })


@role_required(Role.APPLICANT)
def application(request, pk):
    item = get_object_or_404(with_history(applications_visible_to(request.user)), pk=pk)
    return render(request, "matching/application.html", {
        "application": item, "listing": item.slot.listing, "slot": item.slot,
        "moves": applicant_moves(item), "refusals": applicant_refusals(item), "history": history_for_applicant(item),
        "offer_open": offer_is_open(item), "status_help": _status_help(item),
        "issued": item.issued_documents.filter(superseded_at__isnull=True) if item.applicant_id == request.user.pk else [],
    })


def _status_help(item: Application) -> str:
    if item.status == Status.OFFERED and not offer_is_open(item):
        return ""  # the page says the offer expired instead
    return STATUS_HELP.get(item.status, "")


@require_POST
@role_required(Role.APPLICANT)
def calendar_new_address(request):
    if profile_of(request.user) is None:
        messages.error(request, "Complete your profile first: the calendar feed comes with it.")
    else:
        profile_new_calendar_address(user=request.user)
        messages.success(request, "Your calendar feed has a new address; the old one no longer works. "
                                  "Subscribe again with the address below.")
    return redirect("matching:my_applications")


def calendar_feed(request, token):
    """The applicant's approved and completed placements as an iCalendar feed; the token in the
    URL is the only key, because calendar apps subscribe without logging in."""
    if not CALENDAR_TOKEN.fullmatch(token):
        raise Http404
    profile = get_object_or_404(Profile.objects.select_related("user"), calendar_token=token,
                                user__is_active=True)
    calendar = Calendar()
    calendar.add("prodid", "-//Rotamatch//Placements//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Rotamatch placements")
    for placement in approved_placements_of(profile.user):
        calendar.add_component(_placement_event(placement))
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _placement_event(placement: Application) -> Event:
    slot, listing = placement.slot, placement.slot.listing
    event = Event()
    event.add("uid", f"placement-{placement.pk}@rotamatch")
    event.add("dtstamp", placement.status_changed_at)
    event.add("summary", listing.title)
    event.add("location", f"{listing.institution.name}, {listing.city}, {listing.state}")
    # All-day events: DTEND is exclusive, so the day after the last day of the rotation.
    event.add("dtstart", slot.start_date)
    event.add("dtend", slot.end_date + timedelta(days=1))
    event.add("url", settings.SITE_URL + reverse("matching:application", args=[placement.pk]))
    return event
