"""Business logic for profiles, the document vault and the experience log."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.text import without_direction_controls
from notifications import kinds
from notifications.services import notify

from . import policies
from .choices import DocumentStatus
from .models import Document, DocumentDownload, ExperienceEntry, Profile, new_calendar_token
from .uploads import content_type_of


def _require_applicant(user: User) -> None:
    if refusal := policies.refusal_to_keep_records(user):
        raise PermissionDenied(refusal)


def _require_owner(*, owner_id: int, by: User, action: str) -> None:
    if refusal := policies.refusal_to_touch(owner_id=owner_id, by=by, action=action):
        raise PermissionDenied(refusal)


PROFILE_FIELDS = [field.name for field in Profile._meta.concrete_fields
                  if field.name not in ("id", "user", "calendar_token")]


def profile_save(*, user: User, profile: Profile) -> Profile:
    """Create or update the applicant's own profile."""
    _require_applicant(user)
    profile.user = user
    profile.full_clean(exclude=["user"] if profile.pk is None else None)
    try:
        with transaction.atomic():
            if profile.pk is None:
                profile.save()
            else:  # never the calendar secret: a new address made meanwhile must stand
                profile.save(update_fields=PROFILE_FIELDS)
    except IntegrityError:  # a first profile saved twice at once (two tabs, a retried request)
        raise ValidationError("Your profile was just saved from elsewhere; reload the page.") from None
    return profile


def profile_new_calendar_address(*, user: User) -> Profile:
    """Give the applicant's calendar feed a new secret address; the old one stops working at once
    (for an address shared by mistake, or a device that was lost)."""
    _require_applicant(user)
    profile = Profile.objects.get(user=user)
    profile.calendar_token = new_calendar_token()
    profile.save(update_fields=["calendar_token"])
    return profile


def document_upload(*, applicant: User, kind: str, upload, expires_on=None) -> Document:
    """Store a checked upload as the applicant's document of this kind, replacing an older one.

    The content decides the type (see uploads.py); nothing is stored when it is refused, and
    every refusal names its field (the content's under `file`). A new upload waits for an admin's
    verification again. The replaced file is deleted after commit.
    """
    _require_applicant(applicant)
    name = without_direction_controls(getattr(upload, "name", "") or "") or "document"
    if refusal := policies.refusal_of_file_name(name):
        raise ValidationError({"file": refusal})
    try:
        content_type = content_type_of(upload)
    except ValidationError as error:
        raise ValidationError({"file": error.error_list}) from None
    if refusal := policies.refusal_of_expiry_date(kind=kind, expires_on=expires_on):
        raise ValidationError({"expires_on": refusal})
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(applicant=applicant, kind=kind).first()
        old_file = document.file.name if document else None
        document = document or Document(applicant=applicant, kind=kind)
        document.original_name, document.content_type, document.size = name, content_type, upload.size
        document.expires_on = expires_on
        document.status, document.rejection_reason = DocumentStatus.PENDING, ""
        document.reviewed_by, document.reviewed_at, document.uploaded_at = None, None, timezone.now()
        document.full_clean(exclude=["file"])
        document.file.save("upload", upload, save=False)
        try:
            document.save()
        except Exception as error:
            document.file.storage.delete(document.file.name)  # no row, no file
            if isinstance(error, IntegrityError):  # a first upload of this kind, twice at once
                raise ValidationError(
                    {"file": "This document was just uploaded from elsewhere; reload the page."}) from None
            raise
        storage = document.file.storage
        transaction.on_commit(lambda: old_file and storage.delete(old_file))
    return document


def document_delete(*, document: Document, by: User) -> None:
    """Delete one of the applicant's documents, unless a placement still needs it (replacing it
    with a new upload stays possible: the host then sees it awaiting verification again)."""
    _require_owner(owner_id=document.applicant_id, by=by, action="delete a document")
    if refusal := policies.refusal_to_delete_document(document):
        raise ValidationError(refusal)
    document.delete()  # the file goes after commit (signals.py)


def document_review(*, document: Document, by: User, verified: bool, reason: str = "") -> Document:
    """An admin verifies or rejects (with a reason) a document; the applicant is told either way."""
    if refusal := policies.refusal_to_review_documents(by):
        raise PermissionDenied(refusal)
    reason = reason.strip()
    if not verified and not reason:
        raise ValidationError({"reason": "Say why the document is rejected, so the applicant can fix it."})
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        document.status = DocumentStatus.VERIFIED if verified else DocumentStatus.REJECTED
        document.rejection_reason = "" if verified else reason
        document.reviewed_by, document.reviewed_at = by, timezone.now()
        document.save(update_fields=["status", "rejection_reason", "reviewed_by", "reviewed_at"])
        notify(user=document.applicant, kind=kinds.DOCUMENT_VERIFIED if verified else kinds.DOCUMENT_REJECTED,
               context={"document": document}, url=reverse("applicants:documents"))
    return document


def document_download_record(*, document: Document, user: User) -> None:
    DocumentDownload.objects.create(document=document, user=user)


def experience_entry_save(*, entry: ExperienceEntry, by: User) -> ExperienceEntry:
    """Add or edit one of the applicant's own log entries."""
    _require_applicant(by)
    if entry.pk:
        _require_owner(owner_id=entry.applicant_id, by=by, action="change a log entry")
    entry.applicant = by
    entry.full_clean()
    entry.save()
    return entry


def experience_entry_delete(*, entry: ExperienceEntry, by: User) -> None:
    _require_owner(owner_id=entry.applicant_id, by=by, action="delete a log entry")
    if entry.from_placement:
        raise ValidationError("A completed placement stays in the log; you can edit its hours and duties.")
    entry.delete()


def experience_from_placement(*, application) -> ExperienceEntry:
    """The log entry of a completed placement (called by the `complete` transition)."""
    slot, listing = application.slot, application.slot.listing
    weeks = slot.weeks
    supervisor = ", ".join(str(p) for p in listing.preceptors.all())
    entry, _ = ExperienceEntry.objects.get_or_create(application=application, defaults={
        "applicant": application.applicant, "start_date": slot.start_date, "end_date": slot.end_date,
        "institution": listing.institution.name, "specialty": listing.specialty, "setting": listing.setting,
        "hours": weeks * 40, "duties": listing.get_rotation_type_display(), "supervisor": supervisor[:200],
    })
    return entry
