"""Immutable result objects for gradients; they render themselves.

A :class:`GradientResult` holds the exact SymPy answer and the numbers derived
from it. It prints as rich text (``__rich_console__``), as JSON-ready data
(:meth:`GradientResult.to_dict`) and as LaTeX (:meth:`GradientResult.to_latex`),
and answers TensorFlow's two questions: :meth:`GradientResult.compute_gradients`
and :meth:`GradientResult.gradients`.

The records are ``typing.NamedTuple`` rather than frozen dataclasses: just as
immutable and typed, but about ten times cheaper to define, which matters on
a command line whose whole budget beyond ``import sympy`` is a few tens of ms.

>>> GradPair(20.0, 10.0)
(20.0, 10.0)
>>> g, v = GradPair(20.0, 10.0); g
20.0
"""

from __future__ import annotations

import math
from typing import NamedTuple

import sympy as sp

from symgrad.check import Check
from symgrad.errors import EXIT_MATH, EXIT_OK, InputError
from symgrad.printing import pretty
from symgrad.render import StyledLines

OUTPUT = sp.Symbol("y")


def output_name(names) -> str:
    """The letter for the function's value: ``y``, unless ``y`` is one of its variables."""
    taken = set(names)
    return next(n for n in ("y", "f", "z", "F", "out") if n not in taken)


class GradPair(NamedTuple):
    """One ``(gradient, value)`` pair, as ``compute_gradients`` returns it."""

    gradient: float | None
    value: float

    def __repr__(self) -> str:
        return f"({self.gradient!r}, {self.value!r})"


class Partial(NamedTuple):
    """One partial derivative: exact formula, exact value at the point, float, evidence."""

    variable: str
    symbol: sp.Symbol
    derivative: sp.Expr
    connected: bool
    exact: sp.Expr | None = None
    value: float | None = None
    check: Check | None = None

    def label(self, output: str = "y") -> sp.Symbol:
        """The symbol ``∂y/∂w`` used to print this derivative."""
        return sp.Symbol(f"∂{output}/∂{pretty(self.symbol)}")

    def latex_label(self, output: str = "y") -> str:
        return r"\frac{\partial %s}{\partial %s}" % (output, sp.latex(self.symbol))


class GradientResult(NamedTuple):
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
    text: str | None = None

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

    @property
    def output(self) -> str:
        """The name of the function's value in the output: ``y`` unless ``y`` is a variable."""
        return output_name({*self.variables, *(s.name for s in self.expr.free_symbols)})

    # -- LaTeX ----------------------------------------------------------------------

    def to_latex(self) -> str:
        lines = [r"%s &= %s" % (self.output, sp.latex(self.expr))]
        for p in self.partials:
            line = r"%s &= %s" % (p.latex_label(self.output), sp.latex(p.derivative))
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

    def lines(self) -> list[tuple[str, str]]:
        """The layout as ``(text, style)`` lines: rich styles them, plain output does not."""
        y = self.output
        out: list[tuple[str, str]] = [
            (pretty(sp.Eq(sp.Symbol(y), self.expr, evaluate=False)), "bold"),
            ("", ""),
        ]
        for p in self.partials:
            line = pretty(sp.Eq(p.label(y), p.derivative, evaluate=False))
            if not p.connected:
                line += f"   ({y} does not depend on {p.variable})"
            out.append((line, "cyan"))
        if self.point is None:
            return out
        point = dict(self.point)
        where = ", ".join(f"{name} = {_number(v)}" for name, v in point.items())
        out += [("", ""), (f"At {where}:", "bold")]
        rows = [(y, _value_text(self.exact_value, self.value), None)]
        for p in self.partials:
            if not p.connected:
                tf = "0.0" if self.unconnected == "zero" else "None"
                rows.append(
                    (pretty(p.label(y)), (f"0   (not connected: TensorFlow gives {tf})", ""), None)
                )
            else:
                rows.append((pretty(p.label(y)), _value_text(p.exact, p.value), p.check))
        label_width = max(len(label) for label, _, _ in rows)
        value_width = max(
            len(value[0]) for label, value, check in rows if check is not None or label == y
        )
        for label, (value, style), check in rows:
            text = "  " + label.ljust(label_width) + " = " + value
            if check is not None:
                check_text, check_style = _check_text(check)
                text += " " * (value_width - len(value) + 3) + check_text
                style = style or check_style
            out.append((text, style))
        cg, tg = self.tf_lines()
        out += [("", ""), (cg, "bold green"), (tg, "bold green")]
        if self.notes or self.problems:
            out.append(("", ""))
        out += [(f"note: {note}", "yellow") for note in self.notes]
        out += [(f"problem: {problem}", "bold red") for problem in self.problems]
        return out

    plain_text = StyledLines.plain_text
    __str__ = StyledLines.__str__
    __rich_console__ = StyledLines.__rich_console__


def _number(value: sp.Expr) -> str:
    text = sp.sstr(value)
    return text if len(text) <= 40 else repr(float(value))


def _value_text(exact: sp.Expr | None, value: float | None) -> tuple[str, str]:
    """The exact value, and its float when that says something more; with a style."""
    if exact is None:  # too large to evaluate exactly: the float64 of compiled code
        return ("undefined", "red") if value is None else (f"{value!r} (float64)", "")
    shown = sp.sstr(exact)
    if exact.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        framework = "" if value is None else f"; float64 gives {value!r}"
        return f"infinite or undefined{framework}", "red"
    if value is None:
        return f"{shown} (not a real number)", "red"
    if math.isinf(value):
        big = str(sp.N(exact, 6)).replace("E", "e")
        return f"{shown} ≈ {big} (too large for float64)", "yellow"
    as_float = repr(value)
    if exact.is_Integer and len(shown) <= 17:
        return shown, ""
    if shown == as_float or len(shown) > 40:
        return as_float, ""
    return f"{shown} ≈ {as_float}", ""


def _check_text(check: Check) -> tuple[str, str]:
    style = {"agrees": "green", "disagrees": "bold red"}.get(check.verdict, "yellow")
    mark = {"agrees": "✓", "disagrees": "✗"}.get(check.verdict, "·")
    return f"{mark} {check.explain()}", style
