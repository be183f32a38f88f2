"""Benchmark: the match engine at NRMP scale against a plain textbook implementation, as commands.

    .venv/bin/python bench/engine.py [--seed 1] [--applicants 50000] [--runs 3]

Generates a seeded instance (50,000 applicants, about 5,600 slots with 1–13 seats, about 0.8 seats
per applicant as in the NRMP main match, 10–12 ranks each; slot popularity Zipf-like, and each
slot ranks about nine in ten of those who ranked it, by a shared applicant strength plus its own
noise), writes it to a temporary directory, and measures in the same run, each as a subprocess of
this Python, JSON reading and writing included:

- the engine: `python -m matching.engine inst.json -o out.json` (full validation included);
- the reference: `python bench/engine.py --reference inst.json out.json`, deferred acceptance with
  dicts keyed by id, a list of free applicants and the standard library's json (no validation).

Checks that both results are identical, and prints each one's best wall of the runs, the ratio
and the peak memory of the child (ru_maxrss from os.wait4, per run). Goal: the engine at most
0.7x the reference's wall, under 200 MiB peak.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from bisect import bisect
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_RATIO, GOAL_MIB = 0.7, 200


# The instance

def generate(applicants: int, seed: int) -> dict:
    rng = random.Random(seed)
    slot_ids = [f"s{n}" for n in range(max(1, round(applicants * 0.112)))]
    # Capacities 1–13 (mean 7): about 0.8 seats per applicant, the NRMP main match's ratio.
    capacity = {slot: rng.randint(1, 13) for slot in slot_ids}
    popularity = list(accumulate(1 / (k + 1) ** 0.8 for k in range(len(slot_ids))))
    rng.shuffle(slot_ids)  # popularity unrelated to the id
    applicant_ids = [f"a{n}" for n in range(applicants)]
    lists = {applicant: _rank_list(rng, slot_ids, popularity, min(rng.randint(10, 12), len(slot_ids)))
             for applicant in applicant_ids}
    strength = {applicant: rng.gauss(0, 1) for applicant in applicant_ids}
    ranked_by: dict[str, list[str]] = {slot: [] for slot in slot_ids}
    for applicant, ranked in lists.items():
        for slot in ranked:
            if rng.random() < 0.9:  # the others were not interviewed: a one-sided entry
                ranked_by[slot].append(applicant)
    slots = {}
    for slot in sorted(slot_ids, key=lambda s: int(s[1:])):
        noisy = {applicant: strength[applicant] + rng.gauss(0, 0.7) for applicant in ranked_by[slot]}
        slots[slot] = {"capacity": capacity[slot], "ranking": sorted(noisy, key=noisy.__getitem__, reverse=True)}
    return {"applicants": lists, "slots": slots, "meta": {"seed": seed, "generator": "bench/engine.py"}}


def _rank_list(rng: random.Random, slot_ids: list[str], popularity: list[float], length: int) -> list[str]:
    """`length` distinct slots, drawn by popularity; a list is in the order the slots were drawn."""
    chosen: dict[str, None] = {}
    total = popularity[-1]
    while len(chosen) < length:
        chosen[slot_ids[bisect(popularity, rng.random() * total)]] = None
    return list(chosen)


# The reference: deferred acceptance as a textbook writes it

def reference(source: str, target: str) -> None:
    with open(source, encoding="utf-8") as file:
        instance = json.load(file)
    prefs, slots = instance["applicants"], instance["slots"]
    rank = {slot: {applicant: n for n, applicant in enumerate(entry["ranking"])} for slot, entry in slots.items()}
    capacity = {slot: entry["capacity"] for slot, entry in slots.items()}
    held: dict[str, list[str]] = {slot: [] for slot in slots}
    next_choice = dict.fromkeys(prefs, 0)
    free = list(prefs)
    while free:
        applicant = free.pop()
        choices = prefs[applicant]
        while next_choice[applicant] < len(choices):
            slot = choices[next_choice[applicant]]
            next_choice[applicant] += 1
            if applicant not in rank[slot] or capacity[slot] == 0:
                continue
            held[slot].append(applicant)
            if len(held[slot]) <= capacity[slot]:
                break
            worst = max(held[slot], key=rank[slot].__getitem__)
            held[slot].remove(worst)
            if worst != applicant:
                free.append(worst)
                break
    assignments = dict.fromkeys(prefs)
    for slot, applicants in held.items():
        for applicant in applicants:
            assignments[applicant] = slot
    with open(target, "w", encoding="utf-8") as file:
        json.dump({"assignments": assignments}, file)


# The measurement

def timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak MiB of one run of the command (this child's own ru_maxrss, in KiB)."""
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        sys.exit(f"{' '.join(command)} exited with {child.returncode}")
    return wall, usage.ru_maxrss / 1024


COMMANDS = {  # the reference first: the ratios are to it
    "reference (stdlib json, dicts by id)": [sys.executable, __file__, "--reference", "{source}", "{target}"],
    "engine (python -m matching.engine)": [sys.executable, "-m", "matching.engine", "{source}", "-o", "{target}"],
}


def measure(source: Path, tmp: str, runs: int) -> tuple[dict[str, tuple[float, float]], dict[str, dict]]:
    """Each command's best wall and peak MiB over the runs, and its result."""
    targets = {name: Path(tmp, f"{n}.json") for n, name in enumerate(COMMANDS)}
    done: dict[str, list[tuple[float, float]]] = {name: [] for name in COMMANDS}
    for _ in range(runs):  # interleaved, so that a slow spell of the machine hits both alike
        for name, command in COMMANDS.items():
            done[name].append(timed([part.format(source=source, target=targets[name]) for part in command]))
    figures = {name: (min(wall for wall, _ in times), max(mib for _, mib in times)) for name, times in done.items()}
    return figures, {name: json.loads(target.read_text(encoding="utf-8")) for name, target in targets.items()}


def report(figures: dict[str, tuple[float, float]]) -> None:
    print(f"{'implementation':<40}{'best s':>9}{'peak MiB':>10}{'vs reference':>14}")
    baseline = next(iter(figures.values()))[0]
    for name, (wall, mib) in figures.items():
        print(f"{name:<40}{wall:>9.3f}{mib:>10.0f}{wall / baseline:>13.2f}x")
    wall, mib = figures["engine (python -m matching.engine)"]
    met = wall / baseline <= GOAL_RATIO and mib < GOAL_MIB
    print(f"\ngoal at 50,000 applicants (engine ≤ {GOAL_RATIO}x the reference, < {GOAL_MIB} MiB): {'met' if met else 'missed'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--applicants", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reference", nargs=2, metavar=("INSTANCE", "RESULT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.reference:
        reference(*args.reference)
        return 0
    started = time.perf_counter()
    instance = generate(args.applicants, args.seed)
    entries = sum(map(len, instance["applicants"].values()))
    seats = sum(entry["capacity"] for entry in instance["slots"].values())
    with tempfile.TemporaryDirectory(prefix="bench-engine-") as tmp:
        source = Path(tmp, "inst.json")
        source.write_text(json.dumps(instance), encoding="utf-8")
        print(f"generated {args.applicants} applicants, {len(instance['slots'])} slots ({seats} seats), {entries} ranks "
              f"in {time.perf_counter() - started:.1f} s (seed {args.seed}); instance {source.stat().st_size / 2**20:.1f} MiB")
        figures, results = measure(source, tmp, args.runs)
    reference_result, engine_result = results.values()
    if engine_result != reference_result:
        differ = sum(engine_result["assignments"].get(a) != s for a, s in reference_result["assignments"].items())
        print(f"the results differ for {differ} applicants")
        return 1
    matched = sum(slot is not None for slot in engine_result["assignments"].values())
    print(f"results identical: {matched} matched, {args.applicants - matched} unmatched\n")
    report(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
