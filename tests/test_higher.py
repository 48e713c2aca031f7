"""n-th derivatives, Hessians, Jacobians, directional derivatives: exact, checked, rendered."""

import json
import math

import pytest
import sympy as sp

from symgrad.cli import main
from symgrad.errors import InputError
from symgrad.higher import directional, hessian, jacobian, nth_derivative


def _fd2(f, x, h=1e-4):
    """Independent route: the plain second central difference."""
    return (f(x + h) - 2 * f(x) + f(x - h)) / h**2


@pytest.mark.parametrize(
    ("text", "order", "at", "expected"),
    [
        ("x^3", 2, 2, 12.0),
        ("x^3", 3, 2, 6.0),
        ("sin(x)", 4, 0.5, math.sin(0.5)),
        ("exp(2*x)", 5, 0.1, 32 * math.exp(0.2)),
        ("log(x)", 2, 2, -0.25),
    ],
)
def test_nth_derivative_values_and_checks(text, order, at, expected):
    r = nth_derivative(text, order=order, at={"x": at})
    (e,) = r.entries
    assert e.value == pytest.approx(expected, rel=1e-12)
    assert e.check.verdict == "agrees"
    assert r.exit_code == 0


def test_second_derivative_against_a_plain_difference():
    r = nth_derivative("x*sin(x^2)", order=2, at={"x": 0.7})
    f = lambda t: t * math.sin(t * t)  # noqa: E731
    assert r.entries[0].value == pytest.approx(_fd2(f, 0.7), rel=1e-5)


def test_nth_derivative_rejects_bad_orders():
    for order in (0, -1, 100):
        with pytest.raises(InputError):
            nth_derivative("x^2", order=order)


def test_hessian_is_symmetric_and_checked():
    r = hessian("x^2*y + exp(x*y)", at="x=1,y=2")
    h = r.matrix_values()
    assert h[0][1] == h[1][0]
    assert h[0][0] == pytest.approx(4 + 4 * math.e**2)
    assert all(e.check.verdict == "agrees" for e in r.entries)
    assert r.matrix() == sp.hessian(
        r.exprs[0], [sp.Symbol("x", real=True), sp.Symbol("y", real=True)]
    )


def test_jacobian_of_two_outputs():
    r = jacobian("x*y, x+y", at="x=1,y=2")
    assert r.matrix_values() == [[2.0, 1.0], [1.0, 1.0]]
    assert r.shape == (2, 2)
    assert [e.label for e in r.entries] == ["∂f₁/∂x", "∂f₁/∂y", "∂f₂/∂x", "∂f₂/∂y"]


def test_directional_derivative_uses_the_unit_vector():
    r = directional("x^2 + y^2", "3,4", at="x=1,y=1")
    (e,) = r.entries
    assert e.exact == sp.Rational(14, 5)
    assert e.check.verdict == "agrees"
    assert dict(r.extra)["unit_direction"] == [0.6, 0.8]
    with pytest.raises(InputError):
        directional("x^2 + y^2", "1", at="x=1,y=1")
    with pytest.raises(InputError):
        directional("x^2 + y^2", "0,0", at="x=1,y=1")


def test_a_kink_is_a_problem_for_higher_derivatives_too():
    r = nth_derivative("abs(x)", order=2, at={"x": 0})
    assert r.exit_code == 1 and "kink" in r.problems[0]


def test_outside_the_domain():
    r = hessian("log(x)*y", at="x=-1,y=2")
    assert r.exit_code == 1 and "log(x) is not real" in r.problems[0]


def test_rendering(render):
    text = render(hessian("x*y", at="x=1,y=2"))
    assert "H =" in text and "as floats: [[0.0, 1.0], [1.0, 0.0]]" in text
    assert "✓ agrees" in text


def test_cli_order_hessian_jacobian_direction(capsys):
    assert main(["x^3", "--at", "x=2", "--order", "2", "--format", "plain"]) == 0
    out = capsys.readouterr().out
    assert "d²y/dx² = 6⋅x" in out and "d²y/dx² = 12" in out
    assert main(["x*y, x+y", "--at", "x=1,y=2", "--jacobian", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "jacobian" and data["values"] == [[2.0, 1.0], [1.0, 1.0]]
    assert main(["x^2*y", "--at", "x=1,y=2", "--hessian", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["matrix"] == [["2*y", "2*x"], ["2*x", "0"]]
    assert main(["x^2+y^2", "--at", "x=1,y=1", "--direction", "1,2", "--format", "plain"]) == 0
    assert "∇f·u" in capsys.readouterr().out
    assert main(["x", "--order", "2", "--hessian"]) == 2
    assert "one of" in capsys.readouterr().err


def test_overflow_is_a_note_not_a_problem():
    r = hessian("exp(x)", at="x=800")
    assert r.exit_code == 0 and any("too large for float64" in n for n in r.notes)


def test_check_takes_no_point(capsys):
    assert main(["x^2", "--at", "x=1", "--check", "3"]) == 2
    assert "takes no --at" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["x^3", "--order", "2"],
        ["x^2*y", "--hessian"],
        ["x*y, x+y", "--jacobian"],
        ["x^2*y", "--direction", "1,1"],
    ],
)
def test_without_a_point_nothing_claims_a_check(argv, capsys):
    assert main([*argv, "--format", "plain"]) == 0
    out = capsys.readouterr().out
    assert "check" not in out and "agrees" not in out and "At " not in out
    assert main([*argv, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert all(e["check"] is None for e in data["entries"])
    assert "check" not in data.get("about", "")


def test_with_a_point_the_levels_are_checked_and_it_says_so(capsys):
    assert main(["x^3", "--order", "2", "--at", "x=2", "--format", "plain"]) == 0
    out = capsys.readouterr().out
    assert "(checked level by level: each derivative as the slope of the one before)" in out
    assert "d²y/dx² = 12   ✓ agrees" in out
