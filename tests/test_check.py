"""The numeric checker: accuracy, honest bounds, domain edges, vectorisation, diagnoses."""

import math

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symgrad.check import check_gradient, check_partial, diagnose_point, richardson
from symgrad.parse import parse, variable

x, y = variable("x"), variable("y")

SMOOTH = [
    ("w*w+2", 10.0),
    ("exp(x)", 1.0),
    ("sin(x)", 1.0),
    ("x^3 - 2*x", -1.5),
    ("log(x)", 3.0),
    ("atan(x)", 0.5),
    ("sigmoid(x)", 2.0),
    ("softplus(x)", -3.0),
    ("x*sin(x^2)", 0.7),
    ("tanh(x)", 0.3),
    ("sqrt(x)", 0.001),
    ("exp(x)*sin(x)", 100.0),
    ("1/(1+x^2)", 1e5),
]


def _exact(text, at):
    e = parse(text).expr
    (s,) = e.free_symbols
    d = sp.diff(e, s).xreplace({s: sp.Rational(repr(at))})
    return e, s, float(d.evalf(40))


@pytest.mark.parametrize(("text", "at"), SMOOTH)
def test_smooth_functions_agree_to_1e_8_relative(text, at):
    e, s, exact = _exact(text, at)
    c = check_partial(e, s, {s: at}, exact)
    assert c.verdict == "agrees", c.explain()
    assert c.error <= 1e-8 * abs(exact)
    assert c.error <= c.bound


@pytest.mark.parametrize(("text", "at"), SMOOTH)
def test_a_formula_off_by_one_part_in_a_million_is_caught(text, at):
    e, s, exact = _exact(text, at)
    wrong = exact * (1 + 1e-6) if exact != 0 else 1e-6
    c = check_partial(e, s, {s: at}, wrong)
    assert c.verdict == "disagrees"
    assert "DISAGREES" in c.explain()
    assert "does not match" in c.describe()


@settings(max_examples=25, deadline=None)
@given(st.floats(-5, 5), st.floats(0.2, 3))
def test_random_points_on_a_smooth_function(a, b):
    e = sp.sin(a * x) * sp.exp(x / b)
    exact = float(sp.diff(e, x).subs(x, 0.4))
    verdict = check_partial(e, x, {x: 0.4}, exact).verdict
    # a = 5e-324 gives a slope float64 barely sees: not checked rather than failed, by design
    assert verdict == "agrees" or (verdict == "skipped" and abs(exact) < 1e-300)


def test_richardson_reports_its_parts():
    h = 1e-2
    values = [math.sin(1 + s) for k in range(4) for s in (h / 2**k, -h / 2**k)]
    estimate, truncation, roundoff = richardson(values, h)
    assert abs(estimate - math.cos(1)) < 1e-13
    assert truncation < 1e-12 and roundoff < 1e-12


def test_large_arguments_give_small_numbers_not_nan():
    for e, at, exact in [
        (sp.exp(-(x**2)), 1e10, 0.0),
        (sp.tanh(x), 1000.0, 0.0),
        (sp.atan(x), 1e308, 0.0),
    ]:
        c = check_partial(e, x, {x: at}, exact)
        assert c.verdict == "agrees" and math.isfinite(c.estimate)


def test_at_a_domain_edge_the_step_shrinks_or_the_check_is_skipped():
    c = check_partial(sp.log(x), x, {x: 1e-5}, 1e5)
    assert c.verdict == "agrees" and c.step < 1e-5
    skipped = check_partial(sp.sqrt(x), x, {x: 0.0}, math.inf)
    assert skipped.verdict == "skipped" and skipped.ok


def test_vectorised_and_scalar_paths_agree():
    names = [variable(f"x{i}") for i in range(8)]
    e = sum(sp.sin(a) * b for a, b in zip(names, names[1:] + names[:1]))
    point = {s: 0.1 * (i + 1) for i, s in enumerate(names)}
    exacts = [float(sp.diff(e, s).subs(point)) for s in names]
    vec = check_gradient(e, names, point, exacts, backend="numpy")
    sca = check_gradient(e, names, point, exacts, backend="math")
    assert [c.verdict for c in vec] == ["agrees"] * 8
    for a, b in zip(vec, sca):
        assert a.estimate == pytest.approx(b.estimate, rel=1e-12)


def test_the_check_in_json_explains_itself():
    c = check_partial(x**2, x, {x: 3.0}, 6.0)
    d = c.to_dict()
    assert d["verdict"] == "agrees" and d["relative_error"] < 1e-8
    assert d["method"].startswith("Richardson")
    assert "extrapolated" in d["explanation"]


@pytest.mark.parametrize(
    ("text", "at", "expected"),
    [
        (
            "log(x)",
            "-1",
            "log(x) is not real at x = -1: log needs a positive argument, so log(x) is not real for x < 0",
        ),
        (
            "log(x-2)",
            "1",
            "log(x - 2) is not real at x = 1: log needs a positive argument, so log(x - 2) is not real for x < 2",
        ),
        (
            "sqrt(x)",
            "-4",
            "sqrt(x) is not real at x = -4: x is negative there, so sqrt(x) is not real for x < 0",
        ),
        (
            "asin(x)",
            "2",
            "asin(x) is not real at x = 2: its argument must be between -1 and 1, so asin(x) is not real for x < -1 or x > 1",
        ),
        ("1/x", "0", "1/x has a pole at x = 0"),
        ("log(x)", "0", "log(x) is undefined at x = 0: log(0) is -∞"),
    ],
)
def test_diagnoses_name_the_case(text, at, expected):
    e = parse(text).expr
    assert diagnose_point(e, {x: sp.Rational(at)}) == expected


def test_cli_names_an_infinite_slope(capsys):
    from symgrad.cli import main

    assert main(["sqrt(x)", "--at", "x=0", "--format", "plain"]) == 1
    assert "the slope of sqrt(x) with respect to x is infinite at x = 0" in capsys.readouterr().out


def test_spot_check_is_reproducible_and_finds_a_wrong_formula():
    from symgrad.spotcheck import spot_check

    a = spot_check("sin(x)*cos(y) + log(x)", n=20, seed=5)
    b = spot_check("sin(x)*cos(y) + log(x)", n=20, seed=5)
    assert a.points == b.points and a.verdict == "agrees"
    assert all(p[0] > 0 for p in a.points)  # only where log(x) is defined
    wrong = spot_check("x^3", n=10, derivative="3*x^2 + x/1000")
    assert wrong.verdict == "disagrees" and wrong.exit_code == 1


def test_spot_check_avoids_kinks_and_reports_json(capsys):
    import json

    from symgrad.cli import main

    assert main(["abs(x)*y", "--check", "30", "--seed", "2", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "agrees" and len(data["points"]) == 30 and data["seed"] == 2
    assert data["worst"]["check"]["relative_error"] < 1e-8


def test_subnormal_values_do_not_fail_the_check():
    e = sp.exp(-(x**2))
    exact = float(sp.diff(e, x).subs(x, sp.Rational("26.6")).evalf(30))
    assert 0 < abs(exact) < 1e-300
    assert check_partial(e, x, {x: 26.6}, exact).verdict == "agrees"


def test_rounding_of_intermediate_sums_is_not_a_false_alarm():
    # log(1 + x²) near 0: 1 + x² carries an absolute error of ε, while f itself is tiny.
    import sympy as sp

    from symgrad.parse import variable

    x = variable("x")
    expr = sp.log(x**2 + 1)
    px = 0.07818198951611555
    exact = float(sp.diff(expr, x).subs(x, px))
    c = check_partial(expr, x, {x: px}, exact)
    assert c.verdict == "agrees", c


def test_the_step_is_exact_in_float64():
    # x - y at x = y: rounding x + h would alone be an error of about 2e-12.
    x, y = variable("x"), variable("y")
    checks = check_gradient(x - y, [x, y], {x: 1.21875, y: 1.21875}, [1.0, -1.0])
    assert [c.verdict for c in checks] == ["agrees", "agrees"]
    assert all(c.step == 2.0 ** math.floor(math.log2(c.step)) for c in checks)


def test_a_slope_below_float64_resolution_is_not_checked_rather_than_failed():
    x = variable("x")
    expr = sp.log(x**6 + 1)
    px = 3.560488303825311e-26
    exact = float(sp.diff(expr, x).subs(x, sp.Float(px, 30)))
    c = check_partial(expr, x, {x: px}, exact)
    assert c.verdict == "skipped" and "too small for float64" in c.reason


def test_cancellation_on_a_regular_staircase_is_not_a_false_alarm():
    # cos(y²) - 1 near 0: the rounding of cos near 1 is regular, so no noise is measured.
    y = variable("y")
    expr = sp.cos(y**2) - 1
    exact = float(sp.diff(expr, y).subs(y, sp.Rational(1, 512)))
    c = check_partial(expr, y, {y: 1 / 512}, exact)
    assert c.verdict == "agrees", c
    assert c.bound >= 1e-10 * abs(exact)


def _ring(n):
    xs = [variable(f"x{i}") for i in range(n)]
    f = sp.Add(
        *[
            sp.sin(xs[i]) * xs[(i + 1) % n] + sp.exp(xs[i] / 3) * xs[(i + 2) % n] ** 2
            for i in range(n)
        ]
    ) + sp.log(1 + xs[0] ** 2 + xs[1] ** 2)
    point = {s: 0.1 * (i % 7 + 1) for i, s in enumerate(xs)}
    exact = [float(sp.diff(f, s).subs(point)) for s in xs]
    return f, xs, point, exact


@pytest.mark.parametrize("backend", ["numpy", "math"])
def test_a_sum_of_many_terms_is_checked_term_by_term(backend):
    f, xs, point, exact = _ring(40)
    checks = check_gradient(f, xs, point, exact, backend=backend)
    assert [c.verdict for c in checks] == ["agrees"] * 40
    assert max(c.relative_error for c in checks) < 1e-9


def test_one_wrong_partial_among_many_is_caught_and_only_that_one():
    f, xs, point, exact = _ring(40)
    exact[17] *= 1 + 1e-7
    verdicts = [c.verdict for c in check_gradient(f, xs, point, exact)]
    assert verdicts[17] == "disagrees"
    assert verdicts[:17] + verdicts[18:] == ["agrees"] * 39


def test_the_bound_counts_the_terms_not_their_cancelling_total():
    # 1e8 x + (-1e8 x) + x: the total is small, the terms rounding it are not.
    terms = [sp.Float(1e8) * x * y, -sp.Float(1e8) * x * y, x, y, x * y]
    f = sp.Add(*terms, evaluate=False)
    exact = [float(sp.diff(f, s).subs({x: 0.3, y: 0.7})) for s in (x, y)]
    checks = check_gradient(f, [x, y], {x: 0.3, y: 0.7}, exact, backend="numpy")
    assert [c.verdict for c in checks] == ["agrees", "agrees"]


def test_the_vectorised_path_shrinks_the_step_like_the_scalar_path():
    # Loose bounds (fast oscillation) and a domain edge (log near 0) make the step shrink;
    # the vectorised path retries all such partials together and must end where the
    # scalar path, which retries one partial at a time, ends.
    xs = [variable(f"x{i}") for i in range(4)]
    f = sp.Mul(*[sp.sin(300 * s) for s in xs[:3]]) * sp.log(xs[3])
    point = {s: (i % 7 + 1) / 10 for i, s in enumerate(xs)} | {xs[3]: 1e-5}
    exacts = [float(sp.diff(f, s).subs(point)) for s in xs]
    vec = check_gradient(f, xs, point, exacts, backend="numpy")
    sca = check_gradient(f, xs, point, exacts, backend="math")
    assert [c.verdict for c in vec] == ["agrees"] * 4
    assert vec[3].step < 1e-5
    for a, b in zip(vec, sca):
        assert (a.step, a.bound) == (b.step, b.bound)
        assert a.estimate == pytest.approx(b.estimate, rel=1e-12)
    wrong = check_gradient(f, xs, point, [e * (1 + 1e-5) for e in exacts], backend="numpy")
    assert [c.verdict for c in wrong] == ["disagrees"] * 4
