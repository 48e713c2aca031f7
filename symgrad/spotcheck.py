"""Check a symbolic gradient at many random points: a quick test of a formula or identity.

Points are drawn (seeded, so runs repeat) uniformly from ``[-low, high]`` in
every variable; a point where the function or its gradient is not a finite
real number, or that lies within ``1e-3`` of a kink, is drawn again. At each
point every partial is checked with :func:`symgrad.check.check_gradient`, and
the report names the worst agreement.

>>> r = spot_check("sin(x)*y", n=5, seed=1)
>>> r.verdict, len(r.points)
('agrees', 5)
>>> r = spot_check("x^3", n=5, derivative="3*x^2 + 1e-6")
>>> r.verdict
'disagrees'
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp

from symgrad.check import Check, check_gradient
from symgrad.derive import differentiate
from symgrad.errors import EXIT_MATH, EXIT_OK, InputError
from symgrad.numeric import compile_expr
from symgrad.parse import parse
from symgrad.printing import pretty
from symgrad.problem import problem
from symgrad.render import Formula, Hanging, StyledLines, message
from symgrad.result import output_name
from symgrad.special import switches

__all__ = ["SpotCheck", "spot_check"]

MAX_POINTS = 10_000
RANGE = 3.0
KINK_MARGIN = 1e-3


@dataclass(frozen=True)
class SpotCheck(StyledLines):
    """The gradient checked at random points; the worst agreement first."""

    expr: sp.Expr
    variables: tuple[str, ...]
    derivatives: tuple[sp.Expr, ...]
    seed: int
    points: tuple[tuple[float, ...], ...]
    checks: tuple[tuple[Check, ...], ...]  # per point, per variable
    rejected: int
    requested: int

    @property
    def y(self) -> str:
        """The letter for the function's value (``f`` when ``y`` is a variable)."""
        return output_name(self.variables)

    @property
    def worst(self) -> tuple[int, int] | None:
        """``(point index, variable index)`` of the largest relative error."""
        best, where = -1.0, None
        for i, row in enumerate(self.checks):
            for j, c in enumerate(row):
                if c.verdict == "disagrees":
                    return i, j
                r = c.relative_error
                if r is not None and r > best:
                    best, where = r, (i, j)
        return where

    @property
    def verdict(self) -> str:
        verdicts = {c.verdict for row in self.checks for c in row}
        if "disagrees" in verdicts:
            return "disagrees"
        return "agrees" if "agrees" in verdicts else "skipped"

    @property
    def problems(self) -> tuple[str, ...]:
        out = []
        if self.verdict == "disagrees":
            i, j = self.worst
            out.append(
                f"∂{self.y}/∂{self.variables[j]} disagrees with the numbers at {self._where(i)}: "
                f"{self.checks[i][j].explain()}"
            )
        if len(self.points) < self.requested:
            out.append(
                f"found only {len(self.points)} of {self.requested} points where y is defined"
            )
        return tuple(out)

    @property
    def exit_code(self) -> int:
        return EXIT_MATH if self.problems else EXIT_OK

    def _where(self, i: int) -> str:
        return ", ".join(f"{n} = {v!r}" for n, v in zip(self.variables, self.points[i]))

    def summary(self) -> str:
        """One sentence: how many points, and the worst agreement."""
        n = len(self.points)
        if self.worst is None:
            return f"checked at {n} random points (seed {self.seed}): nothing could be compared"
        i, j = self.worst
        c = self.checks[i][j]
        word = "agrees" if self.verdict == "agrees" else "DISAGREES"
        return (
            f"{word} at {n} random points (seed {self.seed}); worst: ∂{self.y}/∂{self.variables[j]} at "
            f"{self._where(i)}, relative error {c.relative_error:.1e} (bound {c.bound:.1e})"
        )

    def lines(self) -> list[tuple[str, str]]:
        out = [(Formula(self.y, self.expr), "bold"), ("", "")]
        for name, d in zip(self.variables, self.derivatives):
            out.append((Formula(pretty(sp.Symbol(f"∂{self.y}/∂{name}")), d), "cyan"))
        style = {"agrees": "bold green", "disagrees": "bold red"}.get(self.verdict, "yellow")
        out += [("", ""), (Hanging(self.summary(), 4), style)]
        if self.rejected:
            out.append((f"({self.rejected} points outside the domain or at a kink redrawn)", ""))
        out += [(message(f"problem: {p}"), "bold red") for p in self.problems]
        return out

    def to_latex(self, standalone: bool = False) -> str:
        """The function, its derivatives and the summary of the check, as ``align*``."""
        from symgrad import latex

        several = latex.several(self.expr, self.variables)
        rows = [r"%s &= %s" % (latex.symbol(self.y), latex.expr(self.expr))]
        for name, d in zip(self.variables, self.derivatives):
            rows.append(r"%s &= %s" % (latex.derivative(self.y, [name], several), latex.expr(d)))
        rows.append("&" + latex.text(self.summary()))
        return latex.document(latex.align(rows), standalone)

    def to_dict(self) -> dict[str, object]:
        worst = self.worst
        return {
            "kind": "spot_check",
            "expression": str(self.expr),
            "variables": list(self.variables),
            "derivatives": [str(d) for d in self.derivatives],
            "seed": self.seed,
            "points": [dict(zip(self.variables, p)) for p in self.points],
            "checks": [[c.to_dict() for c in row] for row in self.checks],
            "worst": None
            if worst is None
            else {
                "point": dict(zip(self.variables, self.points[worst[0]])),
                "variable": self.variables[worst[1]],
                "check": self.checks[worst[0]][worst[1]].to_dict(),
            },
            "verdict": self.verdict,
            "summary": self.summary(),
            "rejected": self.rejected,
            "problems": list(self.problems),
            "exit_code": self.exit_code,
        }


def _kink_arguments(expr: sp.Expr) -> list[sp.Expr]:
    return [arg for _, arg in switches(expr)]


def spot_check(
    expr: str | sp.Expr,
    n: int = 20,
    seed: int = 0,
    wrt: Sequence[str] | str | None = None,
    derivative: str | sp.Expr | Sequence[str | sp.Expr] | None = None,
) -> SpotCheck:
    """Check the exact gradient of ``expr`` (or a given ``derivative``) at ``n`` random points.

    ``derivative`` lets a student test their own formula (one per variable).
    """
    if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= MAX_POINTS:
        raise InputError(f"--check needs a number of points from 1 to {MAX_POINTS}, not {n}")
    request = problem(expr, None, wrt)
    parsed, names, symbols = request.parsed, list(request.names), list(request.symbols)
    extra = sorted(parsed.expr.free_symbols - set(symbols), key=lambda s: s.name)
    all_symbols = symbols + extra
    if derivative is None:
        derivatives = [differentiate(parsed.expr, s) for s in symbols]
    else:
        given = [derivative] if isinstance(derivative, str | sp.Expr) else list(derivative)
        derivatives = [parse(d).expr if isinstance(d, str) else d for d in given]
        if len(derivatives) != len(symbols):
            raise InputError(f"give one derivative per variable ({', '.join(names)})")
    f = compile_expr(parsed.expr, all_symbols)
    grads = [compile_expr(d, all_symbols) for d in derivatives]
    kinks = [compile_expr(a, all_symbols) for a in _kink_arguments(parsed.expr)]
    rng = random.Random(seed)
    points, checks = [], []
    rejected = 0
    while len(points) < n and rejected < 50 * n + 100:
        values = [rng.uniform(-RANGE, RANGE) for _ in all_symbols]
        exacts = [g(*values) for g in grads]
        if not all(math.isfinite(v) for v in [f(*values), *exacts]) or any(
            abs(k(*values)) < KINK_MARGIN for k in kinks
        ):
            rejected += 1
            continue
        point = dict(zip(all_symbols, values))
        points.append(tuple(values[: len(symbols)]))
        checks.append(check_gradient(parsed.expr, symbols, point, exacts))
    return SpotCheck(
        parsed.expr,
        tuple(names),
        tuple(derivatives),
        seed,
        tuple(points),
        tuple(checks),
        rejected,
        n,
    )
