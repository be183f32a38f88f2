"""Matching's answers to the questions lower apps ask about slots and documents (their hooks.py),
registered in MatchingConfig.ready."""

from django.db.models import Q
from django.utils import timezone

from .models import Application, Status


def slot_dates_held(slot) -> bool:
    """Someone applied to, was offered, holds or completed a placement on these dates."""
    return Application.objects.filter(slot_id=slot.pk, status__in=Status.live()).exists()


def placement_needing(document):
    """The applicant's accepted or approved placement, not yet ended, whose listing requires this
    document's kind; None if there is none."""
    return (Application.objects
            .filter(applicant_id=document.applicant_id, status__in=[Status.ACCEPTED, Status.APPROVED],
                    slot__end_date__gte=timezone.localdate(),
                    slot__listing__required_documents__contains=[document.kind])
            .select_related("slot__listing__institution").order_by("slot__start_date").first())


def host_document_access(institution_id: int) -> Q:
    """A host opens the documents of applicants with a live application (or a completed placement)
    at their institution: a withdrawn or rejected applicant's passport is no longer theirs to open."""
    return Q(applicant__applications__slot__listing__institution_id=institution_id,
             applicant__applications__status__in=Status.live())
