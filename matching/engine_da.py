"""Applicant-proposing deferred acceptance with slot capacities, on an interned instance.

The inner loop runs once per proposal (some 280,000 at NRMP scale, six in ten of them refused),
so a refusal costs one dict lookup and one comparison: each slot keeps a cutoff, the rank of the
worst applicant it holds once full, and only a rank better than the cutoff gets in.
"""

from heapq import heappush, heapreplace

from .engine_validate import Interned

UNMATCHED = -1
NOT_RANKED = 1 << 62  # the rank of a one-sided entry: never under any cutoff
OPEN = NOT_RANKED  # the cutoff of a slot with a free seat: every ranked applicant is under it


def deferred_acceptance(instance: Interned) -> list[int]:
    """Each applicant's slot number in the applicant-optimal stable matching, or UNMATCHED."""
    prefs, rankings, rank_at, capacities = instance.prefs, instance.rankings, instance.rank_at, instance.capacities
    cutoff = [OPEN if seats else 0 for seats in capacities]  # a slot without seats admits nobody
    # Per slot, a max-heap (negated ranks) of its tentative matches: the worst one is held[s][0].
    held: list[list[int]] = [[] for _ in capacities]
    next_choice = [0] * len(prefs)
    for first in range(len(prefs)):
        applicant = first
        while applicant != UNMATCHED:  # whoever is displaced proposes next, at once
            choices, displaced = prefs[applicant], UNMATCHED
            for i in range(next_choice[applicant], len(choices)):
                slot = choices[i]
                rank = rank_at[slot].get(applicant, NOT_RANKED)
                if rank < cutoff[slot]:
                    heap = held[slot]
                    if len(heap) < capacities[slot]:
                        heappush(heap, -rank)
                        if len(heap) == capacities[slot]:
                            cutoff[slot] = -heap[0]
                    else:
                        displaced = rankings[slot][-heapreplace(heap, -rank)]
                        cutoff[slot] = -heap[0]
                    next_choice[applicant] = i + 1
                    break
            applicant = displaced
    return _assignment(len(prefs), held, rankings)


def _assignment(applicants: int, held: list[list[int]], rankings: list[list[int]]) -> list[int]:
    slot_of = [UNMATCHED] * applicants
    for slot, heap in enumerate(held):
        ranked = rankings[slot]
        for negated in heap:
            slot_of[ranked[-negated]] = slot
    return slot_of
