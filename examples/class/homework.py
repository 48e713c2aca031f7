"""Homework 3: every student gets their own numbers; the teacher's templates live here.

The grading tests (``test_homework.py``) and the students' sheets are made
from the same templates, so the question a student sees is the one graded.

Print a student's sheet:  python examples/class/homework.py ann
"""

from __future__ import annotations

import sys

from symgrad.variants import Template

COURSE_SEED = "calc-2026"

QUESTIONS = {
    "q1": (
        "Differentiate {f} with respect to x.",
        Template("a*x^n + b*x", {"a": (2, 9), "n": (2, 5), "b": (1, 9)}, key="hw3-q1"),
    ),
    "q2": (
        "Differentiate {f} with respect to x.",
        Template("sin(c*x^2)", {"c": (2, 9)}, key="hw3-q2"),
    ),
    "q3": (
        "The loss of one sample is L = {f}. Give ∂L/∂w and ∂L/∂b.",
        Template("(w*k + b - t)^2", {"k": (2, 5), "t": (1, 9)}, key="hw3-q3"),
    ),
}


def variant(question: str, student: str):
    """The student's variant of one question."""
    return QUESTIONS[question][1].draw(student, course_seed=COURSE_SEED)


def sheet(student: str) -> str:
    """The homework sheet of one student."""
    lines = [f"Homework 3 for {student}"]
    for number, (text, _) in enumerate(QUESTIONS.values(), start=1):
        key = list(QUESTIONS)[number - 1]
        lines.append(f"{number}. " + text.format(f=variant(key, student).text))
    return "\n".join(lines)


if __name__ == "__main__":
    print(sheet(sys.argv[1] if len(sys.argv) > 1 else "ann"))
