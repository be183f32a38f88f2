"""Reads of institutions, memberships and invitations, scoped to the user who asks."""

from accounts.models import Role

from .models import Coordinator, Institution, Invitation


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
