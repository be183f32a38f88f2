"""Validation of a match instance (../shared/match-format.md), done while interning its ids to integers.

The fast path leans on C-level work (dict lookups through `map`, `set` sizes) and only notices that
something is wrong; the slow path then walks the instance in document order to name the first
problem in one line. Both look at everything, so validation stays complete at full speed.
"""

import json
from dataclasses import dataclass
from operator import itemgetter, ne


class MalformedInstance(ValueError):
    """The instance breaks the format; the message names the first problem in one line."""


@dataclass(frozen=True, slots=True)
class Interned:
    """An instance with applicants and slots numbered in document order, ready for deferred acceptance."""

    applicant_ids: list[str]
    slot_ids: list[str]
    prefs: list[list[int]]  # per applicant: slot numbers, most preferred first
    rankings: list[list[int]]  # per slot: applicant numbers, most preferred first
    rank_at: list[dict[int, int]]  # per slot: applicant number -> place in its ranking
    capacities: list[int]


def intern_instance(instance: object) -> Interned:
    """The instance interned, or MalformedInstance naming its first problem."""
    try:
        return _intern(instance)
    except (KeyError, TypeError, ValueError):
        pass
    raise MalformedInstance(first_problem(instance) or "malformed instance")


def _intern(instance) -> Interned:
    # Any exception here (KeyError, TypeError, or the ValueError of a failed test) means "malformed".
    applicants, slots = instance["applicants"], instance["slots"]
    _require(type(instance) is dict and type(applicants) is dict and type(slots) is dict)
    _require(set(map(type, applicants)) <= {str} and set(map(type, slots)) <= {str})  # ids from Python callers
    entries = slots.values()
    _require(set(map(type, entries)) <= {dict})
    capacities = list(map(itemgetter("capacity"), entries))
    # `type(...) is int` on purpose: true and 2.0 are not capacities.
    _require(set(map(type, capacities)) <= {int} and min(capacities, default=0) >= 0)
    rankings = _numbered(list(map(itemgetter("ranking"), entries)), _index(applicants))
    rank_at = [dict(zip(ranked, range(len(ranked)), strict=True)) for ranked in rankings]
    _require(list(map(len, rank_at)) == list(map(len, rankings)))  # no duplicate in a ranking
    prefs = _numbered(applicants.values(), _index(slots))
    _require(not any(map(ne, map(len, prefs), map(len, map(set, prefs)))))  # no duplicate in a rank list
    return Interned(list(applicants), list(slots), prefs, rankings, rank_at, capacities)


def _index(ids: dict) -> dict[str, int]:
    """Id -> number, keyed by fresh copies of the ids, laid side by side in memory. Every lookup
    compares against a key, and the parser's own key strings lie scattered over the whole
    document: with copies, numbering the slots' rankings takes half the time."""
    copies = [i.encode("utf-8", "surrogatepass").decode("utf-8", "surrogatepass") for i in ids]
    return dict(zip(copies, range(len(copies)), strict=True))


def _numbered(lists, index: dict[str, int]) -> list[list[int]]:
    """Each list of ids as numbers; a lookup only succeeds for a known id, which is a string."""
    _require(set(map(type, lists)) <= {list})
    get = index.__getitem__
    return [list(map(get, ids)) for ids in lists]


def _require(condition: bool) -> None:
    if not condition:
        raise ValueError


# The slow path: the first problem, in document order, in words.

def first_problem(instance: object) -> str | None:
    if type(instance) is not dict:
        return f"the instance must be a JSON object, not {kind_of(instance)}"
    for field in ("applicants", "slots"):
        if field not in instance:
            return f'missing field "{field}"'
        if type(instance[field]) is not dict:
            return f'field "{field}" must be an object keyed by id, not {kind_of(instance[field])}'
    applicants, slots = instance["applicants"], instance["slots"]
    for field in ("applicants", "slots"):
        if strangers := [i for i in instance[field] if type(i) is not str]:
            return f"{field}: the id {strangers[0]!r} must be a string"
    for applicant, ranked in applicants.items():
        if problem := _list_problem(f"applicants[{quoted(applicant)}]", ranked, slots, "slot"):
            return problem
    for slot, entry in slots.items():
        if problem := _slot_problem(f"slots[{quoted(slot)}]", entry, applicants):
            return problem
    return None


def _slot_problem(where: str, entry: object, applicants: dict) -> str | None:
    if type(entry) is not dict:
        return f"{where} must be an object with capacity and ranking, not {kind_of(entry)}"
    for field in ("capacity", "ranking"):
        if field not in entry:
            return f'{where} is missing field "{field}"'
    capacity = entry["capacity"]
    if type(capacity) is not int or capacity < 0:
        return f'{where}["capacity"] must be a non-negative integer, not {_shown(capacity)}'
    return _list_problem(f'{where}["ranking"]', entry["ranking"], applicants, "applicant")


def _list_problem(where: str, ids: object, known: dict, kind: str) -> str | None:
    if type(ids) is not list:
        return f"{where} must be a list of {kind} ids, not {kind_of(ids)}"
    seen = set()
    for position, item in enumerate(ids):
        if not isinstance(item, str):
            article = "an" if kind == "applicant" else "a"
            return f"{where}[{position}] must be {article} {kind} id (a string), not {_shown(item)}"
        if item in seen:
            return f"{where} lists {kind} {quoted(item)} twice (a duplicate)"
        if item not in known:
            return f"{where} lists unknown {kind} {quoted(item)}"
        seen.add(item)
    return None


def kind_of(value: object) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "a number",
             float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _shown(value: object) -> str:
    """A scalar as JSON (so 2.0, true and "2" read as written); anything bigger by its kind."""
    if value is None or type(value) in (bool, int, float) or (type(value) is str and len(value) <= 40):
        return json.dumps(value)
    return kind_of(value)


def quoted(identifier: str) -> str:
    # JSON quoting escapes newlines, so a message stays on one line whatever the ids hold.
    text = json.dumps(identifier, ensure_ascii=False)
    return text if len(text) <= 80 else text[:76] + '…"'
