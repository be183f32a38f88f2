"""Whether an applicant may apply to a listing's slot, and exactly what stands in the way.

Pure rules over a profile, the applicant's documents and a listing (and slot): the listing page
shows the result, and `matching.services.application_submit` refuses what it refuses.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from rotations.choices import Audience, DocumentKind

from .choices import DocumentStatus, ExamStatus, Stage
from .policies import EXPIRED, expiry_state, valid_on


@dataclass(frozen=True)
class DocumentCheck:
    kind: str
    label: str
    problem: str  # empty when the document is verified and valid through the rotation
    blocking: bool  # missing, rejected or expiring documents block an application; unverified ones do not

    @property
    def ok(self) -> bool:
        return not self.problem


@dataclass
class Readiness:
    eligibility: list[str] = field(default_factory=list)
    documents: list[DocumentCheck] = field(default_factory=list)

    @property
    def can_apply(self) -> bool:
        return not self.eligibility and not any(check.blocking for check in self.documents)

    @property
    def document_problems(self) -> list[DocumentCheck]:
        return [check for check in self.documents if not check.ok]

    @property
    def all_verified(self) -> bool:
        return all(check.ok for check in self.documents)


def readiness(*, profile, documents, listing, slot=None, today: date | None = None) -> Readiness:
    """Check `profile` (None if the applicant has none) and `documents` (an iterable of Document)."""
    today = today or timezone.localdate()
    needed_until = slot.end_date if slot is not None else today
    by_kind = {document.kind: document for document in documents}
    return Readiness(
        eligibility=eligibility_problems(profile, listing),
        documents=[_check(kind, by_kind.get(kind), today, needed_until) for kind in listing.required_documents],
    )


def eligibility_problems(profile, listing) -> list[str]:
    if profile is None:
        return ["Complete your profile: hosts need your school, exams and visa status."]
    problems = []
    if listing.audience == Audience.STUDENTS and profile.stage != Stage.STUDENT:
        problems.append("This rotation is for students still enrolled in medical school.")
    if listing.audience == Audience.GRADUATES and profile.stage != Stage.GRADUATE:
        problems.append("This rotation is for graduates of medical school.")
    if listing.visas and profile.visa_status not in listing.visas:
        accepted = ", ".join(listing.get_visas_display())
        problems.append(f"This rotation accepts {accepted}; your visa status is "
                        f"{profile.get_visa_status_display()}.")
    if listing.requires_step1 and profile.step1_status != ExamStatus.PASSED:
        problems.append("A passed USMLE Step 1 is required.")
    if (listing.requires_step2 or listing.min_step2_score) and profile.step2_status != ExamStatus.PASSED:
        problems.append("A passed USMLE Step 2 CK is required.")
    elif listing.min_step2_score and (profile.step2_score or 0) < listing.min_step2_score:
        problems.append(f"A USMLE Step 2 CK score of at least {listing.min_step2_score} is required.")
    return problems


def _check(kind: str, document, today: date, needed_until: date) -> DocumentCheck:
    label = DocumentKind(kind).label
    if document is None:
        return DocumentCheck(kind, label, "Missing: upload it to your documents.", True)
    if document.status == DocumentStatus.REJECTED:
        reason = f" ({document.rejection_reason})" if document.rejection_reason else ""
        return DocumentCheck(kind, label, f"Rejected{reason}: upload a new one.", True)
    if expiry_state(document.expires_on, today=today) == EXPIRED:
        return DocumentCheck(kind, label, f"Expired on {document.expires_on:%b %-d, %Y}: upload a new one.", True)
    if not valid_on(document.expires_on, needed_until):
        return DocumentCheck(kind, label, f"Expires on {document.expires_on:%b %-d, %Y}, "
                                          f"before the rotation ends.", True)
    if document.status == DocumentStatus.PENDING:
        return DocumentCheck(kind, label, "Awaiting verification by Rotamatch.", False)
    return DocumentCheck(kind, label, "", False)
