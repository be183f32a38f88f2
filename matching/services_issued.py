"""Issuing, re-issuing and revoking the documents of a placement, choosing who signs them, and
checking a code.

An invitation letter exists once the placement is approved; a certificate once it is completed.
A re-issue supersedes the current document (kept on record) only when the person confirmed that
very document; a revocation names who and why; a cancelled placement's invitation letter is
revoked with it (`services.application_transition`). The coordinator who issues a document signs
it; one the applicant (or an admin) issues bears the signatory the institution chose, else its
first coordinator, who is told.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from applicants.models import ExperienceEntry, Profile
from institutions.models import Coordinator
from notifications.kinds import register
from notifications.models import Category
from notifications.services import notify

from . import policies
from .issued_pdf import certificate_pdf, invitation_pdf
from .models import Application
from .models_issued import IssuedDocument, IssuedDocumentDownload, IssuedKind, IssuedSignatory

PASSPORT_MAX = 20
# The notification of a coordinator whose name a document bears; its words are in
# templates/notifications/issued_signed/.
ISSUED_SIGNED = register("issued_signed", Category.APPLICATIONS)


# Who signs

def signatory_chosen(institution_id) -> Coordinator | None:
    """The coordinator the institution chose to sign, while they are still one of its coordinators."""
    choice = IssuedSignatory.objects.select_related("coordinator__user", "coordinator__institution").filter(
        institution_id=institution_id).first()
    return choice.coordinator if choice and choice.coordinator.institution_id == institution_id else None


def signatory_default(institution_id) -> Coordinator | None:
    """Who signs what the applicant or an admin issues: the chosen coordinator, else the first."""
    return signatory_chosen(institution_id) or (
        Coordinator.objects.filter(institution_id=institution_id).select_related("user", "institution")
        .order_by("created_at", "pk").first())


def signatory_for(application, by) -> Coordinator:
    """A coordinator of the institution who issues the document signs it themselves."""
    institution_id = application.slot.listing.institution_id
    own = getattr(by, "coordinator", None) if by.role == Role.COORDINATOR else None
    coordinator = own if own is not None and own.institution_id == institution_id else signatory_default(institution_id)
    if coordinator is None:
        raise ValidationError("The institution has no coordinator to sign the document yet.")
    return coordinator


def signatory_choose(*, by, coordinator: Coordinator) -> IssuedSignatory:
    """Name the coordinator who signs the documents the institution's applicants issue; their
    documents already issued keep the name they bear."""
    if refusal := policies.choose_signatory_refusal(by, coordinator):
        raise PermissionDenied(refusal)
    choice, _ = IssuedSignatory.objects.update_or_create(
        institution_id=coordinator.institution_id,
        defaults={"coordinator": coordinator, "chosen_by": by, "chosen_at": timezone.now()})
    return choice


# Issuing

def issue(*, application: Application, kind: str, by, passport_number: str = "",
          supersedes: str | None = None) -> IssuedDocument:
    """Issue the placement's document of `kind`, superseding the current one, if any.

    `supersedes` is the code of the document the person confirmed replacing ("" for none): if
    the current document is another (someone issued one meanwhile), nothing is issued. Callers
    that replace whatever is current (the demo) leave it None. Side effects: the PDF is drawn
    and stored; the previous document is marked superseded; the signatory is notified unless
    they issued it themselves.
    """
    passport_number = _passport(application, kind, by, passport_number)
    with transaction.atomic():
        # The application's row serialises issues (and a cancellation) of this placement.
        application = Application.objects.select_for_update(no_key=True, of=("self",)).select_related(
            "slot__listing__institution", "applicant").get(pk=application.pk)
        if refusal := policies.issue_refusal(application, kind, by):
            raise (PermissionDenied if refusal == policies.NOT_YOURS else ValidationError)(refusal)
        profile = Profile.objects.filter(user=application.applicant).first()
        if profile is None:
            raise ValidationError("The applicant has no profile: the document needs their legal name and citizenship.")
        signatory = signatory_for(application, by)
        previous = current(application, kind)
        _check_confirmed(previous, supersedes)
        if previous is not None:
            IssuedDocument.objects.filter(pk=previous.pk).update(superseded_at=timezone.now())
        document = IssuedDocument(application=application, kind=kind, issued_by=by, signatory=signatory.user)
        data = _draw(document, application, profile, signatory, passport_number)
        document.file.save(f"{kind}.pdf", ContentFile(data), save=False)
        document.save()
        if signatory.user_id != by.pk:
            _tell_signatory(document, signatory, by, legal_name=profile.legal_name)
    return document


def _passport(application, kind: str, by, passport_number: str) -> str:
    passport_number = passport_number.strip()
    if kind != IssuedKind.INVITATION or by.pk != application.applicant_id:
        return ""  # only the applicant types their own passport number, for this letter only
    if len(passport_number) > PASSPORT_MAX or (passport_number and not passport_number.replace(" ", "").isalnum()):
        raise ValidationError({"passport_number": "A passport number has letters and digits only (at most 20)."})
    return passport_number


def _check_confirmed(previous: IssuedDocument | None, supersedes: str | None) -> None:
    if supersedes is None or supersedes == (previous.code if previous else ""):
        return
    if previous is None:
        raise ValidationError("The document you meant to replace is no longer current; nothing was issued.")
    raise ValidationError(f"The current {previous.get_kind_display().lower()} is {previous.grouped_code}, which you "
                          "did not confirm replacing; nothing was issued. Look at it, then confirm again.")


def _draw(document, application, profile, signatory, passport_number: str) -> bytes:
    facts = {"application": application, "profile": profile, "coordinator": signatory, "issued": timezone.localdate(),
             "code": document.code, "code_grouped": document.grouped_code}
    if document.kind == IssuedKind.INVITATION:
        return invitation_pdf(**facts, passport_number=passport_number)
    entry = ExperienceEntry.objects.filter(application=application).first()
    preceptors = [p.full_name for p in application.slot.listing.preceptors.order_by("full_name")]
    return certificate_pdf(**facts, hours=entry.hours if entry else None, preceptors=preceptors)


def _tell_signatory(document: IssuedDocument, signatory: Coordinator, by, *, legal_name: str) -> None:
    application = document.application
    issuer = "the applicant" if by.pk == application.applicant_id else f"{by.get_full_name() or by.email} (Rotamatch)"
    notify(user=signatory.user, kind=ISSUED_SIGNED, url=reverse("matching:review", args=[application.pk]), context={
        "document": document, "legal_name": legal_name, "listing": application.slot.listing, "slot": application.slot,
        "issuer": issuer})


def current(application, kind: str) -> IssuedDocument | None:
    return IssuedDocument.objects.filter(application=application, kind=kind, superseded_at__isnull=True).first()


def current_or_issue(*, application: Application, kind: str, by) -> IssuedDocument:
    """The applicant's download: the current document, issued on first request (a second
    request at the same moment gets the one the first issued)."""
    if (document := current(application, kind)) is not None:
        return document
    try:
        return issue(application=application, kind=kind, by=by, supersedes="")
    except (ValidationError, IntegrityError):
        if (document := current(application, kind)) is None:
            raise
        return document


# Revoking

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


# Checking

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
