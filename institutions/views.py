"""Invitation pages: sending, withdrawing and accepting an invitation."""

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.permissions import dashboard_url_name, role_required

from . import services
from .forms import InvitationAcceptForm, invitation_form_for
from .models import Invitation
from .selectors import invitations_visible_to


@require_POST
@role_required(Role.ADMIN, Role.COORDINATOR)
def invitation_create(request):
    form = invitation_form_for(request.user, request.POST)
    if form.is_valid():
        try:
            invitation = services.invitation_create(invited_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect(dashboard_url_name(request.user))
    return render(request, "institutions/invitation_form.html", {"form": form}, status=400)


@require_POST
@role_required(Role.ADMIN, Role.COORDINATOR)
def invitation_revoke(request, pk):
    invitation = get_object_or_404(invitations_visible_to(request.user), pk=pk)
    try:
        services.invitation_revoke(invitation=invitation, revoked_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"The invitation for {invitation.email} was withdrawn.")
    return redirect(dashboard_url_name(request.user))


def invitation_accept(request, token):
    invitation = Invitation.objects.pending().select_related("institution").filter(token=token).first()
    if invitation is None:
        return render(request, "institutions/invitation_invalid.html", status=404)
    if request.user.is_authenticated:
        if _is_invited_preceptor(request.user, invitation):
            return _accept_as_member(request, invitation)
        return render(request, "institutions/invitation_logged_in.html", {"invitation": invitation},
                      status=409)
    form = InvitationAcceptForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                token=token, first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"], password=form.cleaned_data["password1"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome to Rotamatch, {user.first_name}.")
            return redirect(dashboard_url_name(user))
    return render(request, "institutions/invitation_accept.html", {"invitation": invitation, "form": form})


def _is_invited_preceptor(user, invitation) -> bool:
    return (invitation.role == Role.PRECEPTOR and user.role == Role.PRECEPTOR
            and user.email.lower() == invitation.email.lower())


def _accept_as_member(request, invitation):
    """A preceptor with an account joins one more institution: one button, no new account."""
    if request.method == "POST":
        try:
            services.invitation_accept_as_member(token=invitation.token, user=request.user)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, f"You now teach at {invitation.institution.name} on Rotamatch.")
        return redirect("preceptors:profile_edit")
    return render(request, "institutions/invitation_accept_member.html", {"invitation": invitation})
