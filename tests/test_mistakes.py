"""The deliberately wrong differentiator: each mistake, where it is made, and no mistake at all."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from symgrad.answers import check_answer
from symgrad.functions import REGISTRY, relu, sigmoid, softplus
from symgrad.mistakes import (
    FUNCTION_MISTAKES,
    MISTAKES,
    RULE_MISTAKES,
    SWAPS,
    Evaluator,
    agree,
    describe,
    diagnose_gradient,
    evaluate,
    sites,
    wrong_derivations,
    wrong_diff,
)
from symgrad.numeric import compile_expr
from symgrad.parse import parse, variable
from symgrad.rules import ARITHMETIC, differentiate
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
    ("sin(x^2)", "chain_inside", "cos(2*x)"),
    ("sin(5*x)", "composition_as_product", "5*cos(x)"),
    ("x^2*sin(x)", "product_term_dropped", "x^2*cos(x)"),
    ("(x^2 + 1)/(x - 1)", "quotient_plus", "(2*x*(x - 1) + x^2 + 1)/(x - 1)^2"),
    ("(x^2 + 1)/(x - 1)", "quotient_of_derivatives", "2*x"),
    ("x^3", "power_coefficient_missing", "x^2"),
    ("1/x^3", "negative_exponent", "-3/x^2"),
    ("x^3 + x", "antiderivative", "x^4/4 + x^2/2"),
    ("1/x", "antiderivative", "log(x)"),
    ("2^x", "exponential_no_log", "2^x"),
    ("2^x", "power_rule_on_exponential", "x*2^(x - 1)"),
    ("exp(x^2)", "power_rule_on_exponential", "x^2*exp(x^2 - 1)"),
    ("x^x", "power_rule_variable_exponent", "x*x^(x - 1)"),
    ("x^x", "exponential_rule_variable_base", "x^x*log(x)"),
    ("log(x)", "log_of_log", "1/log(x)"),
    ("sigmoid(2*x)", "sigmoid_squared", "2*sigmoid(2*x)^2"),
    ("sigmoid(x)", "sigmoid_one_minus", "1 - sigmoid(x)"),
    ("tanh(x)", "tanh_one_minus", "1 - tanh(x)"),
    ("softplus(x)", "softplus_wrong", "1/(1 + exp(x))"),
    ("relu(x^2 - 1)", "kink_ignored", "2*x"),
]


@pytest.mark.parametrize("text, mistake, wrong", CASES)
def test_each_mistake(text, mistake, wrong):
    result = wrong_diff(parse(text).expr, x, mistake)
    assert sp.simplify(result - parse(wrong).expr) == 0


def test_the_other_variable_not_held_constant():
    assert wrong_diff(x**2 + y**2, x, "not_held_constant") == 2 * x + 2 * y
    assert sp.expand(wrong_diff(x**2 * y, x, "not_held_constant")) == 2 * x * y + x**2


def test_a_nested_site_is_a_site():
    """Once a mistake is possible outside, the inside is still walked (log(1 + sin(x)²))."""
    expr = parse("log(1 + sin(x)^2)").expr
    assert sites(expr, x, "chain") == [sp.sin(x) ** 2, expr]
    inner_only = wrong_diff(expr, x, "chain", sp.sin(x) ** 2)
    assert sp.simplify(inner_only - 2 * sp.sin(x) / (1 + sp.sin(x) ** 2)) == 0


def test_two_mistakes_at_once():
    found = list(wrong_derivations(x * sp.sin(x**2), x))
    pair = [w for w in found if w.also and {w.mistake, w.also[0][0]} == {"chain", "product"}]
    assert any(sp.simplify(w.derivative - sp.cos(x**2)) == 0 for w in pair)
    description, site = describe(pair[0])
    assert description.rule == "chain rule and product rule" and site is None


def test_a_kink_differentiated_twice_is_no_candidate():
    """relu's second derivative is a Dirac delta, which floats cannot evaluate: left out."""
    found = list(wrong_derivations(relu(x), x))
    assert not any(w.derivative.has(sp.DiracDelta) for w in found)
    assert any(w.mistake == "kink_ignored" and w.derivative == 1 for w in found)


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
        assert MISTAKES[name].rule and MISTAKES[name].description and MISTAKES[name].hint
    for swap in SWAPS:
        assert swap.rule in ARITHMETIC and swap.mistake in MISTAKES
    for entries in FUNCTION_MISTAKES.values():
        for key, build, hint in entries:
            assert MISTAKES[key].rule and hint
            assert isinstance(build(x**2, 2 * x), sp.Expr)


_LEAVES = st.sampled_from([x, y, sp.Integer(2), sp.Integer(-3), sp.Rational(1, 2)])
_UNARY = [sp.sin, sp.cos, sp.exp, sp.log, sp.tanh, sigmoid, softplus, lambda e: sp.sqrt(1 + e**2)]


def _trees():
    return st.recursive(
        _LEAVES,
        lambda kids: st.one_of(
            st.tuples(kids, kids).map(lambda t: t[0] + t[1]),
            st.tuples(kids, kids).map(lambda t: t[0] * t[1]),
            st.tuples(kids, kids).map(lambda t: t[0] / (2 + t[1] ** 2)),
            st.tuples(st.sampled_from(_UNARY), kids).map(lambda t: t[0](t[1])),
            st.tuples(kids, st.sampled_from([2, 3, -1])).map(lambda t: t[0] ** t[1]),
        ),
        max_leaves=5,
    )


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expr=_trees(), pick=st.integers(0, 10_000))
def test_a_mistake_made_on_purpose_is_named(expr, pick):
    """Random trees: the engine without a swap is sympy.diff, and a wrong derivative the
    generator makes is an incorrect answer that gets a diagnosis."""
    assume(expr.has(x) and not expr.has(sp.I))
    assert sp.simplify(wrong_diff(expr, x) - sp.diff(expr, x)) == 0
    singles = [w for w in wrong_derivations(expr, x) if w.site is not None and not w.also]
    assume(singles)
    wrong = singles[pick % len(singles)]
    check = check_answer(expr, wrong.derivative, wrt="x")
    assume(not check.correct)  # a swap that changes nothing where the function is defined
    assert check.diagnosis is not None, (expr, wrong)


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


STUDENT = """
import numpy as np


def good(w, b):
    scale = np.array([[1.0], [2.0]])
    return 2 * (w * scale - np.array([[0.0, 1.0]])) * scale, 6 * b


def four_w(w, b):
    return 4 * good(w, b)[0], good(w, b)[1]


def sign_y(w, b):
    return good(w, b)[0], -good(w, b)[1]


def transposed_w(w, b):
    return good(w, b)[0].T, good(w, b)[1]


def zero_y(w, b):
    return good(w, b)[0], 0.0


def half_w_sign_y(w, b):
    return good(w, b)[0] / 2, -good(w, b)[1]
"""


@pytest.mark.parametrize(
    "student, diagnosis",
    [
        (
            "four_w",
            "the gradient for W (shape (2, 2)) is 4 times the expected one; the others are right",
        ),
        ("sign_y", "the gradient for y has the wrong sign"),
        ("transposed_w", "the gradient for W (shape (2, 2)) is transposed; the others are right"),
        ("zero_y", "the gradient for y is 0; the others are right"),
        (
            "half_w_sign_y",
            "the gradient for W (shape (2, 2)) is 1/2 times the expected one; the gradient for y "
            "has the wrong sign",
        ),
    ],
)
def test_a_wrong_parameter_is_diagnosed_alone(tmp_path, student, diagnosis):
    from symgrad.testing import Submission

    path = tmp_path / "student.py"
    path.write_text(STUDENT)
    submission = Submission(path)
    assert_gradient(submission.function("good"), LOSS, wrt={"W": W, "y": y}, points=3)
    with pytest.raises(GradingFailure) as failure:
        assert_gradient(submission.function(student), LOSS, wrt={"W": W, "y": y}, points=3)
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


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expr=_trees())
def test_the_shared_evaluator_gives_the_compiled_values(expr):
    assume(not expr.has(sp.I, sp.zoo, sp.nan, sp.oo, -sp.oo))  # a constant with no real value
    points = [[0.0, 1.5], [-1.25, 0.5], [2.0, -3.0]]
    shared = Evaluator([x, y], points)
    for e in (expr, differentiate(expr, x), expr + 1):
        for a, b in zip(shared(e), evaluate(e, [x, y], points)):
            assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-12, abs=0)


_HEADS = sorted(
    {f.head for f in REGISTRY if f.head is not None and f.derivative and 1 in f.arities},
    key=lambda h: h.__name__,
)


@pytest.mark.parametrize("head", _HEADS, ids=lambda h: h.__name__)
def test_the_outer_derivative_a_mistake_uses_is_sympy_diffs(head):
    """chain_inside (f'(g') for f(g)) and composition_as_product (c⋅f'(u) for f(c⋅u)) take the
    outer derivative from the function's record; sympy.diff is the oracle."""
    t = sp.Dummy("t", real=True)
    outer = sp.diff(head(t), t)
    inside = wrong_diff(head(x**3 - x), x, "chain_inside")
    assert sp.simplify(inside - outer.xreplace({t: 3 * x**2 - 1})) == 0
    if head(5 * x).args[0] == 5 * x:  # SymPy writes |5x| as 5|x|: no composition left
        multiple = wrong_diff(head(5 * x), x, "composition_as_product")
        assert sp.simplify(multiple - 5 * outer.xreplace({t: x})) == 0


def test_the_other_variables_derivatives_in_not_held_constant_are_sympy_diffs():
    for expr in (sp.sin(x * y) + y**2, y * sp.exp(x) + sp.log(y)):
        want = sp.diff(expr, x) + sp.diff(expr, y)
        assert sp.simplify(wrong_diff(expr, x, "not_held_constant") - want) == 0
