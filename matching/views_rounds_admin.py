"""The admins' match rounds: create one, make its moves, watch the run (HTMX polls the progress),
read its figures, publish, and download the instance and result for an audit with
`python -m matching.engine INSTANCE.json --check RESULT.json`."""

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.permissions import role_required
from core.form_support import add_service_errors
from rotations.models import Slot
from rotations.selectors import listings_public

from . import policies, services_rounds
from . import selectors_rounds as selectors
from .models_rounds import MatchRound, RoundStatus
from .rounds import ROUND_MOVES


class RoundForm(forms.Form):
    name = forms.CharField(max_length=200)
    slots = forms.ModelMultipleChoiceField(queryset=Slot.objects.none(), widget=forms.CheckboxSelectMultiple,
                                           help_text="Published listings of verified institutions, not in another round.")
    ranking_opens_at = forms.DateTimeField(label="Ranking opens", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ranking_deadline = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    match_at = forms.DateTimeField(label="Match date", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        busy = MatchRound.objects.exclude(status=RoundStatus.PUBLISHED).values("slots")
        self.fields["slots"].queryset = (Slot.objects.filter(listing__in=listings_public(),
                                                             start_date__gt=timezone.localdate())
                                         .exclude(pk__in=busy).select_related("listing__institution")
                                         .order_by("start_date", "listing__title")[:300])
        self.fields["slots"].label_from_instance = lambda slot: (
            f"{slot.listing.title} · {slot.listing.institution.name} · {slot.start_date:%b %-d} – "
            f"{slot.end_date:%b %-d, %Y} · {slot.seats_left} seat{'s' if slot.seats_left != 1 else ''}")


@role_required(Role.ADMIN)
def round_list(request):
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            match_round = services_rounds.round_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Round created as a draft. Open ranking when it is ready.")
            return redirect("matching:round_admin", pk=match_round.pk)
    return render(request, "matching/rounds/admin_list.html", {
        "rounds": MatchRound.objects.all()[:100], "form": form}, status=400 if form.errors else 200)


@role_required(Role.ADMIN)
def round_admin(request, pk):
    match_round = get_object_or_404(MatchRound, pk=pk)
    now = timezone.now()
    moves = [(move, policies.round_move_refusal(match_round, move.action, request.user, now))
             for move in ROUND_MOVES.values()]
    return render(request, "matching/rounds/admin.html", {
        "round": match_round, "moves": moves, "slots": selectors.round_slots(match_round),
        "figures": selectors.round_figures(match_round) if match_round.status in (
            RoundStatus.MATCHED, RoundStatus.PUBLISHED) else None,
        "running": _running(match_round)})


def _running(match_round) -> bool:
    return match_round.run_step not in ("", "Done", "Failed")


@require_POST
@role_required(Role.ADMIN)
def round_move(request, pk, action):
    match_round = get_object_or_404(MatchRound, pk=pk)
    try:
        services_rounds.round_move(match_round=match_round, action=action, by=request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        if action in ROUND_MOVES:
            messages.success(request, ROUND_MOVES[action].done)
    return redirect("matching:round_admin", pk=pk)


@role_required(Role.ADMIN)
def round_progress(request, pk):
    """The run's progress bar, polled by HTMX every second while it runs; when it is done the
    answer asks HTMX to reload the page, which then shows the figures."""
    match_round = get_object_or_404(MatchRound, pk=pk)
    response = render(request, "matching/rounds/_progress.html", {"round": match_round,
                                                                  "running": _running(match_round)})
    if not _running(match_round) and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


def _json_download(data: dict, filename: str) -> HttpResponse:
    response = HttpResponse(json.dumps(data, indent=1), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response


@role_required(Role.ADMIN)
def round_instance(request, pk):
    match_round = get_object_or_404(MatchRound, pk=pk)
    instance = match_round.run_instance or services_rounds.round_instance(match_round)  # as run, or as it stands
    return _json_download(instance, f"round-{pk}-instance.json")


@role_required(Role.ADMIN)
def round_result_download(request, pk):
    match_round = get_object_or_404(MatchRound.objects.filter(status__in=[RoundStatus.MATCHED, RoundStatus.PUBLISHED]),
                                    pk=pk)
    return _json_download(services_rounds.round_result(match_round), f"round-{pk}-result.json")
