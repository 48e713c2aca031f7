"""Exact real arithmetic shared by the optimizers and the network: rationals kept small.

A float becomes the rational of the decimal it prints as (``0.1`` is 1/10, not
its binary neighbour); an irrational intermediate value is carried as a
rational with :data:`DIGITS` significant digits; a square root is exact for a
perfect square.

>>> rational(0.1)
1/10
>>> sqrt(rational(2.25))
3/2
>>> float(sqrt(settle(rational(2.0))))
1.4142135623730951
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from symgrad.errors import MathError

__all__ = ["DIGITS", "rational", "settle", "sqrt", "to_float"]

DIGITS = 40  # an irrational value is carried as a rational with this many digits


def rational(value: float) -> Any:
    """The exact rational of the decimal ``repr(float(value))`` shows."""
    import sympy as sp

    f = Fraction(repr(float(value)))  # the decimal the user typed, not its binary neighbour
    return sp.Rational(f.numerator, f.denominator)


def settle(x: Any) -> Any:
    """An exact real number, kept small: a rational, rounded to DIGITS digits if need be."""
    import sympy as sp

    if x.is_Rational and x.q.bit_length() <= 4 * DIGITS and x.p.bit_length() <= 4 * DIGITS + 1200:
        return x
    n = sp.N(x, DIGITS)
    if not n.is_Number or n.has(sp.zoo, sp.oo, -sp.oo, sp.nan) or not n.is_real:
        raise MathError(f"{sp.sstr(x)} is not a finite real number")
    return sp.Rational(n)


def sqrt(x: Any) -> Any:
    """The square root of an exact non-negative number: exact for a perfect square, else
    rounded to DIGITS digits (SymPy's own sqrt would try to factor big integers)."""
    import mpmath
    import sympy as sp

    x = settle(x)
    if x < 0:
        raise MathError(f"the square root of {sp.sstr(x)} is not real")
    p, q = int(x.p), int(x.q)
    rp, rq = math.isqrt(p), math.isqrt(q)
    if rp * rp == p and rq * rq == q:
        return sp.Rational(rp, rq)
    with mpmath.workdps(DIGITS + 10):
        man, exp = mpmath.sqrt(mpmath.mpf(p) / q).man_exp
    return settle(sp.Rational(man * 2**exp) if exp >= 0 else sp.Rational(man, 2**-exp))


def to_float(x: Any) -> float:
    """``float(x)``, or ±inf where the exact number is beyond float64."""
    try:
        return float(x)
    except OverflowError:  # pragma: no cover - float() of a huge Rational
        return math.inf if x > 0 else -math.inf
