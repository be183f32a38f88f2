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


def _edited_order(post, order: list[int]) -> tuple[list[int], int | None, str]:
    """Apply the one button pressed (add, move up or down, remove) to the submitted order.

    Returns the new order and where the keyboard focus goes after the page reloads: the item and
    which of its buttons. The pressed button keeps it while it still works (moving down again);
    at the top or bottom the other move button takes it; a removed item's Add button gets it."""
    if add := post.get("add"):
        item = int(add)
        order = [*order, item] if item not in order else order
        return order, item, "up" if len(order) > 1 else "remove"
    action, _, value = (post.get("move") or "").partition("-")
    if not value.isdigit() or int(value) not in order:
        return order, None, ""
    item = int(value)
    i = order.index(item)
    if action == "remove":
        return [s for s in order if s != item], item, "add"
    j = i - 1 if action == "up" else i + 1
    if action in ("up", "down") and 0 <= j < len(order):
        order[i], order[j] = order[j], order[i]
        i = j
    at_edge = (action == "up" and i == 0) or (action == "down" and i == len(order) - 1)
    button = {"up": "down", "down": "up"}[action] if at_edge else action
    return order, item, button if len(order) > 1 else "remove"


def _focus(request) -> tuple[int | None, str]:
    focus = request.GET.get("focus", "")
    return (int(focus) if focus.isdigit() else None), request.GET.get("button", "")


def _after_edit(request, url: str, focus: int | None, button: str, moved: str):
    """Post/redirect/get, carrying the focus target, so a reload never sends the form again."""
    if moved:
        messages.info(request, moved)
    # No #fragment: a document with a target element ignores autofocus.
    return redirect(f"{url}?focus={focus}&button={button}" if focus else url)


def _moved_words(order: list[int], focus: int | None, names: dict[int, str], button: str) -> str:
    if focus is None or button == "add":
        return f"{names.get(focus, 'It')} is off the list." if focus else ""
    return f"{names.get(focus, 'It')} is now {order.index(focus) + 1} of {len(order)}." if focus in order else ""


@role_required(Role.APPLICANT)
def round_rank(request, pk):
    match_round = get_object_or_404(selectors.rounds_for(request.user), pk=pk)
    if match_round.status == RoundStatus.PUBLISHED:
        return redirect("matching:round_result", pk=pk)
    refusal = policies.can_rank_as_applicant(match_round, request.user, timezone.now())
    slots = list(selectors.round_slots(match_round))
    if request.method == "POST" and not refusal:
        order = [int(s) for s in request.POST.getlist("slot") if s.isdigit()]
        order, focus, button = _edited_order(request.POST, order)
        try:
            rank_list = services_rounds.rank_list_save(match_round=match_round, applicant=request.user,
                                                       slot_ids=order, certify="certify" in request.POST)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            return redirect("matching:round_rank", pk=pk)
        if "certify" in request.POST:
            messages.success(request, "Your rank list is certified. You can change it (and certify again) until "
                                      "the deadline.")
        elif rank_list.certified_at is None and order and (focus or "save" in request.POST):
            messages.warning(request, "Saved, not certified: certify your list to enter the match.")
        names = {slot.pk: f"{slot.listing.title}, {slot.start_date:%b %-d}" for slot in slots}
        return _after_edit(request, request.path, focus, button, _moved_words(order, focus, names, button))
    rank_list, ranked = selectors.rank_list_of(match_round, request.user)
    focus, button = _focus(request)
    problems = services_rounds.eligibility_problems(request.user, slots)
    ranked_ids = {slot.pk for slot in ranked}
    return render(request, "matching/rounds/rank.html", {
        "round": match_round, "refusal": refusal, "rank_list": rank_list, "ranked": ranked, "focus": focus,
        "button": button, "max": policies.RANK_LIST_MAX,
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
    if request.method == "POST" and not refusal:
        order = [int(a) for a in request.POST.getlist("applicant") if a.isdigit()]
        order, focus, button = _edited_order(request.POST, order)
        try:
            ranking = services_rounds.slot_ranking_save(match_round=match_round, slot=slot, by=request.user,
                                                        applicant_ids=order, certify="certify" in request.POST)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            return redirect("matching:slot_rank", pk=pk, slot_pk=slot_pk)
        if "certify" in request.POST:
            messages.success(request, "This slot's ranking is certified.")
        elif ranking.certified_at is None and order and (focus or "save" in request.POST):
            messages.warning(request, "Saved, not certified: certify this ranking to enter the match.")
        names = {user.pk: user.get_full_name() or user.email for user in rankers.values()}
        return _after_edit(request, request.path, focus, button, _moved_words(order, focus, names, button))
    for user_id, documents in selectors.verified_documents_of(list(rankers.values())).items():
        rankers[user_id].verified_documents = documents  # the review page's view, for each ranker
    ranking, order = selectors.slot_ranking_of(match_round, slot)
    focus, button = _focus(request)
    ranked = [rankers[a] for a in order if a in rankers]
    return render(request, "matching/rounds/slot_rank.html", {
        "round": match_round, "slot": slot, "refusal": refusal, "ranking": ranking, "ranked": ranked,
        "focus": focus, "button": button, "others": [u for pk_, u in rankers.items() if pk_ not in order]})
