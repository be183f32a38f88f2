"""Verification of a result against an instance: the first violation or blocking pair, in words.

The checks run from the plainest to the subtlest (who is missing, unknown ids, unacceptable pairs,
capacities, blocking pairs, optimality), so the message names the most basic thing that is wrong.
"""

from collections.abc import Iterator

from .engine_validate import Interned, kind_of, quoted

NOBODY = -1


class MalformedResult(ValueError):
    """The result document breaks the format (its shape, not its content); one-line message."""


def result_problem(instance: Interned, result: object, optimal: list[int]) -> str | None:
    """None when `result` is `optimal` (the applicant-optimal stable matching), else why not."""
    assigned = _assignments(result)
    slot_index = {slot: n for n, slot in enumerate(instance.slot_ids)}
    problem = _unknown_problem(instance, assigned, slot_index)
    if problem:
        return problem
    slot_of = [slot_index.get(assigned[a], NOBODY) for a in instance.applicant_ids]
    return next(_violations(instance, slot_of, instance.rank_at, optimal), None)


def _assignments(result: object) -> dict:
    if type(result) is not dict:
        raise MalformedResult(f"the result must be a JSON object, not {kind_of(result)}")
    if "assignments" not in result:
        raise MalformedResult('missing field "assignments"')
    assigned = result["assignments"]
    if type(assigned) is not dict:
        raise MalformedResult(f'field "assignments" must be an object keyed by applicant id, not {kind_of(assigned)}')
    for applicant, slot in assigned.items():
        if slot is not None and not isinstance(slot, str):
            raise MalformedResult(f"assignments[{quoted(applicant)}] must be a slot id or null, not {kind_of(slot)}")
    return assigned


def _unknown_problem(instance: Interned, assigned: dict, slot_index: dict) -> str | None:
    for applicant in instance.applicant_ids:
        if applicant not in assigned:
            return f"applicant {quoted(applicant)} is missing from the result"
    if len(assigned) > len(instance.applicant_ids):
        known = set(instance.applicant_ids)
        stranger = next(a for a in assigned if a not in known)
        return f"the result assigns unknown applicant {quoted(stranger)}"
    for applicant, slot in assigned.items():
        if slot is not None and slot not in slot_index:
            return f"applicant {quoted(applicant)} is assigned unknown slot {quoted(slot)}"
    return None


def _violations(instance: Interned, slot_of: list[int], ranks: list[dict], optimal: list[int]) -> Iterator[str]:
    names, slots = instance.applicant_ids, instance.slot_ids
    for applicant, slot in enumerate(slot_of):
        if slot == NOBODY:
            continue
        pair = f"unacceptable pair: applicant {quoted(names[applicant])} is assigned slot {quoted(slots[slot])}"
        if slot not in instance.prefs[applicant]:
            yield f"{pair}, which they do not list"
        elif applicant not in ranks[slot]:
            yield f"{pair}, which does not rank them"
    holders = _holders(slot_of, len(slots))
    for slot, held in enumerate(holders):
        if len(held) > instance.capacities[slot]:
            yield f"slot {quoted(slots[slot])} holds {len(held)} applicants, over its capacity of {instance.capacities[slot]}"
    yield from _blocking_pairs(instance, slot_of, ranks, holders)
    for applicant, (got, best) in enumerate(zip(slot_of, optimal, strict=True)):
        if got != best:
            # Stable matchings match the same applicants, and each weakly prefers the optimal one: `best` is a slot.
            yield (f"stable, but not applicant-optimal: applicant {quoted(names[applicant])} is matched to "
                   f"{_slot_words(slots, got)}, and the applicant-optimal stable matching gives them {_slot_words(slots, best)}")


def _holders(slot_of: list[int], slot_count: int) -> list[list[int]]:
    holders: list[list[int]] = [[] for _ in range(slot_count)]
    for applicant, slot in enumerate(slot_of):
        if slot != NOBODY:
            holders[slot].append(applicant)
    return holders


def _blocking_pairs(instance: Interned, slot_of: list[int], ranks: list[dict], holders: list[list[int]]) -> Iterator[str]:
    """A pair that both sides would rather form: the applicant prefers the slot to their own, and the
    slot has a free seat or prefers the applicant to the worst one it holds."""
    names, slots = instance.applicant_ids, instance.slot_ids
    worst = [max(held, key=ranks[slot].__getitem__, default=NOBODY) for slot, held in enumerate(holders)]
    for applicant, choices in enumerate(instance.prefs):
        for slot in choices:
            if slot == slot_of[applicant]:
                break
            rank = ranks[slot].get(applicant)
            if rank is None or instance.capacities[slot] == 0:
                continue
            if len(holders[slot]) < instance.capacities[slot]:
                reason = "it has a free seat"
            elif rank < ranks[slot][worst[slot]]:
                reason = f"it prefers them to applicant {quoted(names[worst[slot]])}"
            else:
                continue
            own = "being unmatched" if slot_of[applicant] == NOBODY else _slot_words(slots, slot_of[applicant])
            yield (f"blocking pair: applicant {quoted(names[applicant])} and slot {quoted(slots[slot])} — the applicant prefers "
                   f"it to {own}, and {reason}")


def _slot_words(slots: list[str], slot: int) -> str:
    return "nothing" if slot == NOBODY else f"slot {quoted(slots[slot])}"
