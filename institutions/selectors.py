"""Reads of institutions, memberships and invitations, scoped to the user who asks."""

from accounts.models import Role

from .models import Coordinator, Institution, Invitation, NpiDispute, Preceptor


def invitations_visible_to(user):
    """Admins see every invitation; a coordinator those of their own institution; others none."""
    qs = Invitation.objects.select_related("institution", "invited_by")
    if user.role == Role.ADMIN:
        return qs
    if user.role == Role.COORDINATOR and hasattr(user, "coordinator"):
        return qs.filter(institution_id=user.coordinator.institution_id)
    return qs.none()


def institutions_user_may_invite_to(user):
    if user.role == Role.ADMIN:
        return Institution.objects.all()
    if user.role == Role.COORDINATOR and hasattr(user, "coordinator"):
        return Institution.objects.filter(pk=user.coordinator.institution_id)
    return Institution.objects.none()


def coordinator_membership(user) -> Coordinator | None:
    return Coordinator.objects.select_related("institution").filter(user=user).first()


def coordinator_institution_id(user) -> int | None:
    if not user.is_authenticated or user.role != Role.COORDINATOR:
        return None
    return Coordinator.objects.filter(user=user).values_list("institution_id", flat=True).first()


def preceptors_teaching_at(institution_id):
    """The preceptors with a confirmed membership of this institution, by name."""
    return Preceptor.objects.filter(memberships__institution_id=institution_id).order_by("full_name")


def preceptor_ids_teaching_at(institution_id) -> set[int]:
    return set(preceptors_teaching_at(institution_id).values_list("pk", flat=True))


def preceptors_public():
    """Every preceptor's public page: name, degree, specialty, institutions (no e-mail, no NPI)."""
    return Preceptor.objects.select_related("institution")


def own_preceptor_profile(user) -> Preceptor | None:
    return Preceptor.objects.select_related("institution").filter(user=user).first()


def preceptor_open_claim(preceptor):
    """The open NPI dispute this preceptor started, if any (their NPI is under review)."""
    return preceptor.npi_claims.filter(status="open").first()


def preceptors_awaiting_verification():
    return (Preceptor.objects.filter(status=Preceptor.Status.UNVERIFIED)
            .select_related("institution", "user")
            .prefetch_related("memberships__institution").order_by("created_at"))


def npi_disputes_open():
    return NpiDispute.objects.filter(status=NpiDispute.Status.OPEN).select_related(
        "claimant__institution", "holder__institution").order_by("opened_at")
