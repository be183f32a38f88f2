"""The applicants app's rule book: who may do what with profiles, documents and log entries, and
what a document's expiry date means today.

Services enforce these rules; pages, the API and the tests ask the same functions, so a refusal
reads the same wherever it is met. Each `refusal_to_…` returns the refusal in words, or "" when
the action is allowed (so `if refusal := …:` reads as "if refused").
"""

from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone

from accounts.models import Role

from .choices import EXPIRING_KINDS, EXPIRY_WARNING_DAYS
from .hooks import document_holder

# --- A document's expiry: the one place that says what "expired" and "expiring soon" mean -----

EXPIRED, EXPIRING_SOON, IN_DATE = "expired", "soon", ""


def expiry_state(expires_on: date | None, *, today: date | None = None) -> str:
    """EXPIRED (before today), EXPIRING_SOON (within the warning window) or IN_DATE (later, or
    no expiry date). A document is valid through its expiry date, so that day is not expired."""
    if expires_on is None:
        return IN_DATE
    today = today or timezone.localdate()
    if expires_on < today:
        return EXPIRED
    return EXPIRING_SOON if expires_on <= _warning_ends(today) else IN_DATE


def valid_on(expires_on: date | None, day: date) -> bool:
    """Whether a document with this expiry date is still in date on `day` (a rotation's last day)."""
    return expiry_state(expires_on, today=day) != EXPIRED


def expiry_state_filter(state: str, *, today: date | None = None) -> Q:
    """The documents in `state`, as a query condition: `expiry_state` for counts and sweeps."""
    today = today or timezone.localdate()
    if state == EXPIRED:
        return Q(expires_on__lt=today)
    if state == EXPIRING_SOON:
        return Q(expires_on__gte=today, expires_on__lte=_warning_ends(today))
    return Q(expires_on__isnull=True) | Q(expires_on__gt=_warning_ends(today))


def _warning_ends(today: date) -> date:
    return today + timedelta(days=EXPIRY_WARNING_DAYS)


# --- Who may keep and change records ------------------------------------------------------------


def refusal_to_keep_records(user) -> str:
    """A profile, a document vault and an experience log are an applicant's alone."""
    if user.role != Role.APPLICANT:
        return "Only applicants have a profile, documents and an experience log."
    return ""


def refusal_to_touch(*, owner_id: int, by, action: str) -> str:
    """Only the owner changes or deletes what is theirs; `action` says what, e.g. "delete a document"."""
    return "" if owner_id == by.pk else f"Only the owner may {action}."


def refusal_to_review_documents(user) -> str:
    return "" if user.role == Role.ADMIN else "Only an administrator verifies documents."


def refusal_to_delete_document(document) -> str:
    """A placement that still needs the document keeps it (replacing it stays possible: the host
    then sees the new one awaiting verification)."""
    if (placement := document_holder(document)) is None:
        return ""
    listing = placement.slot.listing
    return (f"Your placement in \"{listing.title}\" at {listing.institution.name} needs this document "
            f"until {placement.slot.end_date:%b %-d, %Y}. Upload a new one to replace it instead.")


# --- What an upload must say about itself -------------------------------------------------------

MAX_FILE_NAME = 200  # Document.original_name's length
FILE_NAME_TOO_LONG = (f"The file name is too long: at most {MAX_FILE_NAME} characters. "
                      f"Rename the file and upload it again.")


def refusal_of_file_name(name: str) -> str:
    # Refused, not cut: a cut name could lose the part that tells two files apart.
    return FILE_NAME_TOO_LONG if len(name) > MAX_FILE_NAME else ""


def refusal_of_expiry_date(*, kind: str, expires_on: date | None, today: date | None = None) -> str:
    """An expiring kind needs a date still in the future; any other kind takes none (a date sent
    with it would be dropped unseen, so it is refused instead)."""
    if kind not in EXPIRING_KINDS:
        if expires_on is not None:
            return "This document has no expiry date; leave it empty."
        return ""
    if expires_on is None:
        return "This document has an expiry date; enter it."
    if expiry_state(expires_on, today=today) == EXPIRED:
        return "This document has expired already."
    return ""
