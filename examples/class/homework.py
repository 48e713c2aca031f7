"""Homework 3: every student gets their own numbers; the teacher's questions live here.

The grading tests (``test_homework.py``) and the students' sheets are made
from the same questions with the grading plugin's own draw
(:func:`symgrad.testing.draw_variant`), so the question a student sees is
the one graded.

Print a student's sheet:  python examples/class/homework.py ann
"""

from __future__ import annotations

import sys

COURSE_SEED = 2026

#: test name -> (question, template, parameter ranges)
QUESTIONS = {
    "test_q1_power_rule": (
        "Differentiate {f} with respect to x.",
        "a*x^n + b*x",
        {"a": (2, 9), "n": (2, 5), "b": (1, 9)},
    ),
    "test_q2_chain_rule": (
        "Differentiate {f} with respect to x.",
        "sin(c*x^2)",
        {"c": (2, 9)},
    ),
    "test_q3_gradient_of_the_loss": (
        "The loss of one sample is L = {f}. Give ∂L/∂w and ∂L/∂b.",
        "(w*k + b - t)^2",
        {"k": (2, 5), "t": (1, 9)},
    ),
}


def formula(test: str, student: str) -> str:
    """The student's own formula for one question, as symgrad prints it."""
    from symgrad.parse import parse, variable
    from symgrad.printing import inline
    from symgrad.testing import draw_variant

    _, template, params = QUESTIONS[test]
    values = draw_variant(params, student, test, COURSE_SEED, template)
    expr = parse(template).expr.xreplace({variable(k): v for k, v in values.items()})
    return inline(expr)


def sheet(student: str) -> str:
    """The homework sheet of one student."""
    lines = [f"Homework 3 for {student}"]
    for number, (test, (question, _, _)) in enumerate(QUESTIONS.items(), start=1):
        lines.append(f"{number}. " + question.format(f=formula(test, student)))
    return "\n".join(lines)


if __name__ == "__main__":
    print(sheet(sys.argv[1] if len(sys.argv) > 1 else "ann"))
