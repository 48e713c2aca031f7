"""functions: every registered function parses, prints back, differentiates, evaluates and
prints in generated code, each checked against an independent route (SymPy, mpmath)."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symgrad.cli import main
from symgrad.errors import ParseError
from symgrad.functions import ACTIVATIONS, FUNCTIONS, REGISTRY, leaky_relu, record_of
from symgrad.network.codegen import compile_program
from symgrad.numeric import compile_expr
from symgrad.parse import parse, variable
from symgrad.printing import inline, plain, pretty
from symgrad.step_rules import derive

x, y = variable("x"), variable("y")


def _same(text: str, expr: sp.Expr) -> bool:
    """``text`` parses to ``expr`` (SymPy may distribute 3⋅(x + 2) on the way, so: equal)."""
    back = parse(text).expr
    return back == expr or sp.simplify(back - expr) == 0


# Functions with a head of their own (spellings such as ln and rewrites such as log10 build
# one of these), each applied to x; leaky_relu also with its slope given.
HEADED = [f for f in REGISTRY if f.head is not None]
APPLIED = [(f.name, f.build(x)) for f in HEADED] + [
    ("leaky_relu(x, 0.2)", leaky_relu(x, sp.Rational(1, 5)))
]
POINTS = [-1.7, -0.4, 0.3, 0.9, 2.2]


def _inside(expr: sp.Expr, at: float) -> bool:
    """``at`` is in the real domain of ``expr`` (so every route must give a real number)."""
    record = record_of(expr)
    if record is not None and record.domain is not None:
        return bool(record.domain(sp.Float(at)))
    return True


def _exact(expr: sp.Expr, at: float) -> float:
    """The value by an independent route: SymPy's evalf (mpmath) at 30 digits."""
    return float(sp.N(expr.subs(x, sp.Float(at, 30)), 30))


@pytest.mark.parametrize("name,expr", APPLIED, ids=[a[0] for a in APPLIED])
def test_evaluates_in_floats_and_numpy_as_mpmath_does(name, expr):
    f_math = compile_expr(expr, [x])
    f_numpy = compile_expr(expr, [x], backend="numpy")
    points = [p for p in POINTS if _inside(expr, p)]
    assert points
    want = [_exact(expr, p) for p in points]
    assert [f_math(p) for p in points] == pytest.approx(want, rel=1e-12, abs=1e-14)
    assert f_numpy(np.array(points)).tolist() == pytest.approx(want, rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("name,expr", APPLIED, ids=[a[0] for a in APPLIED])
def test_the_records_derivative_is_sympys(name, expr):
    record = record_of(expr)
    mine = record.derivative(*expr.args)
    oracle = sp.diff(expr, x)
    if type(expr).__module__.startswith("sympy"):  # SymPy's own fdiff: symbolically equal
        assert sp.simplify(mine - oracle) == 0
        return
    # For the functions SymPy lacks, fdiff *is* the record, so the oracle is SymPy's
    # derivative of the elementary rewrite, compared at points off the kink.
    elementary = sp.diff(expr.rewrite(sp.exp), x)
    for p in (p for p in POINTS if _inside(expr, p)):
        at = sp.Float(p, 30)
        want = sp.N(elementary.subs(x, at), 30)
        assert float(sp.N(mine.subs(x, at), 30)) == pytest.approx(float(want), rel=1e-12)


@pytest.mark.parametrize("name,expr", APPLIED, ids=[a[0] for a in APPLIED])
def test_steps_use_the_record_and_equal_sympy(name, expr):
    for e in (expr, expr.func(x**2 - 2, *expr.args[1:])):
        step = derive(e, x)
        assert step.rule in (record_of(expr).rule, "Chain rule")
        assert sp.simplify(step.result - sp.diff(e, x)) == 0


@pytest.mark.parametrize("name,expr", APPLIED, ids=[a[0] for a in APPLIED])
def test_generated_numpy_code_prints_and_evaluates_it(name, expr):
    d = sp.diff(expr, x)
    prog = compile_program([expr, d], samples=[x], params=[])
    points = [p for p in POINTS if _inside(expr, p)]
    for p in points:
        got = prog.evaluate(np.array([[p]]), np.array([]))
        assert got.tolist() == pytest.approx([_exact(expr, p), _exact(d, p)], rel=1e-12)


@pytest.mark.parametrize("name,expr", APPLIED, ids=[a[0] for a in APPLIED])
def test_every_printed_form_parses_back(name, expr):
    for e in (expr, sp.diff(expr, x), sp.diff(expr, x, 2)):
        forms = [plain(e), inline(e)] + ([pretty(e)] if "\n" not in pretty(e) else [])
        for text in forms:
            assert _same(text, e), text


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_name_parses_and_a_wrong_argument_count_says_how_many(name):
    record = FUNCTIONS[name]
    assert parse(f"{name}(x)").expr == record.build(x)
    with pytest.raises(ParseError) as info:
        parse(f"{name}({', '.join(['x'] * (max(record.arities) + 1))})")
    assert f"{name} takes {' or '.join(map(str, record.arities))} argument" in str(info.value)


def test_special_values_frameworks_choose():
    assert parse("cbrt(-8)").expr == -2 and compile_expr(parse("cbrt(x)").expr, [x])(-8.0) == -2
    h = parse("Heaviside(x)").expr
    assert h.subs(x, 0) == 0 and compile_expr(h, [x])(0.0) == 0.0  # as relu'(0) in TensorFlow
    assert parse("Heaviside(x, 1/2)").expr.subs(x, 0) == sp.S.Half
    slope = sp.diff(parse("leaky_relu(x)").expr, x)
    assert slope.subs(x, 0) == sp.Rational(1, 100)  # TensorFlow and PyTorch: alpha at 0
    assert sp.diff(parse("elu(x)").expr, x).subs(x, 0) == 1
    assert parse("sign(0)").expr == 0 and compile_expr(sp.sign(x), [x])(0.0) == 0.0


def test_a_delta_evaluates_as_frameworks_do_off_the_jump():
    # The second derivative of |x| is 2⋅δ(x): TensorFlow's gradient of sign is 0.
    d2 = sp.diff(sp.Abs(x), x, 2)
    assert compile_expr(d2, [x])(0.5) == 0.0
    assert compile_expr(d2, [x], backend="numpy")(np.array([-1.0, 2.0])).tolist() == [0.0, 0.0]


def test_activations_are_built_from_the_registry():
    assert {"linear", "relu", "tanh", "sigmoid", "leaky_relu", "elu", "gelu", "silu"} <= set(
        ACTIVATIONS
    )
    assert {"swish", "softplus", "softsign"} <= set(ACTIVATIONS)
    z = variable("z")
    assert ACTIVATIONS["linear"](z) == z
    assert ACTIVATIONS["relu"](sp.Integer(-2)) == 0
    for name, act in ACTIVATIONS.items():
        a = act(z)
        prog = compile_program([a, sp.diff(a, z)], samples=[z], params=[])
        got = prog.evaluate(np.array([[0.7]]), np.array([]))
        assert got.tolist() == pytest.approx(
            [_exact(a.subs(z, x), 0.7), _exact(sp.diff(a, z).subs(z, x), 0.7)]
        ), name


# -- symgrad reads what it writes: random trees ----------------------------------------

_UNARY = [f.build for f in HEADED if f.arities[0] == 1 and f.name != "DiracDelta"]
_LEAVES = st.sampled_from([x, y, sp.Integer(2), sp.Rational(1, 3), sp.pi, sp.E, -x])


def _trees():
    return st.recursive(
        _LEAVES,
        lambda kids: st.one_of(
            st.tuples(st.sampled_from(_UNARY), kids).map(lambda t: t[0](t[1])),
            st.tuples(kids, kids).map(lambda t: t[0] + t[1]),
            st.tuples(kids, kids).map(lambda t: t[0] * t[1]),
            st.tuples(kids, kids).map(lambda t: t[0] / (2 + t[1] ** 2)),
            st.tuples(kids, st.sampled_from([2, 3, -1, sp.S.Half, x])).map(lambda t: t[0] ** t[1]),
        ),
        max_leaves=6,
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_trees())
def test_random_trees_and_their_derivatives_parse_back(expr):
    for e in (expr, sp.diff(expr, x)):
        if e.has(sp.I, sp.zoo, sp.nan, sp.oo) or sp.count_ops(e) > 80:
            continue
        for text in (plain(e), inline(e)):
            assert _same(text, e), text
        if not e.has(sp.E):  # SymPy's own str(), as JSON shows it (it writes e as E)
            assert _same(str(e), e), str(e)
        one_line = pretty(e)
        if "\n" not in one_line:
            assert _same(one_line, e), one_line


def test_pretty_names_cannot_be_read_as_variables():
    step = sp.diff(parse("relu(θ*x)").expr, x)
    assert pretty(step) == "θ⋅Heaviside(θ⋅x)"  # not θ(θ⋅x, 0), a product with a variable θ
    assert parse(pretty(step)).expr == step
    assert math.isclose(compile_expr(step, [x, variable("theta")])(1.0, 2.0), 2.0)


@pytest.mark.parametrize("name,expr", APPLIED, ids=[a[0] for a in APPLIED])
def test_steps_pickle_for_the_worker_process(name, expr):
    step = derive(expr.func(x**2 - 2, *expr.args[1:]), x)
    again = pickle.loads(pickle.dumps(step))
    assert again == step and again.outer_rule == record_of(expr).rule


def test_steps_of_a_new_function_through_the_cli(capsys):
    assert main(["gelu(x)", "--steps", "--at", "x=1", "--format", "plain"]) == 0
    out = capsys.readouterr().out
    assert "1. GELU rule: d/dx gelu(x) = " in out and "(u⋅Φ(u))' = Φ(u) + u⋅φ(u)" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["e^x*abs(x) + Heaviside(x)*x + sign(x)", "--at", "x=1", "--format", "json"],
        ["exp(2x)*log(x) + e", "--format", "json"],
        ["x*relu(x) + sqrt(x)", "--steps", "--format", "json"],
    ],
)
def test_json_formulas_parse_back(capsys, argv):
    """Every formula symgrad writes in JSON reads back with its own parser as the same one."""
    import json

    assert main(argv) in (0, 1)
    data = json.loads(capsys.readouterr().out)
    texts = []

    def collect(node, key=None):
        if isinstance(node, dict):
            for k, v in node.items():
                collect(v, k)
        elif isinstance(node, list):
            for v in node:
                collect(v, key)
        elif isinstance(node, str) and key in ("expression", "derivative", "exact", "result"):
            texts.append(node)

    collect(data)
    assert texts
    for text in texts:
        back = parse(text).expr
        assert "E" not in {s.name for s in back.free_symbols}, text
        assert parse(plain(back)).expr == back, text
