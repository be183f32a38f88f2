"""The admins' preceptor verification queue: each unverified preceptor beside the NPI registry's record."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.permissions import role_required

from . import policies, registry
from .forms import DisputeResolveForm, VerificationDecisionForm
from .profiles import npi_dispute_resolve, preceptor_verification_decide
from .selectors import npi_disputes_open, preceptors_awaiting_verification

QUEUE_SIZE = 25  # the oldest first; each row may ask the registry once


@role_required(Role.ADMIN)
def preceptor_queue(request):
    rows, down = [], None
    for preceptor in preceptors_awaiting_verification()[:QUEUE_SIZE]:
        # Once the registry fails, the page stops asking it: one timeout, not one per row.
        lookup = down or (registry.npi_lookup(preceptor.npi) if preceptor.npi else None)
        if lookup is not None and lookup.error:
            down = lookup
        rows.append({
            "preceptor": preceptor, "lookup": lookup,
            "name_matches": bool(lookup and registry.name_matches(preceptor.full_name, lookup)),
            "can_verify": policies.may_verify(request.user, preceptor),
        })
    return render(request, "institutions/preceptor_queue.html", {
        "rows": rows, "disputes": npi_disputes_open(), "registry_enabled": registry.registry_enabled(),
        "decision_form": VerificationDecisionForm(), "dispute_form": DisputeResolveForm(),
    })


@require_POST
@role_required(Role.ADMIN)
def preceptor_decide(request, pk):
    preceptor = get_object_or_404(preceptors_awaiting_verification(), pk=pk)
    form = VerificationDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose to verify or reject.")
        return redirect("institutions:preceptor_queue")
    verify = form.cleaned_data["decision"] == "verify"
    # What the registry says now is what the decision rests on, so that is what is stored.
    lookup = registry.npi_lookup(preceptor.npi) if preceptor.npi else None
    try:
        preceptor_verification_decide(preceptor=preceptor, by=request.user, verify=verify,
                                      reason=form.cleaned_data["reason"],
                                      registry_response=lookup.response if lookup else None)
    except ValidationError as error:
        messages.error(request, f"{preceptor.full_name}: {' '.join(error.messages)}")
    else:
        messages.success(request, f"{preceptor.full_name} is {'verified' if verify else 'rejected'}.")
    return redirect("institutions:preceptor_queue")


@require_POST
@role_required(Role.ADMIN)
def dispute_resolve(request, pk):
    dispute = get_object_or_404(npi_disputes_open(), pk=pk)
    form = DisputeResolveForm(request.POST)
    if form.is_valid():
        npi_dispute_resolve(dispute=dispute, by=request.user,
                            claimant_wins=form.cleaned_data["winner"] == "claimant",
                            note=form.cleaned_data["note"])
        messages.success(request, f"The dispute over NPI {dispute.npi} is settled.")
    else:
        messages.error(request, "Choose who keeps the NPI.")
    return redirect("institutions:preceptor_queue")
