"""Business logic of match rounds: creating one, its moves (`rounds.ROUND_MOVES`), rank lists,
the run (the pure engine on the certified lists, read and written in bulk), and publication,
which turns every match into an accepted placement under the slots' capacity guarantee.

Rules come from `policies`; a refusal is PermissionDenied for who, ValidationError for the rest.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from applicants.models import Document, Profile
from applicants.readiness import readiness
from institutions.models import Coordinator
from notifications import kinds
from notifications.services import notify_many
from rotations.models import Slot
from rotations.search_cache import listings_changed
from rotations.selectors import listings_public

from . import policies
from .models import Application, ApplicationEvent, Status
from .models_rounds import MatchRound, RankEntry, RankList, RoundMatch, RoundStatus, SlotRankEntry, SlotRanking
from .rounds import ROUND_MOVES


def _refuse_unless_admin(user) -> None:
    if not user.is_authenticated or user.role != Role.ADMIN:
        raise PermissionDenied("Only Rotamatch's administrators run match rounds.")


# Creating a round

def round_create(*, by: User, name: str, slots, ranking_opens_at, ranking_deadline, match_at) -> MatchRound:
    """A draft round over `slots`: each of a published listing of a verified institution, not in
    another round that has not published, and starting after the match date."""
    _refuse_unless_admin(by)
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "Name the round, e.g. Summer electives 2027."
    slots = list(Slot.objects.filter(pk__in=[getattr(s, "pk", s) for s in slots]).select_related("listing"))
    if not slots:
        errors["slots"] = "Choose the slots the round covers."
    public = set(listings_public().filter(pk__in={s.listing_id for s in slots}).values_list("pk", flat=True))
    taken = set(MatchRound.objects.exclude(status=RoundStatus.PUBLISHED).filter(slots__in=slots)
                .values_list("slots", flat=True))
    for slot in slots:
        if slot.listing_id not in public:
            errors.setdefault("slots", f"{slot} is not a published listing of a verified institution.")
        elif slot.pk in taken:
            errors.setdefault("slots", f"{slot} is in another round already.")
        elif match_at and slot.start_date <= timezone.localdate(match_at):
            errors.setdefault("slots", f"{slot} starts before the match date.")
    if ranking_opens_at and ranking_deadline and ranking_opens_at >= ranking_deadline:
        errors["ranking_deadline"] = "The deadline comes after ranking opens."
    if ranking_deadline and match_at and match_at < ranking_deadline:
        errors["match_at"] = "The match runs after the ranking deadline."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        match_round = MatchRound.objects.create(name=name[:200], ranking_opens_at=ranking_opens_at,
                                                ranking_deadline=ranking_deadline, match_at=match_at, created_by=by)
        match_round.slots.set(slots)
    return match_round


# Moves

def round_move(*, match_round: MatchRound, action: str, by: User | None, now=None) -> MatchRound:
    """Make one move of the table; "run" only queues the task (see `round_run_request`)."""
    now = now or timezone.now()
    with transaction.atomic():
        match_round = MatchRound.objects.select_for_update().get(pk=match_round.pk)
        if refusal := policies.round_move_refusal(match_round, action, by, now):
            raise (PermissionDenied if refusal.startswith("Only") else ValidationError)(refusal)
        if action == "run":
            match_round.run_progress, match_round.run_step, match_round.run_error = 0, "Queued", ""
            match_round.save(update_fields=["run_progress", "run_step", "run_error"])
            transaction.on_commit(lambda: _queue_run(match_round.pk, by.pk if by else None))
            return match_round
        if action == "publish":
            return _publish(match_round, by, now)
        match_round.status = ROUND_MOVES[action].target
        match_round.save(update_fields=["status"])
        if action == "open":
            _tell_the_round_opened(match_round)
    transaction.on_commit(listings_changed)  # reserved seats show differently in search
    return match_round


def _queue_run(round_id: int, by_id: int | None) -> None:
    from .tasks import run_match_round

    run_match_round.delay(round_id, by_id)


def rounds_advance(now=None) -> int:
    """Beat: open ranking, close it at the deadline and run the match at its date; each due
    round's move once (a refused move is simply not due)."""
    now = now or timezone.now()
    done = 0
    for action, status, field in (("open", RoundStatus.DRAFT, "ranking_opens_at"),
                                  ("close", RoundStatus.RANKING_OPEN, "ranking_deadline"),
                                  ("run", RoundStatus.RANKING_CLOSED, "match_at")):
        for match_round in MatchRound.objects.filter(status=status, **{f"{field}__lte": now}):
            try:
                if action == "run":
                    round_run(round_id=match_round.pk, now=now)
                else:
                    round_move(match_round=match_round, action=action, by=None, now=now)
            except ValidationError:
                continue  # no longer due (an admin moved it meanwhile)
            done += 1
    return done


# Rank lists

def rank_list_save(*, match_round: MatchRound, applicant: User, slot_ids: list[int], certify: bool = False,
                   now=None, check_eligibility: bool = True) -> RankList:
    """Replace the applicant's list (most preferred first) and certify it if asked; any change
    un-certifies it. Only the round's slots the applicant is eligible for, at most 20.
    (`check_eligibility=False` is for the demo's rankers only, who have no documents.)"""
    now = now or timezone.now()
    if refusal := policies.can_rank_as_applicant(match_round, applicant, now):
        raise (PermissionDenied if refusal.startswith("Only") else ValidationError)(refusal)
    slot_ids = [int(s) for s in slot_ids]
    if len(set(slot_ids)) != len(slot_ids):
        raise ValidationError("Each slot appears once on your list.")
    if len(slot_ids) > policies.RANK_LIST_MAX:
        raise ValidationError(f"Rank at most {policies.RANK_LIST_MAX} slots.")
    slots = {s.pk: s for s in match_round.slots.filter(pk__in=slot_ids).select_related("listing__institution")}
    if len(slots) != len(slot_ids):
        raise ValidationError("Rank only this round's slots.")
    problems = eligibility_problems(applicant, slots.values()) if check_eligibility else {}
    if blocked := [f"{slots[pk]}: {problems[pk]}" for pk in slot_ids if problems.get(pk)]:
        raise ValidationError(["You are not eligible for every slot on your list.", *blocked])
    with transaction.atomic():
        rank_list, _ = RankList.objects.select_for_update().get_or_create(round=match_round, applicant=applicant)
        previous = list(rank_list.entries.values_list("slot_id", flat=True))
        if previous != slot_ids:
            rank_list.entries.all().delete()
            RankEntry.objects.bulk_create(RankEntry(rank_list=rank_list, slot_id=pk, position=n)
                                          for n, pk in enumerate(slot_ids, start=1))
            rank_list.certified_at = None
        if certify:
            if not slot_ids:
                raise ValidationError("Add at least one slot before you certify.")
            rank_list.certified_at = now
        rank_list.updated_at = now
        rank_list.save(update_fields=["certified_at", "updated_at"])
    return rank_list


def eligibility_problems(applicant: User, slots) -> dict[int, str]:
    """Slot id → why the applicant may not rank it (the application readiness rules)."""
    profile = Profile.objects.filter(user=applicant).first()
    documents = list(Document.objects.filter(applicant=applicant))
    problems = {}
    for slot in slots:
        check = readiness(profile=profile, documents=documents, listing=slot.listing, slot=slot)
        if not check.can_apply:
            reasons = check.eligibility + [f"{c.label}: {c.problem}" for c in check.documents if c.blocking]
            problems[slot.pk] = " ".join(reasons)
    return problems


def slot_ranking_save(*, match_round: MatchRound, slot: Slot, by: User, applicant_ids: list[int],
                      certify: bool = False, now=None) -> SlotRanking:
    """The coordinators' ranking of the applicants who ranked `slot`; one they leave off is not
    acceptable to it."""
    now = now or timezone.now()
    if not match_round.slots.filter(pk=slot.pk).exists():
        raise ValidationError("This slot is not in the round.")
    if refusal := policies.can_rank_slot(match_round, slot, by, now):
        raise (PermissionDenied if refusal.startswith("Only") else ValidationError)(refusal)
    applicant_ids = [int(a) for a in applicant_ids]
    if len(set(applicant_ids)) != len(applicant_ids):
        raise ValidationError("Each applicant appears once in your ranking.")
    rankers = set(RankEntry.objects.filter(rank_list__round=match_round, slot=slot)
                  .values_list("rank_list__applicant_id", flat=True))
    if not set(applicant_ids) <= rankers:
        raise ValidationError("Rank only applicants who ranked this slot.")
    with transaction.atomic():
        ranking, _ = SlotRanking.objects.select_for_update().get_or_create(round=match_round, slot=slot)
        if list(ranking.entries.values_list("applicant_id", flat=True)) != applicant_ids:
            ranking.entries.all().delete()
            SlotRankEntry.objects.bulk_create(SlotRankEntry(ranking=ranking, applicant_id=pk, position=n)
                                              for n, pk in enumerate(applicant_ids, start=1))
            ranking.certified_at, ranking.certified_by = None, None
        if certify:
            ranking.certified_at, ranking.certified_by = now, by
        ranking.updated_at = now
        ranking.save(update_fields=["certified_at", "certified_by", "updated_at"])
    return ranking


# The run

def round_instance(match_round: MatchRound) -> dict:
    """The round in the engine's exchange format (`../shared/match-format.md`): the certified
    lists only, with each slot's seats still free. Three queries, whatever the round's size."""
    applicants: dict[str, list[str]] = {}
    for applicant_id, slot_id in (RankEntry.objects.filter(rank_list__round=match_round,
                                                          rank_list__certified_at__isnull=False)
                                  .order_by("rank_list_id", "position").values_list("rank_list__applicant_id", "slot_id")
                                  .iterator(chunk_size=20_000)):
        applicants.setdefault(str(applicant_id), []).append(str(slot_id))
    slots = {str(pk): {"capacity": max(free, 0), "ranking": []} for pk, free in
             match_round.slots.annotate(free=F("capacity") - F("seats_taken")).values_list("pk", "free")}
    for slot_id, applicant_id in (SlotRankEntry.objects.filter(ranking__round=match_round,
                                                               ranking__certified_at__isnull=False)
                                  .order_by("ranking_id", "position").values_list("ranking__slot_id", "applicant_id")
                                  .iterator(chunk_size=20_000)):
        # Only applicants in the match: a ranked applicant who never certified their list is not.
        if str(applicant_id) in applicants:
            slots[str(slot_id)]["ranking"].append(str(applicant_id))
    return {"applicants": applicants, "slots": slots, "meta": {"round": match_round.pk, "name": match_round.name}}


def round_result(match_round: MatchRound) -> dict:
    matches = RoundMatch.objects.filter(round=match_round).values_list("applicant_id", "slot_id")
    return {"assignments": {str(a): (str(s) if s else None) for a, s in matches}}


def _progress(round_id: int, percent: int, step: str) -> None:
    # Outside the run's transaction, so that the admin's page sees it at once.
    MatchRound.objects.filter(pk=round_id).update(run_progress=percent, run_step=step)


def round_run(*, round_id: int, by: User | None = None, now=None) -> bool:
    """Run the engine on the round and store its result; True when the result changed. Running
    it again gives the same result and writes nothing (the rows are compared before writing)."""
    now = now or timezone.now()
    match_round = MatchRound.objects.get(pk=round_id)
    if refusal := policies.round_move_refusal(match_round, "run", by, now):
        raise ValidationError(refusal)
    _progress(round_id, 10, "Reading the certified rank lists")
    instance = round_instance(match_round)
    _progress(round_id, 40, "Computing the applicant-optimal stable matching")
    from . import engine  # the pure engine, loaded only by the run

    assignments = engine.match(instance["applicants"], instance["slots"])
    _progress(round_id, 70, "Storing the result")
    wanted = {int(a): (int(s) if s else None) for a, s in assignments.items()}
    with transaction.atomic():
        match_round = MatchRound.objects.select_for_update().get(pk=round_id)
        if refusal := policies.round_move_refusal(match_round, "run", by, now):
            raise ValidationError(refusal)
        stored = dict(RoundMatch.objects.filter(round=match_round).values_list("applicant_id", "slot_id"))
        changed = stored != wanted
        if changed:
            RoundMatch.objects.filter(round=match_round).delete()
            RoundMatch.objects.bulk_create(
                (RoundMatch(round=match_round, applicant_id=a, slot_id=s,
                            choice=instance["applicants"][str(a)].index(str(s)) + 1 if s else None)
                 for a, s in wanted.items()), batch_size=5000)
        fields = ["run_progress", "run_step", "run_error"]
        if changed or match_round.status != RoundStatus.MATCHED or match_round.run_instance != instance:
            match_round.status, match_round.matched_at, match_round.run_instance = (
                RoundStatus.MATCHED, timezone.now(), instance)
            fields += ["status", "matched_at", "run_instance"]
        match_round.run_progress, match_round.run_step, match_round.run_error = 100, "Done", ""
        match_round.save(update_fields=fields)
    return changed


def round_run_failed(*, round_id: int, error: str) -> None:
    MatchRound.objects.filter(pk=round_id).update(run_step="Failed", run_error=error[:2000])


# Publication

def _publish(match_round: MatchRound, by: User, now) -> MatchRound:
    """Inside `round_move`'s transaction, the round locked: each match becomes an accepted
    placement (the seats' trigger and check constraint refuse any overselling), the round's
    seats are released, and everyone is told."""
    matches = list(RoundMatch.objects.filter(round=match_round).select_related("applicant", "slot__listing"))
    matched = [m for m in matches if m.slot_id]
    existing = {(a.applicant_id, a.slot_id): a for a in Application.objects.filter(
        slot__in=match_round.slots.all(), applicant_id__in=[m.applicant_id for m in matched])}
    statement = f"Matched in the round “{match_round.name}”."
    fresh = [Application(applicant_id=m.applicant_id, slot_id=m.slot_id, statement=statement, status=Status.ACCEPTED,
                         match_round=match_round, status_changed_at=now)
             for m in matched if (m.applicant_id, m.slot_id) not in existing]
    try:
        with transaction.atomic():
            Application.objects.bulk_create(fresh, batch_size=2000)
            for m in matched:  # an earlier, closed application to the same dates becomes the placement
                if (old := existing.get((m.applicant_id, m.slot_id))) is not None:
                    Application.objects.filter(pk=old.pk).update(status=Status.ACCEPTED, match_round=match_round,
                                                                 status_changed_at=now)
    except IntegrityError as error:
        if "slot_never_oversold" in str(error):
            raise ValidationError("Seats of a slot were taken since the match ran; run the match again, then "
                                  "publish.") from None
        raise
    placements = Application.objects.filter(match_round=match_round).values_list("pk", "status")
    ApplicationEvent.objects.bulk_create(
        (ApplicationEvent(application_id=pk, action="match", from_status="", to_status=status, by=by,
                          message=statement) for pk, status in placements), batch_size=5000)
    match_round.status, match_round.published_at = RoundStatus.PUBLISHED, now
    match_round.save(update_fields=["status", "published_at"])
    _tell_the_results(match_round, matches)
    transaction.on_commit(listings_changed)
    return match_round


def _tell_the_round_opened(match_round: MatchRound) -> None:
    """The coordinators of the round's slots; applicants find open rounds on their pages."""
    coordinators = Coordinator.objects.filter(
        institution__listings__slots__match_rounds=match_round).select_related("user").distinct()
    notify_many(kind=kinds.ROUND_OPENED, items=[
        (c.user, {"round": match_round}, reverse("matching:round_host", args=[match_round.pk])) for c in coordinators])


def _tell_the_results(match_round: MatchRound, matches: list[RoundMatch]) -> None:
    url = reverse("matching:round_result", args=[match_round.pk])
    notify_many(kind=kinds.ROUND_RESULT, items=[
        (m.applicant, {"round": match_round, "slot": m.slot, "listing": m.slot.listing if m.slot else None}, url)
        for m in matches])
    coordinators = Coordinator.objects.filter(
        institution__listings__slots__match_rounds=match_round).select_related("user").distinct()
    notify_many(kind=kinds.ROUND_RESULT_HOST, items=[
        (c.user, {"round": match_round}, reverse("matching:round_host", args=[match_round.pk])) for c in coordinators])
