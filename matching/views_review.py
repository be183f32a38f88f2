"""Coordinators' review of applications (list and page), offering a freed seat, and the admins' approval queue.

Every move on these pages is a form posting to `matching:move` (views_moves.move), which calls
`application_transition` and, refused, shows the review page again through `review_page`; these
views only read, except `offer_next`. Which moves are open, and why not, is `policies`' answer.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.permissions import role_required
from applicants.choices import DocumentStatus
from applicants.models import Document
from applicants.policies import EXPIRED
from applicants.readiness import Readiness, readiness
from rotations.models import Slot
from rotations.selectors import slots_managed_by

from . import policies
from .forms_review import RotationFilterForm, tab_of
from .moves import ADMIN, COORDINATOR, MOVES, Move
from .posting import back_to_next, make_move
from .selectors import (
    REVIEW_TABS,
    applications_visible_to,
    placements_to_approve,
    seat_counts,
    slots_to_fill,
    tab_counts,
    with_details,
    with_history,
)
from .services import application_offer_next

PAGE_SIZE = 50
# Refused, these moves are hidden rather than disabled: the page says from when they open instead.
HIDDEN_WHEN_REFUSED = {"complete"}
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
class ReviewMove:
    """A move of the table as the review page offers it: `blocked` holds why it would be refused
    now (the button is disabled), `typed` the note of a refused try, kept in its box."""

    move: Move
    blocked: list[str] = field(default_factory=list)
    typed: str = ""

    @property
    def action(self) -> str:
        return self.move.action

    @property
    def label(self) -> str:
        return self.move.label

    @property
    def message(self) -> tuple[str, str] | None:
        return self.move.message


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
    if document.expiry_state == EXPIRED:
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
    return review_page(request, pk)


def review_page(request, pk, *, typed: dict[str, str] | None = None):
    """The review page; `typed` ({action: note}) puts back the note of a move just refused."""
    application = get_object_or_404(with_history(applications_visible_to(request.user)), pk=pk)
    # Only the metadata drives the states shown; files open through the download view, which
    # lets a coordinator have verified documents only.
    documents = list(Document.objects.filter(applicant_id=application.applicant_id))
    _add_check(application, documents)
    side, now = (ADMIN if request.user.role == Role.ADMIN else COORDINATOR), timezone.now()
    counts = seat_counts(application.slot)
    required = set(application.slot.listing.required_documents)
    return render(request, "matching/review.html", {
        "application": application, "seats": _seats(application.slot, counts),
        "other_documents": [d for d in documents if d.kind not in required and d.status == DocumentStatus.VERIFIED],
        "moves": _moves(application, request.user, side, now, typed or {}),
        "completable_on": _completable_on(application, side, now),
        "can_offer_next": side == COORDINATOR and policies.can_offer_next(application.slot, now, **counts) is None,
        "is_admin": request.user.role == Role.ADMIN,
        "issued": application.issued_documents.all(),
        "here": request.get_full_path() if request.method == "GET" else reverse("matching:review", args=[pk]),
    })


def _completable_on(application, side: str, now):
    """The day the coordinators may mark an approved placement completed, while it is still ahead."""
    complete = MOVES["complete"]
    waiting = (side in complete.actors and policies.state_refusal(complete, application.status) is None
               and policies.can_complete(application, now) is not None)
    return application.slot.end_date + timedelta(days=1) if waiting else None


def _seats(slot, counts: dict[str, int]) -> dict:
    return {**counts, "taken": slot.seats_taken, "capacity": slot.capacity}


def _moves(application, user, side: str, now, typed: dict[str, str]) -> list[ReviewMove]:
    """The moves open to this side from this state, each with the policy's refusal of it now."""
    rows = []
    for move in policies.moves_open_to(application.status, side):
        refusal = policies.rule_refusal(move, application, user, now, checks=application.checks)
        if refusal and move.action in HIDDEN_WHEN_REFUSED:
            continue
        rows.append(ReviewMove(move, _reasons(application, move, refusal), typed.get(move.action, "")))
    return rows


def _reasons(application, move: Move, refusal: str | None) -> list[str]:
    """The refusal as the button's reasons; approval lists the failing checks in a reviewer's words."""
    if refusal is None:
        return []
    return approval_problems(application) if move.action == "approve" else [refusal]


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
