"""A teacher's grading tests for the Critic network's gradient.

The Critic maps a batch of states to one value each (a dense layer with relu,
then a linear output) and is trained on the mean squared error between the
temporal-difference target and its output, as ``tflearn.mean_square`` computes
it. Students implement ``critic_gradients`` in numpy; the reference here is
the exact gradient that symgrad derives from the loss written with SymPy
symbols, one symbol per weight. The student's code runs in a separate process
that never sees the loss or the expected values.

Run:  pytest examples/grading --submission path/to/student.py

and for a gradebook: --symgrad-student ID --symgrad-gradebook grades.csv
--symgrad-log attempts.jsonl --symgrad-results results.json
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from symgrad.functions import relu
from symgrad.testing import assert_answer, assert_gradient

STATE_DIM, HIDDEN, BATCH = 3, 4, 5

# A fixed batch of states and targets (two decimals, so the reference is exact).
_rng = np.random.default_rng(2024)
STATES = _rng.uniform(-1, 1, (BATCH, STATE_DIM)).round(2)
TD_TARGET = _rng.uniform(-1, 1, (BATCH, 1)).round(2)


def symbols(name: str, *shape: int) -> np.ndarray:
    """An array of real symbols named like ``W1_01``, shaped like the numpy parameter."""
    flat = [
        sp.Symbol(name + "_" + "".join(map(str, index)), real=True) for index in np.ndindex(*shape)
    ]
    return np.array(flat, dtype=object).reshape(shape)


def critic_loss():
    """The MSE loss of the Critic on the fixed batch, and its parameters by name."""
    params = {
        "W1": symbols("W1", STATE_DIM, HIDDEN),
        "b1": symbols("b1", HIDDEN),
        "W2": symbols("W2", HIDDEN, 1),
        "b2": symbols("b2", 1),
    }
    W1, b1, W2, b2 = params.values()
    states = [[sp.Rational(str(v)) for v in row] for row in STATES]
    targets = [sp.Rational(str(v)) for v in TD_TARGET[:, 0]]
    loss = sp.S.Zero
    for s, target in zip(states, targets):
        hidden = [
            relu(sum(s[k] * W1[k, j] for k in range(STATE_DIM)) + b1[j]) for j in range(HIDDEN)
        ]
        out = sum(hidden[j] * W2[j, 0] for j in range(HIDDEN)) + b2[0]
        loss += (target - out) ** 2
    return loss / BATCH, params


# 4 points, one for each parameter's gradient; fresh random weights on every run
@pytest.mark.symgrad(points=3, max_score=4, partial=True)
def test_critic_gradients(submission):
    loss, params = critic_loss()
    # critic_gradients(STATES, TD_TARGET, W1, b1, W2, b2): the batch first, then the weights
    student = submission.function("critic_gradients", STATES, TD_TARGET)
    assert_gradient(student, loss, wrt=params)


@pytest.mark.symgrad(max_score=1)
def test_derivative_of_the_squared_error(submission):
    """By hand first: d/d(out) of (target − out)², written as text."""
    assert_answer(submission.text("SQUARED_ERROR_DERIVATIVE"), "(target - out)^2", wrt="out")
