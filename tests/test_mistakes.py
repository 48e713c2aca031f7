"""The deliberately wrong differentiator: each mistake, where it is made, and no mistake at all."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
import sympy as sp

from symgrad.mistakes import (
    MISTAKES,
    RULE_MISTAKES,
    agree,
    diagnose_gradient,
    sites,
    wrong_derivations,
    wrong_diff,
)
from symgrad.numeric import compile_expr
from symgrad.parse import parse, variable
from symgrad.testing import GradingFailure, assert_gradient

x, y = variable("x"), variable("y")


def central_difference(expr: sp.Expr, var: sp.Symbol, at: float, h: float = 1e-6) -> float:
    f = compile_expr(expr, [var])
    return (f(at + h) - f(at - h)) / (2 * h)


@pytest.mark.parametrize(
    "text",
    [
        "x*sin(x^2)",
        "sin(x)/x",
        "(x^2 + 1)^3 * exp(-x)",
        "log(x^2 + 1) + cos(3*x)",
        "sqrt(x^2 + 1) / (x^2 + 2)",
        "2^x * x^3 + 7",
        "tan(x)*sigmoid(x)",
        "x^x",
    ],
)
def test_without_a_mistake_it_is_the_derivative(text):
    expr = parse(text).expr
    derivative = wrong_diff(expr, x, None)
    assert sp.simplify(derivative - sp.diff(expr, x)) == 0
    rng = random.Random(1)
    for _ in range(3):
        at = rng.uniform(0.5, 2.0)
        numeric = central_difference(expr, x, at)
        exact = float(derivative.subs(x, at))
        assert math.isclose(exact, numeric, rel_tol=1e-6, abs_tol=1e-8)


# Each mistake as a student makes it, written out by hand.
CASES = [
    ("sin(x^2)", "chain", "cos(x^2)"),
    ("(3*x + 1)^4", "chain", "4*(3*x + 1)^3"),
    ("exp(5*x)", "chain", "exp(5*x)"),
    ("x*sin(x)", "product", "cos(x)"),
    ("x^2*exp(x)", "product", "2*x*exp(x)"),
    ("sin(x)/x", "quotient_swapped", "(sin(x) - x*cos(x))/x^2"),
    ("sin(x)/x", "quotient_no_square", "(x*cos(x) - sin(x))/x"),
    ("x^3", "power_not_lowered", "3*x^3"),
    ("x^2 + 7", "constant_kept", "2*x + 7"),
    ("cos(x)", "trig_sign", "sin(x)"),
    ("sin(2*x)", "trig_sign", "-2*cos(2*x)"),
    ("log(x)", "log_inverted", "x"),
    ("log(x^2 + 1)", "log_inverted", "2*x*(x^2 + 1)"),
]


@pytest.mark.parametrize("text, mistake, wrong", CASES)
def test_each_mistake(text, mistake, wrong):
    result = wrong_diff(parse(text).expr, x, mistake)
    assert sp.simplify(result - parse(wrong).expr) == 0


def test_a_mistake_at_one_place_only():
    expr = parse("sin(x^2) + cos(3*x)").expr
    assert sites(expr, x, "chain") == [sp.cos(3 * x), sp.sin(x**2)]
    only = wrong_diff(expr, x, "chain", sp.cos(3 * x))
    assert sp.simplify(only - (2 * x * sp.cos(x**2) - sp.sin(3 * x))) == 0
    everywhere = wrong_diff(expr, x, "chain")
    assert sp.simplify(everywhere - (sp.cos(x**2) - sp.sin(3 * x))) == 0


def test_no_site_means_no_candidate():
    assert sites(x**2, x, "chain") == []  # the inside of x² is x itself
    assert sites(x**2, x, "trig_sign") == []


def test_wrong_derivations_cover_variables_and_orders():
    found = list(wrong_derivations(x**2 * y, x, order=1, variables=[y]))
    kinds = {w.mistake for w in found}
    assert {"power_not_lowered", "wrong_variable", "not_differentiated", "wrong_order"} <= kinds
    wrong_var = next(w for w in found if w.mistake == "wrong_variable")
    assert wrong_var.derivative == x**2 and wrong_var.detail == "y"
    second = wrong_derivations(x**3, x, order=2)
    assert any(w.mistake == "power_not_lowered" and w.derivative == 6 * x**2 for w in second)


def test_every_mistake_is_described():
    for name in (*RULE_MISTAKES, "wrong_variable", "not_differentiated", "wrong_order"):
        assert MISTAKES[name].rule and MISTAKES[name].hint


def test_agree_ignores_points_where_both_are_undefined():
    nan = math.nan
    assert agree([1.0, nan, 3.0], [1.0, nan, 3.0 + 1e-12])
    assert not agree([1.0, nan], [1.0, 2.0])
    assert not agree([nan], [nan])  # nothing compared at all


# -- gradients as arrays: the pattern per parameter ----------------------------------------

W = np.array([[variable(f"W_{i}{j}") for j in range(2)] for i in range(2)], dtype=object)
LOSS = sum((W[i, j] * (i + 1) - j) ** 2 for i in range(2) for j in range(2)) + 3 * y**2


def _good(w, b):
    scale = np.array([[1.0], [2.0]])
    return 2 * (w * scale - np.array([[0.0, 1.0]])) * scale, 6 * b


@pytest.mark.parametrize(
    "student, diagnosis",
    [
        (
            lambda w, b: (4 * _good(w, b)[0], _good(w, b)[1]),
            "the gradient for W (shape (2, 2)) is 4 times the expected one; the others are right",
        ),
        (lambda w, b: (_good(w, b)[0], -_good(w, b)[1]), "the gradient for y has the wrong sign"),
        (
            lambda w, b: (_good(w, b)[0].T, _good(w, b)[1]),
            "the gradient for W (shape (2, 2)) is transposed; the others are right",
        ),
        (lambda w, b: (_good(w, b)[0], 0.0), "the gradient for y is 0; the others are right"),
        (
            lambda w, b: (_good(w, b)[0] / 2, -_good(w, b)[1]),
            "the gradient for W (shape (2, 2)) is 1/2 times the expected one; the gradient for y "
            "has the wrong sign",
        ),
    ],
)
def test_a_wrong_parameter_is_diagnosed_alone(student, diagnosis):
    assert_gradient(_good, LOSS, wrt={"W": W, "y": y}, points=3)
    with pytest.raises(GradingFailure) as failure:
        assert_gradient(student, LOSS, wrt={"W": W, "y": y}, points=3)
    assert diagnosis in str(failure.value)


def test_diagnose_gradient_says_the_others_are_right():
    expected = [[2.0, 1.0, np.array([1.0, 2.0])], [4.0, 3.0, np.array([3.0, -1.0])]]
    received = [[2.0, 1.0, np.array([-1.0, -2.0])], [4.0, 3.0, np.array([-3.0, 1.0])]]
    assert (
        diagnose_gradient(["w", "b", "v"], expected, received)
        == "the gradient for v has the wrong sign; the others are right"
    )
    received[0][0] = 5.0  # w wrong without a pattern, v still a sign
    assert diagnose_gradient(["w", "b", "v"], expected, received) == (
        "the gradient for w is wrong; the gradient for v has the wrong sign; the others are right"
    )
