import math
from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symgrad import GradPair, grad
from symgrad.errors import InputError
from symgrad.functions import sigmoid, softplus
from symgrad.numeric import compile_expr
from symgrad.parse import variable

w, v, x, y = (variable(n) for n in "wvxy")


def test_the_seed():
    r = grad("w*w+2", at={"w": 10})
    assert r.derivatives == {"w": 2 * w}
    assert r.compute_gradients() == [(20.0, 10.0)]
    assert r.gradients() == [20.0]
    assert repr(r.compute_gradients()) == "[(20.0, 10.0)]"
    assert repr(r.gradients()) == "[20.0]"
    pair = r.compute_gradients()[0]
    assert isinstance(pair, GradPair) and isinstance(pair, tuple)
    gradient, value = pair
    assert (gradient, value) == (pair.gradient, pair.value) == (20.0, 10.0)
    assert r.value == 102.0
    assert r.exit_code == 0


# Hand-derived derivatives.
HAND = [
    ("x*sin(x)", x, sp.sin(x) + x * sp.cos(x)),
    ("x^3 - 2x + 1", x, 3 * x**2 - 2),
    ("exp(2x)", x, 2 * sp.exp(2 * x)),
    ("log(x)", x, 1 / x),
    ("sqrt(x)", x, 1 / (2 * sp.sqrt(x))),
    ("1/x", x, -1 / x**2),
    ("sigmoid(x)", x, sigmoid(x) * (1 - sigmoid(x))),
    ("softplus(x)", x, sigmoid(x)),
    ("relu(x)", x, sp.Heaviside(x, 0)),
    ("abs(x)", x, sp.sign(x)),
    ("x*y + y^2", y, x + 2 * y),
    ("tanh(x)", x, 1 - sp.tanh(x) ** 2),
    ("atan(x)", x, 1 / (1 + x**2)),
    ("log(x, 2)", x, 1 / (x * sp.log(2))),
]


@pytest.mark.parametrize("text,var,expected", HAND, ids=[h[0] for h in HAND])
def test_hand_derived(text, var, expected):
    got = grad(text, wrt=[var.name]).derivatives[var.name]
    assert sp.simplify(got - expected) == 0


def test_default_variable_order_is_at_then_sorted_names():
    assert grad("y*x").variables == ("x", "y")
    assert grad("y*x", at="y=1,x=2").variables == ("y", "x")
    assert grad("y*x", at="y=1,x=2", wrt="x,y").variables == ("x", "y")


def test_var_list_order_is_kept():
    r = grad("x*y^2", at={"x": 2, "y": 3}, wrt=["y", "x"])
    assert r.compute_gradients() == [(12.0, 3.0), (9.0, 2.0)]


def test_unconnected_variable_is_none_like_tensorflow():
    r = grad("w*w+2", at={"w": 10, "v": 3})
    assert r.compute_gradients() == [(20.0, 10.0), (None, 3.0)]
    assert r.gradients() == [20.0, None]
    assert repr(r.compute_gradients()) == "[(20.0, 10.0), (None, 3.0)]"
    assert r.derivatives["v"] == 0
    assert any("does not depend on v" in n for n in r.notes)
    assert r.exit_code == 0


def test_unconnected_zero():
    r = grad("w*w+2", at={"w": 10, "v": 3}, unconnected="zero")
    assert r.gradients() == [20.0, 0.0]


def test_connectivity_is_structural_like_tensorflow():
    # SymPy cancels w - w, but TensorFlow's graph still connects w: gradient 0.0, not None.
    r = grad("w - w + x", at="w=1,x=2")
    assert r.gradients() == [0.0, 1.0]


def test_sympy_expression_input_with_plain_symbols():
    a = sp.Symbol("a")  # no assumptions: symgrad makes it real
    r = grad(sp.Abs(a) * a, at={"a": -2})
    assert r.derivatives["a"].has(sp.sign)
    assert r.gradients() == [4.0]


def test_values_are_exact_first():
    r = grad("sigmoid(x)", at="x=-1000")
    assert r.value is not None and r.value >= 0 and not math.isnan(r.value)
    assert r.exact_value.is_positive
    assert r.partials[0].exact.is_positive
    r = grad("x", at={"x": 0.1})
    assert r.compute_gradients() == [(1.0, 0.1)]


def test_missing_value_is_a_clear_error():
    with pytest.raises(InputError, match="no value for v"):
        grad("w*v", at={"w": 1})
    with pytest.raises(InputError, match="no value for z"):
        grad("w", at={"w": 1}, wrt="w,z")


def test_compute_gradients_without_a_point():
    with pytest.raises(InputError, match="needs a point"):
        grad("x^2").compute_gradients()


@pytest.mark.parametrize(
    "text,at,fragment",
    [
        ("log(x)", "x=-1", "log(x) is not real at x = -1"),
        ("sqrt(x)", "x=-4", "sqrt(x) is not real at x = -4"),
        ("1/x", "x=0", "1/x has a pole at x = 0"),
        ("sqrt(x)", "x=0", "infinite"),
        ("asin(x)", "x=2", "between -1 and 1"),
    ],
)
def test_numeric_trouble_is_explained(text, at, fragment):
    r = grad(text, at=at)
    assert r.exit_code == 1
    assert any(fragment in p for p in r.problems), r.problems


def test_infinite_slope_prints_what_a_framework_prints():
    assert grad("sqrt(x)", at="x=0").gradients() == [math.inf]


def test_overflow_of_double_precision_is_a_note_not_a_crash():
    r = grad("exp(x)", at="x=1000")
    assert r.gradients() == [math.inf]
    assert r.exit_code == 0
    assert any("too large for float64" in n for n in r.notes)


# Property: random expression trees agree with finite differences.
_LEAVES = st.sampled_from([x, y, sp.Integer(2), sp.Rational(1, 3), sp.Integer(-1)])
_UNARY = [sp.sin, sp.cos, sp.exp, sp.atan, sp.tanh, sigmoid, softplus, lambda e: sp.log(1 + e**2)]


def _trees():
    return st.recursive(
        _LEAVES,
        lambda kids: st.one_of(
            st.tuples(st.sampled_from(["+", "*", "-"]), kids, kids).map(
                lambda t: {"+": t[1] + t[2], "*": t[1] * t[2], "-": t[1] - t[2]}[t[0]]
            ),
            st.tuples(st.sampled_from(_UNARY), kids).map(lambda t: t[0](t[1])),
            st.tuples(kids, st.integers(1, 3)).map(lambda t: t[0] ** t[1]),
        ),
        max_leaves=8,
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expr=_trees(), px=st.floats(-1.5, 1.5), py=st.floats(-1.5, 1.5))
def test_random_trees_agree_with_finite_differences(expr, px, py):
    if not expr.free_symbols:
        return
    at = {"x": px, "y": py}
    r = grad(expr, at=at, wrt=["x", "y"])
    f = compile_expr(expr, [x, y])
    for p in r.partials:
        if p.value is None or not math.isfinite(p.value) or abs(p.value) > 1e6:
            continue
        h = 1e-5
        args_plus = [px + h if p.symbol == x else px, py + h if p.symbol == y else py]
        args_minus = [px - h if p.symbol == x else px, py - h if p.symbol == y else py]
        estimate = (f(*args_plus) - f(*args_minus)) / (2 * h)
        assert estimate == pytest.approx(p.value, rel=1e-5, abs=1e-5)
        assert p.check is None or p.check.verdict != "disagrees"


def test_a_variable_named_y_renames_the_output():
    r = grad("x*y^2", at="x=3,y=2")
    text = r.plain_text()
    assert text.startswith("f = x⋅y²")
    assert "∂f/∂y = 2⋅x⋅y" in text and "∂y/∂y" not in text
    assert r.output == "f"
    assert grad("w*w+2", at="w=10").output == "y"


def test_partials_of_a_sum_use_only_the_terms_with_their_variable():
    from symgrad.derive import partial_derivatives

    xs = [variable(f"x{i}") for i in range(12)]
    f = sp.Add(*[sp.sin(xs[i]) * xs[(i + 1) % 12] ** 2 for i in range(12)]) + sp.exp(xs[0] * xs[5])
    assert partial_derivatives(f, xs) == [sp.diff(f, s) for s in xs]
    r = grad(f, at={s.name: sp.Rational(i + 1, 10) for i, s in enumerate(xs)})
    assert not r.problems and all(p.check.verdict == "agrees" for p in r.partials)
    for p, s in zip(r.partials, xs):
        oracle = float(sp.diff(f, s).subs({t: sp.Rational(i + 1, 10) for i, t in enumerate(xs)}))
        assert math.isclose(p.value, oracle, rel_tol=1e-14)


def test_a_formula_too_large_for_exact_values_gets_float64_and_says_so(monkeypatch):
    import symgrad.derive

    monkeypatch.setattr(symgrad.derive, "EXACT_NODES", 3)
    r = grad("x*sin(x) + y", at="x=1,y=2")
    px, py = r.partials
    assert px.exact is None and math.isclose(px.value, math.sin(1) + math.cos(1), rel_tol=1e-15)
    assert py.exact == 1 and px.check.verdict == "agrees"
    assert any("float64 from compiled code" in n and "∂f/∂x" in n for n in r.notes)
    assert "(float64)" in r.plain_text()


def test_a_deep_composition_gets_each_partial_from_its_exact_value():
    # Every partial of sin(...sin(sin(x0 + x1) + x2)... + x11) is a product of the chain
    # rule's cos factors, shared between partials and evaluated once each; the floats are
    # still those of the exact values, and agree with the numeric check.
    from symgrad.numeric import to_float

    names = [f"x{i}" for i in range(12)]
    text = names[0]
    for name in names[1:]:
        text = f"sin({text} + {name})"
    at = {name: Fraction(i % 7 + 1, 10) for i, name in enumerate(names)}
    r = grad(text, at=at)
    assert not r.problems
    for p in r.partials:
        assert p.value == to_float(p.exact)
        assert p.check.verdict in ("agrees", "skipped")
    assert sum(p.check.verdict == "agrees" for p in r.partials) >= 6
