"""Exact gradients: from an expression and a point to a :class:`GradientResult`.

Every number comes from the exact SymPy value at the exact point (``--at``
values are parsed as exact rationals), converted to a float only at the end,
so ``sigmoid(x)`` at ``x = -1000`` gives a tiny positive number, not ``nan``.

>>> from symgrad import grad
>>> r = grad("w*w+2", at={"w": 10})
>>> r.derivatives["w"]
2*w
>>> r.compute_gradients(), r.gradients()
([(20.0, 10.0)], [20.0])
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import sympy as sp

from symgrad.check import check_gradient
from symgrad.errors import InputError
from symgrad.numeric import compile_expr, to_float
from symgrad.problem import Number, Problem, as_parsed, exact_point, problem
from symgrad.result import GradientResult, GradPair, Partial, output_name
from symgrad.special import diagnose_point, find_kinks, kink_check, off_jumps

__all__ = [
    "grad",
    "gradient",
    "differentiate",
    "partial_derivatives",
    "GradPair",
    "GradientResult",
    "Partial",
    "as_parsed",
    "exact_point",
    "to_float",
]

UNCONNECTED = ("none", "zero")
#: A partial whose formula has more nodes than this gets its value from compiled
#: float64 code instead of exact arithmetic (the output says so).
EXACT_NODES = 5000


def differentiate(expr: sp.Expr, var: sp.Symbol) -> sp.Expr:
    """``∂expr/∂var``: the one place where symgrad's gradients are differentiated.

    >>> from symgrad.parse import variable
    >>> x = variable("x")
    >>> differentiate(x**3, x)
    3*x**2

    It is the rule engine's derivative (:func:`symgrad.rules.differentiate`),
    the same rules the steps show and the mistakes swap.
    """
    from symgrad.rules import differentiate as by_the_rules

    return by_the_rules(expr, var)


def partial_derivatives(expr: sp.Expr, symbols: Sequence[sp.Symbol]) -> list[sp.Expr]:
    """Every ``∂expr/∂s``, each differentiating only the terms of a sum that contain ``s``.

    A term without ``s`` has derivative 0, so the result is the same as
    differentiating the whole sum; for a sum of many variables it is the
    difference between linear and quadratic cost.

    >>> from symgrad.parse import variable
    >>> x, y, z = variable("x"), variable("y"), variable("z")
    >>> partial_derivatives(x * y + z**2 + 1, [x, y, z])
    [y, x, 2*z]
    """
    if not expr.is_Add or len(symbols) < 2:
        return [differentiate(expr, s) for s in symbols]
    wanted = set(symbols)
    terms: dict[sp.Symbol, list[sp.Expr]] = {s: [] for s in symbols}
    for term in expr.args:
        for s in term.free_symbols & wanted:
            terms[s].append(term)
    return [
        sp.Add(*[differentiate(t, s) for t in terms[s]]) if terms[s] else sp.S.Zero for s in symbols
    ]


def grad(
    expr: str | sp.Expr | Problem,
    at: Mapping[str, Number] | str | None = None,
    wrt: Sequence[str] | str | None = None,
    unconnected: str = "none",
    check: bool = True,
) -> GradientResult:
    """Differentiate ``expr`` with respect to each variable in ``wrt``, exactly.

    ``at`` gives the point (``{"w": 10}`` or ``"w=10"``); ``wrt`` the variable
    list in order, like TensorFlow's ``var_list`` (default: the order of
    ``at``, else the variables sorted by name). A variable the expression does
    not use gets ``None`` in the TensorFlow-style answers, or ``0.0`` with
    ``unconnected="zero"``.

    >>> grad("x*y", at="x=2,y=3", wrt="y,x").gradients()
    [2.0, 3.0]
    >>> grad("w*w + 2", at={"w": 10, "v": 3}).compute_gradients()
    [(20.0, 10.0), (None, 3.0)]
    """
    if unconnected not in UNCONNECTED:
        raise InputError(f"unconnected must be 'none' or 'zero', not {unconnected!r}")
    return gradient(problem(expr, at, wrt), unconnected=unconnected, check=check)


def gradient(p: Problem, unconnected: str = "none", check: bool = True) -> GradientResult:
    """The gradient of a :class:`~symgrad.problem.Problem` (what :func:`grad` returns)."""
    if unconnected not in UNCONNECTED:
        raise InputError(f"unconnected must be 'none' or 'zero', not {unconnected!r}")
    derivatives = partial_derivatives(p.expr, p.symbols)
    if p.point is None:
        partials = tuple(
            Partial(n, s, d, n in p.structural) for n, s, d in zip(p.names, p.symbols, derivatives)
        )
        return GradientResult(
            p.expr,
            p.names,
            partials,
            text=p.text,
            unconnected=unconnected,
            notes=p.parsed.notes,  # how an ambiguous spelling was read (sinx, xy, dy/dx)
        )
    return _at_point(p, derivatives, unconnected, check)


def _at_point(p: Problem, derivatives, unconnected, check):
    names, symbols, point, structural = p.names, p.symbols, p.point, p.structural
    subs, floats = p.subs, p.floats
    problems: list[str] = []
    notes: list[str] = list(p.parsed.notes)  # how an ambiguous spelling was read
    y = output_name({*names, *p.used})
    exact_value = p.expr.xreplace(subs)
    value = to_float(exact_value)
    if value is None or not math.isfinite(value):
        reason = diagnose_point(p.expr, subs)
        if reason is None and value is not None:
            notes.append(f"{y} = {sp.sstr(exact_value)} is too large for float64")
        elif reason is not None:
            problems.append(reason)
        else:
            problems.append(f"{y} is not a real number at this point ({sp.sstr(exact_value)})")
    partials = []
    kinks = {k.variable: k for k in find_kinks(p.expr, subs, symbols)} if not problems else {}
    exacts, values, compiled = _values(derivatives, subs, floats)
    if compiled:
        which = ", ".join(f"∂{y}/∂{names[k]}" for k in compiled[:3])
        more = f" and {len(compiled) - 3} more" if len(compiled) > 3 else ""
        notes.append(
            f"{which}{more}: float64 from compiled code; the formula is too large "
            f"(over {EXACT_NODES:,} nodes) to evaluate exactly"
        )
    # One call checks every partial that needs it: the function is compiled once, and
    # a gradient of many variables is checked in one vectorised evaluation.
    to_check = [
        k
        for k, (name, val) in enumerate(zip(names, values))
        if check
        and name in structural
        and name not in kinks
        and val is not None
        and math.isfinite(val)
    ]
    checks = check_gradient(
        p.expr, [symbols[k] for k in to_check], floats, [values[k] for k in to_check]
    )
    checked = dict(zip(to_check, checks))
    for k, (name, sym, d) in enumerate(zip(names, symbols, derivatives)):
        connected = name in structural
        exact, val = exacts[k], values[k]
        evidence = None
        if name in kinks:
            kink = kinks[name]
            problems.append(kink.explain())
            if exact is not None and exact.has(sp.DiracDelta):
                # The slope of a jump at the jump itself (2⋅DiracDelta(0) for sign at 0) has
                # no value: the derivative does not exist there, which the problem says. What
                # is shown is the formula away from the jump, the value TensorFlow returns.
                exact = off_jumps(exact)[0]
                val = to_float(exact)
            if val is None:
                val = kink.framework
            evidence = kink_check(kink, val)
        elif exact is not None and (val is None or not math.isfinite(val)):
            if not problems:
                reason = diagnose_point(d, subs)
                if val is not None and reason is None:
                    notes.append(
                        f"∂{y}/∂{name} = {sp.sstr(exact)} is too large for float64; "
                        "TensorFlow would print inf"
                    )
                elif exact.has(sp.zoo, sp.oo, -sp.oo) or (val is not None and math.isinf(val)):
                    problems.append(
                        f"the slope of {sp.sstr(p.expr)} with respect to {name} "
                        f"is infinite at {_where(point)}"
                    )
                else:
                    problems.append(
                        reason or f"∂{y}/∂{name} is not a real number at {_where(point)}"
                    )
            if val is None:
                # What a float64 framework would print: the formula evaluated in IEEE arithmetic.
                val = compile_expr(d, list(floats))(*floats.values())
        elif k in checked:
            evidence = checked[k]
            if evidence.verdict == "disagrees":
                problems.append(f"the numeric check of ∂{y}/∂{name} failed: {evidence.explain()}")
        partials.append(Partial(name, sym, d, connected, exact, val, evidence))
    unconnected_names = [q.variable for q in partials if not q.connected]
    if unconnected_names:
        which = ", ".join(unconnected_names)
        tf = "0.0 (UnconnectedGradients.ZERO)" if unconnected == "zero" else "None"
        notes.insert(
            0,
            f"{y} does not depend on {which}: the derivative is 0, and TensorFlow gives {tf}",
        )
    return GradientResult(
        p.expr,
        names,
        tuple(partials),
        point=tuple(point.items()),
        exact_value=exact_value,
        value=value,
        unconnected=unconnected,
        problems=tuple(problems),
        notes=tuple(notes),
        text=p.text,
    )


def _size(expr: sp.Basic, limit: int) -> int:
    """The number of nodes of ``expr``, counting stops past ``limit``."""
    count = 0
    for _ in sp.preorder_traversal(expr):
        count += 1
        if count > limit:
            break
    return count


def _values(derivatives, subs, floats):
    """Exact values where the formula is small enough; compiled float64 for the rest."""
    exacts: list[sp.Expr | None] = []
    values: list[float | None] = []
    compiled: list[int] = []
    factors: dict[sp.Expr, sp.Expr | None] = {}  # each factor's 30-digit value, computed once
    for k, d in enumerate(derivatives):
        if _size(d, EXACT_NODES) > EXACT_NODES:
            exacts.append(None)
            values.append(float(compile_expr(d, list(floats))(*floats.values())))
            compiled.append(k)
        else:
            exact = d.xreplace(subs)
            exacts.append(exact)
            values.append(_float_of(exact, factors))
    return exacts, values, compiled


#: A product with at least this many factors is evaluated factor by factor, each distinct
#: factor once for the whole gradient.
FACTORWISE_FROM = 3


def _float_of(exact: sp.Expr, factors: dict) -> float | None:
    """:func:`to_float` of ``exact``; a product's factors are evaluated once per gradient.

    The partials of a deep composition are products of the same few dozen factors
    (the chain rule's ``cos(...)`` of every level): evaluating each product whole
    evaluated every shared factor again for every partial, a cost that grew as
    the depth cubed. Each factor gets 30 digits, so their product still rounds
    to the float64 nearest the exact value.
    """
    if not (exact.is_Mul and len(exact.args) >= FACTORWISE_FROM):
        return to_float(exact)
    numbers = []
    for f in exact.args:
        if f not in factors:
            n = f.evalf(30)
            factors[f] = n if n.is_Float or n.is_Rational else None
        if factors[f] is None:  # not a real number on its own: the whole product decides
            return to_float(exact)
        numbers.append(factors[f])
    return to_float(sp.Mul(*numbers))


def _where(point: Mapping[str, sp.Expr]) -> str:
    return ", ".join(f"{k} = {sp.sstr(v)}" for k, v in point.items())
