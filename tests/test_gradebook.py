"""Attempt logs, Gradescope results and the CSV gradebook: appended whole, never clobbered."""

from __future__ import annotations

import csv
import json
import multiprocessing

import pytest

from symgrad.attempts import append_attempt
from symgrad.gradebook import Credit, GradebookError, append_grades, check_student_id, write_results


def _rec(student, exercise, **more):
    return {"student": student, "exercise": exercise, "verdict": "incorrect", **more}


@pytest.mark.parametrize("good", ["alice", "a.smith-2", "s12345", "bob@uni.edu", "x+y"])
def test_student_ids(good):
    assert check_student_id(good) == good


@pytest.mark.parametrize("bad", ["", "-alice", "a b", "a/b", "../x", "a" * 65, "é"])
def test_bad_student_ids_say_the_expected_form(bad):
    with pytest.raises(GradebookError, match="letters, digits and"):
        check_student_id(bad)


def test_first_try_is_per_student_and_test(tmp_path):
    log = str(tmp_path / "attempts.jsonl")
    assert append_attempt(log, _rec("a", "t1"), count=True)["first_try"] is True
    assert append_attempt(log, _rec("a", "t1"), count=True)["attempt"] == 2
    assert append_attempt(log, _rec("b", "t1"), count=True)["first_try"] is True
    assert append_attempt(log, _rec("a", "t2"), count=True)["first_try"] is True
    lines = [json.loads(line) for line in (tmp_path / "attempts.jsonl").read_text().splitlines()]
    assert [(r["student"], r["exercise"], r["first_try"]) for r in lines] == [
        ("a", "t1", True),
        ("a", "t1", False),
        ("b", "t1", True),
        ("a", "t2", True),
    ]


def test_a_malformed_line_is_skipped_and_kept(tmp_path):
    path = tmp_path / "attempts.jsonl"
    path.write_text('not json\n{"student": "a", "exercise": "t"}\n')
    assert append_attempt(str(path), _rec("a", "t"), count=True)["attempt"] == 2
    assert path.read_text().startswith("not json\n")  # never truncated


def _append_many(args):
    path, student = args
    for k in range(25):
        append_attempt(path, _rec(student, f"t{k % 3}", answer="x" * 400), count=True)


def test_parallel_appends_never_interleave(tmp_path):
    path = str(tmp_path / "attempts.jsonl")
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        pool.map(_append_many, [(path, f"s{i}") for i in range(4)])
    lines = (tmp_path / "attempts.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 100
    for student in ("s0", "s1", "s2", "s3"):
        mine = [r for r in records if r["student"] == student]
        assert sum(r["first_try"] for r in mine) == 3  # one first try per test
        assert sorted(r["attempt"] for r in mine if r["exercise"] == "t0") == list(range(1, 10))


def test_results_json(tmp_path):
    path = tmp_path / "results.json"
    tests = [
        {"name": "t1", "score": 3.0, "max_score": 4.0, "output": "b2 wrong"},
        {"name": "t2", "score": 1.0, "max_score": 1.0, "output": ""},
    ]
    write_results(str(path), tests)
    data = json.loads(path.read_text())
    assert (data["score"], data["max_score"]) == (4.0, 5.0)
    assert [t["name"] for t in data["tests"]] == ["t1", "t2"]
    write_results(str(path), tests[:1])  # a results file may be replaced
    assert json.loads(path.read_text())["score"] == 3.0
    other = tmp_path / "notes.json"
    other.write_text('["mine"]')
    with pytest.raises(GradebookError, match="not overwritten"):
        write_results(str(other), tests)
    assert other.read_text() == '["mine"]'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.json", "results.json"]


def test_gradebook_rows(tmp_path):
    path = tmp_path / "grades.csv"
    append_grades(str(path), "alice", {"t1": 4.0, "t2": 1.0}, 5.0)
    append_grades(str(path), "bob", {"t1": 3.0, "t2": 0.0}, 5.0)
    rows = list(csv.reader(path.open()))
    assert rows == [
        ["student", "t1", "t2", "total", "max_total"],
        ["alice", "4", "1", "5", "5"],
        ["bob", "3", "0", "3", "5"],
    ]
    with pytest.raises(GradebookError, match="other columns"):
        append_grades(str(path), "carol", {"t3": 1.0}, 1.0)
    assert len(list(csv.reader(path.open()))) == 3


def test_credit_parts_share_the_points():
    credit = Credit()
    with credit.part("w"):
        assert True
    with credit.part("b", weight=3):
        raise AssertionError("the gradient for b is 2 times the expected one")
    assert credit.share() == 0.25
    assert credit.failure() == (
        "1 of 2 parts wrong (1 right)\npart b: the gradient for b is 2 times the expected one"
    )
    with pytest.raises(ValueError, match="twice"):
        with credit.part("w"):
            pass
