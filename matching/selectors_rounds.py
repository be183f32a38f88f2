"""Reading match rounds: who sees which round, rank lists, the round's figures, and the
explanations that follow from stability.

The explanations use exactly what the engine used (the certified lists): for an applicant, a
slot they ranked above their match either did not rank them, or was filled by applicants it
ranked higher (stability allows nothing else); for a coordinator, an applicant who ranked their
slot and went elsewhere either matched a slot they preferred, was not ranked by them, or was
ranked below everyone the slot took. Nobody else's name or rank appears in either.
"""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q

from accounts.models import Role, User
from institutions.selectors import coordinator_institution_id

from .models_rounds import MatchRound, RankEntry, RankList, RoundMatch, RoundStatus, SlotRankEntry, SlotRanking

DID_NOT_RANK_YOU = "This slot did not rank you."
FILLED_BY_HIGHER = "This slot was filled by applicants it ranked higher than you."
NO_SEAT_LEFT = "This slot had no seat left to fill."
MATCHED_PREFERRED = "Matched a slot they ranked higher than yours."
NOT_RANKED_BY_YOU = "You did not rank them."
SEATS_TO_HIGHER = "Your seats went to applicants you ranked higher."


def rounds_for(user):
    """Admins: every round. Applicants: rounds past draft. Coordinators: rounds past draft with a
    slot of their institution."""
    rounds = MatchRound.objects.all()
    if not user.is_authenticated:
        return rounds.none()
    if user.role == Role.ADMIN:
        return rounds
    rounds = rounds.exclude(status=RoundStatus.DRAFT)
    if user.role == Role.APPLICANT:
        return rounds
    if user.role == Role.COORDINATOR and (institution := coordinator_institution_id(user)):
        return rounds.filter(slots__listing__institution_id=institution).distinct()
    return rounds.none()


def round_slots(match_round):
    return match_round.slots.select_related("listing__institution").order_by("start_date", "listing__title", "pk")


def host_slots(match_round, user):
    return round_slots(match_round).filter(listing__institution_id=coordinator_institution_id(user) or 0)


def rank_list_of(match_round, user) -> tuple[RankList | None, list]:
    rank_list = RankList.objects.filter(round=match_round, applicant=user).first()
    if rank_list is None:
        return None, []
    entries = list(rank_list.entries.select_related("slot__listing__institution"))
    return rank_list, [entry.slot for entry in entries]


def rankers_of(match_round, slot) -> list[User]:
    """The applicants who ranked `slot` (certified or not yet), with their profiles."""
    ids = RankEntry.objects.filter(rank_list__round=match_round, slot=slot).values("rank_list__applicant_id")
    return list(User.objects.filter(pk__in=ids).select_related("profile").order_by("last_name", "first_name", "pk"))


def slot_ranking_of(match_round, slot) -> tuple[SlotRanking | None, list[int]]:
    ranking = SlotRanking.objects.filter(round=match_round, slot=slot).first()
    return ranking, list(ranking.entries.values_list("applicant_id", flat=True)) if ranking else []


@dataclass(frozen=True)
class Figures:
    seats: int
    filled: int
    applicants: int
    matched: int
    by_choice: list[tuple[int, int]]  # (choice, applicants who got it), 1 = first choice
    unfilled_slots: list

    @property
    def top_count(self) -> int:
        return max((count for _, count in self.by_choice), default=0)


def round_figures(match_round) -> Figures:
    matches = RoundMatch.objects.filter(round=match_round)
    totals = matches.aggregate(applicants=Count("pk"), matched=Count("pk", filter=Q(slot__isnull=False)))
    choices = Counter(matches.exclude(choice__isnull=True).values_list("choice", flat=True))
    filled = dict(matches.exclude(slot__isnull=True).values_list("slot").annotate(n=Count("pk")))
    slots = list(round_slots(match_round))
    unfilled = [(slot, filled.get(slot.pk, 0)) for slot in slots if filled.get(slot.pk, 0) < slot.capacity]
    return Figures(seats=sum(slot.capacity for slot in slots), filled=sum(filled.values()),
                   applicants=totals["applicants"], matched=totals["matched"],
                   by_choice=[(n, choices.get(n, 0)) for n in range(1, max(choices, default=0) + 1)],
                   unfilled_slots=unfilled)


def _certified_list(match_round, applicant_id) -> list[int]:
    return list(RankEntry.objects.filter(rank_list__round=match_round, rank_list__applicant_id=applicant_id,
                                         rank_list__certified_at__isnull=False)
                .order_by("position").values_list("slot_id", flat=True))


def applicant_explanations(match_round, user) -> tuple[RoundMatch | None, list[tuple[object, str]]]:
    """The applicant's match, and why each slot they ranked above it went to others."""
    match = RoundMatch.objects.filter(round=match_round, applicant=user).select_related("slot__listing").first()
    ranked = _certified_list(match_round, user.pk)
    above = ranked[:ranked.index(match.slot_id)] if match and match.slot_id in ranked else ranked
    ranked_me = set(SlotRankEntry.objects.filter(ranking__round=match_round, ranking__certified_at__isnull=False,
                                                 ranking__slot_id__in=above, applicant=user)
                    .values_list("ranking__slot_id", flat=True))
    taken = dict(RoundMatch.objects.filter(round=match_round, slot_id__in=above).values_list("slot")
                 .annotate(n=Count("pk")))
    slots = {slot.pk: slot for slot in round_slots(match_round).filter(pk__in=above)}
    reasons = []
    for slot_id in above:
        if slot_id not in ranked_me:
            reasons.append((slots[slot_id], DID_NOT_RANK_YOU))
        else:
            reasons.append((slots[slot_id], FILLED_BY_HIGHER if taken.get(slot_id) else NO_SEAT_LEFT))
    return match, reasons


def host_explanations(match_round, slot) -> list[tuple[User, str]]:
    """For each applicant who ranked `slot` (certified) and was not matched to it: why."""
    rankers = RankEntry.objects.filter(rank_list__round=match_round, rank_list__certified_at__isnull=False, slot=slot)
    position_here = dict(rankers.values_list("rank_list__applicant_id", "position"))
    matches = dict(RoundMatch.objects.filter(round=match_round, applicant_id__in=position_here)
                   .values_list("applicant_id", "slot_id"))
    others = [a for a in position_here if matches.get(a) != slot.pk]
    matched_position = dict(RankEntry.objects.filter(
        rank_list__round=match_round, rank_list__applicant_id__in=others,
        slot_id__in=[matches[a] for a in others if matches.get(a)]).values_list("rank_list__applicant_id", "position"))
    _, ranked = slot_ranking_of(match_round, slot)
    ranking = SlotRanking.objects.filter(round=match_round, slot=slot, certified_at__isnull=False).exists()
    users = {u.pk: u for u in User.objects.filter(pk__in=others)}
    explained = []
    for applicant_id in others:
        if applicant_id in matched_position and matched_position[applicant_id] < position_here[applicant_id]:
            reason = MATCHED_PREFERRED
        elif not ranking or applicant_id not in ranked:
            reason = NOT_RANKED_BY_YOU
        else:
            reason = SEATS_TO_HIGHER
        explained.append((users[applicant_id], reason))
    return sorted(explained, key=lambda pair: (pair[0].last_name, pair[0].first_name, pair[0].pk))


def verified_documents_of(users) -> dict[int, list]:
    """Applicant id → their verified documents (what a coordinator sees when ranking, as on the
    review page): one query for every ranker."""
    from applicants.choices import DocumentStatus
    from applicants.models import Document

    documents: dict[int, list] = {user.pk: [] for user in users}
    for document in Document.objects.filter(applicant__in=users, status=DocumentStatus.VERIFIED).order_by("kind"):
        documents[document.applicant_id].append(document)
    return documents
