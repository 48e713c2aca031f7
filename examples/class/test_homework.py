"""Homework 3, graded: a variant per student, points per question, partial credit on q3.

Run:  pytest examples/class --submission submissions/ann.py --symgrad-student ann
      (add --symgrad-log, --symgrad-results and --symgrad-gradebook to record it)
"""

from __future__ import annotations

import pytest
from homework import COURSE_SEED, QUESTIONS

from symgrad.testing import assert_answer


def _variant(test: str, points: int):
    _, template, params = QUESTIONS[test]
    return pytest.mark.symgrad(
        variant="student",
        params=params,
        template=template,
        course_seed=COURSE_SEED,
        max_score=points,
    )


@_variant("test_q1_power_rule", 2)
def test_q1_power_rule(submission):
    assert_answer(submission.text("Q1"), QUESTIONS["test_q1_power_rule"][1], wrt="x")


@_variant("test_q2_chain_rule", 3)
def test_q2_chain_rule(submission):
    assert_answer(submission.text("Q2"), QUESTIONS["test_q2_chain_rule"][1], wrt="x")


@_variant("test_q3_gradient_of_the_loss", 4)
def test_q3_gradient_of_the_loss(submission, credit):
    loss = QUESTIONS["test_q3_gradient_of_the_loss"][1]
    answers = submission.value("Q3")
    for parameter in ("w", "b"):  # 2 points each
        with credit.part(parameter):
            assert_answer(answers[parameter], loss, wrt=parameter)
