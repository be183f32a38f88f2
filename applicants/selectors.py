"""Reads of profiles, documents and experience logs, scoped to the user who asks."""

from accounts.models import Role
from institutions.selectors import coordinator_institution_id

from .choices import DocumentStatus
from .hooks import host_document_access
from .models import Document, ExperienceEntry, Profile


def profile_of(user) -> Profile | None:
    return Profile.objects.filter(user=user).first() if user.is_authenticated else None


def documents_visible_to(user):
    """Applicants their own; coordinators the *verified* documents of applicants with a live
    application (or a completed placement) at their institution: a withdrawn or rejected
    applicant's passport is no longer theirs to open. Admins all (they verify them)."""
    if not user.is_authenticated:
        return Document.objects.none()
    if user.role == Role.ADMIN:
        return Document.objects.all()
    if user.role == Role.APPLICANT:
        return Document.objects.filter(applicant=user)
    institution_id = coordinator_institution_id(user)
    access = host_document_access(institution_id) if institution_id is not None else None
    if access is None:
        return Document.objects.none()
    return Document.objects.filter(access, status=DocumentStatus.VERIFIED).distinct()


def documents_to_review():
    return Document.objects.filter(status=DocumentStatus.PENDING).select_related("applicant").order_by(
        "uploaded_at", "id")


def experience_of(user):
    return ExperienceEntry.objects.filter(applicant=user)
