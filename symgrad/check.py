"""Numeric evidence: an exact derivative checked against finite differences.

The check never looks at the symbolic derivative's formula: it evaluates the
*original function* in float64 on both sides of the point (central
difference, step ``h = ε^(1/3)·max(1, |x|)``, the step that balances
truncation ``~h²`` against round-off ``~ε/h``) and compares with the exact
value. A second difference at ``2h`` estimates the truncation error, so the
verdict comes with an error bound instead of a magic tolerance.

>>> from symgrad.parse import variable
>>> w = variable("w")
>>> c = check_partial(w * w + 2, w, {w: 10.0}, exact=20.0)
>>> c.verdict, abs(c.estimate - 20.0) < 1e-6
('agrees', True)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import NamedTuple

import sympy as sp

from symgrad.numeric import compile_expr

EPS = 2.0**-52


class Check(NamedTuple):
    """The numeric evidence for one partial derivative at one point."""

    method: str
    step: float | None
    estimate: float | None
    exact: float | None
    error: float | None
    bound: float | None
    verdict: str  # "agrees", "disagrees" or "skipped"
    reason: str | None = None

    @property
    def ok(self) -> bool:
        """True unless the numbers disagree (a skipped check is not a failure)."""
        return self.verdict != "disagrees"

    def explain(self) -> str:
        """One sentence a student can read."""
        if self.verdict == "skipped":
            return f"not checked: {self.reason}"
        agrees = self.verdict == "agrees"
        return (
            f"{'agrees' if agrees else 'DISAGREES'} with the {self.method} "
            f"{_short(self.estimate)} (error {_sci(self.error)} "
            f"{'≤' if agrees else '>'} {_sci(self.bound)})"
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "method": self.method,
            "step": self.step,
            "estimate": self.estimate,
            "exact": self.exact,
            "error": self.error,
            "bound": self.bound,
            "verdict": self.verdict,
            "reason": self.reason,
        }


def _short(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.12g}"


def _sci(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1e}"


def _skipped(reason: str, exact: float | None) -> Check:
    return Check("central difference", None, None, exact, None, None, "skipped", reason)


def check_partial(
    expr: sp.Expr,
    var: sp.Symbol,
    point: Mapping[sp.Symbol, float],
    exact: float | None,
) -> Check:
    """Compare the exact ``∂expr/∂var`` at ``point`` with a central difference of ``expr``."""
    if exact is None or not math.isfinite(exact):
        return _skipped("the exact derivative is not a finite number here", exact)
    symbols = list(point)
    if var not in point:
        symbols.append(var)
    f = compile_expr(expr, symbols)
    base = [float(point.get(s, 0.0)) for s in symbols]
    i = symbols.index(var)
    x = base[i]
    h = EPS ** (1 / 3) * max(1.0, abs(x))

    def at(offset: float) -> float:
        values = list(base)
        values[i] = x + offset
        return f(*values)

    f0, fp, fm, fp2, fm2 = at(0.0), at(h), at(-h), at(2 * h), at(-2 * h)
    if not all(math.isfinite(v) for v in (f0, fp, fm, fp2, fm2)):
        return _skipped("the function is not finite in float64 on both sides of the point", exact)
    d1 = (fp - fm) / (2 * h)
    d2 = (fp2 - fm2) / (4 * h)
    truncation = abs(d2 - d1) / 3
    roundoff = EPS * (abs(fp) + abs(fm) + abs(f0)) / h
    bound = 4 * (truncation + roundoff) + 8 * EPS * max(1.0, abs(exact))
    error = abs(d1 - exact)
    verdict = "agrees" if error <= bound else "disagrees"
    return Check("central difference", h, d1, exact, error, bound, verdict)


def _where(sub: sp.Basic, point: Mapping[sp.Symbol, sp.Expr]) -> str:
    names = sorted(sub.free_symbols, key=lambda s: s.name)
    return ", ".join(f"{s} = {sp.sstr(point[s])}" for s in names if s in point)


def _is_bad(value: sp.Basic) -> str | None:
    """``"infinite"``, ``"complex"`` or None for an exact value."""
    if value.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        return "infinite"
    if value.is_extended_real is False:
        return "complex"
    if value.is_extended_real is None and value.is_number:
        im = sp.im(value.evalf(30))
        if im.is_number and abs(float(im)) > 1e-25:
            return "complex"
    return None


def diagnose_point(expr: sp.Expr, point: Mapping[sp.Symbol, sp.Expr]) -> str | None:
    """Name the innermost part of ``expr`` that is undefined or not real at ``point``.

    >>> from symgrad.parse import variable
    >>> x = variable("x")
    >>> diagnose_point(sp.log(x) + 1, {x: sp.Integer(-1)})
    'log(x) is not real at x = -1: log needs a positive argument'
    >>> diagnose_point(1 / x, {x: sp.Integer(0)})
    '1/x has a pole at x = 0'
    """
    for sub in sp.postorder_traversal(expr):
        if not isinstance(sub, sp.Expr) or sub.is_Atom or not sub.free_symbols:
            continue
        value = sub.xreplace(dict(point))
        problem = _is_bad(value)
        if problem is None:
            continue
        where = _where(sub, point)
        args = [a.xreplace(dict(point)) for a in sub.args]
        if sub.func is sp.log:
            if args[0].is_zero:
                return f"{sub} is undefined at {where}: log(0) is -∞"
            return f"{sub} is not real at {where}: log needs a positive argument"
        if sub.is_Pow:
            base, exponent = args
            if base.is_zero and sub.exp.is_negative:
                return f"{sub} has a pole at {where}"
            if problem == "complex":
                return f"{sub} is not real at {where}: {sp.sstr(sub.base)} is negative there"
        if sub.func in (sp.asin, sp.acos) and problem == "complex":
            return f"{sub} is not real at {where}: its argument must be between -1 and 1"
        if problem == "infinite":
            return f"{sub} has a pole at {where}"
        return f"{sub} is not real at {where}"
    return None
