"""Coordinators' listing and slot pages, the CSV import, and the admins' moderation queue."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Min, Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.permissions import role_required
from core.form_support import add_service_errors
from institutions.selectors import coordinator_membership

from . import policies, services
from .choices import ListingStatus
from .csv_import import COLUMNS, MAX_BYTES, MAX_ROWS, slots_import
from .forms import ListingForm, ReturnForm, SlotForm, SlotImportForm
from .models import Listing, Slot
from .selectors import listings_managed_by, slots_managed_by, with_slots

COORDINATOR_ACTIONS = ("submit", "archive")
MODERATION_ACTIONS = ("publish", "return")


def _listing(request, pk) -> Listing:
    return get_object_or_404(listings_managed_by(request.user).select_related("institution"), pk=pk)


def _slot(request, pk) -> Slot:
    return get_object_or_404(slots_managed_by(request.user).select_related("listing"), pk=pk)


@role_required(Role.COORDINATOR)
def coordinator_listings(request):
    membership = coordinator_membership(request.user)
    today = timezone.localdate()
    listings = listings_managed_by(request.user).annotate(
        slot_count=Count("slots"),
        open_seats=Sum("slots__capacity", filter=Q(slots__application_deadline__gte=today))
        - Sum("slots__seats_taken", filter=Q(slots__application_deadline__gte=today)),
        next_slot_start=Min("slots__start_date", filter=Q(slots__start_date__gte=today)),
    ).order_by("-updated_at", "-id")
    by_status = {status: [] for status in ListingStatus}
    for listing in listings:
        by_status[listing.status].append(listing)
    groups = [(ListingStatus(status).label, status, items) for status, items in by_status.items() if items]
    return render(request, "rotations/coordinator/listings.html", {
        "institution": membership.institution if membership else None, "groups": groups,
    })


@role_required(Role.COORDINATOR)
def coordinator_listing(request, pk):
    listing = get_object_or_404(with_slots(listings_managed_by(request.user)), pk=pk)
    user = request.user
    return render(request, "rotations/coordinator/listing.html", {
        "listing": listing,
        "can_edit": bool(policies.may_edit_listing(user, listing)),
        "can_add_slots": bool(policies.may_add_slots(user, listing)),
        "actions": [move.name for move in policies.moves_offered(user, listing, COORDINATOR_ACTIONS)],
        "moves": policies.MOVES,
    })


@role_required(Role.COORDINATOR)
def listing_create(request):
    membership = coordinator_membership(request.user)
    if membership is None:
        return render(request, "rotations/coordinator/no_institution.html", status=403)
    listing = Listing(institution=membership.institution)
    return _listing_form(request, listing, "rotations/coordinator/listing_form.html")


@role_required(Role.COORDINATOR)
def listing_edit(request, pk):
    listing = _listing(request, pk)
    if not policies.may_edit_listing(request.user, listing):
        return render(request, "rotations/coordinator/listing_locked.html", {"listing": listing}, status=409)
    return _listing_form(request, listing, "rotations/coordinator/listing_form.html")


def _listing_form(request, listing, template):
    form = ListingForm(request.POST or None, instance=listing, institution=listing.institution)
    if request.method == "POST" and form.is_valid():
        try:
            listing = services.listing_save(listing=form.save(commit=False), by=request.user,
                                            preceptors=form.cleaned_data["preceptors"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{listing.title}” was saved as {listing.get_status_display().lower()}.")
            return redirect("rotations:coordinator_listing", listing.pk)
    return render(request, template, {"form": form, "listing": listing})


@require_POST
@role_required(Role.COORDINATOR)
def listing_action(request, pk, action):
    if action not in COORDINATOR_ACTIONS:
        raise Http404("No such action.")
    listing = _listing(request, pk)
    try:
        listing = services.listing_transition(listing=listing, action=action, by=request.user)
    except ValidationError as error:
        messages.error(request, policies.MOVES[action].refused.format(
            title=listing.title, reasons=" ".join(error.messages)))
    else:
        messages.success(request, policies.MOVES[action].done.format(title=listing.title))
    return redirect("rotations:coordinator_listing", listing.pk)


@role_required(Role.COORDINATOR)
def slot_create(request, pk):
    listing = _listing(request, pk)
    return _slot_form(request, Slot(listing=listing))


@role_required(Role.COORDINATOR)
def slot_edit(request, pk):
    return _slot_form(request, _slot(request, pk))


def _slot_form(request, slot):
    form = SlotForm(request.POST or None, instance=slot)
    if request.method == "POST" and form.is_valid():
        try:
            slot = services.slot_save(slot=form.save(commit=False), by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The slot was saved.")
            for warning in slot.warnings:
                messages.warning(request, warning)
            return redirect("rotations:coordinator_listing", slot.listing_id)
    return render(request, "rotations/coordinator/slot_form.html",
                  {"form": form, "slot": slot, "listing": slot.listing})


@require_POST
@role_required(Role.COORDINATOR)
def slot_delete(request, pk):
    slot = _slot(request, pk)
    try:
        services.slot_delete(slot=slot, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The slot was deleted.")
    return redirect("rotations:coordinator_listing", slot.listing_id)


@role_required(Role.COORDINATOR)
def slot_import(request, pk):
    listing = _listing(request, pk)
    form = SlotImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = slots_import(listing=listing, by=request.user, file=form.cleaned_data["file"])
        if result.ok:
            count = len(result.slots)
            messages.success(request, f"{count} slot{'s' if count != 1 else ''} imported.")
            return redirect("rotations:coordinator_listing", listing.pk)
    return render(request, "rotations/coordinator/slot_import.html", {
        "listing": listing, "form": form, "result": result, "columns": COLUMNS,
        "max_rows": MAX_ROWS, "max_megabytes": MAX_BYTES // (1024 * 1024),
    })


@role_required(Role.COORDINATOR)
def slot_import_example(request):
    """A small file that imports as it is: three four-week slots starting two months from now."""
    first = timezone.localdate() + timedelta(days=60)
    lines = [",".join(COLUMNS)]
    for n in range(3):
        start = first + timedelta(weeks=4 * n)
        lines.append(f"{start},{start + timedelta(days=27)},2,{start - timedelta(days=21)},7")
    response = HttpResponse("\r\n".join(lines) + "\r\n", content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="rotamatch-slots-example.csv"'
    return response


@role_required(Role.ADMIN)
def moderation(request):
    return _moderation_queue(request)


def _moderation_queue(request, *, error: str = "", failed_form: ReturnForm | None = None, status=200):
    """The submitted listings, oldest first; a failed decision keeps its typed reason and errors."""
    queue = with_slots(listings_managed_by(request.user).filter(status=ListingStatus.SUBMITTED)
                       ).order_by("submitted_at", "id")
    for listing in queue:
        keep = failed_form is not None and failed_form.listing_id == listing.pk
        listing.return_form = failed_form if keep else ReturnForm(listing_id=listing.pk)
    return render(request, "rotations/moderation/queue.html",
                  {"queue": queue, "error": error, "moves": policies.MOVES}, status=status)


@require_POST
@role_required(Role.ADMIN)
def moderation_action(request, pk, action):
    if action not in MODERATION_ACTIONS:
        raise Http404("No such action.")
    listing = _listing(request, pk)
    form = ReturnForm(request.POST, listing_id=listing.pk) if action == "return" else None
    if form is not None and not form.is_valid():
        return _moderation_queue(request, failed_form=form, status=400)
    reason = form.cleaned_data["reason"] if form is not None else ""
    try:
        services.listing_transition(listing=listing, action=action, by=request.user, reason=reason)
    except ValidationError as error:
        message = policies.MOVES[action].refused.format(title=listing.title, reasons=" ".join(error.messages))
        return _moderation_queue(request, error=message, failed_form=form, status=400)
    messages.success(request, policies.MOVES[action].done.format(title=listing.title))
    return redirect("rotations:moderation")


urlpatterns = [
    path("coordinator/listings/", coordinator_listings, name="coordinator_listings"),
    path("coordinator/listings/new/", listing_create, name="listing_create"),
    path("coordinator/listings/<int:pk>/", coordinator_listing, name="coordinator_listing"),
    path("coordinator/listings/<int:pk>/edit/", listing_edit, name="listing_edit"),
    path("coordinator/listings/<int:pk>/slots/new/", slot_create, name="slot_create"),
    path("coordinator/listings/<int:pk>/slots/import/", slot_import, name="slot_import"),
    path("coordinator/listings/<int:pk>/<slug:action>/", listing_action, name="listing_action"),
    path("coordinator/slots/example.csv", slot_import_example, name="slot_import_example"),
    path("coordinator/slots/<int:pk>/edit/", slot_edit, name="slot_edit"),
    path("coordinator/slots/<int:pk>/delete/", slot_delete, name="slot_delete"),
    path("staff/moderation/", moderation, name="moderation"),
    path("staff/moderation/<int:pk>/<slug:action>/", moderation_action, name="moderation_action"),
]
