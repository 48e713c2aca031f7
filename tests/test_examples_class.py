"""The worked example of a teacher's week: grading with variants and points, logs, the report."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLASS = ROOT / "examples" / "class"


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    out = tmp_path_factory.mktemp("class")
    done = subprocess.run(
        [sys.executable, str(CLASS / "make_class.py"), str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return out


def test_each_student_is_graded_on_their_own_variant():
    sys.path.insert(0, str(CLASS))
    try:
        from homework import formula, sheet
    finally:
        sys.path.remove(str(CLASS))
    sheets = {s: sheet(s) for s in ("ann", "ben", "cam")}
    assert len({s.split("\n", 1)[1] for s in sheets.values()}) == 3  # three different sheets
    assert formula("test_q1_power_rule", "ann") == "8⋅x³ + x"  # the same ID, the same variant


def test_the_gradebook_has_points_and_partial_credit(made):
    rows = list(csv.DictReader((made / "gradebook.csv").open()))
    assert [(r["student"], r["total"], r["max_total"]) for r in rows] == [
        ("ann", "9", "9"),  # all right
        ("ben", "6", "9"),  # chain rule missing in q2 (worth 3)
        ("cam", "7", "9"),  # the sign of ∂L/∂b wrong: half of q3's 4 points
        ("ben", "9", "9"),  # the corrected hand-in
    ]
    cam = json.loads((made / "results-cam.json").read_text())
    q3 = next(t for t in cam["tests"] if "q3" in t["name"])
    assert (q3["score"], q3["max_score"]) == (2.0, 4.0)
    assert "opposite sign" in q3["output"] and "part b" in q3["output"]


def test_the_report_counts_what_the_logs_say(made):
    data = json.loads(
        subprocess.run(
            [
                sys.executable,
                "-m",
                "symgrad",
                "report",
                str(made / "attempts.jsonl"),
                "--format",
                "json",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    by_name = {e["exercise"].split("::")[1]: e for e in data["exercises"]}
    q1, q2, q3 = (by_name[n] for n in sorted(by_name))
    assert (q1["students"], q1["first_try"], q1["eventual"]) == (3, 3, 3)
    assert (q2["students"], q2["first_try"], q2["eventual"]) == (3, 2, 3)  # ben, second hand-in
    assert [(d["key"], d["count"], d["example"]) for d in q2["diagnoses"]] == [
        ("chain", 1, "cos(5x^2)")
    ]
    assert (q3["students"], q3["first_try"], q3["eventual"]) == (3, 2, 2)
    assert q3["diagnoses"][0]["example"] == "-2(5w + b - 7)"
    assert data["students"] == 3 and data["attempts"] == 12


def test_the_committed_outputs_are_what_the_script_makes(made):
    for name in ("report.txt", "report.csv", "gradebook.csv"):
        assert (made / name).read_text() == (CLASS / "output" / name).read_text(), name
    assert (made / "report.html").read_text() == (CLASS / "output" / "report.html").read_text()
