"""Float evaluation of SymPy expressions, without generating or executing code.

:func:`compile_expr` walks the expression tree once and returns a Python
closure, so evaluating it costs no ``exec``/``lambdify`` and never prints a
name into code. Two backends: ``"math"`` (scalars; no numpy import, for a
fast start) and ``"numpy"`` (element-wise on arrays, IEEE semantics).

Overflow gives ``inf`` and a point outside the real domain gives ``nan``, as a
float64 framework would; symgrad reports *why* elsewhere.

>>> import sympy as sp
>>> from symgrad.parse import variable
>>> x = variable("x")
>>> f = compile_expr(sp.sin(x) * x**2, [x])
>>> round(f(2.0), 10)
3.6371897073
>>> compile_expr(sp.log(x), [x])(-1.0)
nan
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

import sympy as sp

from symgrad.errors import InputError
from symgrad.functions import REGISTRY

Backend = str
_Fn = Callable[[Sequence[Any]], Any]


def _guard(fn: Callable[..., float]) -> Callable[..., float]:
    """Wrap a ``math`` function so that domain errors give nan and overflow gives inf."""

    def safe(*args: float) -> float:
        try:
            return fn(*args)
        except OverflowError:
            return math.inf
        except (ValueError, ZeroDivisionError):
            return math.nan

    return safe


def _m_pow(base: float, exponent: float) -> float:
    if base == 0 and exponent < 0:
        return math.inf
    return math.pow(base, exponent)


# The evaluators live in each function's record (symgrad.functions); these are just indexes.
_MATH: dict[Any, Callable[..., float]] = {
    f.head: _guard(f.math) for f in REGISTRY if f.head is not None and f.math is not None
}


@functools.lru_cache(maxsize=1)
def _numpy_table() -> dict[Any, Callable[..., Any]]:
    import numpy as np

    table = {}
    for f in REGISTRY:
        if f.head is None or f.numpy is None:
            continue
        table[f.head] = (
            getattr(np, f.numpy) if isinstance(f.numpy, str) else functools.partial(f.numpy, np)
        )
    return table


def _compile(expr: sp.Basic, index: dict[sp.Symbol, int], backend: Backend, table) -> _Fn:
    if expr.is_Symbol:
        if expr not in index:
            raise InputError(f"no value for the variable {expr}")
        i = index[expr]
        return lambda v: v[i]
    if expr.is_Number or expr.is_NumberSymbol:
        c = float(expr)
        return lambda v: c
    if expr.is_Add:
        parts = [_compile(a, index, backend, table) for a in expr.args]

        def add(v):
            total = parts[0](v)
            for p in parts[1:]:
                total = total + p(v)
            return total

        return add
    if expr.is_Mul:
        parts = [_compile(a, index, backend, table) for a in expr.args]

        def mul(v):
            total = parts[0](v)
            for p in parts[1:]:
                total = total * p(v)
            return total

        return mul
    if expr.is_Pow:
        return _compile_pow(expr, index, backend, table)
    fn = table.get(expr.func)
    if fn is None:
        raise InputError(f"cannot evaluate {expr.func.__name__} numerically")
    args = [_compile(a, index, backend, table) for a in expr.args]
    if len(args) == 1:
        only = args[0]
        return lambda v: fn(only(v))
    return lambda v: fn(*(a(v) for a in args))


def _compile_pow(expr: sp.Pow, index, backend: Backend, table) -> _Fn:
    base = _compile(expr.base, index, backend, table)
    exponent = expr.exp
    if backend == "numpy":
        import numpy as np

        if exponent.is_Integer:
            n = int(exponent)
            if n == -1:
                return lambda v: np.reciprocal(np.asarray(base(v), dtype=float))
            return lambda v: np.power(np.asarray(base(v), dtype=float), n)
        e = _compile(exponent, index, backend, table)
        return lambda v: np.power(np.asarray(base(v), dtype=float), e(v))
    if exponent.is_Integer:
        n = int(exponent)

        def int_pow(v):
            b = base(v)
            try:
                return b**n if n >= 0 else (1.0 / b) ** -n
            except ZeroDivisionError:
                return math.inf
            except OverflowError:
                return math.inf

        return int_pow
    if exponent == sp.S.Half:
        return lambda v: _guard(math.sqrt)(base(v))
    e = _compile(exponent, index, backend, table)
    safe_pow = _guard(_m_pow)
    return lambda v: safe_pow(base(v), e(v))


def compile_expr(
    expr: sp.Basic, symbols: Sequence[sp.Symbol], backend: Backend = "math"
) -> Callable[..., Any]:
    """Turn ``expr`` into a fast float function of ``symbols`` (positional arguments).

    >>> import sympy as sp
    >>> from symgrad.parse import variable
    >>> w = variable("w")
    >>> compile_expr(w * w + 2, [w])(10.0)
    102.0
    """
    index = {s: i for i, s in enumerate(symbols)}
    if backend == "math":
        table = _MATH
    elif backend == "numpy":
        table = _numpy_table()
    else:
        raise ValueError(f"unknown backend {backend!r}")
    body = _compile(expr, index, backend, table)
    if backend == "numpy":
        import numpy as np

        def run_numpy(*values):
            with np.errstate(all="ignore"):
                return body(values)

        return run_numpy

    def run_math(*values):
        try:
            return float(body(values))
        except OverflowError:
            return math.inf
        except (ValueError, ZeroDivisionError):
            return math.nan

    return run_math


def to_float(value: sp.Expr) -> float | None:
    """The float of an exact real value; ``inf`` if it overflows; None if not a real number."""
    if value.has(sp.zoo, sp.nan):
        return None
    if value is sp.oo:
        return math.inf
    if value is -sp.oo:
        return -math.inf
    n = value.evalf(30)
    if not n.is_number:
        return None
    re, im = n.as_real_imag()
    if not (re.is_Number and im.is_Number):  # e.g. DiracDelta(0): no number at all
        return None
    if im != 0 and abs(float(im)) > 1e-25 * max(1.0, abs(float(re))):
        return None
    return float(re)
