"""Grade the synthetic class and make the teacher's report: the worked example of a teacher's week.

Runs the grading tests once per hand-in (ann, ben, cam, then ben's corrected
file), each with the student's ID, appending to one attempt log and one CSV
gradebook and writing one Gradescope results.json per student; then makes the
class report as text, CSV and HTML. Everything lands in the output folder
(default: output/ next to this file), and only files this script makes are
replaced there.

Run:  python examples/class/make_class.py [OUTPUT_FOLDER]
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
HAND_INS = [
    ("ann", "ann.py"),
    ("ben", "ben.py"),
    ("cam", "cam.py"),
    ("ben", "ben_fixed.py"),
]
MADE = ("attempts.jsonl", "gradebook.csv", "report.txt", "report.csv", "report.html")


def grade(out: Path, student: str, hand_in: str) -> int:
    command = [
        sys.executable,
        "-m",
        "pytest",
        str(HERE),
        "-q",
        "-p",
        "no:cacheprovider",
        "--submission",
        str(HERE / "submissions" / hand_in),
        "--symgrad-student",
        student,
        "--symgrad-log",
        str(out / "attempts.jsonl"),
        "--symgrad-gradebook",
        str(out / "gradebook.csv"),
        "--symgrad-results",
        str(out / f"results-{student}.json"),
    ]
    return subprocess.run(command, capture_output=True, text=True, cwd=HERE).returncode


def report(out: Path, *args: str) -> str:
    command = [sys.executable, "-m", "symgrad", "report", str(out / "attempts.jsonl"), *args]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=out)
    return done.stdout


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else HERE / "output"
    out.mkdir(parents=True, exist_ok=True)
    for name in MADE:  # start afresh: logs and gradebooks are appended to
        (out / name).unlink(missing_ok=True)
    for student, hand_in in HAND_INS:
        code = grade(out, student, hand_in)
        print(f"graded {hand_in:<13} as {student}: pytest exit code {code}")
    (out / "report.txt").write_text(report(out, "--format", "plain"), encoding="utf-8")
    (out / "report.csv").write_text(report(out, "--format", "csv"), encoding="utf-8")
    report(out, "--format", "json", "--html", str(out / "report.html"))
    print(f"report: {out / 'report.txt'}, {out / 'report.csv'}, {out / 'report.html'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
