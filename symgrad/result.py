"""Frozen result objects for gradients; they render themselves.

A :class:`GradientResult` holds the exact SymPy answer and the numbers derived
from it. It prints as rich text (``__rich_console__``), as JSON-ready data
(:meth:`GradientResult.to_dict`) and as LaTeX (:meth:`GradientResult.to_latex`),
and answers TensorFlow's two questions: :meth:`GradientResult.compute_gradients`
and :meth:`GradientResult.gradients`.

>>> GradPair(20.0, 10.0)
(20.0, 10.0)
>>> g, v = GradPair(20.0, 10.0); g
20.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

import sympy as sp

from symgrad.check import Check
from symgrad.errors import EXIT_MATH, EXIT_OK, InputError
from symgrad.printing import pretty

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console, ConsoleOptions, RenderResult

OUTPUT = sp.Symbol("y")


class GradPair(NamedTuple):
    """One ``(gradient, value)`` pair, as ``compute_gradients`` returns it."""

    gradient: float | None
    value: float

    def __repr__(self) -> str:
        return f"({self.gradient!r}, {self.value!r})"


@dataclass(frozen=True)
class Partial:
    """One partial derivative: exact formula, exact value at the point, float, evidence."""

    variable: str
    symbol: sp.Symbol
    derivative: sp.Expr
    connected: bool
    exact: sp.Expr | None = None
    value: float | None = None
    check: Check | None = None

    def label(self) -> sp.Symbol:
        """The symbol ``∂y/∂w`` used to print this derivative."""
        return sp.Symbol(f"∂y/∂{pretty(self.symbol)}")

    def latex_label(self) -> str:
        return r"\frac{\partial y}{\partial %s}" % sp.latex(self.symbol)


@dataclass(frozen=True)
class GradientResult:
    """The gradient of one expression: exact derivatives, values at a point, evidence."""

    expr: sp.Expr
    variables: tuple[str, ...]
    partials: tuple[Partial, ...]
    point: tuple[tuple[str, sp.Expr], ...] | None = None
    exact_value: sp.Expr | None = None
    value: float | None = None
    unconnected: str = "none"
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    text: str | None = field(default=None, compare=False)

    # -- TensorFlow's two answers -------------------------------------------------

    def _require_point(self, what: str) -> dict[str, sp.Expr]:
        if self.point is None:
            raise InputError(
                f"{what} needs a point", hint='pass at={"w": 10} (on the command line: --at w=10)'
            )
        return dict(self.point)

    def _tf_gradient(self, p: Partial) -> float | None:
        if not p.connected:
            return 0.0 if self.unconnected == "zero" else None
        return p.value

    def compute_gradients(self) -> list[GradPair]:
        """``opt.compute_gradients(y, var_list)``: ``[(gradient, value), ...]``.

        >>> from symgrad import grad
        >>> grad("w*w+2", at={"w": 10}).compute_gradients()
        [(20.0, 10.0)]
        """
        point = self._require_point("compute_gradients")
        return [GradPair(self._tf_gradient(p), float(point[p.variable])) for p in self.partials]

    def gradients(self) -> list[float | None]:
        """``tf.gradients(y, xs)``: the gradients only.

        >>> from symgrad import grad
        >>> grad("w*w+2", at={"w": 10}).gradients()
        [20.0]
        """
        self._require_point("gradients")
        return [self._tf_gradient(p) for p in self.partials]

    # -- conveniences ---------------------------------------------------------------

    @property
    def derivatives(self) -> dict[str, sp.Expr]:
        """The exact partial derivatives by variable name."""
        return {p.variable: p.derivative for p in self.partials}

    @property
    def exit_code(self) -> int:
        return EXIT_MATH if self.problems else EXIT_OK

    # -- JSON -----------------------------------------------------------------------

    def to_dict(self) -> dict[str, object]:
        point = dict(self.point) if self.point is not None else None
        data: dict[str, object] = {
            "expression": str(self.expr),
            "variables": list(self.variables),
            "point": {k: float(v) for k, v in point.items()} if point is not None else None,
            "value": self.value,
            "exact_value": str(self.exact_value) if self.exact_value is not None else None,
            "gradients": [
                {
                    "variable": p.variable,
                    "derivative": str(p.derivative),
                    "connected": p.connected,
                    "exact": str(p.exact) if p.exact is not None else None,
                    "value": p.value,
                    "check": p.check.to_dict() if p.check is not None else None,
                }
                for p in self.partials
            ],
            "compute_gradients": None,
            "tf_gradients": None,
            "unconnected": self.unconnected,
            "problems": list(self.problems),
            "notes": list(self.notes),
            "exit_code": self.exit_code,
        }
        if point is not None:
            data["compute_gradients"] = [list(pair) for pair in self.compute_gradients()]
            data["tf_gradients"] = self.gradients()
        return data

    # -- LaTeX ----------------------------------------------------------------------

    def to_latex(self) -> str:
        lines = [r"y &= %s" % sp.latex(self.expr)]
        for p in self.partials:
            line = r"%s &= %s" % (p.latex_label(), sp.latex(p.derivative))
            if p.exact is not None:
                line += r" = %s" % sp.latex(p.exact)
            lines.append(line)
        return "\\begin{align}\n" + " \\\\\n".join(lines) + "\n\\end{align}"

    # -- rich -----------------------------------------------------------------------

    def tf_lines(self) -> tuple[str, str]:
        """The two lines TensorFlow would print, as text."""
        return (
            f"compute_gradients: {self.compute_gradients()!r}",
            f"gradients:         {self.gradients()!r}",
        )

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.text import Text

        yield Text(pretty(sp.Eq(OUTPUT, self.expr, evaluate=False)), style="bold")
        yield Text("")
        for p in self.partials:
            line = Text(pretty(sp.Eq(p.label(), p.derivative, evaluate=False)), style="cyan")
            if not p.connected:
                line.append(f"   (y does not depend on {p.variable})", style="dim")
            yield line
        if self.point is None:
            return
        point = dict(self.point)
        yield Text("")
        where = ", ".join(f"{name} = {_number(v)}" for name, v in point.items())
        yield Text(f"At {where}:", style="bold")
        rows = [("y", _value_text(self.exact_value, self.value), None)]
        for p in self.partials:
            if not p.connected:
                tf = "0.0" if self.unconnected == "zero" else "None"
                rows.append(
                    (pretty(p.label()), Text(f"0   (not connected: TensorFlow gives {tf})"), None)
                )
            else:
                rows.append((pretty(p.label()), _value_text(p.exact, p.value), p.check))
        label_width = max(len(label) for label, _, _ in rows)
        value_width = max(
            (len(value.plain) for label, value, check in rows if check is not None or label == "y"),
        )
        for label, value, check in rows:
            line = Text("  " + label.ljust(label_width) + " = ")
            line.append_text(value)
            if check is not None:
                line.append(" " * (value_width - len(value.plain) + 3))
                line.append_text(_check_text(check))
            yield line
        yield Text("")
        cg, tg = self.tf_lines()
        yield Text(cg, style="bold green")
        yield Text(tg, style="bold green")
        if self.notes or self.problems:
            yield Text("")
        for note in self.notes:
            yield Text(f"note: {note}", style="yellow")
        for problem in self.problems:
            yield Text(f"problem: {problem}", style="bold red")


def _number(value: sp.Expr) -> str:
    text = sp.sstr(value)
    return text if len(text) <= 40 else repr(float(value))


def _value_text(exact: sp.Expr | None, value: float | None):
    """The exact value, and its float when that says something more."""
    from rich.text import Text

    if exact is None:
        return Text("undefined", style="red")
    shown = sp.sstr(exact)
    if exact.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        framework = "" if value is None else f"; float64 gives {value!r}"
        return Text(f"infinite or undefined{framework}", style="red")
    if value is None:
        return Text(f"{shown} (not a real number)", style="red")
    if math.isinf(value):
        return Text(
            f"{shown} ≈ {str(sp.N(exact, 6)).replace('E', 'e')} (too large for float64)",
            style="yellow",
        )
    as_float = repr(value)
    if exact.is_Integer and len(shown) <= 17:
        return Text(shown)
    if shown == as_float or len(shown) > 40:
        return Text(as_float)
    return Text(f"{shown} ≈ {as_float}")


def _check_text(check: Check | None):
    from rich.text import Text

    if check is None:
        return Text("")
    style = {"agrees": "green", "disagrees": "bold red"}.get(check.verdict, "yellow")
    mark = {"agrees": "✓", "disagrees": "✗"}.get(check.verdict, "·")
    return Text(f"{mark} {check.explain()}", style=style)
