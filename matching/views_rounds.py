"""Match rounds for applicants and coordinators: the rounds page, the applicant's rank list
(reordered by drag and drop, or by keyboard with the move buttons, which work without script),
the coordinator's ranking of each slot's rankers, and the results with their explanations.

Thin views over `services_rounds`; every round, slot and list is found through the user-scoped
selectors, so another's answers 404.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from accounts.models import Role
from accounts.permissions import role_required

from . import policies, services_rounds
from . import selectors_rounds as selectors
from .models_rounds import RoundStatus


@role_required(Role.APPLICANT, Role.COORDINATOR)
def rounds(request):
    return render(request, "matching/rounds/list.html", {
        "rounds": selectors.rounds_for(request.user).order_by("-ranking_deadline")[:50]})


def _edited_order(post, order: list[int]) -> tuple[list[int], int | None]:
    """Apply the one button pressed (move up/down, remove, add) to the submitted order; return the
    new order and the slot whose control keeps the keyboard focus."""
    if add := post.get("add"):
        slot_id = int(add)
        return ([*order, slot_id] if slot_id not in order else order), slot_id
    action, _, value = (post.get("move") or "").partition("-")
    if not value.isdigit() or int(value) not in order:
        return order, None
    slot_id = int(value)
    i = order.index(slot_id)
    if action == "remove":
        return [s for s in order if s != slot_id], None
    j = i - 1 if action == "up" else i + 1
    if action in ("up", "down") and 0 <= j < len(order):
        order[i], order[j] = order[j], order[i]
    return order, slot_id


@role_required(Role.APPLICANT)
def round_rank(request, pk):
    match_round = get_object_or_404(selectors.rounds_for(request.user), pk=pk)
    if match_round.status == RoundStatus.PUBLISHED:
        return redirect("matching:round_result", pk=pk)
    refusal = policies.can_rank_as_applicant(match_round, request.user, timezone.now())
    rank_list, ranked = selectors.rank_list_of(match_round, request.user)
    focus = None
    if request.method == "POST" and not refusal:
        order = [int(s) for s in request.POST.getlist("slot") if s.isdigit()]
        order, focus = _edited_order(request.POST, order)
        try:
            rank_list = services_rounds.rank_list_save(match_round=match_round, applicant=request.user,
                                                       slot_ids=order, certify="certify" in request.POST)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            if "certify" in request.POST:
                messages.success(request, "Your rank list is certified. You can change it (and certify again) "
                                          "until the deadline.")
            elif "save" in request.POST:
                messages.success(request, "Saved. Certify it to enter the match.")
            if not focus:
                return redirect("matching:round_rank", pk=pk)
        rank_list, ranked = selectors.rank_list_of(match_round, request.user)
    slots = list(selectors.round_slots(match_round))
    problems = services_rounds.eligibility_problems(request.user, slots)
    ranked_ids = {slot.pk for slot in ranked}
    return render(request, "matching/rounds/rank.html", {
        "round": match_round, "refusal": refusal, "rank_list": rank_list, "ranked": ranked, "focus": focus,
        "max": policies.RANK_LIST_MAX,
        "others": [(slot, problems.get(slot.pk)) for slot in slots if slot.pk not in ranked_ids]})


@role_required(Role.APPLICANT)
def round_result(request, pk):
    match_round = get_object_or_404(selectors.rounds_for(request.user).filter(status=RoundStatus.PUBLISHED), pk=pk)
    match, reasons = selectors.applicant_explanations(match_round, request.user)
    placement = match_round.placements.filter(applicant=request.user).first() if match and match.slot_id else None
    return render(request, "matching/rounds/result.html", {
        "round": match_round, "match": match, "reasons": reasons, "placement": placement})


@role_required(Role.COORDINATOR)
def round_host(request, pk):
    match_round = get_object_or_404(selectors.rounds_for(request.user), pk=pk)
    rows = []
    for slot in selectors.host_slots(match_round, request.user):
        ranking, _ = selectors.slot_ranking_of(match_round, slot)
        explained = (selectors.host_explanations(match_round, slot)
                     if match_round.status == RoundStatus.PUBLISHED else [])
        rows.append({"slot": slot, "ranking": ranking, "rankers": len(selectors.rankers_of(match_round, slot)),
                     "explained": explained,
                     "matched": match_round.placements.filter(slot=slot).select_related("applicant")
                     if match_round.status == RoundStatus.PUBLISHED else []})
    return render(request, "matching/rounds/host.html", {"round": match_round, "rows": rows})


@role_required(Role.COORDINATOR)
def slot_rank(request, pk, slot_pk):
    match_round = get_object_or_404(selectors.rounds_for(request.user), pk=pk)
    slot = get_object_or_404(selectors.host_slots(match_round, request.user), pk=slot_pk)
    refusal = policies.can_rank_slot(match_round, slot, request.user, timezone.now())
    rankers = {user.pk: user for user in selectors.rankers_of(match_round, slot)}
    for user_id, documents in selectors.verified_documents_of(list(rankers.values())).items():
        rankers[user_id].verified_documents = documents  # the review page's view, for each ranker
    ranking, order = selectors.slot_ranking_of(match_round, slot)
    focus = None
    if request.method == "POST" and not refusal:
        order = [int(a) for a in request.POST.getlist("applicant") if a.isdigit()]
        order, focus = _edited_order(request.POST, order)
        try:
            ranking = services_rounds.slot_ranking_save(match_round=match_round, slot=slot, by=request.user,
                                                        applicant_ids=order, certify="certify" in request.POST)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            if "certify" in request.POST:
                messages.success(request, "This slot's ranking is certified.")
            if not focus:
                return redirect("matching:slot_rank", pk=pk, slot_pk=slot_pk)
        ranking, order = selectors.slot_ranking_of(match_round, slot)
    ranked = [rankers[a] for a in order if a in rankers]
    return render(request, "matching/rounds/slot_rank.html", {
        "round": match_round, "slot": slot, "refusal": refusal, "ranking": ranking, "ranked": ranked,
        "focus": focus, "others": [u for pk_, u in rankers.items() if pk_ not in order]})
