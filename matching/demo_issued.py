"""Demo documents for `make run`: the demo applicant's round placement approved, with its
invitation letter, and a completed placement with its certificate, each with a working
verification code. Idempotent: nothing is added once the applicant has an issued document."""

from django.core.exceptions import ValidationError

from .models import Application, IssuedDocument, IssuedKind, Status
from .services import application_transition
from .services_issued import issue


def seed_issued(*, applicant, admin) -> None:
    if IssuedDocument.objects.filter(application__applicant=applicant).exists():
        return
    accepted = Application.objects.filter(applicant=applicant, status=Status.ACCEPTED).order_by("slot__start_date").first()
    if accepted is not None:
        try:
            application_transition(application=accepted, action="approve", by=admin)
        except ValidationError:
            accepted = None  # a check does not pass: no letter for it
    approved = Application.objects.filter(applicant=applicant, status=Status.APPROVED).order_by("slot__start_date").first()
    if approved is not None:
        issue(application=approved, kind=IssuedKind.INVITATION, by=applicant)
    completed = Application.objects.filter(applicant=applicant, status=Status.COMPLETED).order_by("-slot__end_date").first()
    if completed is not None:
        issue(application=completed, kind=IssuedKind.CERTIFICATE, by=applicant)
