"""The documents of a placement (invitation letter, certificate): download, (re-)issue, revoke;
the institution's choice of who signs them; and the public verification page, which resists
enumeration.

Downloads go to the applicant, the institution's coordinators and admins, each recorded. The
verification page shows only what a checker needs, answers an unknown code exactly as a
malformed one (apart from the typed text it puts back), and limits failed look-ups per client
address, found as allauth's login limits find it.
"""

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.permissions import role_required
from institutions.selectors import coordinator_membership

from . import policies, services_issued
from .forms_issued import SignatoryForm
from .models_issued import IssuedDocument, IssuedKind, grouped
from .selectors import applications_visible_to

# What the verification page puts back in the box: as much as the box takes.
TYPED_MAX = 40


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
    """Issue the document (the applicant, with an optional passport number for this letter only;
    a coordinator or an admin); re-issuing supersedes the current one only when the form names
    it in `supersedes`, which the page's confirmation step sends."""
    application, kind = _placement(request, pk), _kind(kind)
    replaced = request.POST.get("supersedes", "")
    try:
        document = services_issued.issue(application=application, kind=kind, by=request.user, supersedes=replaced,
                                         passport_number=request.POST.get("passport_number", ""))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _issued_message(document, replaced))
    back = "matching:application" if request.user.pk == application.applicant_id else "matching:review"
    return redirect(back, pk=pk)


def _issued_message(document, replaced: str) -> str:
    label = document.get_kind_display()
    if not replaced:
        return f"{label} issued: code {document.grouped_code}. Anyone can check it with that code."
    return (f"New {label.lower()} issued: code {document.grouped_code}. The previous one, {grouped(replaced)}, "
            "now shows as superseded to anyone who checks it.")


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


@role_required(Role.COORDINATOR)
def issued_signatory(request):
    """The institution's coordinators choose which of them signs the documents applicants issue."""
    membership = coordinator_membership(request.user)
    if membership is None:
        raise Http404("Your account is not linked to an institution.")
    institution_id = membership.institution_id
    form = SignatoryForm(request.POST or None, institution_id=institution_id,
                         initial={"coordinator": services_issued.signatory_default(institution_id)})
    if request.method == "POST" and form.is_valid():
        chosen = services_issued.signatory_choose(by=request.user, coordinator=form.cleaned_data["coordinator"])
        user = chosen.coordinator.user
        messages.success(request, f"{user.get_full_name() or user.email} now signs the documents applicants issue.")
        return redirect("matching:issued_signatory")
    return render(request, "matching/issued_signatory.html", {"form": form, "institution": membership.institution})


# Verification, for anyone

def _client(request) -> str:
    """The checker's address as allauth's login limits see it: behind ALLAUTH_TRUSTED_PROXY_COUNT
    proxies, the X-Forwarded-For entry the nearest trusted proxy added (or the header named by
    ALLAUTH_TRUSTED_CLIENT_IP_HEADER), else REMOTE_ADDR, so that checkers behind one proxy are
    not one checker, and a forged header does not escape the limit."""
    try:
        return get_adapter(request).get_client_ip(request)
    except (PermissionDenied, ImproperlyConfigured):  # no address, or fewer hops than trusted proxies
        return request.META.get("REMOTE_ADDR") or "unknown"


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
        # The same answer for a code that does not exist and one that cannot exist; only what
        # was typed comes back, for correcting.
        return render(request, "matching/verify.html", {"not_found": True, "typed": code.strip()[:TYPED_MAX]},
                      status=404)
    application = document.application
    profile = getattr(application.applicant, "profile", None)
    return render(request, "matching/verify.html", {
        "document": document, "legal_name": profile.legal_name if profile else "",
        "institution": application.slot.listing.institution, "slot": application.slot})
