"""One request, set up once: the parsed expression, its variables and the exact point.

Every entry point (gradient, steps, higher derivatives, pictures, spot
checks) starts the same way: parse the text safely, decide the variable list
(``wrt``, else the order of ``at``, else the names sorted), turn ``at`` into
exact values, and refuse a point that leaves a variable without a value.
:func:`problem` does that once and the result is passed down.

>>> p = problem("w*w + 2", at={"w": 10})
>>> p.names, p.point, p.expr
(('w',), {'w': 10}, w**2 + 2)
>>> problem("x*y", at="x=1")  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
symgrad.errors.InputError: no value for y
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from functools import cached_property

import sympy as sp

from symgrad.errors import InputError
from symgrad.parse import Parsed, parse, parse_assignments, parse_names, parse_value, variable

__all__ = [
    "Number",
    "Problem",
    "as_parsed",
    "exact_number",
    "exact_point",
    "problem",
    "require_values",
    "variable_list",
]

Number = int | float | Fraction | str | sp.Expr


def exact_number(name: str, value: Number) -> sp.Expr:
    """An exact SymPy number for a user-given value (text is parsed safely).

    >>> exact_number("w", 0.1), exact_number("w", "pi/4")
    (1/10, pi/4)
    """
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
        return exact_number(name, float(value))
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
        point[name] = exact_number(name, value)
    return point


def as_parsed(expr: str | sp.Expr | Parsed, assigned: Iterable[str] = ()) -> Parsed:
    """User text through symgrad's parser, or a SymPy expression with its symbols made real."""
    if isinstance(expr, Parsed):
        return expr
    if isinstance(expr, str):
        return parse(expr, assigned=assigned)
    if isinstance(expr, sp.Basic):
        # Re-make every symbol as symgrad's real variable so that w and variable("w") match.
        symbols = sorted(expr.free_symbols, key=lambda s: s.name)
        checked = _each_name(s.name for s in symbols)
        mapping = {s: variable(n) for s, n in zip(symbols, checked) if s != variable(n)}
        real_expr = expr.xreplace(mapping) if mapping else expr
        return Parsed(real_expr, tuple(checked), sp.sstr(real_expr))
    raise InputError(
        f"cannot differentiate a {type(expr).__name__}; pass text or a SymPy expression"
    )


def _each_name(names: Iterable[str]) -> list[str]:
    """Validate names given one by one (a SymPy expression's symbols, a ``wrt`` list).

    Each name is checked on its own, so the length limit on a *typed* list of
    names does not cap how many variables an expression built in Python may have.
    """
    checked: list[str] = []
    seen: set[str] = set()
    for raw in names:
        parsed = parse_names(raw)
        if len(parsed) != 1:
            raise InputError(f"{raw!r} is not one variable name", hint="for example w or x1")
        (name,) = parsed
        if name in seen:
            raise InputError(f"{name} appears twice in the variable list")
        seen.add(name)
        checked.append(name)
    return checked


def variable_list(
    names: Iterable[str],
    point: Mapping[str, sp.Expr] | None,
    wrt: Sequence[str] | str | None,
) -> list[str]:
    """The variables to differentiate by, in order: ``wrt``, else ``at``'s order, else sorted.

    >>> variable_list(["y", "x"], None, None), variable_list(["y", "x"], {"y": 1, "x": 2}, None)
    (['x', 'y'], ['y', 'x'])
    """
    if wrt is not None:
        chosen = parse_names(wrt) if isinstance(wrt, str) else _each_name(map(str, wrt))
        if not chosen:
            raise InputError("--wrt names no variable", hint="for example --wrt w,v")
        return chosen
    if point is not None:
        return list(point)
    chosen = sorted(set(names))
    if not chosen:
        raise InputError(
            "the expression has no variables, so there is nothing to differentiate",
            hint="try something like x^2, or name a variable with --wrt",
        )
    return chosen


def require_values(used: Iterable[str], names: Iterable[str], point: Mapping[str, object]) -> None:
    """Refuse a point that gives no value to a variable the work needs.

    >>> require_values(["x"], ["x", "v"], {"x": 1})  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    symgrad.errors.InputError: no value for v (it is in --wrt)
    """
    for name in sorted(set(used) - set(point)):
        raise InputError(f"no value for {name}", hint=f"add {name}=... to --at")
    for name in names:
        if name not in point:
            raise InputError(
                f"no value for {name} (it is in --wrt)", hint=f"add {name}=... to --at"
            )


class Problem:
    """A parsed expression, the variables to differentiate by and the exact point (or None).

    Build it with :func:`problem`; the derived views (symbols, substitutions,
    floats) are computed once, on first use.
    """

    __slots__ = ("parsed", "names", "point", "__dict__")

    def __init__(
        self, parsed: Parsed, names: Sequence[str], point: Mapping[str, sp.Expr] | None
    ) -> None:
        self.parsed = parsed
        self.names: tuple[str, ...] = tuple(names)
        self.point: dict[str, sp.Expr] | None = None if point is None else dict(point)

    def __repr__(self) -> str:
        return f"Problem({self.parsed.text!r}, names={self.names!r}, point={self.point!r})"

    @property
    def expr(self) -> sp.Expr:
        return self.parsed.expr

    @property
    def text(self) -> str:
        return self.parsed.text

    @cached_property
    def symbols(self) -> tuple[sp.Symbol, ...]:
        """The variables of :attr:`names` as symgrad's real symbols."""
        return tuple(variable(n) for n in self.names)

    @cached_property
    def used(self) -> frozenset[str]:
        """The names the expression really depends on."""
        return frozenset(s.name for s in self.expr.free_symbols)

    @cached_property
    def structural(self) -> frozenset[str]:
        """Every name the text mentions, even one that cancels (``w - w``)."""
        return frozenset(self.parsed.names) | self.used

    @cached_property
    def subs(self) -> dict[sp.Symbol, sp.Expr]:
        """The point as exact values keyed by symbol (empty without a point)."""
        return {variable(n): v for n, v in (self.point or {}).items()}

    @cached_property
    def floats(self) -> dict[sp.Symbol, float]:
        """The point in float64, keyed by symbol."""
        return {s: float(v) for s, v in self.subs.items()}


def problem(
    expr: str | sp.Expr | Parsed | Problem,
    at: Mapping[str, Number] | str | None = None,
    wrt: Sequence[str] | str | None = None,
) -> Problem:
    """Set up one request: parse, choose the variables, make the point exact, check it.

    A :class:`Problem` passed in comes back unchanged. With a point, every
    variable the expression uses and every variable in ``wrt`` must have a value.
    """
    if isinstance(expr, Problem):
        return expr
    point = exact_point(at)
    parsed = as_parsed(expr, point or ())
    free = {s.name for s in parsed.expr.free_symbols}
    names = variable_list(set(parsed.names) | free, point, wrt)
    if point is not None:
        require_values(free, names, point)
    return Problem(parsed, names, point)
