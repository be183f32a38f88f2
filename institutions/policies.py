"""The rule book for preceptor profiles: who may edit, verify or settle an NPI, in words."""

from accounts.models import Role
from core.verdict import YES, Verdict

from .models import NpiDispute, Preceptor


def may_edit_profile(user, preceptor: Preceptor) -> Verdict:
    if not user.is_authenticated or preceptor.user_id != user.pk:
        return Verdict("Only the preceptor edits their own profile.", forbidden=True)
    return YES


def may_decide_verification(user, preceptor: Preceptor) -> Verdict:
    if not user.is_authenticated or user.role != Role.ADMIN:
        return Verdict("Only an administrator may verify preceptors.", forbidden=True)
    if preceptor.status != Preceptor.Status.UNVERIFIED:
        return Verdict(f"This preceptor is already {preceptor.get_status_display().lower()}.")
    return YES


def may_verify(user, preceptor: Preceptor) -> Verdict:
    """Verifying needs an NPI that nobody else claims: an open dispute is settled first."""
    verdict = may_decide_verification(user, preceptor)
    if not verdict:
        return verdict
    if not preceptor.npi:
        return Verdict("This preceptor has not entered an NPI yet.")
    if NpiDispute.objects.filter(status=NpiDispute.Status.OPEN, npi=preceptor.npi).exists():
        return Verdict("This NPI is under dispute: settle the dispute first.")
    return YES


def may_resolve_dispute(user, dispute: NpiDispute) -> Verdict:
    if not user.is_authenticated or user.role != Role.ADMIN:
        return Verdict("Only an administrator settles NPI disputes.", forbidden=True)
    if dispute.status != NpiDispute.Status.OPEN:
        return Verdict("This dispute is already settled.")
    return YES
