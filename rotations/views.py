"""Coordinator pages."""

from django.shortcuts import render
from django.urls import path

from accounts.forms import invitation_form_for
from accounts.models import Role
from accounts.permissions import role_required
from accounts.selectors import invitations_visible_to
from matching.selectors import review_counts

from .selectors import coordinator_membership


@role_required(Role.COORDINATOR)
def coordinator_dashboard(request):
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
    return render(request, "rotations/coordinator_dashboard.html", context)


urlpatterns = [
    path("coordinator/", coordinator_dashboard, name="coordinator_dashboard"),
]
