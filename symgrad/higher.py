"""Higher derivatives and several outputs: n-th derivatives, Hessians, Jacobians, directions.

Each answer is exact (SymPy), evaluated exactly at the point, and checked
numerically like a first derivative: an n-th derivative as the slope of the
exact (n−1)-th one, level by level down to the function itself; a Hessian
column as the gradient of an exact first partial; a Jacobian row as the
gradient of one output; a directional derivative as the slope of
``t ↦ f(x + t·u)`` at ``t = 0``.

>>> r = nth_derivative("x^3", order=2, at={"x": 2})
>>> r.entries[0].derivative, r.entries[0].value, r.entries[0].check.verdict
(6*x, 12.0, 'agrees')
>>> hessian("x^2*y", at="x=1,y=2").matrix_values()
[[4.0, 2.0], [2.0, 0.0]]
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import sympy as sp

from symgrad.check import Check, check_gradient
from symgrad.derive import differentiate, to_float
from symgrad.errors import EXIT_MATH, EXIT_OK, InputError
from symgrad.latex import derivative as latex_derivative
from symgrad.parse import parse_many, parse_value, variable
from symgrad.printing import plain, pretty
from symgrad.problem import as_parsed, exact_point, problem, require_values, variable_list
from symgrad.render import (
    Formula,
    Hanging,
    StyledLines,
    message,
    point_text,
    value_table,
    value_text,
)
from symgrad.result import output_name
from symgrad.special import diagnose_point, find_kinks, jump_note, kink_check, off_jumps

__all__ = [
    "Entry",
    "NthDerivative",
    "Hessian",
    "Jacobian",
    "Directional",
    "nth_derivative",
    "hessian",
    "jacobian",
    "directional",
]

MAX_ORDER = 20


@dataclass(frozen=True)
class Entry:
    """One derivative: how it is written, its exact formula, its value, its evidence."""

    label: str  # pretty text, e.g. "∂²y/∂x∂y"
    latex_label: str
    derivative: sp.Expr
    exact: sp.Expr | None = None
    value: float | None = None
    check: Check | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "label": self.label,
            "derivative": plain(self.derivative),
            "exact": None if self.exact is None else str(self.exact),
            "value": self.value,
            "check": None if self.check is None else self.check.to_dict(),
        }


@dataclass(frozen=True)
class _Result(StyledLines):
    """Shared layout: the function(s), the formulas, and the values at the point."""

    kind = "derivatives"
    exprs: tuple[sp.Expr, ...]
    variables: tuple[str, ...]
    entries: tuple[Entry, ...]
    point: tuple[tuple[str, sp.Expr], ...] | None = None
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    shape: tuple[int, int] | None = None  # entries form a matrix, row by row
    extra: tuple[tuple[str, object], ...] = field(default=())

    @property
    def exit_code(self) -> int:
        return EXIT_MATH if self.problems else EXIT_OK

    @property
    def values(self) -> list[float | None]:
        return [e.value for e in self.entries]

    def matrix(self) -> sp.Matrix:
        """The exact formulas as a SymPy matrix (shape ``(len, 1)`` when not a matrix)."""
        rows, cols = self.shape or (len(self.entries), 1)
        return sp.Matrix(rows, cols, [e.derivative for e in self.entries])

    def matrix_values(self) -> list[list[float | None]]:
        """The values at the point as nested lists, row by row."""
        rows, cols = self.shape or (len(self.entries), 1)
        return [[self.entries[r * cols + c].value for c in range(cols)] for r in range(rows)]

    def _head(self) -> list[tuple[str, str]]:
        y = output_name(self.variables)
        names = [y] if len(self.exprs) == 1 else [f"{y}_{i + 1}" for i in range(len(self.exprs))]
        return [(Formula(pretty(sp.Symbol(n)), e), "bold") for n, e in zip(names, self.exprs)]

    def _formula_lines(self) -> list[tuple[str, str]]:
        if self.shape is not None:
            return [(Formula(self.kind[0].upper(), self.matrix()), "cyan")]
        return [(Formula(e.label, e.derivative), "cyan") for e in self.entries]

    def lines(self) -> list[tuple[str, str]]:
        """The layout as ``(text, style)`` lines."""
        out = self._head() + [("", "")] + self._formula_lines()
        out += [(f"({text})", "") for key, text in self.extra if key == "about"]
        if self.point is not None:
            where = ", ".join(f"{k} = {point_text(v)}" for k, v in self.point)
            out += [("", ""), (Hanging(f"At {where}:", 3), "bold")]
            if self.shape is not None:
                exact = sp.Matrix(
                    *self.shape, [e.exact if e.exact is not None else sp.nan for e in self.entries]
                )
                out.append((Formula("  " + self.kind[0].upper(), exact), ""))
                out.append((Hanging(f"  as floats: {self.matrix_values()!r}", 14), "bold green"))
            rows = []
            for e in self.entries:
                text, style = value_text(e.exact, e.value)
                rows.append((e.label, text, style, e.check))
            out += value_table(rows)
        if self.notes or self.problems:
            out.append(("", ""))
        out += [(message(f"note: {n}"), "yellow") for n in self.notes]
        out += [(message(f"problem: {p}"), "bold red") for p in self.problems]
        return out

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "kind": self.kind,
            "expressions": [str(e) for e in self.exprs],
            "variables": list(self.variables),
            "point": None if self.point is None else {k: float(v) for k, v in self.point},
            "entries": [e.to_dict() for e in self.entries],
            "problems": list(self.problems),
            "notes": list(self.notes),
            "exit_code": self.exit_code,
        }
        if self.shape is not None:
            data["matrix"] = [[str(x) for x in row] for row in self.matrix().tolist()]
            if self.point is not None:
                data["values"] = self.matrix_values()
        data.update(dict(self.extra))
        return data

    def to_latex(self, standalone: bool = False) -> str:
        """The function, the derivatives (a matrix for Hessians and Jacobians) and their
        values at the point, as one ``align*`` block."""
        from symgrad import latex

        y = output_name(self.variables)
        names = [y] if len(self.exprs) == 1 else [f"{y}_{i + 1}" for i in range(len(self.exprs))]
        rows = [r"%s &= %s" % (latex.symbol(n), latex.expr(e)) for n, e in zip(names, self.exprs)]
        if self.shape is not None:
            symbol = self.kind[0].upper()
            rows.append(r"%s &= %s" % (symbol, latex.expr(self.matrix())))
            if self.point is not None:
                exact = sp.Matrix(
                    *self.shape, [e.exact if e.exact is not None else sp.nan for e in self.entries]
                )
                rows.append(
                    r"\left.%s\right|_{%s} &= %s"
                    % (symbol, latex.point(self.point), latex.expr(exact))
                )
                if not all(e.exact is not None and e.exact.is_Integer for e in self.entries):
                    values = sp.Matrix(self.matrix_values()).applyfunc(
                        lambda v: sp.nan if v is None else v
                    )
                    rows.append(r"&\approx %s" % _float_matrix_latex(values))
            return latex.document(latex.align(rows), standalone)
        about = [text for key, text in self.extra if key == "about"]
        for e in self.entries:
            rows.append(r"%s &= %s" % (e.latex_label, latex.expr(e.derivative)))
        if about:
            rows.append(r"&%s" % latex.text(f"({about[0]})"))
        if self.point is not None:
            for e in self.entries:
                rows.append(
                    r"%s &= %s"
                    % (latex.at(e.latex_label, self.point), latex.value(e.exact, e.value))
                )
        return latex.document(latex.align(rows), standalone)


@dataclass(frozen=True)
class NthDerivative(_Result):
    """``dⁿy/dxⁿ`` for each variable."""

    kind = "nth_derivative"


@dataclass(frozen=True)
class Hessian(_Result):
    """The matrix of second partials ``∂²y/∂xᵢ∂xⱼ``."""

    kind = "hessian"


@dataclass(frozen=True)
class Jacobian(_Result):
    """The matrix ``∂yᵢ/∂xⱼ`` of several outputs."""

    kind = "jacobian"


@dataclass(frozen=True)
class Directional(_Result):
    """The slope of y along a unit direction ``u``: ``∇y·u``."""

    kind = "directional"


# -- helpers ---------------------------------------------------------------------------------


def _evaluate(d: sp.Expr, subs) -> tuple[sp.Expr, float | None]:
    exact = d.xreplace(subs)
    try:
        return exact, to_float(exact)
    except TypeError:  # e.g. DiracDelta(0): no number at all
        return exact, None


def _overflows(exact: sp.Expr, value: float | None, subs) -> bool:
    """A finite exact number too large for float64 (not a pole, not a domain error)."""
    return value is not None and math.isinf(value) and not exact.has(sp.zoo, sp.oo, -sp.oo, sp.nan)


def _domain_problems(exprs: Sequence[sp.Expr], subs, symbols, notes: list[str]) -> list[str]:
    problems = []
    for e in exprs:
        exact = e.xreplace(subs)
        value = to_float(exact)
        if _overflows(exact, value, subs) and diagnose_point(e, subs) is None:
            notes.append(f"{sp.sstr(e)} = {sp.sstr(exact)} is too large for float64")
        elif value is None or not math.isfinite(value):
            problems.append(diagnose_point(e, subs) or f"{sp.sstr(e)} is undefined at the point")
        else:
            problems += [k.explain() for k in find_kinks(e, subs, symbols)]
    return problems


def _value_problems(entries: Sequence[Entry], subs, notes: list[str]) -> list[str]:
    problems = []
    for e in entries:
        if e.value is None or not math.isfinite(e.value):
            why = diagnose_point(e.derivative, subs)
            if why is None and e.exact is not None and _overflows(e.exact, e.value, subs):
                notes.append(f"{e.label} is too large for float64; TensorFlow would print inf")
            else:
                problems.append(why or f"{e.label} is not a finite real number at the point")
        elif e.check is not None and e.check.verdict == "disagrees":
            problems.append(f"the numeric check of {e.label} failed: {e.check.explain()}")
    return problems


def _finish(
    cls, exprs, names, entries, point, subs, symbols, shape=None, extra=(), kinks=(), notes=()
):
    problems: list[str] = []
    notes = list(notes)
    if point is not None:
        problems = _domain_problems(exprs, subs, symbols, notes)
        if not problems:  # a kink of a lower derivative: this one does not exist
            problems = list(kinks) or _value_problems(entries, subs, notes)
    return cls(
        tuple(exprs),
        tuple(names),
        tuple(entries),
        point=None if point is None else tuple(point.items()),
        problems=tuple(dict.fromkeys(problems)),
        notes=tuple(dict.fromkeys(notes)),
        shape=shape,
        extra=tuple(extra),
    )


def _safe_checks(fn, *args, n: int) -> tuple[Check | None, ...]:
    try:
        return fn(*args)
    except InputError as err:  # e.g. a DiracDelta cannot be evaluated in floats
        skipped = Check("", None, None, None, None, None, "skipped", err.message)
        return (skipped,) * n


# -- the four answers ------------------------------------------------------------------------


def _nth_label(order: int, name: str, several: bool, y: str = "y") -> tuple[str, str]:
    sup = pretty(sp.Symbol("x") ** order)[1:] if order > 1 else ""
    d = "∂" if several else "d"
    return f"{d}{sup}{y}/{d}{name}{sup}", latex_derivative(y, [name] * order, several)


def nth_derivative(
    expr: str | sp.Expr,
    order: int = 2,
    at: Mapping[str, object] | str | None = None,
    wrt: Sequence[str] | str | None = None,
) -> NthDerivative:
    """The ``order``-th derivative with respect to each variable, checked level by level.

    >>> nth_derivative("sin(x)", order=4).entries[0].derivative
    sin(x)
    """
    if not isinstance(order, int) or isinstance(order, bool) or not 1 <= order <= MAX_ORDER:
        raise InputError(f"the order must be a whole number from 1 to {MAX_ORDER}, not {order}")
    p = problem(expr, at, wrt)
    parsed, names, point = p.parsed, list(p.names), p.point
    symbols, subs, floats = list(p.symbols), p.subs, p.floats
    entries, kinks, notes = [], [], []
    for name, s in zip(names, symbols):
        chain = [parsed.expr]
        for k in range(1, order + 1):
            # A delta (the slope of a jump) is 0 wherever it has a value; where it has
            # none, the lower derivative jumps and this one does not exist: say so.
            d, jumps = off_jumps(differentiate(chain[-1], s))
            if jumps:
                notes.append(jump_note(jumps, k, differentiate(chain[-1], s) - d))
            chain.append(d)
        label, latex_label = _nth_label(order, name, len(names) > 1, output_name(names))
        if point is None:
            entries.append(Entry(label, latex_label, chain[-1]))
            continue
        exact, value = _evaluate(chain[-1], subs)
        check = None
        level_kinks = [
            kink
            for k in range(2, order + 1)
            for kink in find_kinks(chain[k - 1], subs, [s], order=k)
        ]
        if level_kinks:
            kinks.append(level_kinks[0].explain())
            check = kink_check(level_kinks[0], value)
        elif value is not None and math.isfinite(value):
            # every level: d(k) against the slope of the exact d(k-1), from the function up
            levels = []
            for k in range(1, order + 1):
                v_k = value if k == order else to_float(chain[k].xreplace(subs))
                levels += _safe_checks(check_gradient, chain[k - 1], [s], floats, [v_k], n=1)
            bad = [c for c in levels if c.verdict == "disagrees"]
            check = bad[0] if bad else levels[-1]
        entries.append(Entry(label, latex_label, chain[-1], exact, value, check))
    extra = [("order", order)]
    if order > 1 and point is not None:  # without a point there is nothing to check
        extra.append(
            ("about", "checked level by level: each derivative as the slope of the one before")
        )
    return _finish(
        NthDerivative,
        [parsed.expr],
        names,
        entries,
        point,
        subs,
        symbols,
        extra=extra,
        kinks=kinks,
        notes=notes,
    )


def hessian(
    expr: str | sp.Expr,
    at: Mapping[str, object] | str | None = None,
    wrt: Sequence[str] | str | None = None,
) -> Hessian:
    """The Hessian matrix; each column checked as the gradient of an exact first partial.

    >>> hessian("x*y + y^3").matrix()
    Matrix([
    [0,   1],
    [1, 6*y]])
    """
    p = problem(expr, at, wrt)
    parsed, names, point = p.parsed, list(p.names), p.point
    symbols, subs, floats = list(p.symbols), p.subs, p.floats
    n = len(symbols)
    firsts = [differentiate(parsed.expr, s) for s in symbols]
    notes, kinks = [], []
    second = [[sp.S.Zero] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            raw = differentiate(firsts[j], symbols[i])
            second[i][j], jumps = off_jumps(raw)
            if jumps:
                notes.append(jump_note(jumps, 2, raw - second[i][j]))
    exacts = [[None] * n for _ in range(n)]
    values: list[list[float | None]] = [[None] * n for _ in range(n)]
    checks: list[list[Check | None]] = [[None] * n for _ in range(n)]
    if point is not None:
        for i in range(n):
            for j in range(n):
                exacts[i][j], values[i][j] = _evaluate(second[i][j], subs)
        for j in range(n):
            column = [values[i][j] for i in range(n)]
            col_checks = _safe_checks(check_gradient, firsts[j], symbols, floats, column, n=n)
            jumped = {k.variable: k for k in find_kinks(firsts[j], subs, symbols, order=2)}
            for i in range(n):
                checks[i][j] = col_checks[i]
                if symbols[i].name in jumped:  # ∂/∂xᵢ of the j-th partial does not exist
                    kinks.append(jumped[symbols[i].name].explain())
                    checks[i][j] = kink_check(jumped[symbols[i].name], values[i][j])
    entries = []
    y = output_name(names)
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            label = f"∂²{y}/∂{a}²" if i == j else f"∂²{y}/∂{a}∂{b}"
            latex_label = latex_derivative(y, [b, a], several=True)
            entries.append(
                Entry(label, latex_label, second[i][j], exacts[i][j], values[i][j], checks[i][j])
            )
    return _finish(
        Hessian,
        [parsed.expr],
        names,
        entries,
        point,
        subs,
        symbols,
        shape=(n, n),
        kinks=kinks,
        notes=notes,
    )


def jacobian(
    exprs: str | Sequence[str | sp.Expr],
    at: Mapping[str, object] | str | None = None,
    wrt: Sequence[str] | str | None = None,
) -> Jacobian:
    """The Jacobian of several outputs (``"x*y, x+y"``); each row checked as a gradient.

    >>> jacobian("x*y, x+y", at="x=1,y=2").matrix_values()
    [[2.0, 1.0], [1.0, 1.0]]
    """
    point = exact_point(at)
    if isinstance(exprs, str):
        parts = parse_many(exprs, assigned=point or ())
    else:
        parts = [as_parsed(e, point or ()) for e in exprs]
    if not parts:
        raise InputError("the Jacobian needs at least one expression")
    names_all = {n for p in parts for n in p.names} | {
        s.name for p in parts for s in p.expr.free_symbols
    }
    if not names_all and wrt is None and point is None:
        raise InputError("the expressions have no variables, so there is nothing to differentiate")
    names = variable_list(names_all, point, wrt)
    if point is not None:
        require_values(names_all, names, point)
    symbols = [variable(n) for n in names]
    subs = {variable(k): v for k, v in (point or {}).items()}
    floats = {s: float(v) for s, v in subs.items()}
    entries = []
    m, n = len(parts), len(symbols)
    for i, p in enumerate(parts):
        row = [differentiate(p.expr, s) for s in symbols]
        exact_values = [_evaluate(d, subs) if point is not None else (None, None) for d in row]
        checks: Sequence[Check | None] = (None,) * n
        if point is not None:
            checks = _safe_checks(
                check_gradient, p.expr, symbols, floats, [v for _, v in exact_values], n=n
            )
        y = output_name(names)
        out = y if m == 1 else pretty(sp.Symbol(f"{y}_{i + 1}"))
        for j, d in enumerate(row):
            label = f"∂{out}/∂{names[j]}"
            latex_label = r"\frac{\partial %s}{\partial %s}" % (
                sp.latex(sp.Symbol(y if m == 1 else f"{y}_{i + 1}")),
                sp.latex(symbols[j]),
            )
            exact, value = exact_values[j]
            entries.append(Entry(label, latex_label, d, exact, value, checks[j]))
    return _finish(
        Jacobian, [p.expr for p in parts], names, entries, point, subs, symbols, shape=(m, n)
    )


def directional(
    expr: str | sp.Expr,
    direction: Sequence[object] | str,
    at: Mapping[str, object] | str | None = None,
    wrt: Sequence[str] | str | None = None,
) -> Directional:
    """The slope along ``direction`` (made a unit vector ``u = v/|v|``): ``∇y·u``.

    >>> r = directional("x^2 + y^2", "3,4", at="x=1,y=1")
    >>> r.entries[0].exact, r.entries[0].check.verdict
    (14/5, 'agrees')
    """
    p = problem(expr, at, wrt)
    parsed, names, point = p.parsed, list(p.names), p.point
    raw = direction.split(",") if isinstance(direction, str) else list(direction)
    v = [parse_value(str(c).strip(), name="the direction") for c in raw]
    if len(v) != len(names):
        raise InputError(
            f"the direction has {len(v)} components but there are {len(names)} variables "
            f"({', '.join(names)})",
            hint="give one number per variable, in the order of --at (or --wrt)",
        )
    norm = sp.sqrt(sum(c**2 for c in v))
    if norm.is_zero:
        raise InputError("the direction must not be the zero vector")
    u = [sp.nsimplify(c / norm) if c.is_Rational else c / norm for c in v]
    symbols = [variable(n) for n in names]
    grad_exprs = [differentiate(parsed.expr, s) for s in symbols]
    d = sp.Add(*[g * c for g, c in zip(grad_exprs, u)])
    y = output_name(names)
    label = f"∇{y}·u"
    subs = {variable(k): val for k, val in (point or {}).items()}
    entry = Entry(label, r"\nabla %s \cdot u" % y, d)
    if point is not None:
        exact, value = _evaluate(d, subs)
        check = None
        if value is not None and math.isfinite(value):
            t = variable("t") if "t" not in names else sp.Dummy("t", real=True)
            along = parsed.expr.xreplace(
                {s: subs[s] + t * c for s, c in zip(symbols, u)}
                | {s: val for s, val in subs.items() if s not in symbols}
            )
            (check,) = _safe_checks(check_gradient, along, [t], {t: 0.0}, [value], n=1)
        entry = Entry(label, entry.latex_label, d, exact, value, check)
    extra = [
        ("direction", [float(c) for c in v]),
        ("unit_direction", [float(c) for c in u]),
        ("about", f"u = v/|v| = ({', '.join(sp.sstr(c) for c in u)})"),
    ]
    return _finish(Directional, [parsed.expr], names, [entry], point, subs, symbols, extra=extra)


def _float_matrix_latex(values: sp.Matrix) -> str:
    from symgrad.latex import number

    rows = [" & ".join(number(float(v)) for v in values.row(i)) for i in range(values.rows)]
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"
