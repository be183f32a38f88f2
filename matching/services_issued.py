"""Issuing, re-issuing and revoking the documents of a placement, and checking a code.

An invitation letter exists once the placement is approved; a certificate once it is completed.
A re-issue supersedes the current document (kept on record); a revocation names who and why; a
cancelled placement's invitation letter is revoked with it (`services.application_transition`).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from applicants.models import ExperienceEntry, Profile
from institutions.models import Coordinator

from . import policies
from .issued_pdf import certificate_pdf, invitation_pdf
from .models import Application, IssuedDocument, IssuedDocumentDownload, IssuedKind

PASSPORT_MAX = 20


def _signatory(application) -> Coordinator:
    coordinator = (Coordinator.objects.filter(institution_id=application.slot.listing.institution_id)
                   .select_related("user", "institution").order_by("created_at", "pk").first())
    if coordinator is None:
        raise ValidationError("The institution has no coordinator to sign the document yet.")
    return coordinator


def issue(*, application: Application, kind: str, by, passport_number: str = "") -> IssuedDocument:
    """Issue the placement's document of `kind` (superseding the current one, if any)."""
    application = Application.objects.select_related("slot__listing__institution", "applicant").get(pk=application.pk)
    if refusal := policies.issue_refusal(application, kind, by):
        raise (PermissionDenied if refusal == policies.NOT_YOURS else ValidationError)(refusal)
    passport_number = passport_number.strip()
    if kind != IssuedKind.INVITATION or by.pk != application.applicant_id:
        passport_number = ""  # only the applicant types their own passport number, for this letter only
    if len(passport_number) > PASSPORT_MAX or (passport_number and not passport_number.replace(" ", "").isalnum()):
        raise ValidationError({"passport_number": "A passport number has letters and digits only (at most 20)."})
    profile = Profile.objects.filter(user=application.applicant).first()
    if profile is None:
        raise ValidationError("The applicant has no profile: the document needs their legal name and citizenship.")
    signatory = _signatory(application)
    with transaction.atomic():
        IssuedDocument.objects.select_for_update().filter(application=application, kind=kind,
                                                          superseded_at__isnull=True).update(superseded_at=timezone.now())
        document = IssuedDocument(application=application, kind=kind, issued_by=by)
        today = timezone.localdate()
        if kind == IssuedKind.INVITATION:
            data = invitation_pdf(application=application, profile=profile, coordinator=signatory, issued=today,
                                  code=document.code, code_grouped=document.grouped_code,
                                  passport_number=passport_number)
        else:
            entry = ExperienceEntry.objects.filter(application=application).first()
            preceptors = [p.full_name for p in application.slot.listing.preceptors.order_by("full_name")]
            data = certificate_pdf(application=application, profile=profile, coordinator=signatory, issued=today,
                                   code=document.code, code_grouped=document.grouped_code,
                                   hours=entry.hours if entry else None, preceptors=preceptors)
        document.file.save(f"{kind}.pdf", ContentFile(data), save=False)
        document.save()
    return document


def current(application, kind: str) -> IssuedDocument | None:
    return IssuedDocument.objects.filter(application=application, kind=kind, superseded_at__isnull=True).first()


def current_or_issue(*, application: Application, kind: str, by) -> IssuedDocument:
    """The applicant's download: the current document, issued on first request."""
    return current(application, kind) or issue(application=application, kind=kind, by=by)


def revoke(*, document: IssuedDocument, by, reason: str) -> IssuedDocument:
    if refusal := policies.revoke_refusal(document, by):
        raise (PermissionDenied if refusal == policies.NOT_YOURS else ValidationError)(refusal)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the document is revoked; checkers see only the date."})
    IssuedDocument.objects.filter(pk=document.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=by, revoke_reason=reason.strip()[:1000])
    document.refresh_from_db()
    return document


def revoke_on_cancel(application: Application) -> int:
    """Inside the cancelling transaction: the invitation letter stops being valid with the placement."""
    return IssuedDocument.objects.filter(application=application, kind=IssuedKind.INVITATION,
                                         revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoke_reason="The placement was cancelled.")


def download_record(*, document: IssuedDocument, user) -> None:
    IssuedDocumentDownload.objects.create(document=document, user=user)


def lookup(code: str) -> IssuedDocument | None:
    """The document a typed code names: spaces, dashes and case do not matter; I, L and O are read
    as 1, 1 and 0 (Crockford's rule); anything else finds nothing."""
    normalised = code.upper().replace("-", "").replace(" ", "").translate(str.maketrans("ILO", "110"))
    if len(normalised) != 16:
        return None
    return IssuedDocument.objects.select_related("application__slot__listing__institution").filter(
        code=normalised).first()



def certificate_supplements(user, application_ids) -> dict:
    """For the experience log's export: each of the user's placements with a current certificate,
    its verification code and where to check it."""
    found = {}
    for document in IssuedDocument.objects.filter(application_id__in=application_ids, application__applicant=user,
                                                  kind=IssuedKind.CERTIFICATE, superseded_at__isnull=True,
                                                  revoked_at__isnull=True):
        found[document.application_id] = ("Certificate of completion", [
            ("Verification code", document.grouped_code),
            ("Verify at", settings.SITE_URL + reverse("matching:verify_code", args=[document.code]))])
    return found
