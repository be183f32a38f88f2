"""Reads of accounts data, scoped to the user who asks."""

from django.db.models import Count, Q

from .models import Invitation, Role, User


def invitations_visible_to(user):
    """Admins see every invitation; a coordinator those of their own institution; others none."""
    qs = Invitation.objects.select_related("institution", "invited_by")
    if user.role == Role.ADMIN:
        return qs
    if user.role == Role.COORDINATOR and hasattr(user, "coordinator"):
        return qs.filter(institution_id=user.coordinator.institution_id)
    return qs.none()


def institutions_user_may_invite_to(user):
    from rotations.models import Institution

    if user.role == Role.ADMIN:
        return Institution.objects.all()
    if user.role == Role.COORDINATOR and hasattr(user, "coordinator"):
        return Institution.objects.filter(pk=user.coordinator.institution_id)
    return Institution.objects.none()


def marketplace_figures() -> dict:
    """The staff dashboard's counts: users per role, institutions verified, work waiting, placements."""
    from applicants.selectors import documents_to_review
    from matching.models import Application, Status
    from rotations.models import Institution

    by_role = dict(User.objects.values_list("role").annotate(n=Count("id")).order_by())
    return {
        "users_by_role": [(label, by_role.get(value, 0)) for value, label in Role.choices],
        "institutions": Institution.objects.aggregate(
            total=Count("id"), verified=Count("id", filter=Q(verified_at__isnull=False))),
        "documents_pending": documents_to_review().count(),
        "placements": Application.objects.aggregate(
            to_approve=Count("id", filter=Q(status=Status.ACCEPTED)),
            approved=Count("id", filter=Q(status=Status.APPROVED)),
            completed=Count("id", filter=Q(status=Status.COMPLETED))),
    }
