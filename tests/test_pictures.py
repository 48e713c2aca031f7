"""Pictures: the files exist, are real PNGs of a sensible size, and errors are clean."""

import struct

import numpy as np
import pytest
import sympy as sp

from symgrad.cli import main
from symgrad.errors import InputError
from symgrad.numeric import compile_expr
from symgrad.parse import variable
from symgrad.pictures import break_jumps, plot


def _png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_one_variable_tangent_picture(tmp_path):
    path = tmp_path / "tangent.png"
    picture = plot("x*sin(x)", at="x=1", path=path)
    assert picture.kind == "tangent" and "slope 1.38177" in picture.description
    width, height = _png_size(path)
    assert width > 500 and height > 500


def test_two_variable_contour_picture(tmp_path):
    path = tmp_path / "contour.png"
    picture = plot("x^2 - x*y", at="x=1,y=0.5", path=path)
    assert picture.kind == "contour" and "∇f = (1.5, -1)" in picture.description
    assert _png_size(path)[0] > 500


def test_a_function_undefined_on_part_of_the_range(tmp_path):
    path = tmp_path / "log.png"
    plot("log(x)", at="x=0.5", path=path)
    assert _png_size(path)[0] > 500


@pytest.mark.parametrize(
    ("text", "at", "name"),
    [("x", "x=1", "a.txt"), ("x*y*z", "x=1,y=1,z=1", "a.png"), ("x", None, "a.png")],
)
def test_bad_requests(tmp_path, text, at, name):
    with pytest.raises(InputError):
        plot(text, at=at, path=tmp_path / name)


def test_cli_plot_adds_a_note(tmp_path, capsys):
    path = tmp_path / "w.png"
    assert main(["w*w+2", "--at", "w=10", "--plot", str(path), "--format", "plain"]) == 0
    out = capsys.readouterr().out
    assert "compute_gradients: [(20.0, 10.0)]" in out
    assert "picture written to" in out and path.exists()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("abs(x)", "has a kink at x = 0, so no tangent is drawn (the one-sided slopes instead)"),
        ("sign(x)", "jumps at x = 0, so no tangent is drawn"),
        ("relu(x - 1)", None),  # smooth at 0: the tangent
    ],
)
def test_no_tangent_where_none_exists(tmp_path, text, words):
    picture = plot(text, at="x=0", path=tmp_path / "p.png")
    if words is None:
        assert "its tangent line at x = 0 (slope 0)" in picture.description
    else:
        assert words in picture.description
    assert (tmp_path / "p.png").stat().st_size > 1000


def test_a_jump_is_drawn_with_a_gap_not_a_vertical_line():
    x = variable("x")
    xs = np.linspace(-1, 1, 9)  # the switch at 0 falls on a sample: still one gap
    for e in (sp.sign(x), sp.Heaviside(x - 0.3, 0), sp.sign(x) + x):
        f = compile_expr(e, [x], backend="numpy")
        gx, gy = break_jumps(xs, np.broadcast_to(f(xs), xs.shape), e, f, x)
        assert np.isnan(gy).any()
        steps = np.abs(np.diff(gy))  # a segment across the jump would be a step of 1
        assert (steps[np.isfinite(steps)] < 0.5).all()
        assert np.all(np.diff(gx) >= 0)
    smooth = compile_expr(sp.Abs(x), [x], backend="numpy")
    assert not np.isnan(break_jumps(xs, smooth(xs), sp.Abs(x), smooth, x)[1]).any()
