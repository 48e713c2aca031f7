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

from typing import NamedTuple

import sympy as sp

from symgrad.check import Check
from symgrad.errors import EXIT_MATH, EXIT_OK, InputError
from symgrad.printing import plain, pretty
from symgrad.render import (
    LN_NOTE,
    Formula,
    Hanging,
    StyledLines,
    message,
    point_text,
    typed_ln,
    typed_order,
    value_table,
    value_text,
)

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
        """The LaTeX ``\\frac{\\partial y}{\\partial w}`` of this derivative."""
        from symgrad.latex import derivative

        return derivative(output, [self.variable], several=True)


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
            "expression": plain(self.expr),
            "variables": list(self.variables),
            "point": {k: float(v) for k, v in point.items()} if point is not None else None,
            "value": self.value,
            "exact_value": plain(self.exact_value) if self.exact_value is not None else None,
            "gradients": [
                {
                    "variable": p.variable,
                    "derivative": plain(p.derivative),
                    "connected": p.connected,
                    "exact": plain(p.exact) if p.exact is not None else None,
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

    def to_latex(self, standalone: bool = False) -> str:
        """The function, its derivatives and their values at the point, as ``align*``.

        ``d`` for a function of one variable, ``∂`` for several; the point is shown
        (``\\left.\\frac{dy}{dx}\\right|_{x=\\pi} = -\\pi^{2}``).
        """
        from symgrad import latex

        y = self.output
        several = latex.several(self.expr, self.variables)
        typed = latex.ordered(self.expr, typed_order(self.expr, self.text))
        rows = [r"%s &= %s" % (latex.symbol(y), typed)]
        for p in self.partials:
            rows.append(
                r"%s &= %s" % (latex.derivative(y, [p.variable], several), latex.expr(p.derivative))
            )
        if self.point is not None:
            point = latex.point(self.point)
            if self.exact_value is not None:
                rows.append(
                    r"\left.%s\right|_{%s} &= %s"
                    % (latex.symbol(y), point, latex.value(self.exact_value, self.value))
                )
            for p in self.partials:
                label = latex.at(latex.derivative(y, [p.variable], several), self.point)
                if not p.connected:
                    tf = "0.0" if self.unconnected == "zero" else "None"
                    rows.append(
                        r"%s &= 0 \quad \text{(not connected: TensorFlow gives %s)}" % (label, tf)
                    )
                else:
                    rows.append(r"%s &= %s" % (label, latex.value(p.exact, p.value)))
        return latex.document(latex.align(rows), standalone)

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
            (Formula(y, self.expr, terms=typed_order(self.expr, self.text)), "bold"),
            ("", ""),
        ]
        for p in self.partials:
            suffix = "" if p.connected else f"   ({y} does not depend on {p.variable})"
            out.append((Formula(pretty(p.label(y)), p.derivative, suffix), "cyan"))
        if self.point is None:
            return out + self._remarks()
        point = dict(self.point)
        where = ", ".join(f"{name} = {point_text(v)}" for name, v in point.items())
        out += [("", ""), (Hanging(f"At {where}:", 3), "bold")]
        rows = [(y, *value_text(self.exact_value, self.value), None)]
        for p in self.partials:
            label = pretty(p.label(y))
            if not p.connected:
                tf = "0.0" if self.unconnected == "zero" else "None"
                rows.append((label, f"0   (not connected: TensorFlow gives {tf})", "", None))
            else:
                rows.append((label, *value_text(p.exact, p.value), p.check))
        out += value_table(rows)
        cg, tg = self.tf_lines()
        out += [("", ""), (Hanging(cg, 20), "bold green"), (Hanging(tg, 20), "bold green")]
        return out + self._remarks()

    def _remarks(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        notes = list(self.notes)
        if self.text is not None and typed_ln(self.text):
            notes.append(LN_NOTE)
        if notes or self.problems:
            out.append(("", ""))
        out += [(message(f"note: {note}"), "yellow") for note in notes]
        out += [(message(f"problem: {problem}"), "bold red") for problem in self.problems]
        return out

    plain_text = StyledLines.plain_text
    layout = StyledLines.layout
    __str__ = StyledLines.__str__
    __rich_console__ = StyledLines.__rich_console__
    _repr_mimebundle_ = StyledLines._repr_mimebundle_
    _repr_pretty_ = StyledLines._repr_pretty_
