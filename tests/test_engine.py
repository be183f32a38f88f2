"""The match engine's Python API: the worked example, the format's rules, and properties on random instances.

The properties are checked by code of this file, not by the engine's own `check`: a result is
stable, within capacities and made of acceptable pairs, and on tiny instances it is the
applicant-optimal matching found by enumerating every matching. `check` is then held to the
same brute force. No database: these tests never touch Django.
"""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import engine
from matching.engine_validate import _intern, first_problem

# The worked pair of ../shared/match-format.md, copied into the repository (CI has only the clone).
SHARED = Path(__file__).resolve().parent / "data"


def instance_of(applicants: dict, slots: dict) -> dict:
    """Slots given as (capacity, ranking) pairs, the document the format describes."""
    return {"applicants": applicants, "slots": {s: {"capacity": c, "ranking": r} for s, (c, r) in slots.items()}}


# The oracle: plain definitions, written for reading rather than speed.

def acceptable(instance: dict, applicant: str, slot: str) -> bool:
    return slot in instance["applicants"][applicant] and applicant in instance["slots"][slot]["ranking"]


def prefers(ranked: list[str], better: str | None, worse: str | None) -> bool:
    """Whether `better` comes before `worse` in `ranked`; being listed beats None (unmatched)."""
    return better is not None and (worse is None or ranked.index(better) < ranked.index(worse))


def blocking_pairs(instance: dict, assignment: dict) -> list[tuple[str, str]]:
    pairs = []
    for applicant, ranked in instance["applicants"].items():
        for slot in ranked:
            if not acceptable(instance, applicant, slot) or not prefers(ranked, slot, assignment[applicant]):
                continue
            entry = instance["slots"][slot]
            holders = [a for a, s in assignment.items() if s == slot]
            if len(holders) < entry["capacity"] or any(prefers(entry["ranking"], applicant, h) for h in holders):
                pairs.append((applicant, slot))
    return pairs


def feasible(instance: dict, assignment: dict) -> bool:
    """Every slot within its capacity, every pair acceptable."""
    return all(list(assignment.values()).count(slot) <= entry["capacity"] for slot, entry in instance["slots"].items()) \
        and all(slot is None or acceptable(instance, a, slot) for a, slot in assignment.items())


def all_feasible_matchings(instance: dict) -> list[dict]:
    """Every matching of acceptable pairs within the capacities (each applicant in turn: unmatched,
    or any acceptable slot with a seat left)."""
    applicants, seats = list(instance["applicants"]), {s: e["capacity"] for s, e in instance["slots"].items()}

    def extend(partial: dict) -> Iterator[dict]:
        if len(partial) == len(applicants):
            yield dict(partial)
            return
        applicant = applicants[len(partial)]
        for slot in [None, *instance["applicants"][applicant]]:
            if slot is None or (seats[slot] and acceptable(instance, applicant, slot)):
                seats[slot] = seats.get(slot, 0) - (slot is not None)
                yield from extend({**partial, applicant: slot})
                seats[slot] += slot is not None

    return list(extend({}))


def applicant_optimal_by_brute_force(instance: dict) -> dict:
    stable = [m for m in all_feasible_matchings(instance) if not blocking_pairs(instance, m)]
    weakly_best = [m for m in stable if all(
        m[a] == other[a] or prefers(instance["applicants"][a], m[a], other[a]) for other in stable for a in m)]
    assert len(weakly_best) == 1, "for strict lists a stable matching exists and exactly one is applicant-optimal"
    return weakly_best[0]


@st.composite
def instances(draw, max_applicants: int, max_slots: int, max_capacity: int, min_slots: int = 0) -> dict:
    """Strict lists in random orders, mostly complete, in a market about as big as its seats, often
    one seat per slot: there an instance often has several stable matchings, so applicant-optimality
    has something to prove. Everything comes from a random generator that hypothesis seeds: its own
    small draws stay near the identity and zero, where everyone agrees and the stable matching is unique."""
    rng = draw(st.randoms(use_true_random=True))
    slots = [f"s{n}" for n in range(rng.randint(min_slots, max_slots))]
    one_seat_each = rng.random() < 0.5
    capacities = {s: 1 if one_seat_each else rng.choice([1, 1, *range(2, max_capacity + 1), 0]) for s in slots}
    seats_or_so = sum(capacities.values()) + rng.choice([0, 0, -1, 1])
    applicants = [f"a{n}" for n in range(max(0, min(max_applicants, seats_or_so)))]

    def ranked(ids: list[str]) -> list[str]:
        order = rng.sample(ids, len(ids))
        return order if rng.random() < 0.9 else order[:rng.randrange(len(order) + 1)]

    return instance_of({a: ranked(slots) for a in applicants}, {s: (capacities[s], ranked(applicants)) for s in slots})


# The worked example and the format's rules

def test_the_shared_example_gives_exactly_the_shared_result():
    instance = json.loads((SHARED / "match-example-instance.json").read_text())
    expected = json.loads((SHARED / "match-example-result.json").read_text())
    assert engine.solve(instance) == expected
    assert engine.check(instance, expected) is None


def test_match_takes_slots_as_capacity_and_ranking_pairs_or_as_the_formats_objects():
    applicants = {"a0": ["s0", "s1"], "a1": ["s0"]}
    as_pairs = {"s0": (1, ["a1", "a0"]), "s1": (1, ["a0"])}
    assert engine.match(applicants, as_pairs) == {"a0": "s1", "a1": "s0"}
    assert engine.match(applicants, instance_of(applicants, as_pairs)["slots"]) == {"a0": "s1", "a1": "s0"}


def test_a_one_sided_entry_is_ignored_on_either_side():
    # a0 lists s0, which does not rank a0; s1 ranks a1, who does not list s1.
    result = engine.match({"a0": ["s0"], "a1": ["s0"]}, {"s0": (1, ["a1"]), "s1": (1, ["a1", "a0"])})
    assert result == {"a0": None, "a1": "s0"}


def test_a_slot_without_seats_takes_nobody():
    assert engine.match({"a0": ["s0", "s1"]}, {"s0": (0, ["a0"]), "s1": (1, ["a0"])}) == {"a0": "s1"}


def test_every_applicant_appears_even_with_an_empty_list():
    assert engine.match({"a0": [], "a1": ["s0"]}, {"s0": (1, ["a1"])}) == {"a0": None, "a1": "s0"}


def test_unknown_top_level_keys_are_ignored():
    instance = {**instance_of({"a0": ["s0"]}, {"s0": (1, ["a0"])}), "meta": {"round": 3}, "version": 2}
    assert engine.solve(instance) == {"assignments": {"a0": "s0"}}


def test_a_capacity_makes_the_slot_keep_its_best_ranked_applicants():
    applicants = {f"a{n}": ["s0"] for n in range(4)}
    assert engine.match(applicants, {"s0": (2, ["a3", "a1", "a0", "a2"])}) == {
        "a0": None, "a1": "s0", "a2": None, "a3": "s0"}


def test_the_applicant_optimal_one_of_two_stable_matchings_is_chosen():
    # Both {a0: s0, a1: s1} and {a0: s1, a1: s0} are stable; the applicants prefer the first.
    instance = instance_of({"a0": ["s0", "s1"], "a1": ["s1", "s0"]}, {"s0": (1, ["a1", "a0"]), "s1": (1, ["a0", "a1"])})
    assert engine.solve(instance) == {"assignments": {"a0": "s0", "a1": "s1"}}


@pytest.mark.parametrize(("instance", "message"), [
    ([], "the instance must be a JSON object, not an array"),
    ({"slots": {}}, 'missing field "applicants"'),
    ({"applicants": {}, "slots": []}, 'field "slots" must be an object keyed by id, not an array'),
    ({"applicants": {"a0": ["s0", "s0"]}, "slots": {"s0": {"capacity": 1, "ranking": []}}},
     'applicants["a0"] lists slot "s0" twice (a duplicate)'),
    ({"applicants": {"a0": []}, "slots": {"s0": {"capacity": 1, "ranking": ["a9"]}}},
     'slots["s0"]["ranking"] lists unknown applicant "a9"'),
    ({"applicants": {}, "slots": {"s0": {"capacity": True, "ranking": []}}},
     'slots["s0"]["capacity"] must be a non-negative integer, not true'),
    ({"applicants": {}, "slots": {"s0": {"capacity": 2.0, "ranking": []}}},
     'slots["s0"]["capacity"] must be a non-negative integer, not 2.0'),
])
def test_validate_names_the_first_problem_in_one_line(instance, message):
    with pytest.raises(engine.MalformedInstance) as refusal:
        engine.validate(instance)
    assert str(refusal.value) == message
    assert isinstance(refusal.value, ValueError)


def test_match_refuses_a_malformed_instance():
    with pytest.raises(engine.MalformedInstance, match='lists unknown slot "s9"'):
        engine.match({"a0": ["s9"]}, {})


def test_an_id_that_is_not_a_string_is_refused():
    with pytest.raises(engine.MalformedInstance, match="applicants: the id 7 must be a string"):
        engine.match({7: ["s0"]}, {"s0": (1, [])})


def test_an_id_with_a_line_break_is_quoted_on_one_line():
    with pytest.raises(engine.MalformedInstance) as refusal:
        engine.validate({"applicants": {"a\n0": ["s\n9"]}, "slots": {}})
    assert str(refusal.value) == 'applicants["a\\n0"] lists unknown slot "s\\n9"'


# Properties on random instances

@settings(max_examples=300, deadline=None)
@given(instances(max_applicants=60, max_slots=15, max_capacity=4))
def test_the_result_is_stable_within_capacities_and_made_of_acceptable_pairs(instance):
    assignment = engine.solve(instance)["assignments"]
    assert list(assignment) == list(instance["applicants"])
    assert feasible(instance, assignment)
    assert blocking_pairs(instance, assignment) == []


@settings(max_examples=300, deadline=None)
@given(instances(max_applicants=6, max_slots=4, max_capacity=2, min_slots=2))
def test_on_tiny_instances_the_result_is_the_applicant_optimal_matching_of_brute_force(instance):
    assert engine.solve(instance)["assignments"] == applicant_optimal_by_brute_force(instance)


@settings(max_examples=150, deadline=None)
@given(instances(max_applicants=5, max_slots=3, max_capacity=2, min_slots=2))
def test_check_accepts_exactly_the_applicant_optimal_matching_among_all_feasible_ones(instance):
    optimal = applicant_optimal_by_brute_force(instance)
    for matching in all_feasible_matchings(instance):
        problem = engine.check(instance, {"assignments": matching})
        if matching == optimal:
            assert problem is None
        elif blocking_pairs(instance, matching):
            assert problem.startswith("blocking pair: ")
        else:
            assert problem.startswith("stable, but not applicant-optimal: ")


JUNK = st.one_of(st.sampled_from(["a0", "s0", "a9", "s9", "", -1, 0, 2, 2.0, True, False, None, [], {}, ["s0", "s0"], [1]]),
                 st.floats(allow_nan=False), st.text(max_size=3))


@st.composite
def corrupted(draw) -> object:
    """A valid instance with one random change: a value replaced, a key or item deleted, an item
    duplicated or appended; or the whole document replaced. Often malformed, sometimes not."""
    instance = draw(instances(max_applicants=4, max_slots=3, max_capacity=2))
    places = [*instance["applicants"].values(), *(entry["ranking"] for entry in instance["slots"].values()),
              *instance["slots"].values(), instance["applicants"], instance["slots"], instance]
    place = draw(st.sampled_from(places))
    change = draw(st.sampled_from(["replace", "delete", "duplicate", "append", "whole"]))
    if change == "whole":
        return draw(JUNK)
    if isinstance(place, list) and (change == "append" or not place):
        place.append(draw(JUNK))
    elif isinstance(place, list):
        i = draw(st.integers(0, len(place) - 1))
        if change == "delete":
            del place[i]
        else:
            place.insert(i, place[i] if change == "duplicate" else draw(JUNK))
    elif change == "append":  # a new key, perhaps not a string (Python callers can do that)
        place[draw(st.sampled_from(["a9", "s9", "capacity", 0, None]))] = draw(JUNK)
    elif place:
        key = draw(st.sampled_from(sorted(place)))
        if change == "delete":
            del place[key]
        else:
            place[key] = draw(JUNK)
    return instance


@settings(max_examples=500, deadline=None)
@given(corrupted())
def test_the_fast_validation_refuses_exactly_what_the_slow_one_names(instance):
    problem = first_problem(instance)
    try:
        _intern(instance)
    except (KeyError, TypeError, ValueError):
        assert problem is not None
    else:
        assert problem is None


# check() on each kind of violation

EXAMPLE = instance_of({"a0": ["s0", "s1"], "a1": ["s0"], "a2": ["s1"]},
                      {"s0": (1, ["a0", "a1"]), "s1": (1, ["a2", "a0"])})


@pytest.mark.parametrize(("assignments", "problem"), [
    ({"a0": "s0", "a1": None, "a2": "s1"}, None),
    ({"a0": "s0", "a1": None}, 'applicant "a2" is missing from the result'),
    ({"a0": "s0", "a1": None, "a2": "s1", "a9": None}, 'the result assigns unknown applicant "a9"'),
    ({"a0": "s0", "a1": None, "a2": "s9"}, 'applicant "a2" is assigned unknown slot "s9"'),
    ({"a0": "s0", "a1": "s1", "a2": None}, 'unacceptable pair: applicant "a1" is assigned slot "s1", which they do not list'),
    ({"a0": "s0", "a1": "s0", "a2": "s1"}, 'slot "s0" holds 2 applicants, over its capacity of 1'),
    ({"a0": "s1", "a1": "s0", "a2": None},
     'blocking pair: applicant "a0" and slot "s0" — the applicant prefers it to slot "s1", '
     'and it prefers them to applicant "a1"'),
    ({"a0": None, "a1": None, "a2": "s1"},
     'blocking pair: applicant "a0" and slot "s0" — the applicant prefers it to being unmatched, and it has a free seat'),
])
def test_check_names_the_first_violation(assignments, problem):
    assert engine.check(EXAMPLE, {"assignments": assignments}) == problem


def test_check_names_a_stable_matching_that_denies_an_applicant_a_better_slot():
    instance = instance_of({"a0": ["s0", "s1"], "a1": ["s1", "s0"]}, {"s0": (1, ["a1", "a0"]), "s1": (1, ["a0", "a1"])})
    problem = engine.check(instance, {"assignments": {"a0": "s1", "a1": "s0"}})
    assert problem == ('stable, but not applicant-optimal: applicant "a0" is matched to slot "s1", '
                       'and the applicant-optimal stable matching gives them slot "s0"')


@pytest.mark.parametrize(("result", "message"), [
    ([], "the result must be a JSON object, not an array"),
    ({}, 'missing field "assignments"'),
    ({"assignments": {"a0": 3}}, 'assignments["a0"] must be a slot id or null, not a number'),
])
def test_check_refuses_a_malformed_result(result, message):
    with pytest.raises(engine.MalformedResult) as refusal:
        engine.check(EXAMPLE, result)
    assert str(refusal.value) == message
