"""``symgrad graph EXPR --at ...``: through main(), with capsys."""

from __future__ import annotations

import json

import pytest

from symgrad.cli import main


def test_plain_tape_and_fan_in_sum(capsys):
    assert main(["graph", "w*w + 2", "--at", "w=10", "--format", "plain"]) == 0
    out = capsys.readouterr().out
    assert "  v1    w⋅w        w, w    100" in out
    assert "grad(w)  = grad(v1)⋅∂v1/∂w + grad(v1)⋅∂v1/∂w = 1⋅10 + 1⋅10 = 20" in out
    assert "gradients: [20.0]" in out


def test_json_and_unconnected(capsys):
    assert main(["graph", "w - w + x", "--at", "w=2,x=3,v=1", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["tf_gradients"] == [0.0, 1.0, None]
    assert data["as_typed"] == "-w + w + x"
    assert data["exit_code"] == 0


def test_plot_writes_the_picture(capsys, tmp_path):
    path = tmp_path / "g.png"
    assert main(["graph", "x*sin(x^2)", "--at", "x=1", "--plot", str(path)]) == 0
    assert path.read_bytes()[:4] == b"\x89PNG"
    assert f"picture of the graph written to {path}" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv,code,message",
    [
        (["graph", "w*w"], 2, "needs a point"),
        (["graph", "w*w +", "--at", "w=1"], 2, "ends too early"),
        (["graph", "w*w", "--at", "w=1", "--hessian"], 2, "first derivatives only"),
        (["graph", "w*w, w", "--at", "w=1", "--jacobian"], 2, "one output"),
        (["graph", "w*w", "--at", "w=1", "--plot", "g.pdf"], 2, ".png or .svg"),
        (["graph", "x" * 3000, "--at", "x=1"], 3, "too long"),
        (["graph", "sqrt(x)", "--at", "x=0"], 1, ""),
    ],
)
def test_bad_input_exit_codes(capsys, argv, code, message):
    assert main(argv) == code
    captured = capsys.readouterr()
    assert message in captured.err + captured.out
    assert "Traceback" not in captured.err


def test_too_big_to_draw_offers_the_table(capsys, tmp_path):
    expr = " + ".join(f"sin(x{i})" for i in range(41))
    at = ",".join(f"x{i}=1" for i in range(41))
    assert main(["graph", expr, "--at", at, "--plot", str(tmp_path / "g.png")]) == 3
    err = capsys.readouterr().err
    assert "too many to draw legibly" in err and "drop --plot to see the table" in err
    assert not list(tmp_path.iterdir())
