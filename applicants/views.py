"""Applicant pages (dashboard, profile, document vault), document downloads, and the admins' document queue."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.permissions import role_required
from core.form_support import add_service_errors
from rotations.choices import DocumentKind

from . import policies, services
from .choices import EXPIRING_KINDS, EXPIRY_WARNING_DAYS, DocumentStatus
from .forms import DocumentReviewForm, DocumentUploadForm, ProfileForm
from .hooks import dashboard_parts
from .models import Document, Profile
from .policies import EXPIRED, EXPIRING_SOON, IN_DATE, expiry_state_filter
from .selectors import documents_to_review, documents_visible_to, profile_of

QUEUE_PAGE_SIZE = 50


# The applicant's dashboard.

@role_required(Role.APPLICANT)
def dashboard(request):
    counts = documents_visible_to(request.user).aggregate(
        held=Count("id"),
        verified=Count("id", filter=Q(status=DocumentStatus.VERIFIED)),
        pending=Count("id", filter=Q(status=DocumentStatus.PENDING)),
        rejected=Count("id", filter=Q(status=DocumentStatus.REJECTED)),
        expired=Count("id", filter=expiry_state_filter(EXPIRED)),
        expiring=Count("id", filter=expiry_state_filter(EXPIRING_SOON)),
    )
    counts["missing"] = len(DocumentKind) - counts["held"]
    profile = profile_of(request.user)
    return render(request, "applicants/dashboard.html", {
        "profile": profile, "documents": counts, "kinds_total": len(DocumentKind),
        "warning_days": EXPIRY_WARNING_DAYS, "parts": dashboard_parts(request, profile),
    })


# The profile.

@role_required(Role.APPLICANT)
def profile_edit(request):
    profile = profile_of(request.user) or Profile(user=request.user)
    created = profile.pk is None
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_save(user=request.user, profile=form.save(commit=False))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your profile was created." if created else "Your profile was saved.")
            return redirect("applicants:profile")
    return render(request, "applicants/profile.html", {"form": form, "created": created})


# The document vault.

@dataclass
class VaultRow:
    kind: str
    label: str
    document: Document | None
    form: DocumentUploadForm
    expires: bool

    @property
    def expiry_state(self) -> str:
        return self.document.expiry_state if self.document is not None else IN_DATE

    @property
    def open_form(self) -> bool:
        """Show the upload form unfolded where the applicant has something to fix."""
        if self.document is None or self.form.is_bound or self.expiry_state == EXPIRED:
            return True
        return self.document.status == DocumentStatus.REJECTED


def _vault_rows(user, failed: DocumentUploadForm | None = None) -> list[VaultRow]:
    held = {document.kind: document for document in documents_visible_to(user).filter(applicant=user)}
    rows = []
    for kind in DocumentKind:
        form = failed if failed is not None and failed.kind == kind else DocumentUploadForm(kind=kind)
        rows.append(VaultRow(kind=kind, label=kind.label, document=held.get(kind), form=form,
                             expires=kind in EXPIRING_KINDS))
    return rows


@role_required(Role.APPLICANT)
def documents(request):
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        if kind not in DocumentKind.values:
            messages.error(request, "Choose which document you are uploading.")
            return redirect("applicants:documents")
        form = DocumentUploadForm(request.POST, request.FILES, kind=kind)
        if form.is_valid() and _upload(request, form):
            return redirect("applicants:documents")
        return _vault_page(request, failed=form)
    return _vault_page(request)


def _upload(request, form: DocumentUploadForm) -> bool:
    try:
        document = services.document_upload(
            applicant=request.user, kind=form.kind, upload=form.cleaned_data["file"],
            expires_on=form.cleaned_data.get("expires_on"))
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    messages.success(request, f"Your {document.get_kind_display()} was uploaded; an administrator will verify it.")
    return True


def _vault_page(request, *, failed: DocumentUploadForm | None = None):
    rows = _vault_rows(request.user, failed)
    return render(request, "applicants/documents.html", {
        "rows": rows, "held": sum(row.document is not None for row in rows),
        "max_bytes": settings.DOCUMENT_MAX_BYTES,
    })


@role_required(Role.APPLICANT)
def document_delete(request, pk):
    document = get_object_or_404(documents_visible_to(request.user).filter(applicant=request.user), pk=pk)
    if request.method == "POST":
        try:
            services.document_delete(document=document, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("applicants:documents")
        messages.success(request, f"Your {document.get_kind_display()} was deleted.")
        return redirect("applicants:documents")
    return render(request, "applicants/document_delete.html", {
        "document": document, "refusal": policies.refusal_to_delete_document(document)})


@login_required
def document_download(request, pk):
    """The one way a stored document leaves the server: to someone allowed to read it, as a download."""
    document = get_object_or_404(documents_visible_to(request.user), pk=pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file of this document is missing.") from None
    services.document_download_record(document=document, user=request.user)
    response = FileResponse(handle, as_attachment=True, filename=document.original_name,
                            content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    # Passports must not linger in shared or browser caches.
    response["Cache-Control"] = "no-store, private"
    return response


# The admins' document queue.

@role_required(Role.ADMIN)
def document_queue(request):
    return _queue_page(request)


def _queue_page(request, *, failed: DocumentReviewForm | None = None, page=None, status=200):
    queryset = documents_to_review().select_related("applicant__profile")
    page_obj = Paginator(queryset, QUEUE_PAGE_SIZE).get_page(page or request.GET.get("page"))
    for document in page_obj:
        keep = failed is not None and failed.document_id == document.pk
        document.review_form = failed if keep else DocumentReviewForm(document_id=document.pk)
    return render(request, "applicants/document_queue.html", {
        "page_obj": page_obj,
    }, status=status)


@require_POST
@role_required(Role.ADMIN)
def document_review(request, pk):
    document = get_object_or_404(documents_visible_to(request.user).select_related("applicant"), pk=pk)
    page = request.POST.get("page") or 1
    if document.status != DocumentStatus.PENDING:
        messages.error(request, f"This {document.get_kind_display()} was already "
                                f"{document.get_status_display().lower()}; nothing was changed.")
        return _redirect_to_queue(page)
    form = DocumentReviewForm(request.POST, document_id=document.pk)
    if not form.is_valid():
        return _queue_page(request, failed=form, page=page, status=400)
    try:
        services.document_review(document=document, by=request.user, verified=form.cleaned_data["verified"],
                                 reason=form.cleaned_data["reason"])
    except ValidationError as error:
        add_service_errors(form, error, fallback="reason")
        return _queue_page(request, failed=form, page=page, status=400)
    outcome = "verified" if form.cleaned_data["verified"] else "rejected"
    messages.success(request, f"{document.get_kind_display()} of {document.applicant.email} {outcome}.")
    return _redirect_to_queue(page)


def _redirect_to_queue(page):
    """Back to the page the admin was working on (the rows after the reviewed one move up)."""
    page = str(page)
    url = reverse("applicants:document_queue")
    return redirect(f"{url}?page={page}" if page.isdigit() and page != "1" else url)
