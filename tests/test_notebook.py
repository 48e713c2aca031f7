"""Results in Jupyter: the display bundle, and real notebooks executed in a real kernel.

The README's notebook example and a lesson (a jupytext percent-format file) are run
with nbclient and ipykernel; their outputs must carry typeset math (``text/latex`` or
``text/html`` with LaTeX) and pictures as ``image/png``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import symgrad
from symgrad.notebook import html_text

ROOT = Path(__file__).resolve().parent.parent
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "make",
    [
        lambda: symgrad.grad("x^2*sin(x)", at={"x": "pi"}),
        lambda: symgrad.steps("x*sin(x^2)", at={"x": 1}),
        lambda: symgrad.steps("x*sin(x^2)", wrt="x"),
        lambda: symgrad.hessian("x^2*y + y^3", at={"x": 1, "y": 2}),
        lambda: symgrad.check_answer("x^2", "3*x"),
        lambda: symgrad.optimize("w*w+2", at={"w": 10}, optimizer="sgd", lr=0.1),
        lambda: symgrad.spot_check("sin(x)*y", n=3),
    ],
    ids=["grad", "steps-at", "steps", "hessian", "check", "step", "spot-check"],
)
def test_every_result_has_a_notebook_display(make):
    result = make()
    bundle = result._repr_mimebundle_()
    assert {"text/plain", "text/html", "text/latex"} <= set(bundle)
    assert r"\begin{aligned}" in bundle["text/latex"]
    assert "$$" in bundle["text/html"] and "\\begin{aligned}" in bundle["text/html"]
    assert bundle["text/plain"] == result.plain_text(100).rstrip("\n")


def test_the_html_carries_the_tensorflow_lines_and_the_check():
    html = symgrad.grad("w*w+2", at={"w": 10})._repr_mimebundle_()["text/html"]
    text = html_text(html)
    assert "compute_gradients: [(20.0, 10.0)]" in text
    assert "✓ agrees" in text
    assert r"\left.\frac{dy}{dw}\right|_{w=10} &= 20" in text


def test_a_picture_displays_as_png(tmp_path):
    picture = symgrad.plot("w*w+2", at={"w": 10}, path=tmp_path / "slope.png")
    assert picture._repr_png_().startswith(PNG)


# -- real notebooks in a real kernel ----------------------------------------------------------


def _readme_cells() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"<!-- notebook:[^>]*-->\n```python\n(.*?)```", readme, re.S)
    assert m, "README.md shows a notebook example"
    return m.group(1)


def _execute(source: str, cwd: Path):
    jupytext = pytest.importorskip("jupytext")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = jupytext.reads(source, fmt="py:percent")
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    client = nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    )
    client.execute()
    return nb


def _outputs(nb) -> list[dict]:
    return [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]


def test_the_readme_example_runs_as_a_notebook(tmp_path):
    nb = _execute(_readme_cells(), tmp_path)
    outputs = _outputs(nb)
    assert not [o for o in outputs if o.output_type == "error"]
    data = [o.get("data", {}) for o in outputs]
    assert data[0]["text/plain"].startswith("y = x²⋅sin(x)")  # the layout, not the record
    math = [
        d for d in data if "\\begin{aligned}" in d.get("text/latex", "") + d.get("text/html", "")
    ]
    assert len(math) >= 3  # the gradient, the steps, the Hessian
    assert any(r"\left.\frac{dy}{dx}\right|_{x=\pi}" in d.get("text/latex", "") for d in math)
    pictures = [d["image/png"] for d in data if "image/png" in d]
    assert pictures, "the picture shows inline"
    import base64

    assert base64.b64decode(pictures[0]).startswith(PNG)


def test_a_lesson_runs_as_a_notebook(tmp_path):
    source = (ROOT / "lessons" / "05_chain_rule.py").read_text(encoding="utf-8")
    source += '\n# %%\nimport symgrad\nsymgrad.steps("exp(sin(x^2))", at={"x": 1})\n'
    nb = _execute(source, tmp_path)
    outputs = _outputs(nb)
    assert not [o for o in outputs if o.output_type == "error"]
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "Chain rule" in printed  # the lesson's own cells ran and printed their steps
    last = nb.cells[-1].outputs[-1]["data"]
    assert "\\frac{d}{d x}" in last["text/latex"] and "Chain rule" in last["text/html"]
