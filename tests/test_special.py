"""special: kinks, jumps, domains, removable singularities and real roots, in words."""

from __future__ import annotations

import json
import math

import pytest
import sympy as sp

from symgrad import grad
from symgrad.cli import main
from symgrad.numeric import compile_expr, to_float
from symgrad.parse import parse, variable
from symgrad.special import diagnose_point, find_kinks, off_jumps, switches

x, y = variable("x"), variable("y")


@pytest.mark.parametrize(
    ("text", "at", "left", "right", "framework"),
    [
        ("leaky_relu(x)", "0", 0.01, 1.0, 0.01),  # TensorFlow and PyTorch: alpha at 0
        ("leaky_relu(x, 0.2)", "0", 0.2, 1.0, 0.2),
        ("relu(x - 1)", "1", 0.0, 1.0, 0.0),
    ],
)
def test_kinks_of_the_new_activations(text, at, left, right, framework):
    (k,) = find_kinks(parse(text).expr, {x: sp.Rational(at)})
    assert (k.left, k.right, k.framework, k.kind) == (left, right, framework, "kink")


@pytest.mark.parametrize("text", ["elu(x)", "softsign(x)", "gelu(x)", "silu(x)"])
def test_smooth_activations_have_no_kink_at_0(text):
    assert find_kinks(parse(text).expr, {x: sp.Integer(0)}) == []


@pytest.mark.parametrize(
    ("text", "left", "right"), [("sign(x)", -1.0, 1.0), ("Heaviside(x)", 0.0, 1.0)]
)
def test_a_jump_is_not_continuous(text, left, right):
    (k,) = find_kinks(parse(text).expr, {x: sp.Integer(0)})
    assert (k.kind, k.left, k.right, k.framework) == ("jump", left, right, 0.0)
    assert "not continuous" in k.explain() and "TensorFlow and PyTorch return 0.0" in k.explain()


def test_every_switch_comes_from_a_record():
    parts = switches(parse("abs(x) + sign(y) + relu(x*y) + leaky_relu(y, 0.5) + sin(x)").expr)
    assert {type(p).__name__ for p, _ in parts} == {"Abs", "sign", "relu", "leaky_relu"}


def test_deltas_are_zero_off_their_jump_and_mark_only_real_jumps():
    assert off_jumps(2 * sp.DiracDelta(x) + x) == (x, (x,))
    assert off_jumps(x * sp.DiracDelta(x)) == (0, ())  # x⋅δ(x) = 0: no jump
    assert off_jumps(sp.DiracDelta(x - 1) * (x - 1) ** 2 + sp.DiracDelta(y)) == (0, (y,))


def test_removable_singularity_says_both_limits_and_what_tensorflow_gets():
    why = diagnose_point(parse("sin(x)/x").expr, {x: sp.Integer(0)})
    assert "0/0" in why and "limit 1" in why and "derivative the limit 0" in why
    assert "TensorFlow evaluates the formula and gets nan" in why
    assert math.isnan(compile_expr(parse("sin(x)/x").expr, [x])(0.0))  # what float64 gives
    # independent route: the limits numerically
    f = compile_expr(parse("sin(x)/x").expr, [x])
    assert f(1e-8) == pytest.approx(1.0) and (f(1e-4) - f(-1e-4)) / 2e-4 == pytest.approx(
        0, abs=1e-6
    )


def test_a_real_pole_is_still_a_pole():
    assert diagnose_point(1 / x, {x: sp.Integer(0)}) == "1/x has a pole at x = 0"
    assert diagnose_point(sp.cos(x) / x, {x: sp.Integer(0)}) == "1/x has a pole at x = 0"


def test_odd_root_of_a_negative_number_names_the_real_root():
    why = diagnose_point(parse("x^(1/3)").expr, {x: sp.Integer(-8)})
    assert "frameworks give nan" in why and "cbrt(x)" in why
    assert "the value is -2 and the slope 1/12" in why
    # independent route: the real cube root's slope by a difference quotient
    c = compile_expr(parse("cbrt(x)").expr, [x])
    assert (c(-8 + 1e-6) - c(-8 - 1e-6)) / 2e-6 == pytest.approx(1 / 12)


@pytest.mark.parametrize(
    "args",
    [
        ["check", "relu(x)", "--answer", "1"],
        ["check", "abs(x)", "--answer", "1"],
        ["check", "relu(2x-1)", "--answer", "2"],
        ["check", "x*relu(x)", "--answer", "relu(x)"],
        ["check", "sign(x)", "--answer", "1"],
        ["check", "elu(x)", "--answer", "1"],
    ],
)
def test_every_wrong_answer_to_a_kinked_function_gets_a_verdict(args, capsys):
    assert main([*args, "--format", "plain"]) == 1
    assert "incorrect" in capsys.readouterr().out


def test_second_derivative_of_abs_is_not_a_delta(capsys):
    assert main(["abs(x)", "--order", "2", "--format", "plain"]) == 0
    out = capsys.readouterr().out
    assert "δ" not in out and "d²y/dx² = 0" in out
    assert "where x = 0 the derivative jumps, so the second derivative does not exist" in out


def test_second_derivative_at_a_kink_of_the_first_is_a_kink_not_a_disagreement(capsys):
    assert main(["x*relu(x)", "--hessian", "--at", "x=0", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["entries"][0]["check"]["verdict"] == "skipped"
    assert "its slope is 0.0 from the left and 2.0 from the right" in data["problems"][0]
    assert "second derivative" in data["problems"][0]


def test_grad_at_a_jump_exits_1_with_the_one_sided_values():
    r = grad("sign(x)", at={"x": 0})
    assert r.exit_code == 1 and "jumps at x = 0" in r.problems[0]


@pytest.mark.parametrize(
    ("text", "at"),
    [
        ("abs(x)", "0"),
        ("x*abs(x - 1) + relu(2*x - 2)", "1"),
        ("leaky_relu(x, 0.2)*sin(x + 1)", "0"),
        ("abs(x^2 - 4)", "2"),
        ("exp(x)*abs(2*x - 1)", "1/2"),
        ("x + sign(x)", "0"),
    ],
)
def test_one_sided_slopes_and_the_frameworks_value_are_those_of_sympy_diff(text, at):
    """find_kinks differentiates with symgrad's rules; sympy.diff is the oracle."""
    expr, point = parse(text).expr, {x: sp.Rational(at)}
    (k,) = find_kinks(expr, point)
    oracle = sp.diff(expr, x)
    h = sp.Symbol("h", positive=True)
    if k.kind == "kink":
        left = sp.limit(oracle.xreplace({x: point[x] - h}), h, 0, "+")
        right = sp.limit(oracle.xreplace({x: point[x] + h}), h, 0, "+")
        assert (k.left, k.right) == (float(left), float(right))
    # what float64 gives: the exact value where it has one, else the formula in floats (δ = 0)
    framework = to_float(oracle.xreplace(point))
    if framework is None:
        framework = compile_expr(oracle, [x])(float(point[x]))
    assert k.framework == framework


@pytest.mark.parametrize(
    ("text", "slope"),
    [("sin(x)/x", "0"), ("(exp(x) - 1)/x", "1/2"), ("(1 - cos(x))/x^2", "0")],
)
def test_the_limit_of_the_derivative_at_a_removable_singularity_is_sympy_diffs(text, slope):
    expr = parse(text).expr
    assert sp.limit(sp.diff(expr, x), x, 0) == sp.Rational(slope)  # the oracle
    assert f"its derivative the limit {slope}," in diagnose_point(expr, {x: sp.Integer(0)})


def test_the_slope_of_the_real_root_is_sympy_diffs():
    why = diagnose_point(parse("x^(5/3) + x").expr, {x: sp.Integer(-8)})
    real = sp.sign(x) * sp.Abs(x) ** sp.Rational(5, 3) + x  # the real root, differentiated by SymPy
    slope = sp.nsimplify(sp.diff(real, x).xreplace({x: sp.Integer(-8)}))
    assert slope == sp.Rational(23, 3) and f"the slope {slope}" in why


@pytest.mark.parametrize(
    ("text", "at", "tf", "code"),
    [
        ("sign(x)", "0", 0.0, 1),  # tf.sign's gradient is zeros, x is connected
        ("sign(x)", "1", 0.0, 0),
        ("sign(x)", "-2", 0.0, 0),
        ("Heaviside(x)", "0", 0.0, 1),
        ("Heaviside(x)", "1", 0.0, 0),
        ("relu(x)", "0", 0.0, 1),  # relu'(0) = 0 in TensorFlow and PyTorch
        ("relu(x)", "1", 1.0, 0),
        ("abs(x)", "0", 0.0, 1),
        ("x + 3*sign(x)", "0", 1.0, 1),
    ],
)
def test_at_a_jump_the_gradient_is_tensorflows_and_the_problem_says_why(text, at, tf, code):
    r = grad(text, at={"x": sp.Rational(at)})
    assert r.gradients() == [tf] and r.compute_gradients() == [(tf, float(sp.Rational(at)))]
    assert r.exit_code == code
    if code:  # no derivative there: the exact story, with what the frameworks return
        assert "does not exist there" in r.problems[0]
        said = "TensorFlow and PyTorch return " + (
            "" if "jumps" in r.problems[0] else "the subgradient "
        )
        assert said + repr(tf) in r.problems[0]
        assert r.partials[0].check.verdict == "skipped"


def test_sign_at_its_jump_on_the_command_line(capsys):
    assert main(["sign(x)", "--at", "x=0", "--format", "plain"]) == 1
    out = capsys.readouterr().out
    assert "gradients:         [0.0]" in out and "[None]" not in out
    assert "∂y/∂x = 0   · not checked: no derivative at a jump" in out
    assert "not a real number" not in out
    assert "sign(x) jumps at x = 0" in out and "TensorFlow and PyTorch return 0.0" in out
    assert main(["sign(x)", "--at", "x=0", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["tf_gradients"] == [0.0] and data["gradients"][0]["exact"] == "0"
