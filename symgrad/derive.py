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
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

import sympy as sp

from symgrad.check import check_gradient, diagnose_point
from symgrad.errors import InputError
from symgrad.kinks import find_kinks, kink_check
from symgrad.numeric import compile_expr, to_float
from symgrad.parse import Parsed, parse, parse_assignments, parse_names, parse_value, variable
from symgrad.result import GradientResult, GradPair, Partial, output_name

__all__ = ["grad", "GradPair", "GradientResult", "Partial", "exact_point", "to_float"]

Number = int | float | Fraction | str | sp.Expr
UNCONNECTED = ("none", "zero")


def _exact_number(name: str, value: Number) -> sp.Expr:
    """An exact SymPy number for a user-given value (text is parsed safely)."""
    if isinstance(value, bool):
        raise InputError(f"the value of {name} must be a number, not {value}")
    if isinstance(value, str):
        return parse_value(value, name=name)
    if isinstance(value, int):
        return sp.Integer(value)
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InputError(f"the value of {name} must be finite, got {value}")
        f = Fraction(repr(value))  # 0.1 means the decimal 1/10, as the student typed it
        return sp.Rational(f.numerator, f.denominator)
    if isinstance(value, sp.Expr):
        if value.free_symbols or not value.is_number:
            raise InputError(f"the value of {name} must be a number, got {value}")
        if value.is_extended_real is False or value.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
            raise InputError(f"the value of {name} must be a finite real number, got {value}")
        return value
    try:  # numpy scalars and other real numbers
        return _exact_number(name, float(value))
    except (TypeError, ValueError):
        raise InputError(f"the value of {name} must be a number, got {value!r}") from None


def exact_point(at: Mapping[str, Number] | str | None) -> dict[str, sp.Expr] | None:
    """Normalise ``at`` (a mapping or ``"w=10,v=3"``) to ordered exact values.

    >>> exact_point({"w": 0.1, "v": "pi/4"})
    {'w': 1/10, 'v': pi/4}
    """
    if at is None:
        return None
    if isinstance(at, str):
        return parse_assignments(at)
    point: dict[str, sp.Expr] = {}
    for raw_name, value in at.items():
        key = raw_name.name if isinstance(raw_name, sp.Symbol) else str(raw_name)
        (name,) = parse_names(key)
        if name in point:
            raise InputError(f"{name} is given two values")
        point[name] = _exact_number(name, value)
    return point


def as_parsed(expr: str | sp.Expr | Parsed, assigned: Iterable[str] = ()) -> Parsed:
    """User text through symgrad's parser, or a SymPy expression with its symbols made real."""
    if isinstance(expr, Parsed):
        return expr
    if isinstance(expr, str):
        return parse(expr, assigned=assigned)
    if isinstance(expr, sp.Basic):
        # Re-make every symbol as symgrad's real variable so that w and variable("w") match.
        names = sorted(s.name for s in expr.free_symbols)
        checked = parse_names(",".join(names)) if names else []
        mapping = {
            s: variable(n) for s, n in zip(sorted(expr.free_symbols, key=lambda s: s.name), checked)
        }
        real_expr = expr.xreplace(mapping)
        return Parsed(real_expr, tuple(checked), sp.sstr(real_expr))
    raise InputError(
        f"cannot differentiate a {type(expr).__name__}; pass text or a SymPy expression"
    )


def _variable_list(parsed: Parsed, point: dict[str, sp.Expr] | None, wrt) -> list[str]:
    if wrt is not None:
        names = parse_names(wrt) if isinstance(wrt, str) else parse_names(",".join(map(str, wrt)))
        if not names:
            raise InputError("--wrt names no variable", hint="for example --wrt w,v")
        return names
    if point is not None:
        return list(point)
    names = sorted(set(parsed.names) | {s.name for s in parsed.expr.free_symbols})
    if not names:
        raise InputError(
            "the expression has no variables, so there is nothing to differentiate",
            hint="try something like x^2, or name a variable with --wrt",
        )
    return names


def grad(
    expr: str | sp.Expr,
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
    point = exact_point(at)
    parsed = as_parsed(expr, point or ())
    names = _variable_list(parsed, point, wrt)
    used = {s.name for s in parsed.expr.free_symbols}
    if point is not None:
        for name in sorted(used - set(point)):
            raise InputError(f"no value for {name}", hint=f"add {name}=... to --at")
        for name in names:
            if name not in point:
                raise InputError(
                    f"no value for {name} (it is in --wrt)", hint=f"add {name}=... to --at"
                )
    symbols = [variable(n) for n in names]
    structural = set(parsed.names) | used
    from symgrad.rules import differentiate

    derivatives = [differentiate(parsed.expr, s) for s in symbols]
    if point is None:
        partials = tuple(
            Partial(n, s, d, n in structural) for n, s, d in zip(names, symbols, derivatives)
        )
        return GradientResult(
            parsed.expr, tuple(names), partials, text=parsed.text, unconnected=unconnected
        )
    return _at_point(parsed, names, symbols, derivatives, structural, point, unconnected, check)


def _at_point(parsed, names, symbols, derivatives, structural, point, unconnected, check):
    subs = {variable(n): v for n, v in point.items()}
    floats = {variable(n): float(v) for n, v in point.items()}
    problems: list[str] = []
    notes: list[str] = []
    y = output_name({*names, *(s.name for s in parsed.expr.free_symbols)})
    exact_value = parsed.expr.xreplace(subs)
    value = to_float(exact_value)
    if value is None or not math.isfinite(value):
        problem = diagnose_point(parsed.expr, subs)
        if problem is None and value is not None:
            notes.append(f"{y} = {sp.sstr(exact_value)} is too large for float64")
        elif problem is not None:
            problems.append(problem)
        else:
            problems.append(f"{y} is not a real number at this point ({sp.sstr(exact_value)})")
    partials = []
    kinks = {k.variable: k for k in find_kinks(parsed.expr, subs, symbols)} if not problems else {}
    exacts = [d.xreplace(subs) for d in derivatives]
    values = [to_float(e) for e in exacts]
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
        parsed.expr, [symbols[k] for k in to_check], floats, [values[k] for k in to_check]
    )
    checked = dict(zip(to_check, checks))
    for k, (name, sym, d) in enumerate(zip(names, symbols, derivatives)):
        connected = name in structural
        exact, val = exacts[k], values[k]
        evidence = None
        if name in kinks:
            problems.append(kinks[name].explain())
            evidence = kink_check(kinks[name], val)
        elif val is None or not math.isfinite(val):
            if not problems:
                reason = diagnose_point(d, subs)
                if val is not None and reason is None:
                    notes.append(
                        f"∂{y}/∂{name} = {sp.sstr(exact)} is too large for float64; "
                        "TensorFlow would print inf"
                    )
                elif exact.has(sp.zoo, sp.oo, -sp.oo) or (val is not None and math.isinf(val)):
                    problems.append(
                        f"the slope of {sp.sstr(parsed.expr)} with respect to {name} is infinite at {_where(point)}"
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
    unconnected_names = [p.variable for p in partials if not p.connected]
    if unconnected_names:
        which = ", ".join(unconnected_names)
        tf = "0.0 (UnconnectedGradients.ZERO)" if unconnected == "zero" else "None"
        notes.insert(
            0,
            f"{y} does not depend on {which}: the derivative is 0, and TensorFlow gives {tf}",
        )
    return GradientResult(
        parsed.expr,
        tuple(names),
        tuple(partials),
        point=tuple(point.items()),
        exact_value=exact_value,
        value=value,
        unconnected=unconnected,
        problems=tuple(problems),
        notes=tuple(notes),
        text=parsed.text,
    )


def _where(point: Mapping[str, sp.Expr]) -> str:
    return ", ".join(f"{k} = {sp.sstr(v)}" for k, v in point.items())
