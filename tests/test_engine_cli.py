"""The match engine's command line, run as the admins and the benchmark run it: `python -m matching.engine`.

Each malformed shape the format lists (../shared/match-format.md) exits 2 with one line on
standard error that names the problem, never a traceback; `--check` exits 1 naming the first
violation. No database.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The worked pair of ../shared/match-format.md, copied into the repository (CI has only the clone).
SHARED = ROOT / "tests" / "data"
EXAMPLE = json.loads((SHARED / "match-example-instance.json").read_text())
EXAMPLE_RESULT = json.loads((SHARED / "match-example-result.json").read_text())


def engine(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "matching.engine", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


def written(tmp_path: Path, name: str, content: object) -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    return path


def assert_refused_in_one_line(run: subprocess.CompletedProcess, *named: str) -> None:
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.endswith("\n") and run.stderr.count("\n") == 1, run.stderr
    assert "Traceback" not in run.stderr
    for words in named:
        assert words in run.stderr


def result_with(**assignments: str | None) -> dict:
    return {"assignments": {**EXAMPLE_RESULT["assignments"], **assignments}}


# Matching

def test_the_example_gives_the_example_result_on_standard_output():
    run = engine(SHARED / "match-example-instance.json")
    assert (run.returncode, run.stderr) == (0, "")
    assert json.loads(run.stdout) == EXAMPLE_RESULT


def test_the_result_goes_to_the_file_named_by_o(tmp_path):
    run = engine(SHARED / "match-example-instance.json", "-o", tmp_path / "result.json")
    assert (run.returncode, run.stdout, run.stderr) == (0, "", "")
    assert json.loads((tmp_path / "result.json").read_text()) == EXAMPLE_RESULT


# Malformed and unreadable instances

def slot(capacity: object = 1, ranking: object = ()) -> dict:
    return {"capacity": capacity, "ranking": list(ranking) if isinstance(ranking, tuple) else ranking}


MALFORMED = {
    "not JSON": (b'{"applicants": {', ["not JSON"]),
    "empty file": (b"", ["not JSON"]),
    "not UTF-8": (b'{"applicants": {"\xff": []}, "slots": {}}', ["not JSON"]),
    "top level not an object": ([], ["must be a JSON object, not an array"]),
    "applicants missing": ({"slots": {}}, ['missing field "applicants"']),
    "slots missing": ({"applicants": {}}, ['missing field "slots"']),
    "applicants wrongly typed": ({"applicants": [], "slots": {}}, ['field "applicants" must be an object']),
    "slots wrongly typed": ({"applicants": {}, "slots": "s0"}, ['field "slots" must be an object', "not a string"]),
    "rank list wrongly typed": ({"applicants": {"a0": "s0"}, "slots": {"s0": slot()}},
                                ['applicants["a0"] must be a list of slot ids', "not a string"]),
    "rank list item wrongly typed": ({"applicants": {"a0": [0]}, "slots": {"s0": slot()}},
                                     ['applicants["a0"][0] must be a slot id', "not 0"]),
    "slot wrongly typed": ({"applicants": {}, "slots": {"s0": [1, []]}}, ['slots["s0"] must be an object', "not an array"]),
    "capacity missing": ({"applicants": {}, "slots": {"s0": {"ranking": []}}}, ['slots["s0"] is missing field "capacity"']),
    "ranking missing": ({"applicants": {}, "slots": {"s0": {"capacity": 1}}}, ['slots["s0"] is missing field "ranking"']),
    "ranking wrongly typed": ({"applicants": {}, "slots": {"s0": slot(ranking={"a0": 1})}},
                              ['slots["s0"]["ranking"] must be a list of applicant ids', "not an object"]),
    "ranking item wrongly typed": ({"applicants": {"a0": []}, "slots": {"s0": slot(ranking=[None])}},
                                   ['slots["s0"]["ranking"][0] must be an applicant id', "not null"]),
    "duplicate in a rank list": ({"applicants": {"a0": ["s0", "s1", "s0"]}, "slots": {"s0": slot(), "s1": slot()}},
                                 ['applicants["a0"]', 'slot "s0" twice', "duplicate"]),
    "duplicate in a ranking": ({"applicants": {"a0": [], "a1": []}, "slots": {"s0": slot(ranking=("a1", "a0", "a1"))}},
                               ['slots["s0"]["ranking"]', 'applicant "a1" twice', "duplicate"]),
    "unknown slot in a rank list": ({"applicants": {"a0": ["s0", "s7"]}, "slots": {"s0": slot()}},
                                    ['applicants["a0"]', 'unknown slot "s7"']),
    "unknown applicant in a ranking": ({"applicants": {"a0": []}, "slots": {"s0": slot(ranking=("a0", "a7"))}},
                                       ['slots["s0"]["ranking"]', 'unknown applicant "a7"']),
    "negative capacity": ({"applicants": {}, "slots": {"s0": slot(-1)}},
                          ['slots["s0"]["capacity"]', "non-negative integer", "not -1"]),
    "capacity a boolean": ({"applicants": {}, "slots": {"s0": slot(True)}}, ['slots["s0"]["capacity"]', "not true"]),
    "capacity a float": ({"applicants": {}, "slots": {"s0": slot(2.0)}}, ['slots["s0"]["capacity"]', "not 2.0"]),
    "capacity a string": ({"applicants": {}, "slots": {"s0": slot("2")}}, ['slots["s0"]["capacity"]', 'not "2"']),
    "capacity null": ({"applicants": {}, "slots": {"s0": slot(None)}}, ['slots["s0"]["capacity"]', "not null"]),
}


@pytest.mark.parametrize(("content", "named"), MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_instance_exits_2_with_one_line_naming_the_problem(tmp_path, content, named):
    path = written(tmp_path, "instance.json", content)
    assert_refused_in_one_line(engine(path), str(path), *named)


def test_the_first_problem_is_named_when_there_are_several(tmp_path):
    instance = {"applicants": {"a0": ["s0", "s0"], "a1": ["s9"]}, "slots": {"s0": slot(-1)}}
    assert_refused_in_one_line(engine(written(tmp_path, "instance.json", instance)), 'applicants["a0"] lists slot "s0" twice')


def test_an_id_with_a_line_break_is_named_on_one_line(tmp_path):
    instance = {"applicants": {"a\n0": ["s\u2028 9"]}, "slots": {}}
    assert_refused_in_one_line(engine(written(tmp_path, "instance.json", instance)), 'applicants["a\\n0"]')


def test_a_missing_file_exits_2_with_one_line(tmp_path):
    assert_refused_in_one_line(engine(tmp_path / "absent.json"), "absent.json", "No such file or directory")


def test_a_directory_exits_2_with_one_line(tmp_path):
    assert_refused_in_one_line(engine(tmp_path), str(tmp_path), "Is a directory")


def test_an_unwritable_result_exits_2_with_one_line(tmp_path):
    run = engine(SHARED / "match-example-instance.json", "-o", tmp_path / "absent" / "result.json")
    assert_refused_in_one_line(run, "result.json", "No such file or directory")


def test_a_usage_error_exits_2_with_one_line():
    assert_refused_in_one_line(engine(), "required", "INSTANCE.json")


def test_o_and_check_together_are_a_usage_error(tmp_path):
    run = engine(SHARED / "match-example-instance.json", "-o", tmp_path / "a.json",
                 "--check", SHARED / "match-example-result.json")
    assert_refused_in_one_line(run, "not allowed with argument -o/--output")


# --check

def check(tmp_path: Path, result: object, instance: object = EXAMPLE) -> subprocess.CompletedProcess:
    return engine(written(tmp_path, "instance.json", instance), "--check", written(tmp_path, "result.json", result))


def test_check_prints_ok_for_the_right_result(tmp_path):
    run = check(tmp_path, EXAMPLE_RESULT)
    assert (run.returncode, run.stdout, run.stderr) == (0, "OK\n", "")


@pytest.mark.parametrize(("result", "problem"), [
    # a6 ranks s0 first, and s0 keeps a free seat without a6.
    (result_with(a6=None), 'blocking pair: applicant "a6" and slot "s0" — the applicant prefers it to being unmatched, '
                           "and it has a free seat"),
    # a3 lists s1 and s1 ranks a3: acceptable, but s1 has 3 seats.
    (result_with(a3="s1"), 'slot "s1" holds 4 applicants, over its capacity of 3'),
    # a3 does not list s2.
    (result_with(a3="s2"), 'unacceptable pair: applicant "a3" is assigned slot "s2", which they do not list'),
    ({"assignments": {a: s for a, s in EXAMPLE_RESULT["assignments"].items() if a != "a3"}},
     'applicant "a3" is missing from the result'),
    (result_with(a3="s9"), 'applicant "a3" is assigned unknown slot "s9"'),
    (result_with(a99=None), 'the result assigns unknown applicant "a99"'),
])
def test_check_exits_1_naming_the_first_violation(tmp_path, result, problem):
    run = check(tmp_path, result)
    assert (run.returncode, run.stdout, run.stderr) == (1, problem + "\n", "")


def test_check_names_a_slot_that_does_not_rank_its_applicant(tmp_path):
    instance = json.loads(json.dumps(EXAMPLE))
    instance["slots"]["s3"]["ranking"].remove("a3")  # a3 still lists s3
    run = check(tmp_path, result_with(a3="s3", a9=None), instance)
    assert run.returncode == 1
    assert run.stdout == 'unacceptable pair: applicant "a3" is assigned slot "s3", which does not rank them\n'


def test_check_names_a_stable_result_that_is_not_applicant_optimal(tmp_path):
    instance = {"applicants": {"a0": ["s0", "s1"], "a1": ["s1", "s0"]},
                "slots": {"s0": slot(ranking=("a1", "a0")), "s1": slot(ranking=("a0", "a1"))}}
    run = check(tmp_path, {"assignments": {"a0": "s1", "a1": "s0"}}, instance)
    assert run.returncode == 1
    assert run.stdout.startswith('stable, but not applicant-optimal: applicant "a0" is matched to slot "s1"')


@pytest.mark.parametrize(("result", "named"), [
    (b"{", ["result.json", "not JSON"]),
    ({"assignment": {}}, ["result.json", 'missing field "assignments"']),
    ({"assignments": ["a0"]}, ["result.json", 'field "assignments" must be an object']),
    ({"assignments": {"a0": 1}}, ["result.json", 'assignments["a0"] must be a slot id or null, not a number']),
])
def test_check_of_a_malformed_result_exits_2_with_one_line(tmp_path, result, named):
    assert_refused_in_one_line(check(tmp_path, result), *named)


def test_check_against_a_malformed_instance_exits_2_with_one_line(tmp_path):
    assert_refused_in_one_line(check(tmp_path, EXAMPLE_RESULT, {"applicants": {}}), "instance.json", 'missing field "slots"')


def test_check_of_a_missing_result_exits_2_with_one_line(tmp_path):
    run = engine(SHARED / "match-example-instance.json", "--check", tmp_path / "absent.json")
    assert_refused_in_one_line(run, "absent.json", "No such file or directory")
