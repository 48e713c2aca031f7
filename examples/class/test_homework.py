"""Homework 3, graded: a variant per student, points per question, partial credit on q3.

Run:  pytest examples/class --submission submissions/ann.py --symgrad-student ann
      (add --symgrad-log, --symgrad-results and --symgrad-gradebook to record it)
"""

from __future__ import annotations

import pytest
from homework import COURSE_SEED, QUESTIONS

from symgrad.testing import assert_answer


def _mine(symgrad_variant, question):
    return symgrad_variant(QUESTIONS[question][1], course_seed=COURSE_SEED).source


@pytest.mark.symgrad(variant="student", score=2)
def test_q1_power_rule(submission, symgrad_variant):
    assert_answer(submission.Q1, _mine(symgrad_variant, "q1"), wrt="x")


@pytest.mark.symgrad(variant="student", score=3)
def test_q2_chain_rule(submission, symgrad_variant):
    assert_answer(submission.Q2, _mine(symgrad_variant, "q2"), wrt="x")


@pytest.mark.symgrad(variant="student", score=4)
def test_q3_gradient_of_the_loss(submission, symgrad_variant, credit):
    loss = _mine(symgrad_variant, "q3")
    for parameter in ("w", "b"):  # 2 points each
        with credit.part(parameter):
            assert_answer(submission.Q3[parameter], loss, wrt=parameter)
