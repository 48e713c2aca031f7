"""check_answer: equivalent forms pass, wrong answers get a counterexample and a diagnosis."""

from __future__ import annotations

import json
import math

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symgrad import InputError, ParseError, check_answer
from symgrad.numeric import compile_expr
from symgrad.output import to_json
from symgrad.parse import parse, variable

x = variable("x")


@pytest.mark.parametrize(
    "function, answer",
    [
        ("x*sin(x^2)", "sin(x^2) + 2*x*x*cos(x^2)"),
        ("x*sin(x^2)", "sin(x^2) + 2*x^2*cos(x^2)"),
        ("sqrt(x)", "1/(2*sqrt(x))"),
        ("sqrt(x)", "0.5*x^(-1/2)"),
        ("log(x^2)", "2/x"),
        ("exp(2*x)*cos(x)", "exp(2*x)*(2*cos(x) - sin(x))"),
        ("sin(x)^2", "sin(2*x)"),
        ("1/(1 + exp(-x))", "exp(-x)/(1 + exp(-x))^2"),
        ("sigmoid(x)", "sigmoid(x)*(1 - sigmoid(x))"),
        ("tan(x)", "1 + tan(x)^2"),
    ],
)
def test_equivalent_forms_are_correct(function, answer):
    result = check_answer(function, answer)
    assert result.correct and result.exit_code == 0
    assert result.method in ("symbolic", "numeric")  # SymPy confirms within its budget, or not
    assert result.points_checked == 8
    assert result.counterexample is None and result.diagnosis is None


@pytest.mark.parametrize(
    "function, answer, mistake, where",
    [
        ("x*sin(x^2)", "sin(x^2) + x*cos(x^2)", "chain", "sin(x**2)"),
        ("x*sin(x)", "cos(x)", "product", "x*sin(x)"),
        ("sin(x)/x", "(sin(x) - x*cos(x))/x^2", "quotient_swapped", "sin(x)/x"),
        ("sin(x)/x", "(x*cos(x) - sin(x))/x", "quotient_no_square", "sin(x)/x"),
        ("x^3 + 5", "3*x^3", "power_not_lowered", "x**3"),
        ("x^2 + 7", "2*x + 7", "constant_kept", "7"),
        ("cos(x)", "sin(x)", "trig_sign", "cos(x)"),
        ("log(x)", "x", "log_inverted", "log(x)"),
        ("x^3", "6*x", "wrong_order", None),
        ("x^3", "-3*x^2", "sign", None),
        ("x^3", "6*x^2", "factor", None),
        ("x^2", "x^2", "not_differentiated", None),
        ("sin(x^2) + cos(3*x)", "2*x*cos(x^2) - sin(3*x)", "chain", "cos(3*x)"),
    ],
)
def test_wrong_answers_are_diagnosed(function, answer, mistake, where):
    result = check_answer(function, answer)
    assert not result.correct and result.exit_code == 1
    assert result.diagnosis is not None
    assert result.diagnosis.mistake == mistake
    assert (str(result.diagnosis.site) if result.diagnosis.site is not None else None) == where


def test_wrong_variable():
    result = check_answer("x^2*y", "2*x*y", wrt="y")
    assert result.diagnosis.mistake == "wrong_variable"
    assert "with respect to x instead" in result.diagnosis.sentence()


def test_the_counterexample_is_real():
    """Independent route: the expected value matches a central difference of the function."""
    result = check_answer("x*sin(x^2)", "sin(x^2) + x*cos(x^2)")
    c = result.counterexample
    ((name, at),) = c.point
    f = compile_expr(parse("x*sin(x^2)").expr, [x])
    h = 1e-6
    numeric = (f(float(at) + h) - f(float(at) - h)) / (2 * h)
    assert math.isclose(c.expected, numeric, rel_tol=1e-6)
    assert math.isclose(
        c.received, compile_expr(parse("sin(x^2) + x*cos(x^2)").expr, [x])(float(at))
    )


def test_the_points_are_seeded():
    a = check_answer("x^3", "3*x", seed=5).counterexample
    b = check_answer("x^3", "3*x", seed=5).counterexample
    c = check_answer("x^3", "3*x", seed=6).counterexample
    assert a == b and a != c


def test_points_stay_in_the_domain():
    result = check_answer("log(x - 50)", "1/(x - 50)")
    assert result.correct and result.points_checked == 8
    wrong = check_answer("sqrt(x - 50)", "1/sqrt(x - 50)")
    assert wrong.counterexample.point[0][1] > 50


def test_differs_only_where_the_function_is_undefined():
    result = check_answer("(x^2 - 1)/(x - 1)", "1")
    assert result.correct
    assert any(
        "x = 1" in note and "does not make the answer wrong" in note for note in result.notes
    )


def test_answer_undefined_where_the_derivative_exists_is_noted():
    result = check_answer("x^2/2 + x", "(x^2 - 1)/(x - 1)")
    assert result.correct
    assert any("undefined at x = 1" in note for note in result.notes)


def test_partial_higher_and_mixed_derivatives():
    assert check_answer("x^2*y^3", "3*x^2*y^2", wrt="y").correct
    assert check_answer("x^4", "12*x^2", order=2).correct
    assert check_answer("x^2*y^3", "6*x*y^2", wrt="x,y").correct
    assert check_answer("x^2*y^3", "6*x*y^2", wrt=["y", "x"]).correct
    assert not check_answer("x^4", "4*x^3", order=2).correct


def test_sympy_expressions_are_accepted():
    plain = sp.Symbol("t")  # not real: symgrad makes it real
    assert check_answer(plain**2, 2 * plain).correct


@pytest.mark.parametrize(
    "function, answer, kwargs, error",
    [
        ("x*y", "y", {}, InputError),
        ("x^2", "2*z", {}, InputError),
        ("x^2", "2*x +", {}, ParseError),
        ("x^2", "__import__('os')", {}, ParseError),
        ("x^2", "2*x", {"order": 0}, InputError),
        ("x*y", "1", {"wrt": "x,y", "order": 2}, InputError),
    ],
)
def test_invalid_input(function, answer, kwargs, error):
    with pytest.raises(error):
        check_answer(function, answer, **kwargs)


def test_reveal_controls_the_formula_in_the_output():
    hidden = check_answer("x*sin(x^2)", "x*cos(x^2)")
    shown = check_answer("x*sin(x^2)", "x*cos(x^2)", reveal=True)
    assert "derivative" not in hidden.to_dict()
    assert shown.to_dict()["derivative"] == "2*x**2*cos(x**2) + sin(x**2)"
    assert "2⋅x²⋅cos(x²)" not in hidden.plain_text()
    assert "the derivative: 2⋅x²⋅cos(x²) + sin(x²)" in shown.plain_text()
    assert hidden.expected == shown.expected  # the program can always see it


def test_json_report():
    data = json.loads(to_json(check_answer("x^3 + 5", "3*x^3").to_dict()))
    assert data["verdict"] == "incorrect" and data["exit_code"] == 1
    counterexample = data["counterexample"]
    assert counterexample["point"] == {"x": 2.07}
    assert math.isclose(counterexample["expected"], 3 * 2.07**2)
    assert math.isclose(counterexample["received"], 3 * 2.07**3)
    assert data["diagnosis"]["mistake"] == "power_not_lowered"
    assert data["diagnosis"]["rule"] == "power rule"


def test_rendering(render):
    text = render(check_answer("x^2 + 7", "2*x + 7"))
    assert (
        text.splitlines()[0]
        == "✗ incorrect: your answer is not the derivative of x² + 7 with respect to x"
    )
    assert (
        "likely mistake (constant rule): the constant term 7 was kept instead of becoming 0" in text
    )
    assert render(check_answer("x^2", "2*x")).startswith("✓ correct")
    latex = check_answer("x^2", "2*x").to_latex()
    assert latex.startswith("\\begin{align*}")
    assert r"\frac{d}{dx}\left[x^{2}\right] &= 2 x" in latex


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(-5, 5), min_size=1, max_size=4), st.integers(1, 9))
def test_polynomials(coefficients, bump):
    """Random polynomials: the expanded derivative passes; the derivative plus a constant fails."""
    poly = sum(c * x ** (i + 1) for i, c in enumerate(coefficients)) + 3
    derivative = sp.expand(sp.diff(poly, x))
    assert check_answer(poly, derivative, wrt="x").correct
    assert not check_answer(poly, derivative + bump, wrt="x").correct


def test_sympy_decides_alone_when_no_point_is_defined():
    right = check_answer("log(-x^2 - 1)", "2*x/(x^2 + 1)")
    assert right.correct and right.points_checked == 0
    assert any("no random point" in note for note in right.notes)
    wrong = check_answer("log(-x^2 - 1)", "1")
    assert not wrong.correct and wrong.counterexample is None


def test_numeric_agreement_when_sympy_cannot_simplify():
    result = check_answer("relu(x)", "relu(x)/x")
    assert result.correct and result.method == "numeric"
    assert "the two agree at 8 random points (seed 0), two of them to 30 digits" in (
        result.plain_text()
    )
    # relu has no derivative at its kink: said as grad says it, not "the derivative is 0"
    assert any("does not exist there" in n and "undefined there too" in n for n in result.notes)
    assert not any("where the derivative is 0" in n for n in result.notes)


def test_zero_is_not_a_constant_factor():
    assert check_answer("x^2", "0").diagnosis is None


def test_a_simple_equality_is_confirmed_by_sympy():
    assert check_answer("x^2", "2*x").method == "symbolic"


# -- checking that always finishes: numbers decide, at the precision it takes -------------


@pytest.mark.parametrize(
    "function, answer, correct",
    [
        # the antiderivative-table pair SymPy's simplify took over 30 s to decide
        ("tan(a + b*x)^6/(6*b)", "sin(a + b*x)^5*sec(a + b*x)^7", True),
        ("tan(a + b*x)^6/(6*b)", "sin(a + b*x)^6*sec(a + b*x)^7", False),
        ("tan(a + b*x)^6/(6*b)", "b*sin(a + b*x)^5*sec(a + b*x)^7", False),
        ("sqrt(a + sqrt(b + x))", "1/(4*sqrt(b + x)*sqrt(a + sqrt(b + x)))", True),
        ("sqrt(a + sqrt(b + x))", "1/(2*sqrt(b + x)*sqrt(a + sqrt(b + x)))", False),
        ("log(sec(a + b*x) + tan(a + b*x))/b", "sec(a + b*x)", True),
        ("-cot(a + b*x)^5/(5*b)", "cos(a + b*x)^4/sin(a + b*x)^6", True),
    ],
)
def test_antiderivative_pairs_get_a_verdict(function, answer, correct):
    result = check_answer(function, answer, wrt="x")
    assert result.correct is correct
    if not correct:
        c = result.counterexample
        point = {variable(name): value for name, value in c.point}
        exact = sp.diff(parse(function).expr, x).subs(point)
        assert math.isclose(c.expected, float(exact), rel_tol=1e-9)
        assert not math.isclose(c.received, c.expected, rel_tol=1e-9)


def test_float64_noise_is_not_a_mismatch():
    """cosh² − sinh² is 1, but float64 loses every digit of it at x ≈ 20."""
    result = check_answer("x", "cosh(10*x)^2 - sinh(10*x)^2")
    assert result.correct


def test_a_difference_float64_cannot_see_is_still_found():
    result = check_answer("x^2", "2*x + 1/10^12")
    assert not result.correct
    c = result.counterexample
    assert c is not None and c.received - c.expected == pytest.approx(1e-12, rel=1e-3)


# -- value answers at a point -----------------------------------------------------------


@pytest.mark.parametrize(
    "function, answer, at, wrt, correct, note",
    [
        ("relu(x)", "0", "x=0", None, True, "does not exist there"),
        ("relu(x)", "1", "x=0", None, False, "does not exist there"),
        ("abs(x)", "0", "x=0", None, True, "does not exist there"),
        ("x^2*y", "2*x*y", "x=1,y=-2", "x", True, None),
        ("x^2*y", "-4", "x=1,y=-2", "x", True, None),
        ("x^2*y", "4", "x=1,y=-2", "x", False, None),
        ("sin(x)", "sqrt(2)/2", "x=pi/4", None, True, None),
        ("sin(x)", "0.7071", "x=pi/4", None, False, None),
        ("x^3", "12", "x=2", None, True, None),
        ("x^3", "12", {"x": 2}, None, True, None),
    ],
)
def test_value_answers(function, answer, at, wrt, correct, note):
    result = check_answer(function, answer, wrt=wrt, at=at)
    assert result.correct is correct
    assert result.method == "value" and result.points_checked == 1
    if note:
        assert any(note in n for n in result.notes)
    assert ("at x = " in result.plain_text()) or ("at {" in result.plain_text())
    if not correct:
        assert "yours gives" not in result.plain_text()  # the value stays hidden
        assert result.counterexample.expected is not None


def test_value_answer_hides_the_value_unless_revealed():
    hidden = check_answer("x^2*y", "4", wrt="x", at="x=1,y=-2").plain_text()
    shown = check_answer("x^2*y", "4", wrt="x", at="x=1,y=-2", reveal=True).plain_text()
    assert "-4" not in hidden
    assert "the value is -4.0" in shown


@pytest.mark.parametrize(
    "at, message",
    [("y=1", "no value for x"), ("x=1,z=2", "z is not a variable"), ("x=", "x")],
)
def test_value_answer_bad_points(at, message):
    with pytest.raises(InputError, match=message):
        check_answer("x^2", "2", at=at)


STEP_FUNCTIONS = [
    "sign(x)",
    "Heaviside(x)",
    "sign(2*x + 1)",
    "3*Heaviside(1 - x)",
    "x + Heaviside(x^2 - 1)",
]


@pytest.mark.parametrize("function", STEP_FUNCTIONS)
def test_point_masses_weigh_the_jumps(function):
    # Away from its jumps a step function's derivative is 0, so the floats cannot judge the
    # DiracDelta part of an answer; its weights can, and they must be the jumps' sizes,
    # measured here independently as f(a + h) - f(a - h).
    from symgrad.answers import point_masses
    from symgrad.derive import differentiate
    from symgrad.numeric import compile_expr

    f = parse(function).expr
    derivative = differentiate(f, x)
    masses = point_masses(derivative, x)
    assert masses, derivative
    fn = compile_expr(f, [x])
    for root, weight in masses.items():
        a = float(root)
        assert math.isclose(float(weight), fn(a + 1e-9) - fn(a - 1e-9), abs_tol=1e-6)
    right = check_answer(function, derivative)
    assert right.correct and any("point masses included" in n for n in right.notes)
    classical = check_answer(function, derivative.replace(sp.DiracDelta, lambda *a: sp.S.Zero))
    assert classical.correct and any("jumps at" in n for n in classical.notes)
    doubled = derivative + sum(w * sp.DiracDelta(x - r) for r, w in masses.items())
    for wrong in (doubled, derivative + sp.DiracDelta(x - 5)):
        verdict = check_answer(function, wrong)
        assert not verdict.correct and verdict.exit_code == 1
        assert verdict.diagnosis.mistake == "point_mass"
        assert "weighs" in verdict.diagnosis.sentence() or "does not jump" in (
            verdict.diagnosis.sentence()
        )


def test_a_point_mass_where_the_function_is_smooth_is_wrong():
    verdict = check_answer("x^2", "2x + DiracDelta(x - 1)")
    assert verdict.verdict == "incorrect" and verdict.method == "point masses"
    assert "x² does not jump at x = 1" in verdict.diagnosis.sentence()
    assert json.loads(to_json(verdict.to_dict()))["diagnosis"]["mistake"] == "point_mass"


def test_an_answer_undefined_at_the_first_points_is_still_diagnosed():
    # 1/(x - 3) is defined on [-3, 3], where the points are drawn first; the student's
    # log(x - 3) is not, so the mistake is looked for where the answer has values.
    verdict = check_answer("1/(x-3)", "log(x-3)")
    assert verdict.counterexample.received is None
    assert verdict.diagnosis.mistake == "antiderivative"


def test_the_verdict_does_not_depend_on_running_without_a_worker():
    # Without fork (Windows, SYMGRAD_NO_FORK=1) the symbolic work runs under an in-process
    # CPU budget instead of being skipped, so the point masses are still weighed.
    import os
    import subprocess
    import sys

    env = {**os.environ, "SYMGRAD_NO_FORK": "1", "NO_COLOR": "1"}
    program = "from symgrad.cli import main; raise SystemExit(main(%r))"
    argv = ["check", "sign(x)", "--answer", "4*DiracDelta(x)"]
    run = subprocess.run(
        [sys.executable, "-c", program % argv], capture_output=True, text=True, env=env
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "weighs 4" in run.stdout
