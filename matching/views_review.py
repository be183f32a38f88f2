"""Coordinators' review of applications (list and page), offering a freed seat, and the admins' approval queue.

Every move on these pages is a form posting to `matching:move` (views_applicant.move), which
calls `application_transition`; these views only read, except `offer_next`.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.permissions import role_required
from applicants.choices import DocumentStatus
from applicants.models import Document
from applicants.readiness import Readiness, readiness
from rotations.models import Slot
from rotations.selectors import slots_managed_by

from .forms_review import RotationFilterForm, tab_of
from .models import Application, Status
from .posting import back_to_next, make_move
from .selectors import (
    REVIEW_TABS,
    applications_visible_to,
    placements_to_approve,
    slots_to_fill,
    tab_counts,
    with_details,
    with_history,
)
from .services import ACTION_LABELS, ADMIN, COORDINATOR, application_offer_next, moves_open_to, offer_refusal

PAGE_SIZE = 50
# The moves a coordinator or an admin makes, in the order the review page offers them.
REVIEW_MOVES = ("review", "offer", "waitlist", "reject", "complete", "approve", "cancel")
# The moves that take a message: its label, and who reads it.
MESSAGES = {
    "review": ("Note", "Kept in the history, which the applicant can read."),
    "offer": ("Message with the offer", "Sent to the applicant with the offer."),
    "waitlist": ("Message with the waitlisting", "Sent to the applicant."),
    "reject": ("Message with the decision", "This is what the applicant reads with the decision."),
    "cancel": ("Reason for cancelling", "Kept in the history, which the applicant can read."),
}
# The queue to review is worked oldest first; the other tabs show the latest changes first.
ORDERING = {"review": ("created_at", "id")}
LATEST_FIRST = ("-status_changed_at", "-id")


@dataclass(frozen=True)
class DocumentRow:
    """A required document as a reviewer sees it; `document` only when it is verified (linkable).
    `waiting`: only its verification is missing (shown amber, not as a problem)."""

    label: str
    state: str
    ok: bool
    document: Document | None = None
    waiting: bool = False


@dataclass(frozen=True)
class Move:
    action: str
    label: str
    message: tuple[str, str] | None = None  # (label, help) when the move takes a message
    blocked: list[str] = field(default_factory=list)


# Lists

@role_required(Role.COORDINATOR, Role.ADMIN)
def review_list(request):
    visible = applications_visible_to(request.user)
    tab = tab_of(request.GET.get("show"))
    form = RotationFilterForm(request.GET, slots=_rotations_of(visible))
    chosen = form.filter(visible)
    counts = tab_counts(chosen)
    applications = with_details(chosen.filter(status__in=REVIEW_TABS[tab][1])).order_by(*ORDERING.get(tab, LATEST_FIRST))
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    _add_checks(page.object_list)
    rotation = form.cleaned_data.get("rotation", "") if form.is_valid() else ""
    return render(request, "matching/review_list.html", {
        "page": page, "form": form, "tab": tab, "tab_label": REVIEW_TABS[tab][0],
        "tabs": [(key, label, counts[key], _query(show=key, rotation=rotation)) for key, (label, _) in REVIEW_TABS.items()],
        "page_query": _query(show=tab, rotation=rotation),
        "slots_to_fill": list(slots_to_fill(request.user)),
    })


@role_required(Role.ADMIN)
def approval_queue(request):
    page = Paginator(with_details(placements_to_approve()), PAGE_SIZE).get_page(request.GET.get("page"))
    _add_checks(page.object_list)
    for application in page.object_list:
        application.approval_problems = approval_problems(application)
    return render(request, "matching/approval_queue.html", {"page": page})


def _rotations_of(applications):
    """The slots these applications are to, with their listings: the rotation filter's choices."""
    return Slot.objects.filter(pk__in=applications.values("slot_id")).select_related("listing").order_by(
        "listing__title", "listing_id", "start_date", "id")


def _query(**params) -> str:
    query = QueryDict(mutable=True)
    query.update({key: value for key, value in params.items() if value})
    return query.urlencode()


def _add_checks(applications) -> None:
    """Give each application its applicant's name and document checks, with every applicant's
    documents loaded in one query (not one per row)."""
    applications = list(applications)
    documents = defaultdict(list)
    for document in Document.objects.filter(applicant_id__in={a.applicant_id for a in applications}):
        documents[document.applicant_id].append(document)
    for application in applications:
        _add_check(application, documents[application.applicant_id])


def _add_check(application, documents) -> None:
    slot = application.slot
    profile = getattr(application.applicant, "profile", None)
    application.profile = profile
    application.applicant_name = applicant_name(application)
    application.checks = readiness(profile=profile, documents=documents, listing=slot.listing, slot=slot)
    application.document_rows = document_rows(application.checks, documents)
    application.documents_ok = sum(row.ok for row in application.document_rows)


def applicant_name(application) -> str:
    """The legal name of the profile, else the account's name."""
    profile = getattr(application.applicant, "profile", None)
    return profile.legal_name if profile else str(application.applicant)


def document_rows(checks: Readiness, documents) -> list[DocumentRow]:
    by_kind = {document.kind: document for document in documents}
    rows = []
    for check in checks.documents:
        document = by_kind.get(check.kind)
        rows.append(DocumentRow(check.label, _state(check, document), check.ok, document if check.ok else None,
                                waiting=not check.ok and not check.blocking))
    return rows


def _state(check, document) -> str:
    """The state in a reviewer's words (readiness words its problems for the applicant)."""
    if check.ok:
        return "Verified"
    if document is None:
        return "Missing"
    if document.status == DocumentStatus.REJECTED:
        return "Rejected; the applicant must upload a new one"
    if not check.blocking:
        return "Awaiting verification"
    if document.expires_on < timezone.localdate():
        return f"Expired on {document.expires_on:%b %-d, %Y}"
    return f"Expires on {document.expires_on:%b %-d, %Y}, before the rotation ends"


def approval_problems(application) -> list[str]:
    """Why a placement cannot be approved yet (the service refuses on the same checks);
    needs `_add_check` first."""
    return application.checks.eligibility + [
        f"{row.label}: {row.state}" for row in application.document_rows if not row.ok]


# One application

@role_required(Role.COORDINATOR, Role.ADMIN)
def review(request, pk):
    application = get_object_or_404(with_history(applications_visible_to(request.user)), pk=pk)
    # Only the metadata drives the states shown; files open through the download view, which
    # lets a coordinator have verified documents only.
    documents = list(Document.objects.filter(applicant_id=application.applicant_id))
    _add_check(application, documents)
    seats = _seats(application.slot)
    required = set(application.slot.listing.required_documents)
    return render(request, "matching/review.html", {
        "application": application, "seats": seats,
        "other_documents": [d for d in documents if d.kind not in required and d.status == DocumentStatus.VERIFIED],
        "moves": _moves(application, request.user),
        "completable_on": _completable_on(application, request.user),
        "can_offer_next": request.user.role == Role.COORDINATOR and seats["can_offer_next"],
        "is_admin": request.user.role == Role.ADMIN,
        "here": request.get_full_path(),
    })


def _completable_on(application, user):
    """The day a coordinator may mark an approved placement completed, while it is still ahead."""
    end = application.slot.end_date
    waiting = application.status == Status.APPROVED and end >= timezone.localdate()
    return end + timedelta(days=1) if waiting and user.role == Role.COORDINATOR else None


def _seats(slot) -> dict:
    counts = Application.objects.filter(slot=slot).aggregate(
        offers_out=Count("pk", filter=Q(status=Status.OFFERED)),
        waitlisted=Count("pk", filter=Q(status=Status.WAITLISTED)))
    free = slot.capacity - slot.seats_taken - counts["offers_out"]
    started = slot.start_date <= timezone.localdate()
    return {**counts, "taken": slot.seats_taken, "capacity": slot.capacity, "started": started,
            "can_offer_next": free > 0 and counts["waitlisted"] > 0 and not started}


def _moves(application, user) -> list[Move]:
    role = ADMIN if user.role == Role.ADMIN else COORDINATOR
    slot, today = application.slot, timezone.localdate()
    open_moves = moves_open_to(application.status, role)
    moves = []
    for action in REVIEW_MOVES:
        if action not in open_moves:
            continue
        if action == "complete" and slot.end_date >= today:
            continue  # the page says when it becomes possible instead
        moves.append(Move(action, ACTION_LABELS[action], MESSAGES.get(action),
                          _blocked(application, action)))
    return moves


def _blocked(application, action: str) -> list[str]:
    """Why a move would be refused right now; the button is disabled with these reasons."""
    if action == "offer" and (refusal := offer_refusal(application.slot)):
        return [refusal]
    if action == "approve":
        return approval_problems(application)
    return []


# Offering a freed seat

@require_POST
@role_required(Role.COORDINATOR)
def offer_next(request, pk):
    slot = get_object_or_404(slots_managed_by(request.user), pk=pk)
    application = make_move(request, lambda message: application_offer_next(
        slot=slot, by=request.user, message=message))
    if application is not None:
        messages.success(request, f"Offered to {applicant_name(application)}; they have been told.")
    return back_to_next(request, f"{reverse('matching:review_list')}?{_query(show='offered', rotation=f's{slot.pk}')}")
