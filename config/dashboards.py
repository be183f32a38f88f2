"""Pages composed from several apps: the home redirect, and the coordinator's and admins' dashboards."""

from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import path

from accounts.models import Role, User
from accounts.permissions import dashboard_url_name, role_required
from applicants.selectors import documents_to_review
from institutions.forms import invitation_form_for
from institutions.models import Institution
from institutions.selectors import coordinator_membership, invitations_visible_to
from matching.models import Application, Status
from matching.selectors import review_counts


def home(request):
    if request.user.is_authenticated:
        return redirect(dashboard_url_name(request.user))
    return render(request, "home.html")


@role_required(Role.COORDINATOR)
def coordinator(request):
    membership = coordinator_membership(request.user)
    institution = membership.institution if membership else None
    context = {"institution": institution}
    if institution:
        context.update(
            colleagues=institution.coordinators.select_related("user"),
            preceptors=institution.preceptors.select_related("user"),
            invitations=invitations_visible_to(request.user)[:20],
            invite_form=invitation_form_for(request.user),
            review_counts=review_counts(request.user),
        )
    return render(request, "dashboards/coordinator.html", context)


@role_required(Role.ADMIN)
def staff(request):
    return render(request, "dashboards/staff.html", {
        **marketplace_figures(),
        "invitations": invitations_visible_to(request.user)[:20],
        "invite_form": invitation_form_for(request.user),
    })


def marketplace_figures() -> dict:
    """The staff dashboard's counts: users per role, institutions verified, work waiting, placements."""
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


app_name = "dashboards"

urlpatterns = [
    path("coordinator/", coordinator, name="coordinator"),
    path("staff/", staff, name="staff"),
]
