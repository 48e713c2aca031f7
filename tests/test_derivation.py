"""Derivations as users see them: the API, the outline, JSON, LaTeX and ``--steps``."""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess

import pytest
import sympy as sp

import symgrad
from symgrad.cli import main
from symgrad.derivation import SIMPLIFY_MAX_OPS, Derivation, Derivations, steps, tidy
from symgrad.errors import InputError
from symgrad.parse import variable

x, y = variable("x"), variable("y")

ISSUE_EXAMPLE = """\
d/dx [x⋅sin(x²)]
1. Product rule: (u⋅v)' = u'⋅v + u⋅v'   with u = x, v = sin(x²)
   1.1 Variable rule: d/dx x = 1
   1.2 Chain rule: d/dx sin(g) = cos(g)⋅g'   with g = x²
       1.2.1 Power rule: d/dx x² = 2⋅x
       ⇒ d/dx sin(x²) = 2⋅x⋅cos(x²)
   ⇒ d/dx [x⋅sin(x²)] = 2⋅x²⋅cos(x²) + sin(x²)
2. Simplify: 2⋅x²⋅cos(x²) + sin(x²)
"""


def test_api_returns_a_derivation_that_renders_itself(render):
    d = symgrad.steps("x*sin(x^2)", wrt="x")
    assert isinstance(d, Derivation)
    assert d.plain_text() == ISSUE_EXAMPLE
    assert render(d) == ISSUE_EXAMPLE
    assert sp.simplify(d.result - sp.diff(x * sp.sin(x**2), x)) == 0


def test_a_sympy_expression_is_accepted():
    plain = sp.Symbol("x")  # a plain symbol: made real like every symgrad variable
    d = steps(plain**3, wrt="x")
    assert d.result == 3 * x**2


def test_several_variables_give_one_derivation_each_with_the_others_held():
    ds = steps("x*y^2 + sin(x*y)")
    assert isinstance(ds, Derivations)
    assert [d.variable for d in ds] == ["x", "y"]
    assert ds[0].held == ("y",) and ds[1].held == ("x",)
    text = ds.plain_text()
    assert "∂/∂x [x⋅y² + sin(x⋅y)]   (y held constant)" in text
    assert "∂/∂y [x⋅y² + sin(x⋅y)]   (x held constant)" in text
    for d in ds:
        assert sp.simplify(d.result - sp.diff(x * y**2 + sp.sin(x * y), d.var)) == 0


def test_wrt_order_is_kept():
    assert [d.variable for d in steps("x*y", wrt="y,x")] == ["y", "x"]
    assert [d.variable for d in steps("x*y", wrt=["y"])] == ["y"]


def test_with_a_point_the_values_come_too():
    ds = steps("w*w+2", at="w=10")
    assert isinstance(ds, Derivations)
    assert ds.gradient.compute_gradients() == [(20.0, 10.0)]
    assert "compute_gradients: [(20.0, 10.0)]" in ds.plain_text()


def test_bad_input_is_an_input_error():
    with pytest.raises(InputError):
        steps("x +* 2")
    with pytest.raises(InputError):
        steps("x", wrt=[])


def test_json_schema():
    data = steps("x*sin(x^2)", wrt="x").to_dict()
    assert data["expression"] == "x*sin(x**2)"
    assert data["variable"] == "x"
    assert data["derivative"] == "2*x**2*cos(x**2) + sin(x**2)"
    product, simplify = data["steps"]
    assert product["rule"] == "Product rule"
    assert product["with"] == {"u": "x", "v": "sin(x**2)"}
    assert [s["rule"] for s in product["substeps"]] == ["Variable rule", "Chain rule"]
    chain = product["substeps"][1]
    assert chain["result"] == "2*x*cos(x**2)"
    assert chain["substeps"][0] == {
        "rule": "Power rule",
        "expression": "x**2",
        "result": "2*x",
        "statement": "d/dx x² = 2⋅x",
        "substeps": [],
    }
    assert simplify["rule"] == "Simplify"


def test_latex_is_an_align_block():
    tex = steps("x*sin(x^2)", wrt="x").to_latex()
    assert tex.startswith("\\begin{align*}") and tex.endswith("\\end{align*}")
    assert r"\text{1.2 Chain rule: }" in tex
    assert tex.count("{") == tex.count("}")


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="needs pdflatex")
@pytest.mark.parametrize("text", ["x*sin(x^2)", "x^x + abs(x) - relu(x)/sqrt(x)", "x*y^2"])
def test_latex_compiles(text, tmp_path):
    result = steps(text)
    body = result.to_latex()
    doc = "\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n"
    doc += body + "\n\\end{document}\n"
    (tmp_path / "d.tex").write_text(doc, encoding="utf-8")
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "d.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stdout[-2000:]


def test_tidy_never_changes_the_value_and_skips_big_expressions():
    raw = x * 2 * x * sp.cos(x**2) + sp.sin(x**2) * 1
    assert sp.simplify(tidy(raw) - raw) == 0
    big = sum(sp.sin(i * x) * x**i for i in range(1, 30))
    assert sp.count_ops(big) > SIMPLIFY_MAX_OPS
    assert tidy(big) is big


def test_derivations_pickle_for_the_worker():
    ds = steps("x*sin(y)", at="x=1,y=2")
    again = pickle.loads(pickle.dumps(ds))
    assert again.plain_text() == ds.plain_text()


# -- the command line ---------------------------------------------------------------


def test_cli_steps(capsys):
    assert main(["x*sin(x^2)", "--steps", "--format", "plain"]) == 0
    assert capsys.readouterr().out == ISSUE_EXAMPLE


def test_cli_steps_at_a_point_shows_the_values_and_tensorflow_lines(capsys):
    assert main(["w*w+2", "--steps", "--at", "w=10", "--format", "plain"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("d/dw [w² + 2]\n1. Sum rule:")
    assert "compute_gradients: [(20.0, 10.0)]" in out
    assert "gradients:         [20.0]" in out


def test_cli_steps_exit_code_follows_the_point(capsys):
    expected = steps("abs(x)", at="x=0").exit_code
    assert main(["abs(x)", "--steps", "--at", "x=0", "--format", "plain"]) == expected
    out = capsys.readouterr().out
    assert "not differentiable where x = 0" in out


def test_cli_steps_json(capsys):
    assert main(["x*y", "--steps", "--wrt", "y,x", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["variable"] for d in data["derivations"]] == ["y", "x"]
    assert data["gradient"] is None


def test_cli_steps_latex(capsys):
    assert main(["x^3", "--steps", "--format", "latex"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\\begin{align*}")


def test_cli_steps_bad_input_is_one_line(capsys):
    assert main(["sin(x", "--steps"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("symgrad: error:") and "Traceback" not in err


def test_rich_output_names_the_rules(capsys):
    assert main(["x*sin(x^2)", "--steps", "--format", "rich"]) == 0
    out = capsys.readouterr().out
    assert "\x1b[" in out  # styled
    assert "Product rule" in out and "Chain rule" in out


def test_cli_steps_passes_unconnected_and_no_check_on(capsys):
    assert main(["w*w", "--steps", "--at", "w=10,v=3", "--unconnected", "zero"]) == 0
    assert "compute_gradients: [(20.0, 10.0), (0.0, 3.0)]" in capsys.readouterr().out
    ds = steps("w*w", at="w=10", check=False)
    assert ds.gradient.partials[0].check is None


def test_simplification_runs_under_a_budget_and_the_steps_always_come():
    import time

    from symgrad.derivation import SIMPLIFY_BUDGET, BudgetExceededError, cpu_budget

    text = "exp(sin(x^2))^3*log(1+x^4)/(1+tanh(x))"
    start = time.process_time()
    d = steps(text, wrt="x")
    spent = time.process_time() - start
    expected = sp.diff(symgrad.parse(text).expr, x)
    for value in (0.3, -1.2, 2.0):
        assert abs(float((d.result - expected).subs(x, value))) < 1e-9
    assert spent < SIMPLIFY_BUDGET + 2.0  # the budget bounds simplify; no run-away search
    with pytest.raises(BudgetExceededError), cpu_budget(0.05):
        while True:
            sum(range(1000))


def test_big_outlines_abbreviate_inner_formulas_but_keep_the_answer_whole():
    from symgrad.derivation import SHOWN_NODES, Shown
    from symgrad.printing import inline

    big = sp.Add(*(sp.sin(sp.cos(x**2 / k + 1)) * sp.exp(x / k) for k in range(1, 40)))
    d = steps(big, wrt="x")
    lines = d.plain_text(100_000).splitlines()
    assert lines[0] == f"d/dx [{inline(big)}]"
    assert lines[-1] == f"2. Simplify: {inline(d.result)}"
    assert any("…" in line for line in lines[1:-1])
    for value in (0.3, 1.7):
        assert abs(float((d.result - sp.diff(big, x)).subs(x, value))) < 1e-9
    shown = Shown()
    small = shown.abbreviated(d.root.result)
    assert shown.size(small) <= 2 * SHOWN_NODES


def _formulas():
    """Sums and products of every shape the printer orders: powers of several bases (negative
    and fractional too), functions, constants, floats, numbers first and last."""
    import random

    a, b, c = variable("a"), variable("b"), variable("c")
    rng = random.Random(5)
    atoms = [a, b, c, sp.Integer(2), sp.Rational(-3, 2), sp.pi, sp.E, sp.sqrt(2), sp.Float(1.5)]

    def make(depth):
        if depth == 0:
            return rng.choice(atoms)
        kind = rng.randrange(6)
        if kind == 0:
            return sp.Add(*(make(depth - 1) for _ in range(rng.randint(2, 5))))
        if kind == 1:
            return sp.Mul(*(make(depth - 1) for _ in range(rng.randint(2, 4))))
        if kind == 2:
            return make(depth - 1) ** rng.choice([2, 3, -1, -2, sp.Rational(1, 2), b])
        if kind == 3:
            return rng.choice([sp.sin, sp.exp, sp.log])(make(depth - 1))
        if kind == 4:
            return make(depth - 1) - make(depth - 1)
        return 1 - 2 * make(depth - 1)

    return [make(rng.randint(1, 4)) for _ in range(150)]


def test_the_remembered_order_is_sympys_order():
    # The outline orders terms and factors with sort keys computed once (SymPy recomputes
    # them once its cache is full); the order, and so every line, must be SymPy's.
    from symgrad.printing import Ordering

    for formula in _formulas():
        order = Ordering()
        for node in sp.preorder_traversal(formula):
            if node.is_Add:
                assert order.terms(node) == node.as_ordered_terms(), node
            elif node.is_Mul:
                assert order.factors(node) == node.as_ordered_factors(), node


def test_the_outline_printer_prints_as_inline():
    from symgrad.printing import inline, inline_printer

    show = inline_printer()  # one printer for all: what it remembers must not leak
    half = sp.Float(0.5)
    for formula in [half * variable("a"), half, *_formulas()]:
        assert show(formula) == inline(formula), formula
