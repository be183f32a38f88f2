"""Letters of recommendation: requests, the author's upload (through a signed link or the
dashboard), versions, shares with programs and the record of every look at a letter.

The rules are in `policies`; here they are enforced (PermissionDenied for who, ValidationError for
the rest), each change is one transaction, and every e-mail is queued with it. No notification or
e-mail to an applicant carries a letter or a link that serves one.
"""

import ipaddress
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from notifications import kinds
from notifications.reminders import remind_once
from notifications.services import notify, notify_address

from . import policies
from .letter_pdf import letter_pdf_check
from .models import LetterAccess, LetterRequest, LetterShare, LetterStatus, LetterVersion
from .models_letters import new_nonce
from .selectors_letters import letter_authors_for

_UPLOAD_SALT, _SHARE_SALT = "preceptors.letters.upload", "preceptors.letters.share"
BAD_LINK = "This link is not valid. Open it again from the e-mail, copying the whole address."


def _refuse(refusal: str | None) -> None:
    if refusal == policies.NOT_YOURS:
        raise PermissionDenied(refusal)
    if refusal:
        raise ValidationError(refusal)


# Links: signed, carrying the current nonce; a new nonce retires every older link.

def upload_link(letter: LetterRequest) -> str:
    token = signing.dumps({"l": letter.pk, "n": letter.link_nonce}, salt=_UPLOAD_SALT, compress=True)
    return reverse("preceptors:letter_upload", args=[token])


def share_link(share: LetterShare) -> str:
    token = signing.dumps({"s": share.pk, "n": share.nonce}, salt=_SHARE_SALT, compress=True)
    return reverse("preceptors:letter_share", args=[token])


def letter_from_token(token: str, now=None) -> tuple[LetterRequest | None, str | None]:
    """The request an upload link names and, when it cannot be used now, why (for the author)."""
    now = now or timezone.now()
    try:
        data = signing.loads(token, salt=_UPLOAD_SALT, max_age=timedelta(days=settings.LETTER_LINK_DAYS))
    except signing.SignatureExpired:
        return None, "This link has expired. Ask the applicant to send it again from Rotamatch."
    except signing.BadSignature:
        return None, BAD_LINK
    letter = LetterRequest.objects.select_related("applicant").filter(pk=data.get("l")).first()
    if letter is None:
        return None, BAD_LINK
    if refusal := policies.letter_upload_refusal(letter):
        return letter, refusal
    if data.get("n") != letter.link_nonce:
        if letter.status == LetterStatus.UPLOADED:
            return letter, ("This link was used to upload the letter. To replace it, use the newer link "
                            "in our confirmation e-mail.")
        return letter, "This link was replaced by a newer one. Use the link in the most recent e-mail."
    if letter.link_expires_at <= now:
        return letter, "This link has expired. Ask the applicant to send it again from Rotamatch."
    return letter, None


def share_from_token(token: str) -> LetterShare | None:
    try:
        data = signing.loads(token, salt=_SHARE_SALT)
    except signing.BadSignature:
        return None
    share = LetterShare.objects.select_related("applicant").filter(pk=data.get("s")).first()
    return share if share is not None and share.nonce == data.get("n") else None


# The applicant asks

def letter_request_create(*, applicant, data: dict, now=None) -> LetterRequest:
    """`data`: preceptor (a Preceptor, or None with author_name and author_email), author_title,
    author_department, specialty_label, message, waived (True or False, never missing)."""
    _refuse(policies.can_request_letters(applicant))
    now, errors = now or timezone.now(), {}
    preceptor = data.get("preceptor")
    if preceptor is not None:
        if not letter_authors_for(applicant).filter(pk=preceptor.pk).exists():
            raise PermissionDenied("Choose a preceptor of one of your completed placements.")
        email = preceptor.user.email if preceptor.user else preceptor.email
        author = {"author_name": preceptor.full_name, "author_email": email,
                  "author_title": preceptor.title, "author_department": preceptor.department}
    else:
        author = {name: (data.get(name) or "").strip() for name in
                  ("author_name", "author_email", "author_title", "author_department")}
        if not author["author_name"]:
            errors["author_name"] = "Give the author's name."
        try:
            validate_email(author["author_email"])
        except ValidationError:
            errors["author_email"] = "Give the author's e-mail address."
    if author.get("author_email", "").lower() == applicant.email.lower():
        errors["author_email"] = "The author's e-mail cannot be your own."
    specialty_label = (data.get("specialty_label") or "").strip()
    if not specialty_label:
        errors["specialty_label"] = "Say what the letter is for, e.g. Internal Medicine."
    if data.get("waived") not in (True, False):
        errors["waived"] = "Choose whether you waive your right to see the letter."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        letter = _create_with_unique_code(dict(
            applicant=applicant, preceptor=preceptor, specialty_label=specialty_label[:100],
            message=(data.get("message") or "").strip()[:2000], waived=data["waived"], waiver_recorded_at=now,
            created_at=now, link_expires_at=now + timedelta(days=settings.LETTER_LINK_DAYS), **author))
        _email_author(letter, kinds.LETTER_REQUEST)
    return letter


def _create_with_unique_code(values: dict) -> LetterRequest:
    for _ in range(5):  # 40 random bits: a clash is rare, and a retry draws again
        try:
            with transaction.atomic():
                return LetterRequest.objects.create(**values)
        except IntegrityError:
            continue
    raise IntegrityError("No free letter ID after five draws.")


def _email_author(letter: LetterRequest, kind) -> None:
    notify_address(email=letter.author_email, kind=kind, url=upload_link(letter), context={
        "letter": letter, "applicant_name": _name(letter.applicant), "expires": letter.link_expires_at,
        "max_bytes": settings.LETTER_MAX_BYTES})


def _name(user) -> str:
    return user.get_full_name() or user.email


def letter_cancel(*, letter: LetterRequest, by) -> LetterRequest:
    with transaction.atomic():
        letter = LetterRequest.objects.select_for_update().get(pk=letter.pk)
        _refuse(policies.can_cancel_letter(letter, by))
        letter.status, letter.closed_at = LetterStatus.CANCELLED, timezone.now()
        letter.link_nonce = new_nonce()  # the author's link stops working
        letter.save(update_fields=["status", "closed_at", "link_nonce"])
    return letter


def letter_waiver_set(*, letter: LetterRequest, by, waived: bool) -> LetterRequest:
    with transaction.atomic():
        letter = LetterRequest.objects.select_for_update().get(pk=letter.pk)
        _refuse(policies.can_change_waiver(letter, by))
        if letter.waived != waived:
            letter.waived, letter.waiver_recorded_at = waived, timezone.now()
            letter.save(update_fields=["waived", "waiver_recorded_at"])
    return letter


def letter_link_resend(*, letter: LetterRequest, by) -> LetterRequest:
    """A new link, valid for the full period again; the old one stops working."""
    with transaction.atomic():
        letter = LetterRequest.objects.select_for_update().get(pk=letter.pk)
        _refuse(policies.can_resend_letter_link(letter, by))
        letter.link_nonce = new_nonce()
        letter.link_expires_at = timezone.now() + timedelta(days=settings.LETTER_LINK_DAYS)
        letter.save(update_fields=["link_nonce", "link_expires_at"])
        _email_author(letter, kinds.LETTER_REQUEST)
    return letter


def letter_author_remind(*, letter: LetterRequest) -> None:
    """A scheduled reminder (reminders.py): the same link, still valid until its date."""
    _email_author(letter, kinds.LETTER_REMINDER)


def letter_nudge(*, letter: LetterRequest, by, now=None) -> LetterRequest:
    now = now or timezone.now()
    with transaction.atomic():
        letter = LetterRequest.objects.select_for_update().get(pk=letter.pk)
        _refuse(policies.can_nudge_author(letter, by, now))
        letter.nudged_at = now
        letter.save(update_fields=["nudged_at"])
        _email_author(letter, kinds.LETTER_REMINDER)
    return letter


# The author uploads

def letter_upload(*, letter: LetterRequest, upload, by=None, link_nonce: str | None = None) -> LetterVersion:
    """Store a new version of the letter. Through a link (`link_nonce`), the upload uses the link
    up; signed in (`by`), the author must be the letter's. The file is checked before anything is
    written: a refused file leaves the request as it was."""
    if by is not None and not policies.is_letter_author(letter, by):
        raise PermissionDenied(policies.NOT_YOURS)
    data = letter_pdf_check(upload)
    with transaction.atomic():
        letter = LetterRequest.objects.select_for_update().select_related("applicant").get(pk=letter.pk)
        _refuse(policies.letter_upload_refusal(letter))
        if by is None and (link_nonce is None or link_nonce != letter.link_nonce):
            raise ValidationError("This link was used already. Use the newer link in our confirmation e-mail.")
        if by is None and letter.link_expires_at <= timezone.now():
            raise ValidationError("This link has expired. Ask the applicant to send it again from Rotamatch.")
        number = (letter.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = LetterVersion(request=letter, number=number, size=len(data), uploaded_by=by)
        version.file.save("letter.pdf", ContentFile(data), save=False)
        version.save()
        first = letter.status == LetterStatus.REQUESTED
        letter.status, letter.uploaded_at = LetterStatus.UPLOADED, version.uploaded_at
        # The link that carried this upload is used up; the confirmation brings a new one for a
        # replacement, valid for the full period.
        letter.link_nonce = new_nonce()
        letter.link_expires_at = timezone.now() + timedelta(days=settings.LETTER_LINK_DAYS)
        letter.save(update_fields=["status", "uploaded_at", "link_nonce", "link_expires_at"])
        _email_author(letter, kinds.LETTER_RECEIVED)
        notify(user=letter.applicant, kind=kinds.LETTER_UPLOADED, url=reverse("preceptors:letters"),
               context={"letter": letter, "first": first})
    return version


def letter_remove(*, letter: LetterRequest, by, reason: str) -> LetterRequest:
    """Only an admin deletes an uploaded letter, with a recorded reason; its files go with it."""
    if not by.is_authenticated or by.role != Role.ADMIN:
        raise PermissionDenied(policies.NOT_YOURS)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the letter is removed; the reason is recorded."})
    with transaction.atomic():
        letter = LetterRequest.objects.select_for_update().get(pk=letter.pk)
        if letter.status != LetterStatus.UPLOADED:
            raise ValidationError("Only an uploaded letter can be removed.")
        letter.versions.all().delete()  # each file is deleted after commit (signals.py)
        letter.status, letter.closed_at = LetterStatus.REMOVED, timezone.now()
        letter.removal_reason, letter.removed_by = reason.strip(), by
        letter.link_nonce = new_nonce()
        letter.save(update_fields=["status", "closed_at", "removal_reason", "removed_by", "link_nonce"])
        notify(user=letter.applicant, kind=kinds.LETTER_REMOVED, url=reverse("preceptors:letters"),
               context={"letter": letter})
    return letter


# Sharing with programs

def letter_share_create(*, applicant, program_name: str, recipient_email: str, letters) -> LetterShare:
    letters = list(letters)
    _refuse(policies.can_share_letters(letters, applicant))
    errors = {}
    program_name, recipient_email = program_name.strip(), recipient_email.strip()
    if not program_name:
        errors["program_name"] = "Give the program's name."
    try:
        validate_email(recipient_email)
    except ValidationError:
        errors["recipient_email"] = "Give the recipient's e-mail address."
    if recipient_email.lower() == applicant.email.lower():
        errors["recipient_email"] = "Letters are shared with a program, not with yourself."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        share = LetterShare.objects.create(
            applicant=applicant, program_name=program_name[:200], recipient_email=recipient_email,
            expires_at=timezone.now() + timedelta(days=settings.LETTER_SHARE_DAYS))
        share.letters.set(letters)
        notify_address(email=recipient_email, kind=kinds.LETTER_SHARED, url=share_link(share), context={
            "share": share, "applicant_name": _name(applicant), "count": len(letters)})
    return share


def letter_share_revoke(*, share: LetterShare, by) -> LetterShare:
    if not by.is_authenticated or by.pk != share.applicant_id:
        raise PermissionDenied(policies.NOT_YOURS)
    if share.revoked_at is None:
        share.revoked_at = timezone.now()
        share.save(update_fields=["revoked_at"])
    return share


# The record of every look at a letter

def truncated_ip(address: str) -> str:
    """The network, not the machine: /24 for IPv4, /48 for IPv6."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def letter_access_record(*, kind: str, request=None, version=None, share=None, user=None, ip: str = "",
                         reason: str = "") -> LetterAccess:
    with transaction.atomic():
        access = LetterAccess.objects.create(kind=kind, request=request, version=version, share=share,
                                             user=user if user and user.is_authenticated else None,
                                             ip_prefix=truncated_ip(ip), reason=reason)
        if share is not None:
            # The applicant hears once that the program opened the letters (the log shows every look).
            remind_once(key=f"letter-share:{share.pk}", stage="opened", send=lambda: notify(
                user=share.applicant, kind=kinds.LETTER_SHARE_OPENED, url=reverse("preceptors:letters"),
                context={"share": share}))
    return access
