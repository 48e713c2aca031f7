"""Kinks: points where a derivative does not exist, and what frameworks return there.

At a kink such as ``abs(x)`` at 0 the slope from the left and the slope from
the right differ, so there is no derivative. TensorFlow and PyTorch still
return a number there (a *subgradient*): the derivative formula evaluated
with ``sign(0) = 0`` and ``relu'(0) = 0``, which is what symgrad's exact
value at the point already is.

>>> from symgrad.parse import parse, variable
>>> x = variable("x")
>>> (k,) = find_kinks(parse("abs(x)").expr, {x: sp.Integer(0)})
>>> k.left, k.right, k.framework
(-1.0, 1.0, 0.0)
>>> k.explain()
'abs(x) has a kink at x = 0: the slope is -1.0 from the left and 1.0 from the right, so the derivative with respect to x does not exist there; TensorFlow and PyTorch return the subgradient 0.0'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import NamedTuple

import sympy as sp

from symgrad.check import Check
from symgrad.functions import relu
from symgrad.numeric import compile_expr, to_float

__all__ = ["Kink", "find_kinks", "one_sided"]

# Functions whose derivative jumps where their argument is zero.
_KINKED = (sp.Abs, relu, sp.sign, sp.Heaviside)


class Kink(NamedTuple):
    """One variable's one-sided slopes at a kink, and the framework's subgradient."""

    variable: str
    cause: str  # the non-smooth subexpression, e.g. "abs(x)"
    left: float | None
    right: float | None
    framework: float | None
    where: str

    def explain(self) -> str:
        """One sentence a student can read."""
        text = (
            f"{self.cause} has a kink at {self.where}: the slope is {_num(self.left)} from the "
            f"left and {_num(self.right)} from the right, so the derivative with respect to "
            f"{self.variable} does not exist there; "
        )
        if self.framework is not None and math.isfinite(self.framework):
            return text + f"TensorFlow and PyTorch return the subgradient {self.framework!r}"
        return text + f"TensorFlow and PyTorch return {_num(self.framework)} there"

    def to_dict(self) -> dict[str, object]:
        return {
            "variable": self.variable,
            "cause": self.cause,
            "left": self.left,
            "right": self.right,
            "framework": self.framework,
            "where": self.where,
            "explanation": self.explain(),
        }


def _num(x: float | None) -> str:
    return "nan" if x is None else repr(x)


def _student_text(sub: sp.Expr) -> str:
    """How the student wrote a kinked part: ``abs(x)`` rather than SymPy's ``Abs(x)``."""
    return sp.sstr(sub).replace("Abs(", "abs(")


def _kink_parts(expr: sp.Expr, subs: Mapping[sp.Symbol, sp.Expr]) -> list[sp.Expr]:
    """The non-smooth subexpressions of ``expr`` whose switching argument is 0 at the point."""
    found = []
    for sub in sp.preorder_traversal(expr):
        if isinstance(sub, _KINKED):
            arg = sub.args[0]
        elif isinstance(sub, (sp.Max, sp.Min)) and len(sub.args) == 2:
            arg = sub.args[0] - sub.args[1]
        else:
            continue
        if arg.free_symbols and arg.xreplace(dict(subs)).is_zero and sub not in found:
            found.append(sub)
    return found


def one_sided(
    derivative: sp.Expr, var: sp.Symbol, subs: Mapping[sp.Symbol, sp.Expr]
) -> tuple[sp.Expr, sp.Expr]:
    """The exact left and right limits of ``derivative`` as ``var`` approaches its value.

    >>> from symgrad.parse import variable
    >>> x = variable("x")
    >>> one_sided(sp.sign(x), x, {x: sp.Integer(0)})
    (-1, 1)
    """
    h = sp.Dummy("h", positive=True)
    others = {s: v for s, v in subs.items() if s != var}
    d = derivative.xreplace(others)
    x0 = subs[var]
    return _limit(d.xreplace({var: x0 - h}), h), _limit(d.xreplace({var: x0 + h}), h)


def _limit(expr: sp.Expr, h: sp.Symbol) -> sp.Expr:
    """``lim expr`` as ``h → 0⁺``; by substitution when no switch is left (the usual case)."""
    if not expr.has(*_KINKED, sp.DiracDelta):
        at_zero = expr.xreplace({h: sp.Integer(0)})
        if at_zero.is_number and at_zero.is_finite:
            return at_zero
    return sp.limit(expr, h, 0, "+")


def find_kinks(
    expr: sp.Expr,
    subs: Mapping[sp.Symbol, sp.Expr],
    variables: list[sp.Symbol] | None = None,
) -> list[Kink]:
    """Every variable whose derivative of ``expr`` jumps at the exact point ``subs``."""
    parts = _kink_parts(expr, subs)
    if not parts:
        return []
    variables = list(subs) if variables is None else variables
    kinks = []
    for var in variables:
        causes = [p for p in parts if var in p.free_symbols]
        if not causes:
            continue
        d = sp.diff(expr, var)
        left, right = one_sided(d, var, subs)
        if left == right and left.is_finite:
            continue
        where = ", ".join(
            f"{s} = {sp.sstr(subs[s])}"
            for s in sorted(causes[0].free_symbols, key=lambda s: s.name)
            if s in subs
        )
        framework = to_float(d.xreplace(dict(subs)))
        if framework is None:  # what float64 arithmetic gives, e.g. inf·0 = nan
            framework = compile_expr(d, list(subs))(*(float(v) for v in subs.values()))
        kinks.append(
            Kink(
                var.name,
                _student_text(causes[0]),
                to_float(left),
                to_float(right),
                framework,
                where,
            )
        )
    return kinks


def kink_check(kink: Kink, value: float | None) -> Check:
    """The evidence record for a partial that does not exist: the one-sided slopes."""
    return Check(
        "one-sided differences",
        None,
        None,
        value,
        None,
        None,
        "skipped",
        f"no derivative at a kink (left {_num(kink.left)}, right {_num(kink.right)})",
    )
