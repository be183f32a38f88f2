"""The documents of a placement (invitation letter, certificate): download, (re-)issue, revoke;
and the public verification page, which resists enumeration.

Downloads go to the applicant, the institution's coordinators and admins, each recorded. The
verification page shows only what a checker needs, answers an unknown code exactly as a
malformed one, and limits failed look-ups per network address.
"""

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import policies, services_issued
from .models import IssuedDocument, IssuedKind
from .selectors import applications_visible_to


def _placement(request, pk):
    application = get_object_or_404(applications_visible_to(request.user).select_related("slot__listing"), pk=pk)
    if not policies.can_read_issued(application, request.user):
        raise Http404("No such placement among yours.")
    return application


def _kind(kind: str) -> str:
    if kind not in IssuedKind.values:
        raise Http404("No such document.")
    return kind


@never_cache
def placement_document(request, pk, kind):
    """Download the current document; the applicant's first download issues it."""
    application, kind = _placement(request, pk), _kind(kind)
    try:
        if request.user.pk == application.applicant_id:
            document = services_issued.current_or_issue(application=application, kind=kind, by=request.user)
        else:
            document = services_issued.current(application, kind)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("matching:application" if request.user.pk == application.applicant_id else "matching:review",
                        pk=pk)
    if document is None:
        raise Http404("Not issued yet.")
    services_issued.download_record(document=document, user=request.user)
    response = FileResponse(document.file.open("rb"), as_attachment=True,
                            filename=f"{kind}-{document.grouped_code}.pdf", content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response


@require_POST
def placement_document_issue(request, pk, kind):
    """Issue anew (superseding the current one): the applicant, with an optional passport number
    for this letter only; or a coordinator re-issuing."""
    application, kind = _placement(request, pk), _kind(kind)
    try:
        services_issued.issue(application=application, kind=kind, by=request.user,
                              passport_number=request.POST.get("passport_number", ""))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, f"{IssuedKind(kind).label} issued; the previous one, if any, is superseded.")
    back = "matching:application" if request.user.pk == application.applicant_id else "matching:review"
    return redirect(back, pk=pk)


@require_POST
def issued_revoke(request, pk):
    document = get_object_or_404(IssuedDocument.objects.filter(application__in=applications_visible_to(request.user)),
                                 pk=pk)
    try:
        services_issued.revoke(document=document, by=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as error:  # a refusal of who (PermissionDenied) answers 403
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{document.get_kind_display()} revoked; its verification page says so.")
    return redirect("matching:review", pk=document.application_id)


# Verification, for anyone

def _client(request) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


def _limited(request) -> bool:
    return cache.get(f"verify-failures:{_client(request)}", 0) >= settings.VERIFY_FAILURES_PER_WINDOW


def _failed(request) -> None:
    key = f"verify-failures:{_client(request)}"
    if cache.add(key, 1, timeout=settings.VERIFY_WINDOW_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=settings.VERIFY_WINDOW_SECONDS)


@never_cache
def verify(request, code=None):
    code = code if code is not None else request.GET.get("code")
    if code is None:
        return render(request, "matching/verify.html", {})
    if _limited(request):
        return render(request, "matching/verify.html", {"limited": True}, status=429)
    document = services_issued.lookup(code)
    if document is None:
        _failed(request)
        # The same answer for a code that does not exist and one that cannot exist.
        return render(request, "matching/verify.html", {"not_found": True}, status=404)
    application = document.application
    profile = getattr(application.applicant, "profile", None)
    return render(request, "matching/verify.html", {
        "document": document, "legal_name": profile.legal_name if profile else "",
        "institution": application.slot.listing.institution, "slot": application.slot})
