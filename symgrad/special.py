"""Special points: why a point has no derivative, or no value, in words a student can read.

One home for what symgrad says at a point where the usual answer breaks down,
reading each function's record in :mod:`symgrad.functions`:

* **kinks and jumps** (:func:`find_kinks`): ``abs(x)`` at 0 has a slope of -1
  from the left and 1 from the right, so no derivative; ``sign(x)`` at 0 jumps,
  so it is not even continuous. TensorFlow and PyTorch still return a number
  there (a *subgradient*), which is what symgrad's exact value already is.
* **domains and poles** (:func:`diagnose_point`): ``log(x)`` at -1 is not real,
  ``1/x`` at 0 is a pole, ``sin(x)/x`` at 0 is 0/0 with a limit, ``x^(1/3)`` at
  -8 is complex (the real cube root ``cbrt`` is not).
* **the derivative of a jump** (:func:`off_jumps`): a ``DiracDelta`` is 0
  wherever it can be evaluated, and where it cannot, the derivative does not exist.

>>> from symgrad.parse import parse, variable
>>> x = variable("x")
>>> (k,) = find_kinks(parse("abs(x)").expr, {x: sp.Integer(0)})
>>> k.left, k.right, k.framework
(-1.0, 1.0, 0.0)
>>> k.explain()
'abs(x) has a kink at x = 0: the slope is -1.0 from the left and 1.0 from the right, so the derivative with respect to x does not exist there; TensorFlow and PyTorch return the subgradient 0.0'
>>> diagnose_point(sp.log(x) + 1, {x: sp.Integer(-1)})
'log(x) is not real at x = -1: log needs a positive argument, so log(x) is not real for x < 0'
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

import sympy as sp

from symgrad.functions import LEAKY_SLOPE, cbrt, leaky_relu, record_of
from symgrad.numeric import compile_expr, to_float

if TYPE_CHECKING:
    from symgrad.check import Check

__all__ = [
    "Kink",
    "diagnose_point",
    "find_kinks",
    "jump_note",
    "kink_check",
    "off_jumps",
    "one_sided",
    "switches",
]

_MAX_LIMIT_OPS = 40  # limits of bigger expressions can take SymPy a long time


# -- where a function switches -----------------------------------------------------------


def switches(expr: sp.Expr) -> list[tuple[sp.Expr, sp.Expr]]:
    """Every non-smooth part of ``expr`` and the argument whose zero is its switch.

    >>> from symgrad.parse import parse
    >>> switches(parse("abs(x - 1) + relu(y)").expr)
    [(Abs(x - 1), x - 1), (relu(y), y)]
    """
    found = []
    for sub in sp.preorder_traversal(expr):
        record = record_of(sub) if isinstance(sub, sp.Function) else None
        if record is not None and record.switch is not None:
            found.append((sub, record.switch(*sub.args)))
        elif isinstance(sub, sp.Max | sp.Min) and len(sub.args) == 2:
            found.append((sub, sub.args[0] - sub.args[1]))
    return found


def _has_switch(expr: sp.Expr) -> bool:
    return bool(switches(expr))


# -- kinks and jumps -----------------------------------------------------------------------


class Kink(NamedTuple):
    """One variable's one-sided slopes at a kink (or values at a jump), and the frameworks' answer."""

    variable: str
    cause: str  # the non-smooth subexpression, e.g. "abs(x)"
    left: float | None
    right: float | None
    framework: float | None
    where: str
    order: int = 1  # the derivative that does not exist: 1 for y', 2 for y'', ...
    kind: str = "kink"  # "kink" (slopes differ) or "jump" (values differ)

    def explain(self) -> str:
        """One sentence a student can read."""
        derivative = _ordinal(self.order)
        # the function that kinks or jumps: the user's part, or a lower derivative itself
        what = self.cause if self.order == 1 else f"the {_ordinal(self.order - 1)} {self.cause}"
        if self.kind == "jump":
            text = (
                f"{what} jumps at {self.where}: it is {_num(self.left)} from the left and "
                f"{_num(self.right)} from the right, so it is not continuous and the {derivative} "
                f"with respect to {self.variable} does not exist there; "
            )
        else:
            text = (
                f"{what} has a kink at {self.where}: "
                f"{'the' if self.order == 1 else 'its'} slope is {_num(self.left)} "
                f"from the left and {_num(self.right)} from the right, so the {derivative} with "
                f"respect to {self.variable} does not exist there; "
            )
        if self.framework is not None and math.isfinite(self.framework):
            if self.order == 1 and self.kind == "kink":
                return text + f"TensorFlow and PyTorch return the subgradient {self.framework!r}"
            return text + f"TensorFlow and PyTorch return {self.framework!r}"
        return text + f"TensorFlow and PyTorch return {_num(self.framework)} there"

    def to_dict(self) -> dict[str, object]:
        return {
            "variable": self.variable,
            "cause": self.cause,
            "left": self.left,
            "right": self.right,
            "framework": self.framework,
            "where": self.where,
            "order": self.order,
            "kind": self.kind,
            "explanation": self.explain(),
        }


def _ordinal(order: int) -> str:
    return {1: "derivative", 2: "second derivative", 3: "third derivative"}.get(
        order, f"{order}th derivative"
    )


def _num(x: float | None) -> str:
    return "nan" if x is None else repr(x)


def _student(sub: sp.Expr) -> str:
    """A subexpression as the student would type it: ``abs(x)``, ``x^(1/3)``, ``Heaviside(x)``."""
    defaults = {sp.Heaviside: sp.S.Zero, leaky_relu: LEAKY_SLOPE}
    steps = {
        f: sp.Function(type(f).__name__)(f.args[0])
        for f in sub.atoms(sp.Heaviside, leaky_relu)
        if f.args[1] == defaults[type(f)]
    }
    return sp.sstr(sub.xreplace(steps)).replace("Abs(", "abs(").replace("**", "^")


def _kink_parts(expr: sp.Expr, subs: Mapping[sp.Symbol, sp.Expr]) -> list[sp.Expr]:
    """The non-smooth subexpressions of ``expr`` whose switching argument is 0 at the point."""
    found = []
    for sub, arg in switches(expr):
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
    """``lim expr`` as ``h → 0⁺``; by substitution once every switch is on its side.

    Near ``h = 0⁺`` each switch argument keeps one sign, so ``abs``, ``sign``, ``relu``
    and the rest are smooth branches there (``relu(u)`` is ``u`` or 0); SymPy's general
    ``limit`` is left for what that cannot decide (it costs seconds on a step of a square).
    """
    expr = _on_one_side(off_jumps(expr)[0], h)  # a delta is 0 on either side of its jump
    if not _has_switch(expr):
        at_zero = expr.xreplace({h: sp.Integer(0)})
        if at_zero.is_number and at_zero.is_finite:
            return at_zero
    return sp.limit(expr, h, 0, "+")


_SIDE_ORDER = 4  # derivatives tried for the sign of a switch argument that is 0 at h = 0


def _side(arg: sp.Expr, h: sp.Symbol) -> int | None:
    """The sign of ``arg`` for small ``h > 0`` (1 or -1), or None if it cannot be told."""
    from symgrad.derive import differentiate

    term = arg
    for _ in range(_SIDE_ORDER + 1):
        value = term.xreplace({h: sp.Integer(0)})
        if not value.is_number or value.has(sp.nan, sp.zoo):
            return None
        if value.is_zero is False:
            positive = value.is_positive
            return None if positive is None else (1 if positive else -1)
        if value.is_zero is None:
            return None
        term = differentiate(term, h)
    return None


def _on_one_side(expr: sp.Expr, h: sp.Symbol) -> sp.Expr:
    """``expr`` with each switch replaced by the smooth branch it follows for small ``h > 0``."""
    for _ in range(len(switches(expr))):
        parts = switches(expr)
        inner = [(s, a) for s, a in parts if not any(o != s and s.has(o) for o, _ in parts)]
        changed = False
        for sub, arg in inner:
            side = _side(arg, h)
            if side is None:
                continue
            if isinstance(sub, sp.Max | sp.Min):
                first = (side > 0) == isinstance(sub, sp.Max)
                branch = sub.args[0] if first else sub.args[1]
            else:
                t = sp.Dummy("t", positive=True)
                evaluated = sub.func(side * t, *sub.args[1:])
                if evaluated.has(sub.func):  # smooth across its switch (softsign): keep it
                    continue
                branch = evaluated.xreplace({t: side * sub.args[0]})
            expr = expr.xreplace({sub: branch})
            changed = True
        if not changed:
            break
    return expr


def find_kinks(
    expr: sp.Expr,
    subs: Mapping[sp.Symbol, sp.Expr],
    variables: list[sp.Symbol] | None = None,
    order: int = 1,
) -> list[Kink]:
    """Every variable whose derivative of ``expr`` jumps (or whose ``expr`` jumps) at ``subs``.

    ``order`` says which derivative of the user's function ``expr`` is the slope of
    (``order=2`` when ``expr`` is already a first derivative), for the words only.
    """
    parts = _kink_parts(expr, subs)
    if not parts:
        return []
    from symgrad.derive import differentiate

    variables = list(subs) if variables is None else variables
    kinks = []
    for var in variables:
        causes = [p for p in parts if var in p.free_symbols]
        if not causes:
            continue
        where = ", ".join(
            f"{s} = {sp.sstr(subs[s])}"
            for s in sorted(causes[0].free_symbols, key=lambda s: s.name)
            if s in subs
        )
        d = differentiate(expr, var)  # the derivative the gradient shows
        framework = _framework_value(d, subs)
        value_left, value_right = one_sided(expr, var, subs)
        if value_left != value_right:  # sign(x) at 0: a jump, not just a kink
            kind, left, right = "jump", value_left, value_right
        else:
            left, right = one_sided(d, var, subs)
            if left == right and left.is_finite:
                continue
            kind = "kink"
        kinks.append(
            Kink(
                var.name,
                _student(causes[0] if order == 1 else expr),
                to_float(left),
                to_float(right),
                framework,
                where,
                order,
                kind,
            )
        )
    return kinks


def _framework_value(d: sp.Expr, subs: Mapping[sp.Symbol, sp.Expr]) -> float:
    """What float64 frameworks return: the formula with sign(0) = 0, relu'(0) = 0, δ = 0."""
    value = to_float(d.xreplace(dict(subs)))
    if value is None:  # what float64 arithmetic gives, e.g. inf·0 = nan
        value = compile_expr(d, list(subs))(*(float(v) for v in subs.values()))
    return value


def kink_check(kink: Kink, value: float | None) -> Check:
    """The evidence record for a partial that does not exist: the one-sided slopes."""
    from symgrad.check import Check

    what = "values" if kink.kind == "jump" else "slopes"
    return Check(
        "one-sided differences",
        None,
        None,
        value,
        None,
        None,
        "skipped",
        f"no derivative at a {kink.kind} (left {_num(kink.left)}, right {_num(kink.right)})"
        if what == "slopes"
        else f"no derivative at a jump (value {_num(kink.left)} on the left, "
        f"{_num(kink.right)} on the right)",
    )


def off_jumps(expr: sp.Expr) -> tuple[sp.Expr, tuple[sp.Expr, ...]]:
    """``expr`` away from the jumps its deltas mark, and where those jumps are.

    The derivative of ``sign(x)`` is ``2⋅DiracDelta(x)``: 0 wherever ``x ≠ 0``, and at
    ``x = 0`` no derivative exists (TensorFlow returns 0 there too). A delta whose
    factor vanishes at its jump, as in ``x⋅DiracDelta(x)``, marks no jump at all.

    >>> from symgrad.parse import variable
    >>> x = variable("x")
    >>> off_jumps(2 * sp.DiracDelta(x) + x)
    (x, (x,))
    >>> off_jumps(x * sp.DiracDelta(x) + 1)
    (1, ())
    """
    deltas = sorted(expr.atoms(sp.DiracDelta), key=sp.default_sort_key)
    if not deltas:
        return expr, ()
    smooth = expr.xreplace({d: sp.S.Zero for d in deltas})
    jumps = [d.args[0] for d in deltas if not _vanishes(expr, d)]
    return smooth, tuple(dict.fromkeys(jumps))


def _vanishes(expr: sp.Expr, delta: sp.Expr) -> bool:
    """The factor of ``delta`` in ``expr`` is 0 where the delta's argument is (x⋅δ(x) = 0)."""
    arg = delta.args[0]
    if len(delta.args) > 1 and delta.args[1] != 0 or len(arg.free_symbols) != 1:
        return False
    (var,) = arg.free_symbols
    factor = sp.expand(expr).coeff(delta)
    try:
        roots = sp.solve(arg, var) if sp.Poly(arg, var).degree() <= 2 else None
    except (sp.PolynomialError, NotImplementedError):
        return False
    return bool(roots) and all(factor.xreplace({var: r}).is_zero for r in roots)


def jump_note(args: Sequence[sp.Expr], order: int, dropped: sp.Expr) -> str:
    """Say where a derivative with its deltas dropped does not hold.

    >>> from symgrad.parse import variable
    >>> x = variable("x")
    >>> jump_note([x], 2, 2 * sp.DiracDelta(x))
    'where x = 0 the derivative jumps, so the second derivative does not exist there; elsewhere it is the formula shown (as a distribution it is 2⋅DiracDelta(x), which is 0 away from the jump)'
    """
    from symgrad.printing import inline

    where = " or ".join(f"{inline(a)} = 0" for a in args)
    return (
        f"where {where} the {_ordinal(order - 1)} jumps, so the {_ordinal(order)} does not exist "
        f"there; elsewhere it is the formula shown (as a distribution it is {inline(dropped)}, which is 0 "
        "away from the jump)"
    )


# -- domains and poles ---------------------------------------------------------------------
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


def _condition_text(cond: sp.Basic) -> str:
    """``x < -1 or x > 1`` for SymPy's ``Or``/``And`` of relations."""
    if isinstance(cond, sp.Or):
        return " or ".join(sorted(_condition_text(a) for a in cond.args))
    if isinstance(cond, sp.And):
        lows = [a for a in cond.args if isinstance(a, sp.StrictLessThan | sp.LessThan)]
        if len(lows) == 2 and len(cond.args) == 2:
            a, b = sorted(lows, key=lambda r: 0 if r.rhs.is_Symbol else 1)
            if a.rhs == b.lhs and a.rhs.is_Symbol:
                return f"{sp.sstr(a.lhs)} {a.rel_op} {a.rhs} {b.rel_op} {sp.sstr(b.rhs)}"
        return " and ".join(_condition_text(a) for a in cond.args)
    if isinstance(cond, sp.Rel) and cond.rhs.is_Symbol and not cond.lhs.free_symbols:
        cond = cond.reversed
    return sp.sstr(cond)


def _region(cond: sp.Basic) -> str | None:
    """Where a one-variable condition holds, as text (``x < 2``); None if SymPy cannot say quickly."""
    free = cond.free_symbols
    if len(free) != 1 or sp.count_ops(cond) > 12:
        return None
    (s,) = free
    try:
        solved = sp.solve_univariate_inequality(cond, s, relational=True)
    except (NotImplementedError, ValueError, TypeError, AttributeError):
        return None
    if solved in (sp.true, sp.false):
        return None
    return _condition_text(solved)


def _not_real(sub: sp.Expr, condition: sp.Basic, where: str, fallback: str) -> str:
    region = _region(condition)
    name = _student(sub)
    text = f"{name} is not real at {where}: {fallback}"
    if region is not None:
        text += f", so {name} is not real for {region}"
    return text


def diagnose_point(expr: sp.Expr, point: Mapping[sp.Symbol, sp.Expr]) -> str | None:
    """Name the innermost part of ``expr`` that is undefined or not real at ``point``.

    >>> from symgrad.parse import variable
    >>> x = variable("x")
    >>> diagnose_point(sp.asin(x), {x: sp.Integer(2)})
    'asin(x) is not real at x = 2: its argument must be between -1 and 1, so asin(x) is not real for x < -1 or x > 1'
    >>> diagnose_point(1 / x, {x: sp.Integer(0)})
    '1/x has a pole at x = 0'
    >>> diagnose_point(sp.sin(x) / x, {x: sp.Integer(0)})
    'sin(x)/x is 0/0 at x = 0, a removable singularity: the function has the limit 1 there and its derivative the limit 0, but TensorFlow evaluates the formula and gets nan'
    """
    removable = _removable(expr, point)
    if removable is not None:
        return removable
    for sub in sp.postorder_traversal(expr):
        if not isinstance(sub, sp.Expr) or sub.is_Atom or not sub.free_symbols:
            continue
        value = sub.xreplace(dict(point))
        problem = _is_bad(value)
        if problem is None:
            continue
        where = _where(sub, point)
        args = [a.xreplace(dict(point)) for a in sub.args]
        record = record_of(sub) if isinstance(sub, sp.Function) else None
        if sub.func is sp.log and args[0].is_zero:
            return f"{_student(sub)} is undefined at {where}: log(0) is -∞"
        if sub.is_Pow:
            base, exponent = args
            if base.is_zero and sub.exp.is_negative:
                return f"{_student(sub)} has a pole at {where}"
            if problem == "complex":
                odd = _odd_root(expr, sub, point, where)
                if odd is not None:
                    return odd
                return _not_real(
                    sub, sub.base < 0, where, f"{_student(sub.base)} is negative there"
                )
        if record is not None and record.domain is not None and problem == "complex":
            return _not_real(sub, sp.Not(record.domain(sub.args[0])), where, record.outside)
        if problem == "infinite":
            return f"{_student(sub)} has a pole at {where}"
        return f"{_student(sub)} is not real at {where}"
    return None


def _removable(expr: sp.Expr, point: Mapping[sp.Symbol, sp.Expr]) -> str | None:
    """``sin(x)/x`` at 0: 0/0 with a finite limit, said with the limit of the derivative too."""
    free = [s for s in expr.free_symbols if s in point]
    if len(free) != 1 or len(expr.free_symbols) != 1 or sp.count_ops(expr) > _MAX_LIMIT_OPS:
        return None
    (var,) = free
    numerator, denominator = sp.fraction(sp.together(expr))
    at = dict(point)
    if not (denominator.has(var) and numerator.xreplace(at).is_zero):
        return None
    if not denominator.xreplace(at).is_zero:
        return None
    from symgrad.derive import differentiate

    try:
        limit = sp.limit(expr, var, point[var])
        slope = sp.limit(differentiate(expr, var), var, point[var])
    except (NotImplementedError, ValueError, TypeError):  # pragma: no cover - SymPy gave up
        return None
    if not (limit.is_finite and limit.is_real):
        return None
    text = (
        f"{_student(expr)} is 0/0 at {_where(expr, point)}, a removable singularity: "
        f"the function has the limit {_student(limit)} there"
    )
    if slope.is_finite and slope.is_real:
        text += f" and its derivative the limit {_student(slope)}"
    return text + ", but TensorFlow evaluates the formula and gets nan"


def _odd_root(
    expr: sp.Expr, sub: sp.Pow, point: Mapping[sp.Symbol, sp.Expr], where: str
) -> str | None:
    """``x^(1/3)`` at -8: complex for SymPy and the frameworks, -2 for the real cube root."""
    exponent = sub.exp
    if not (exponent.is_Rational and exponent.q % 2 == 1):
        return None
    at = dict(point)
    if not (sub.base.xreplace(at).is_negative and len(expr.free_symbols) == 1):
        return None
    (var,) = expr.free_symbols
    p, q = exponent.p, exponent.q
    root = cbrt(sub.base) if q == 3 else sp.sign(sub.base) * sp.Abs(sub.base) ** sp.Rational(1, q)
    real = expr.xreplace({sub: root**p})
    value = real.xreplace(at)
    from symgrad.derive import differentiate

    slope = off_jumps(differentiate(real, var))[0].xreplace(at)
    name = "cbrt" if q == 3 else f"the real {q}th root sign(u)⋅|u|^(1/{q})"
    written = _student(real) if q == 3 else name
    return (
        f"{_student(sub)} is not real at {where}: SymPy, TensorFlow and PyTorch take a power "
        f"of a negative number as complex, so the frameworks give nan; with the real "
        f"{'cube' if q == 3 else f'{q}th'} root ({written}) the value is {_student(sp.nsimplify(value))} "
        f"and the slope {_student(sp.nsimplify(slope))}"
    )
