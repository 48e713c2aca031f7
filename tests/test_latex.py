"""LaTeX for slides: every mode with math has ``--format latex``, shows the point, compiles.

The documents are compiled with pdflatex when it is installed; in CI (``CI=true``) a
missing pdflatex is a failure, not a skip (``.ci/run`` installs one).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import sympy as sp

from symgrad import latex
from symgrad.cli import main

ROOT = Path(__file__).resolve().parent.parent

MODES = {
    "grad": ["x^2*sin(x)", "--at", "x=pi"],
    "grad-several": ["w*x + b", "--at", "w=2,x=3,b=1"],
    "steps": ["x*sin(x^2)", "--steps", "--at", "x=1"],
    "order": ["x^3*exp(x)", "--order", "2", "--at", "x=1"],
    "hessian": ["x^2*y + y^3", "--hessian", "--at", "x=1,y=2"],
    "jacobian": ["x*y, x+y", "--jacobian", "--at", "x=1,y=2"],
    "direction": ["x^2 + y^2", "--direction", "3,4", "--at", "x=1,y=1"],
    "check": ["check", "x*sin(x^2)", "--answer", "sin(x^2) + x*cos(x^2)", "--reveal"],
    "step": ["step", "w*w+2", "--at", "w=10", "--optimizer", "adam", "--lr", "0.5"],
    "critic": ["critic", str(ROOT / "examples" / "critic.json")],
    "spot-check": ["sin(x)*y", "--check", "3"],
}


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


@pytest.fixture(scope="module")
def bodies():
    """Each mode's ``--format latex`` output (computed once for all the tests below)."""
    out = {}
    for key, argv in MODES.items():
        from symgrad.cli import build_parser
        from symgrad.output import Output

        name = argv[0] if argv[0] in ("check", "step", "critic") else "grad"
        rest = argv[1:] if name != "grad" else argv
        parser, module = build_parser(name)
        result = module.compute(parser.parse_args(rest))
        import io

        buf = io.StringIO()
        Output("latex", buf).emit(result)
        out[key] = buf.getvalue()
    return out


@pytest.mark.parametrize("key", list(MODES))
def test_every_mode_is_an_unnumbered_align_block(bodies, key):
    body = bodies[key]
    assert body.count(r"\begin{align*}") >= 1 and r"\begin{align}" not in body
    assert body.count("{") == body.count("}")
    assert all(ord(ch) < 128 for ch in body), "pdflatex reads ASCII math"


def test_the_point_is_shown_with_d_for_one_variable(capsys):
    code, out = run(capsys, "x^2*sin(x)", "--at", "x=pi", "--format", "latex")
    assert code == 0
    assert r"\left.\frac{dy}{dx}\right|_{x=\pi} &= - \pi^{2}" in out
    assert r"\partial" not in out


def test_several_variables_use_partial(bodies):
    assert (
        r"\left.\frac{\partial y}{\partial w}\right|_{w=2,\, x=3,\, b=1} &= 3"
        in bodies["grad-several"]
    )


def test_higher_orders_show_their_value(bodies):
    body = bodies["order"]
    assert r"\frac{d^{2} y}{dx^{2}}" in body
    assert r"\left.\frac{d^{2} y}{dx^{2}}\right|_{x=1} &= 13 e \approx 35.3377" in body


def test_matrices_show_the_exact_and_float_values(bodies):
    assert r"\left.H\right|_{x=1,\, y=2}" in bodies["hessian"]
    assert r"\approx \begin{bmatrix}" not in bodies["jacobian"]  # exact integers say it all
    from symgrad.higher import hessian

    assert r"\approx \begin{bmatrix}" in hessian("exp(x*y)", at="x=1,y=1").to_latex()


def test_helpers():
    assert latex.derivative("y", ["x", "y"], several=True) == (
        r"\frac{\partial^{2} y}{\partial y \partial x}"
    )
    assert latex.value(sp.sqrt(2), 2**0.5) == r"\sqrt{2} \approx 1.41421"
    assert latex.value(sp.Integer(10) ** 100, 1e100) == r"\approx 1 \times 10^{100}"
    assert latex.text("a_b & 50% ∂") == r"\text{a\_b \& 50\% $\partial$}"


def test_standalone_needs_latex(capsys):
    assert main(["x^2", "--standalone", "--format", "json"]) == 2
    assert "--standalone" in capsys.readouterr().err


def _pdflatex():
    exe = shutil.which("pdflatex")
    if exe is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must install pdflatex (.ci/run does)")
        pytest.skip("needs pdflatex")
    return exe


def _compile(tex: str, tmp_path: Path) -> None:
    (tmp_path / "slides.tex").write_text(tex, encoding="utf-8")
    done = subprocess.run(
        [_pdflatex(), "-interaction=nonstopmode", "-halt-on-error", "slides.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert (tmp_path / "slides.pdf").stat().st_size > 1000


def test_standalone_document_compiles(capsys, tmp_path):
    code, out = run(capsys, "x^2*sin(x)", "--at", "x=pi", "--format", "latex", "--standalone")
    assert code == 0
    assert out.startswith(r"\documentclass") and out.rstrip().endswith(r"\end{document}")
    _compile(out, tmp_path)


def test_every_mode_compiles(bodies, tmp_path):
    """All the blocks in one document: one pdflatex run for every mode."""
    _compile(latex.document("\n\n".join(bodies.values()), standalone=True), tmp_path)
