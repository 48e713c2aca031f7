"""Kinks: one-sided slopes, the frameworks' subgradient, exit code 1."""

import json

import pytest
import sympy as sp

from symgrad import grad
from symgrad.cli import main
from symgrad.kinks import find_kinks, one_sided
from symgrad.parse import parse, variable

x, y = variable("x"), variable("y")


@pytest.mark.parametrize(
    ("text", "at", "left", "right", "framework"),
    [
        ("abs(x)", "0", -1.0, 1.0, 0.0),
        ("relu(x)", "0", 0.0, 1.0, 0.0),
        ("abs(x^2-1)", "1", -2.0, 2.0, 0.0),
        ("3*abs(x-2)+x", "2", -2.0, 4.0, 1.0),
        ("abs(sin(x))", "0", -1.0, 1.0, 0.0),
    ],
)
def test_one_sided_slopes(text, at, left, right, framework):
    (k,) = find_kinks(parse(text).expr, {x: sp.Rational(at)})
    assert (k.left, k.right, k.framework) == (left, right, framework)


@pytest.mark.parametrize(("text", "at"), [("abs(x)", "1"), ("x*abs(x)", "0"), ("relu(x)", "-2")])
def test_no_kink_where_the_slope_is_continuous(text, at):
    assert find_kinks(parse(text).expr, {x: sp.Rational(at)}) == []


def test_one_sided_numerically():
    # independent route: difference quotients from each side
    f = lambda t: abs(t * t - 1)  # noqa: E731
    h = 1e-7
    left, right = one_sided(sp.diff(sp.Abs(x**2 - 1), x), x, {x: sp.Integer(1)})
    assert float(left) == pytest.approx((f(1) - f(1 - h)) / h, rel=1e-5)
    assert float(right) == pytest.approx((f(1 + h) - f(1)) / h, rel=1e-5)


def test_grad_reports_the_kink_and_keeps_the_framework_answer():
    r = grad("abs(x)", at={"x": 0})
    assert r.gradients() == [0.0]
    assert r.exit_code == 1
    (problem,) = r.problems
    assert "-1.0 from the left and 1.0 from the right" in problem
    assert "subgradient 0.0" in problem
    assert r.partials[0].check.verdict == "skipped"


def test_only_the_kinked_variable_is_a_problem():
    r = grad("abs(x)*y", at={"x": 0, "y": 2})
    assert len(r.problems) == 1
    assert r.partials[1].check.verdict == "agrees"


def test_cli_kink_exit_code_and_json(capsys):
    assert main(["relu(x)", "--at", "x=0", "--format", "plain"]) == 1
    out = capsys.readouterr().out
    assert "gradients:         [0.0]" in out
    assert "slope is 0.0 from the left and 1.0 from the right" in out
    assert main(["abs(x)", "--at", "x=0", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["exit_code"] == 1 and "kink" in data["problems"][0]
    assert data["gradients"][0]["check"]["reason"].startswith("no derivative at a kink")


def test_an_infinite_kink_says_what_float64_gives():
    (k,) = find_kinks(parse("sqrt(abs(x))").expr, {x: sp.Integer(0)})
    assert (k.left, k.right) == (-float("inf"), float("inf"))
    assert "TensorFlow and PyTorch return nan there" in k.explain()


def test_nested_abs_is_named_as_typed():
    (k,) = find_kinks(parse("abs(abs(x)-1)").expr, {x: sp.Integer(1)})
    assert k.cause == "abs(abs(x) - 1)"
