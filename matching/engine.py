"""The match engine: applicant-proposing deferred acceptance with slot capacities, free of Django.

It reads and writes the exchange format of `../shared/match-format.md`: an instance
``{"applicants": {id: [slot id, ...]}, "slots": {id: {"capacity": n, "ranking": [applicant id, ...]}}}``
and a result ``{"assignments": {applicant id: slot id or null}}``, the applicant-optimal stable
matching (unique for strict lists, so two correct engines agree exactly).

Python API (the Django side imports this module only where it runs a match):

- ``match(applicants, slots) -> dict[str, str | None]``: every applicant's slot, or None.
  ``applicants`` maps applicant id to rank list; ``slots`` maps slot id to
  ``{"capacity": n, "ranking": [...]}`` or to a ``(capacity, ranking)`` tuple. Raises
  MalformedInstance when the input breaks the format.
- ``solve(instance) -> dict``: the result document for an instance document.
- ``validate(instance) -> None``: raises ``MalformedInstance`` (a ValueError) whose message names
  the first problem in one line: the field, the id, the duplicate.
- ``check(instance, result) -> str | None``: None when the result is the applicant-optimal stable
  matching, else its first violation or blocking pair in words. Raises MalformedInstance or
  MalformedResult when either document breaks the format.

Command line, from the repository root:

    python -m matching.engine INSTANCE.json [-o RESULT.json]
    python -m matching.engine INSTANCE.json --check RESULT.json

Exit 0 with the result (or "OK" from --check); 1 when --check finds a violation, printed in one
line; 2 with one line on standard error for an unreadable or malformed file (never a traceback).

A pair is acceptable only when each side lists the other; one-sided entries are ignored. A slot
of capacity 0 takes nobody. Unknown top-level keys are ignored.
"""

import argparse
import gc
import os
import sys
from contextlib import contextmanager

import orjson

from .engine_check import MalformedResult, result_problem
from .engine_da import deferred_acceptance
from .engine_validate import Interned, MalformedInstance, intern_instance

__all__ = ["MalformedInstance", "MalformedResult", "check", "match", "solve", "validate"]


def validate(instance: object) -> None:
    """Raise MalformedInstance, naming the first problem, unless the instance follows the format."""
    with _collector_paused():
        intern_instance(instance)


def solve(instance: object) -> dict:
    """The result document (``{"assignments": ...}``) for an instance document."""
    with _collector_paused():
        return {"assignments": _assignments(intern_instance(instance))}


def match(applicants: dict[str, list[str]], slots: dict[str, tuple[int, list[str]]] | dict[str, dict]) -> dict[str, str | None]:
    """Every applicant's slot in the applicant-optimal stable matching, or None."""
    if isinstance(slots, dict):  # the tuple form becomes the format's object form
        slots = {slot: ({"capacity": entry[0], "ranking": entry[1]} if type(entry) is tuple and len(entry) == 2 else entry)
                 for slot, entry in slots.items()}
    if isinstance(applicants, dict):  # a defaultdict or OrderedDict is welcome from Python
        applicants = dict(applicants)
    return solve({"applicants": applicants, "slots": slots})["assignments"]


def check(instance: object, result: object) -> str | None:
    """None when `result` is the instance's applicant-optimal stable matching, else the first
    violation (a missing applicant, an unknown id, an unacceptable pair, an over-full slot), blocking
    pair or better match that an applicant is denied, in words."""
    with _collector_paused():
        interned = intern_instance(instance)
        return result_problem(interned, result, deferred_acceptance(interned))


@contextmanager
def _collector_paused():
    """The engine builds some 100,000 lists and dicts and no reference cycles: the cyclic garbage
    collector would only walk them again and again (reading and interning take a quarter longer
    with it at NRMP scale)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _assignments(interned: Interned) -> dict[str, str | None]:
    names = [*interned.slot_ids, None]  # UNMATCHED (-1) indexes the trailing None
    return dict(zip(interned.applicant_ids, map(names.__getitem__, deferred_acceptance(interned)), strict=True))


# Command line

class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, like every other refusal of this command
        self.exit(2, f"{self.prog}: {message}\n")


def main(argv: list[str] | None = None, kept: list | None = None) -> int:
    """The command line; returns the exit status. `kept`, when given, receives the run's big objects,
    so that a caller about to end the process can leave them to the operating system."""
    parser = _Parser(prog="python -m matching.engine", description=__doc__.splitlines()[0])
    parser.add_argument("instance", metavar="INSTANCE.json")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("-o", "--output", metavar="RESULT.json", help="write the result here instead of standard output")
    mode.add_argument("--check", metavar="RESULT.json", help="verify this result against the instance")
    args = parser.parse_args(argv)
    try:
        with _collector_paused():
            return _run(args, [] if kept is None else kept)
    except MalformedInstance as error:
        return _refuse(f"{args.instance}: {error}")
    except MalformedResult as error:
        return _refuse(f"{args.check}: {error}")
    except OSError as error:
        return _refuse(f"{error.filename or 'standard output'}: {error.strerror or error}")


def _run(args: argparse.Namespace, kept: list) -> int:
    instance = _load(args.instance, MalformedInstance)
    kept.append(instance)
    if args.check:
        return _report(check(instance, _load(args.check, MalformedResult)))
    interned = intern_instance(instance)
    kept.append(interned)
    _write(args.output, orjson.dumps({"assignments": _assignments(interned)}, option=orjson.OPT_INDENT_2) + b"\n")
    return 0


def _refuse(message: str) -> int:
    sys.stderr.write(f"error: {_one_line(message)}\n")
    return 2


def _one_line(message: str) -> str:
    return " ".join(message.split())  # whatever line breaks the ids or the parser's message held


def _load(path: str, malformed: type[ValueError]) -> object:
    with open(path, "rb") as file:
        data = file.read()
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise malformed(f"not JSON ({error})") from None


def _write(path: str | None, data: bytes) -> None:
    if path is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()  # here, where a closed pipe is reported in one line
        return
    with open(path, "wb") as file:
        file.write(data)


def _report(problem: str | None) -> int:
    _write(None, ("OK" if problem is None else _one_line(problem)).encode() + b"\n")
    return 0 if problem is None else 1


if __name__ == "__main__":
    # Ending without freeing the instance's million objects one by one saves a tenth of a run at
    # NRMP scale; the output was written and flushed by then.
    kept: list = []
    status = main(kept=kept)
    sys.stderr.flush()
    os._exit(status)
