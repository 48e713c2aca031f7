"""symgrad.backprop, the computation graph: structure as typed, forward values, adjoints equal
the exact gradient."""

from __future__ import annotations

import math
import os
import time

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symgrad.backprop import MAX_DRAWN, graph, graph_tree, layout, structural
from symgrad.cli import main
from symgrad.errors import InputError, LimitError
from symgrad.parse import parse, variable

CASES = [
    ("w*w + 2", "w=10"),
    ("w - w + x", "w=2,x=3"),
    ("x*sin(x^2)", "x=1"),
    ("sin(x)*sin(x) + cos(x)", "x=0.7"),
    ("x/y + log(x, 2)", "x=2,y=4"),
    ("sigmoid(w1*x1 + w2*x2 + b)", "w1=0.5,w2=-1,x1=2,x2=1,b=0.1"),
    ("relu(x - 1)^2 + softplus(3*x)", "x=2"),
    ("exp(-x^2/2)/sqrt(2*pi)", "x=0.3"),
    ("(x + y)*(x + y) - x/(y + 1)", "x=1.5,y=-0.25"),
    ("tanh(atan(x)*y) + abs(x - y)^3", "x=0.4,y=-2"),
    ("2^x + x^y", "x=1.3,y=0.6"),
    ("e^(x*y) - asinh(x) + 1/x", "x=0.9,y=2"),
]


def _numeric_slope(expr: sp.Expr, point: dict[str, float], name: str) -> float:
    """An independent route: a central difference of SymPy's own float evaluation."""
    h = 1e-6 * max(1.0, abs(point[name]))
    symbols = {variable(k): v for k, v in point.items()}

    def f(value: float) -> float:
        subs = dict(symbols)
        subs[variable(name)] = value
        return float(expr.evalf(30, subs=subs))

    return (f(point[name] + h) - f(point[name] - h)) / (2 * h)


@pytest.mark.parametrize("text,at", CASES)
def test_adjoints_equal_sympy_and_central_differences(text, at):
    g = graph(text, at=at)
    expr = parse(text).expr
    point = {k: float(v) for k, v in g.gradient.point}
    for name in g.variables:
        node = g.node(name)
        oracle = sp.diff(expr, variable(name)).subs({variable(k): v for k, v in g.gradient.point})
        assert node.grad == pytest.approx(float(oracle), rel=1e-12, abs=1e-14)
        assert node.grad == pytest.approx(_numeric_slope(expr, point, name), rel=1e-6, abs=1e-8)
    assert all(ok for _, ok in g.agrees)
    assert g.exit_code == 0


@pytest.mark.parametrize("text,at", CASES)
def test_forward_values_and_the_tape_order(text, at):
    g = graph(text, at=at)
    expr = parse(text).expr
    subs = {variable(k): v for k, v in g.gradient.point}
    assert g.node(g.output).value == pytest.approx(float(expr.subs(subs)), rel=1e-12)
    seen = set()
    for n in g.nodes:  # every node comes after its inputs: a topological order
        assert set(n.inputs) <= seen
        seen.add(n.name)


def test_a_variable_used_twice_sums_its_paths():
    g = graph("w*w", at="w=10")
    assert [e.source for e in g.edges] == ["w", "w"]
    assert g.node("w").sum_text() == "1⋅10 + 1⋅10 = 20"
    assert g.gradients() == [20.0]


def test_structural_like_tensorflow():
    assert structural("w - w + x") != parse("w - w + x").expr
    g = graph("w - w + x", at="w=2,x=3")
    assert g.node("w").connected
    assert g.node("w").sum_text() == "1⋅1 + 1⋅(-1) = 0"
    assert g.gradients() == [0.0, 1.0]


def test_shared_subexpression_is_one_node():
    g = graph("sin(x)*sin(x) + sin(x)", at="x=1")
    sines = [n for n in g.nodes if n.op == "sin"]
    assert len(sines) == 1
    assert sum(1 for e in g.edges if e.source == sines[0].name) == 3
    assert g.node("x").grad == pytest.approx(2 * math.sin(1) * math.cos(1) + math.cos(1))


def test_unconnected_input_is_none_visibly():
    g = graph("x*x", at="x=3,v=1")
    assert g.gradients() == [6.0, None]
    assert not g.node("v").connected
    assert "grad(v) = None   (y does not reach v: TensorFlow gives None)" in g.plain_text()
    assert graph("x*x", at="x=3,v=1", unconnected="zero").gradients() == [6.0, 0.0]
    assert g.to_dict()["tf_gradients"] == [6.0, None]


def test_constant_and_single_variable_outputs():
    assert graph("x", at="x=4").gradients() == [1.0]
    g = graph("2 + pi", at="x=1")
    assert g.gradients() == [None]
    assert g.node("y").kind == "constant"


def test_output_named_f_when_y_is_a_variable():
    g = graph("x*y", at="x=2,y=5")
    assert g.output == "f" and g.node("f").value == 10.0


def test_bad_input_fails_as_grad_does():
    with pytest.raises(InputError, match="no value for y"):
        graph("x*y", at="x=1")
    with pytest.raises(InputError, match="needs a point"):
        graph("x*y", at=None)


def test_undefined_node_is_a_problem():
    g = graph("x*x/x", at="x=0")  # SymPy's x is 1 everywhere; the graph divides by zero
    assert g.exit_code == 1
    assert any("not a finite real number" in p for p in g.problems)


def test_json_shape():
    data = graph("w*w + 2", at="w=10").to_dict()
    assert [n["name"] for n in data["nodes"]] == ["w", "v1", "y"]
    assert data["nodes"][0]["grad_terms"][0] == {
        "consumer": "v1",
        "consumer_grad": 1.0,
        "local_derivative": 10.0,
    }
    assert data["adjoints_match_exact_gradient"] == {"w": True}


@pytest.mark.parametrize("text,at", CASES)
def test_layout_routes_long_edges_around_boxes(text, at):
    g = graph(text, at=at)
    plan = layout(g)
    for e, route in zip(g.edges, plan.routes):
        gap = plan.positions[e.target][0] - plan.positions[e.source][0]
        assert gap >= 1 and len(route) == gap - 1
    occupied = [*plan.positions.values(), *(p for r in plan.routes for p in r)]
    assert len(occupied) == len(set(occupied))  # no two things in one slot


def test_picture_png_and_svg(tmp_path):
    g = graph("x*sin(x^2) + x/y", at="x=1,y=2,v=3")
    png = g.with_picture(tmp_path / "g.png")
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.picture == str(tmp_path / "g.png")
    g.with_picture(tmp_path / "g.svg")
    assert "<svg" in (tmp_path / "g.svg").read_text()
    assert sorted(os.listdir(tmp_path)) == ["g.png", "g.svg"]  # no temporary files left


def test_picture_refuses_links_suffixes_and_huge_graphs(tmp_path):
    g = graph("w*w", at="w=1")
    target = tmp_path / "real.png"
    target.write_bytes(b"keep")
    link = tmp_path / "link.png"
    link.symlink_to(target)
    with pytest.raises(InputError, match="symbolic link"):
        g.with_picture(link)
    assert target.read_bytes() == b"keep"
    with pytest.raises(InputError, match=r"\.png or \.svg"):
        g.with_picture(tmp_path / "g.pdf")
    with pytest.raises(InputError, match="does not exist"):
        g.with_picture(tmp_path / "no" / "g.png")
    big = " + ".join(f"sin(x{i})" for i in range(MAX_DRAWN))
    at = ",".join(f"x{i}=1" for i in range(MAX_DRAWN))
    with pytest.raises(LimitError, match="too many to draw"):
        graph(big, at=at).with_picture(tmp_path / "big.png")
    assert sorted(os.listdir(tmp_path)) == ["link.png", "real.png"]


# -- random expressions, typed as text ---------------------------------------------------


_UNARY = ["sin", "cos", "tanh", "sigmoid", "softplus", "atan"]


def _texts():
    leaves = st.sampled_from(["x", "y", "2", "0.5", "x", "y"])
    return st.recursive(
        leaves,
        lambda kids: st.one_of(
            st.tuples(kids, st.sampled_from(["+", "-", "*"]), kids).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"
            ),
            st.tuples(kids, kids).map(lambda t: f"{t[0]}/(1 + {t[1]}^2)"),
            st.tuples(st.sampled_from(_UNARY), kids).map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(kids, st.integers(2, 3)).map(lambda t: f"{t[0]}^{t[1]}"),
        ),
        max_leaves=8,
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=_texts(), px=st.sampled_from(["0.3", "-1.25", "2"]), py=st.sampled_from(["0.7", "-0.5"])
)
def test_random_expressions_adjoints_are_the_gradient(text, px, py):
    from hypothesis import assume

    try:
        g = graph(text, at=f"x={px},y={py}")
    except LimitError:  # x^3^3^2: an exponent past the parser's limits is refused, as in grad
        assume(False)
    expr = parse(text).expr
    subs = {variable("x"): sp.Rational(px), variable("y"): sp.Rational(py)}
    for name in ("x", "y"):
        node = g.node(name)
        if not node.connected:
            assert variable(name) not in graph_tree(text)[0].free_symbols
            continue
        if not graph_tree(text)[1]:  # SymPy's tree stood in for the tree as typed
            continue
        exact = sp.diff(expr, variable(name)).xreplace(subs).evalf(30)
        if not (exact.is_real and exact.is_finite):  # a pole or outside the real domain there
            assert node.grad is None or not math.isfinite(node.grad)
            continue
        assert node.grad == pytest.approx(float(exact), rel=1e-12, abs=1e-13)


def test_symgrad_graph_stays_the_function_once_the_module_is_loaded():
    import symgrad
    import symgrad.backprop  # noqa: F401 - importing a submodule binds its name in the package

    assert symgrad.graph("x*x", at="x=3").gradients() == [6.0]


@pytest.mark.parametrize(
    "text",  # found by hypothesis: endless or very slow is_zero of unevaluated constants
    ["x/(1 + 2^3/(1 + softplus(2)^2)^2)", "cos((y * 2)/(1 + 2/(1 + 2^2)^2))"],
)
def test_constants_sympy_cannot_compare_fall_back_to_its_tree(text):
    start = time.process_time()
    g = graph(text, at="x=0.3,y=0.7")
    assert time.process_time() - start < 5  # CPU time: not the machine's load
    assert any("built from SymPy's tree" in n for n in g.notes)
    assert [ok for _, ok in g.agrees if ok is not None] == [True] and g.exit_code == 0


@pytest.mark.parametrize(("text", "at"), [*CASES, ("sign(x - 1)*x + Heaviside(y)", "x=2,y=-1")])
def test_every_local_derivative_is_sympy_diff_of_its_node(text, at):
    """The edges' local derivatives come from symgrad's rules; sympy.diff is the oracle: the
    edges from one input into a node (one per slot) add up to ∂node/∂input."""
    g = graph(text, at=at)
    values = {variable(n.name): n.exact for n in g.nodes}
    by_pair: dict[tuple[str, str], sp.Expr] = {}
    for e in g.edges:
        by_pair[(e.source, e.target)] = by_pair.get((e.source, e.target), 0) + e.exact
    assert by_pair
    for (source, target), local in by_pair.items():
        formula = g.node(target).expression.doit()
        want = sp.diff(formula, variable(source)).xreplace(values)
        assert abs((local - want).evalf(30)) < 1e-25, (text, source, target, local, want)


def test_the_slope_of_a_jump_at_its_jump_is_what_the_tape_holds():
    """sign at 0: the derivative does not exist (the problem says so); the tape, like
    TensorFlow's, holds sign's slope beside the jump, 0."""
    g = graph("3*sign(x) + x", at="x=0")
    assert g.gradients() == [1.0] and g.exit_code == 1
    assert "jumps at x = 0" in g.problems[0]
    (edge,) = [e for e in g.edges if e.derivative.startswith("2⋅DiracDelta")]
    assert edge.exact == 0 and edge.value == 0.0


_SLOW_TO_TYPE = "x/(1 + 2^3/(1 + softplus(2)^2)^2)"  # is_zero without end when unevaluated


def _budget_beside_a_slow_gc_callback():
    """The structure's budget with a gc callback that takes most of the time (as coverage and
    profiling tools' callbacks can): returns what it saw, to the parent process."""
    import gc
    import sys

    import symgrad.backprop as backprop
    import symgrad.derivation  # noqa: F401 - loaded before the timed part

    seen: list[str] = []
    sys.unraisablehook = lambda u: seen.append(repr(u.exc_value))

    def slow(phase, info):
        end = time.process_time() + 0.002
        while time.process_time() < end:
            pass

    backprop.STRUCTURE_BUDGET = 0.1
    gc.set_threshold(20)
    gc.callbacks.append(slow)
    try:
        start = time.process_time()
        as_typed = backprop.graph_tree(_SLOW_TO_TYPE)[1]
        return as_typed, time.process_time() - start, seen, gc.isenabled()
    finally:
        gc.callbacks.remove(slow)


def test_the_structure_budget_holds_even_when_its_signal_would_land_in_a_gc_callback():
    from symgrad.guard import run_guarded

    # in a worker: a budget that got lost would run on without end, and the guard stops it
    as_typed, seconds, unraisable, collecting = run_guarded(
        _budget_beside_a_slow_gc_callback, timeout=20
    )
    assert as_typed is False and seconds < 5  # CPU time; the budget is 0.1 s
    assert unraisable == [] and collecting


def test_a_graph_over_its_time_limit_ends_with_exit_3_and_one_line(capsys):
    # the structure alone may take 0.5 s of CPU time before the fallback: over a 0.2 s limit
    assert main(["graph", _SLOW_TO_TYPE, "--at", "x=0.3", "--timeout", "0.2"]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "gave up after 0.2 s of CPU time" in err
    assert "Traceback" not in err
