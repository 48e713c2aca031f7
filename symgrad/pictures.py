"""Pictures of a derivative: the tangent line and slope curve, or contours and the gradient.

One variable: the function with its tangent line at the point (top) and the
derivative curve (bottom), the point marked and labelled on both. Two
variables: filled contours of the function with the gradient arrow at the
point (it crosses the contour lines at right angles). matplotlib is imported
only here, with the Agg backend, so no display is needed.

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "slope.png")
>>> plot("w*w+2", at="w=10", path=path).kind
'tangent'
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import sympy as sp

from symgrad.derive import differentiate
from symgrad.errors import InputError
from symgrad.files import check_target, drawing, save_figure
from symgrad.numeric import compile_expr
from symgrad.parse import variable
from symgrad.printing import inline
from symgrad.problem import problem
from symgrad.result import output_name
from symgrad.special import find_kinks, off_jumps, switches

__all__ = ["Picture", "break_jumps", "plot"]

SAMPLES = 400
GRID = 160


@dataclass(frozen=True)
class Picture:
    """A picture symgrad wrote: where, what kind, and a sentence about it."""

    path: str
    kind: str  # "tangent" or "contour"
    description: str

    def to_dict(self) -> dict[str, object]:
        return {"path": self.path, "kind": self.kind, "description": self.description}

    def _repr_png_(self) -> bytes | None:
        """A notebook shows the picture inline (the PNG file this picture was written to)."""
        try:
            return Path(self.path).read_bytes()
        except OSError:
            return None


def _half_width(x0: float) -> float:
    return max(2.0, 0.5 * abs(x0))


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def plot(
    expr: str | sp.Expr,
    at: Mapping[str, object] | str,
    path: str | Path,
    wrt: Sequence[str] | str | None = None,
) -> Picture:
    """Draw ``expr`` around the point ``at`` into the PNG file ``path``."""
    path = check_target(path)
    if at is None:
        raise InputError("--plot needs a point to mark", hint="add --at x=1")
    request = problem(expr, at, wrt)
    parsed, names, point = request.parsed, list(request.names), request.point
    if len(names) not in (1, 2):
        raise InputError(
            f"--plot draws one or two variables, not {len(names)}",
            hint="choose one or two with --wrt; the others stay at their --at values",
        )
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    try:
        with drawing():
            if len(names) == 1:
                fig, picture = _tangent(plt, parsed.expr, names[0], point, path)
            else:
                fig, picture = _contour(plt, parsed.expr, names, point, path)
        save_figure(fig, path, dpi=110)
    finally:
        plt.close("all")
    return picture


def _fixed(point: Mapping[str, sp.Expr], free: Sequence[str]) -> dict[sp.Symbol, float]:
    return {variable(k): float(v) for k, v in point.items() if k not in free}


def _tangent(plt, expr: sp.Expr, name: str, point, path: Path):
    import numpy as np

    x = variable(name)
    fixed = _fixed(point, [name])
    e = expr.xreplace(fixed)
    d = differentiate(e, x)
    x0 = float(point[name])
    f = compile_expr(e, [x], backend="numpy")
    fd = compile_expr(d, [x], backend="numpy")
    y0 = float(f(np.float64(x0)))
    slope = float(fd(np.float64(x0)))
    w = _half_width(x0)
    xs = np.linspace(x0 - w, x0 + w, SAMPLES)
    ys = np.broadcast_to(np.asarray(f(xs), dtype=float), xs.shape)
    dys = np.broadcast_to(np.asarray(fd(xs), dtype=float), xs.shape)
    fig, (top, bottom) = plt.subplots(2, 1, sharex=True, figsize=(7, 7.5))
    out = output_name([name])
    label = f"{out} = {inline(e)}"
    top.plot(*break_jumps(xs, ys, e, f, x), color="tab:blue", lw=2, label=label)
    kink = next(iter(find_kinks(e, {x: point[name]}, [x])), None)
    if kink is not None:  # no tangent: the one-sided slopes (or nothing, at a jump)
        _one_sided_lines(top, bottom, kink, xs, x0, y0)
    elif math.isfinite(y0) and math.isfinite(slope):
        top.plot(xs, y0 + slope * (xs - x0), "--", color="tab:orange", lw=1.5, label="tangent")
        top.plot([x0], [y0], "o", color="black", zorder=5)
        top.annotate(
            f"({_fmt(x0)}, {_fmt(y0)})\nslope {_fmt(slope)}",
            (x0, y0),
            textcoords="offset points",
            xytext=(10, -30 if slope > 0 else 12),
            fontsize=10,
        )
        finite = ys[np.isfinite(ys)]
        if finite.size:
            lo, hi = float(finite.min()), float(finite.max())
            pad = 0.1 * (hi - lo or 1.0)
            top.set_ylim(lo - pad, hi + pad)
    if kink is None:
        top.set_title(f"{out} = {inline(e)} and its tangent at {name} = {_fmt(x0)}")
    else:
        top.set_title(f"{out} = {inline(e)} {kink.kind}s at {name} = {_fmt(x0)}: no tangent")
    top.set_ylabel(out)
    top.legend(loc="best")
    top.grid(alpha=0.3)
    smooth, jumps = off_jumps(d)  # 2⋅DiracDelta(x) is 0 wherever it has a value
    d_label = inline(smooth) + "".join(f" for {inline(a)} ≠ 0" for a in jumps)
    bottom.plot(
        *break_jumps(xs, dys, d, fd, x),
        color="tab:green",
        lw=2,
        label=f"d{out}/d{name} = {d_label}",
    )
    if math.isfinite(slope) and kink is None:
        bottom.plot([x0], [slope], "o", color="black", zorder=5)
        bottom.annotate(
            f"slope {_fmt(slope)}",
            (x0, slope),
            textcoords="offset points",
            xytext=(12, -18),
            fontsize=10,
        )
    bottom.axhline(0, color="grey", lw=0.8)
    bottom.axvline(x0, color="grey", lw=0.8, ls=":")
    top.axvline(x0, color="grey", lw=0.8, ls=":")
    bottom.set_title(f"the derivative d{out}/d{name} = {d_label}")
    bottom.set_xlabel(name)
    bottom.set_ylabel(f"d{out}/d{name}")
    bottom.legend(loc="best")
    bottom.grid(alpha=0.3)
    fig.tight_layout()
    description = (
        f"{out} and its tangent line at {name} = {_fmt(x0)} (slope {_fmt(slope)}), "
        "with the derivative curve below"
    )
    if kink is not None:
        what = "jumps" if kink.kind == "jump" else "has a kink"
        description = (
            f"{out} {what} at {name} = {_fmt(x0)}, so no tangent is drawn"
            + ("" if kink.kind == "jump" else " (the one-sided slopes instead)")
            + ", with the derivative curve below"
        )
    return fig, Picture(str(path), "tangent", description)


def break_jumps(xs, ys, expr: sp.Expr, fn, x: sp.Symbol):
    """The curve with a gap where it jumps (``sign(x)`` at 0), not a vertical line across.

    >>> import numpy as np
    >>> x = variable("x")
    >>> xs = np.array([-1.0, 1.0])
    >>> sign = compile_expr(sp.sign(x), [x], backend="numpy")
    >>> gx, gy = break_jumps(xs, sign(xs), sp.sign(x), sign, x)
    >>> np.isnan(gy).tolist(), bool(abs(gx[1]) < 1e-9)
    ([False, True, False], True)
    """
    import numpy as np

    gaps = []
    for _, arg in switches(expr):
        if x not in arg.free_symbols:
            continue
        g = compile_expr(arg, [x], backend="numpy")
        side = np.sign(np.broadcast_to(np.asarray(g(xs), dtype=float), xs.shape))
        for i in np.nonzero(side[:-1] != side[1:])[0]:
            lo, hi = float(xs[i]), float(xs[i + 1])
            for _ in range(40):  # bisect for the switch
                mid = 0.5 * (lo + hi)
                if np.sign(g(np.float64(mid))) == side[i]:
                    lo = mid
                else:
                    hi = mid
            left, right = float(fn(np.float64(lo))), float(fn(np.float64(hi)))
            scale = 1.0 + max(abs(left), abs(right)) if math.isfinite(left + right) else 1.0
            if not math.isclose(left, right, abs_tol=1e-6 * scale):
                gaps.append((i + 1, 0.5 * (lo + hi)))
    if not gaps:
        return xs, ys
    at = [i for i, _ in gaps]
    return np.insert(xs, at, [c for _, c in gaps]), np.insert(ys, at, np.nan)


def _one_sided_lines(top, bottom, kink, xs, x0: float, y0: float) -> None:
    """At a kink, the two one-sided slopes as half-lines; at a jump, just the point."""
    top.plot([x0], [y0], "o", color="black", zorder=5)
    if kink.kind == "jump":
        top.annotate(
            f"({_fmt(x0)}, {_fmt(y0)})\njump: no tangent", (x0, y0),
            textcoords="offset points", xytext=(10, 12), fontsize=10,
        )  # fmt: skip
        return
    for side, slope, part, color in (
        ("left", kink.left, xs <= x0, "tab:orange"),
        ("right", kink.right, xs >= x0, "tab:red"),
    ):
        if slope is None or not math.isfinite(slope):
            continue
        seg = xs[part]
        top.plot(seg, y0 + slope * (seg - x0), "--", color=color, lw=1.5,
                 label=f"slope from the {side}: {_fmt(slope)}")  # fmt: skip
        bottom.plot([x0], [slope], "o", mfc="white", color="black", zorder=5)
    top.annotate(
        f"({_fmt(x0)}, {_fmt(y0)})\nno tangent: a kink", (x0, y0),
        textcoords="offset points", xytext=(10, 12), fontsize=10,
    )  # fmt: skip


def _contour(plt, expr: sp.Expr, names: Sequence[str], point, path: Path):
    import numpy as np

    x, y = variable(names[0]), variable(names[1])
    e = expr.xreplace(_fixed(point, names))
    gx, gy = differentiate(e, x), differentiate(e, y)
    f = compile_expr(e, [x, y], backend="numpy")
    fx = compile_expr(gx, [x, y], backend="numpy")
    fy = compile_expr(gy, [x, y], backend="numpy")
    x0, y0 = float(point[names[0]]), float(point[names[1]])
    w = max(_half_width(x0), _half_width(y0))
    xs = np.linspace(x0 - w, x0 + w, GRID)
    ys = np.linspace(y0 - w, y0 + w, GRID)
    grid_x, grid_y = np.meshgrid(xs, ys)
    zs = np.broadcast_to(np.asarray(f(grid_x, grid_y), dtype=float), grid_x.shape)
    zs = np.where(np.isfinite(zs), zs, np.nan)
    a, b = float(fx(np.float64(x0), np.float64(y0))), float(fy(np.float64(x0), np.float64(y0)))
    fig, ax = plt.subplots(figsize=(7, 6))
    filled = ax.contourf(grid_x, grid_y, zs, levels=20, cmap="viridis")
    ax.contour(grid_x, grid_y, zs, levels=20, colors="white", linewidths=0.4, alpha=0.6)
    out = output_name(names)
    fig.colorbar(filled, ax=ax, label=out)
    ax.plot([x0], [y0], "o", color="red", zorder=5)
    norm = math.hypot(a, b)
    text = f"∇{out} = ({_fmt(a)}, {_fmt(b)})"
    if math.isfinite(norm) and norm > 0:
        length = 0.3 * w
        ax.annotate(
            "",
            xy=(x0 + length * a / norm, y0 + length * b / norm),
            xytext=(x0, y0),
            arrowprops={"arrowstyle": "-|>", "color": "red", "lw": 2.5},
        )
    ax.annotate(
        f"({_fmt(x0)}, {_fmt(y0)})\n{text}",
        (x0, y0),
        textcoords="offset points",
        xytext=(12, -34),
        color="white",
        fontsize=10,
        bbox={"boxstyle": "round", "fc": "black", "alpha": 0.5},
    )
    ax.set_title(f"{out} = {inline(e)}: contours and the gradient at the point")
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    ax.set_aspect("equal")
    fig.tight_layout()
    description = (
        f"contours of {out} with the gradient arrow {text} at "
        f"({names[0]}, {names[1]}) = ({_fmt(x0)}, {_fmt(y0)})"
    )
    return fig, Picture(str(path), "contour", description)
