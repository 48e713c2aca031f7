"""Deliberately wrong derivatives: the typical mistakes, made on purpose.

To say *why* a student's derivative is wrong, symgrad differentiates the
function again with one typical mistake switched on — the chain rule's inner
derivative forgotten, the product rule taken as ``u'v'``, and so on — and
compares the student's answer with each wrong result. A mistake can be made
everywhere it applies or at one place only (a student often forgets the inner
derivative in one term and not in another), so each mistake yields one
candidate per place plus one with the mistake made everywhere.

>>> import sympy as sp
>>> from symgrad.parse import variable
>>> x = variable("x")
>>> wrong_diff(sp.sin(x**2), x, "chain")
cos(x**2)
>>> wrong_diff(x**3 + 5, x, "constant_kept")
3*x**2 + 5
>>> wrong_diff(x**3, x, "power_not_lowered")
3*x**3
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import sympy as sp


class Mistake(NamedTuple):
    """A typical mistake: the rule it breaks, what went wrong, and a hint that names the rule."""

    rule: str
    description: str
    hint: str


MISTAKES: dict[str, Mistake] = {
    "chain": Mistake(
        "chain rule",
        "the derivative of the inner function is missing",
        "after differentiating the outer function, multiply by the derivative of what is "
        "inside it: (f(g(x)))' = f'(g(x))·g'(x)",
    ),
    "product": Mistake(
        "product rule",
        "the derivative of a product was taken as the product of the derivatives (u'·v')",
        "(u·v)' = u'·v + u·v': differentiate one factor at a time and add the two terms",
    ),
    "quotient_swapped": Mistake(
        "quotient rule",
        "the two terms of the numerator are swapped",
        "(u/v)' = (u'·v − u·v')/v²: the term with u' comes first",
    ),
    "quotient_no_square": Mistake(
        "quotient rule",
        "the denominator is not squared",
        "(u/v)' = (u'·v − u·v')/v²: the denominator is v squared",
    ),
    "power_not_lowered": Mistake(
        "power rule",
        "the exponent was brought down but not lowered by one",
        "(xⁿ)' = n·xⁿ⁻¹: bring the exponent down and subtract 1 from it",
    ),
    "constant_kept": Mistake(
        "constant rule",
        "a constant term was kept instead of becoming 0",
        "the derivative of a constant term is 0",
    ),
    "trig_sign": Mistake(
        "derivatives of sin and cos",
        "a sign error in the derivative of sin or cos",
        "(sin u)' = cos(u)·u' and (cos u)' = −sin(u)·u'",
    ),
    "log_inverted": Mistake(
        "logarithm rule",
        "the derivative of log was inverted",
        "(ln u)' = u'/u: the derivative of ln is one over its argument",
    ),
    "wrong_variable": Mistake(
        "partial derivatives",
        "differentiated with respect to the wrong variable",
        "differentiate with respect to the variable asked for and treat every other "
        "variable as a constant",
    ),
    "not_differentiated": Mistake(
        "differentiation",
        "the answer is the function itself, not its derivative",
        "differentiate the function: apply the rules term by term",
    ),
    "wrong_order": Mistake(
        "order of the derivative",
        "the answer is a derivative of another order",
        "count how many times the function must be differentiated",
    ),
    "sign": Mistake(
        "signs",
        "the answer has the opposite sign",
        "check the signs term by term: minus signs from subtraction, from cos' = −sin and "
        "from the power rule with negative exponents",
    ),
    "factor": Mistake(
        "constant factors",
        "the answer is off by a constant factor",
        "check the constant factors: coefficients, exponents brought down by the power rule, "
        "and factors that come from the chain rule",
    ),
}

#: The mistakes made by :func:`wrong_diff`, in the order they are tried.
RULE_MISTAKES = (
    "chain",
    "product",
    "quotient_swapped",
    "quotient_no_square",
    "power_not_lowered",
    "constant_kept",
    "trig_sign",
    "log_inverted",
)

MAX_SITES = 12


class WrongDerivation(NamedTuple):
    """One deliberately wrong derivative: the mistake, where it was made, the result."""

    mistake: str
    site: sp.Expr | None  # the subexpression where the mistake was made; None: everywhere
    derivative: sp.Expr
    detail: str = ""  # e.g. the variable used instead, or the factor


class _Differentiator:
    """A small differentiator with one mistake switched on (everywhere, or at one site)."""

    def __init__(self, var: sp.Symbol, mistake: str | None, only: sp.Expr | None = None):
        self.var = var
        self.mistake = mistake
        self.only = only
        self.sites: list[sp.Expr] = []

    def _wrong_here(self, mistake: str, node: sp.Expr) -> bool:
        if self.mistake != mistake:
            return False
        if node not in self.sites:
            self.sites.append(node)
        return self.only is None or node == self.only

    def d(self, expr: sp.Expr) -> sp.Expr:
        var = self.var
        if not expr.has(var):
            return sp.S.Zero
        if expr == var:
            return sp.S.One
        if isinstance(expr, sp.Add):
            return sp.Add(*(self._term(t) for t in expr.args))
        if isinstance(expr, sp.Mul):
            return self._mul(expr)
        if isinstance(expr, sp.Pow):
            return self._pow(expr)
        if isinstance(expr, sp.exp):
            return self._function(expr)
        if isinstance(expr, sp.Function) and len(expr.args) == 1:
            return self._function(expr)
        return sp.diff(expr, var)

    def _term(self, term: sp.Expr) -> sp.Expr:
        if not term.has(self.var) and self._wrong_here("constant_kept", term):
            return term
        return self.d(term)

    def _mul(self, expr: sp.Mul) -> sp.Expr:
        var = self.var
        const = sp.Mul(*(f for f in expr.args if not f.has(var)))
        factors = [f for f in expr.args if f.has(var)]
        if len(factors) == 1:
            return const * self.d(factors[0])
        numer = [f for f in factors if not _is_denominator(f)]
        denom = [f for f in factors if _is_denominator(f)]
        if numer and denom:
            u = sp.Mul(*numer)
            v = sp.Mul(*(1 / f for f in denom))
            du, dv = self.d(u), self.d(v)
            node = expr
            if self._wrong_here("quotient_swapped", node):
                return const * (u * dv - du * v) / v**2
            if self._wrong_here("quotient_no_square", node):
                return const * (du * v - u * dv) / v
            return const * (du * v - u * dv) / v**2
        if self._wrong_here("product", expr):
            return const * sp.Mul(*(self.d(f) for f in factors))
        total = sp.S.Zero
        for i, f in enumerate(factors):
            others = sp.Mul(*(g for j, g in enumerate(factors) if j != i))
            total += self.d(f) * others
        return const * total

    def _pow(self, expr: sp.Pow) -> sp.Expr:
        var = self.var
        base, exponent = expr.args
        if not exponent.has(var):
            inner = self.d(base)
            lowered = exponent - 1
            if self._wrong_here("power_not_lowered", expr):
                lowered = exponent
            outer = exponent * base**lowered
            if base != var and self._wrong_here("chain", expr):
                return outer
            return outer * inner
        if not base.has(var):
            inner = self.d(exponent)
            outer = expr * sp.log(base)
            if exponent != var and self._wrong_here("chain", expr):
                return outer
            return outer * inner
        # f**g: logarithmic differentiation, mistakes allowed inside f and g.
        return expr * (self.d(exponent) * sp.log(base) + exponent * self.d(base) / base)

    def _function(self, expr: sp.Expr) -> sp.Expr:
        (arg,) = expr.args
        t = sp.Dummy("t", real=True)
        outer = sp.diff(expr.func(t), t)
        if isinstance(expr, (sp.sin, sp.cos)) and self._wrong_here("trig_sign", expr):
            outer = -outer
        if isinstance(expr, sp.log) and self._wrong_here("log_inverted", expr):
            outer = t
        outer = outer.subs(t, arg)
        if arg != self.var and self._wrong_here("chain", expr):
            return outer
        return outer * self.d(arg)


def _is_denominator(factor: sp.Expr) -> bool:
    return isinstance(factor, sp.Pow) and factor.exp.is_negative is True


def wrong_diff(
    expr: sp.Expr, var: sp.Symbol, mistake: str | None = None, site: sp.Expr | None = None
) -> sp.Expr:
    """Differentiate ``expr`` by ``var`` making ``mistake`` (everywhere, or only at ``site``).

    With ``mistake=None`` the result is the correct derivative.

    >>> from symgrad.parse import variable
    >>> x = variable("x")
    >>> wrong_diff(x * sp.sin(x), x, "product")
    cos(x)
    >>> wrong_diff(sp.log(x), x, "log_inverted")
    x
    """
    return _Differentiator(var, mistake, site).d(expr)


def sites(expr: sp.Expr, var: sp.Symbol, mistake: str) -> list[sp.Expr]:
    """The subexpressions of ``expr`` where ``mistake`` can be made, in order of visit.

    >>> from symgrad.parse import variable
    >>> x = variable("x")
    >>> sites(sp.sin(x**2) + sp.cos(3*x), x, "chain")
    [cos(3*x), sin(x**2)]
    """
    differentiator = _Differentiator(var, mistake)
    differentiator.d(expr)
    return differentiator.sites


def wrong_derivations(
    expr: sp.Expr, var: sp.Symbol, order: int = 1, variables: Iterable[sp.Symbol] = ()
) -> list[WrongDerivation]:
    """Every deliberately wrong ``order``-th derivative of ``expr`` by ``var``.

    For a higher derivative the mistake is made in the last differentiation
    and, separately, in the first. ``variables`` are the other variables a
    student might differentiate by instead.

    >>> from symgrad.parse import variable
    >>> x = variable("x")
    >>> [(w.mistake, w.derivative) for w in wrong_derivations(x**2 + 1, x)][:2]
    [('power_not_lowered', 2*x**2), ('constant_kept', 2*x + 1)]
    """
    found: list[WrongDerivation] = []
    before_last = sp.diff(expr, var, order - 1) if order > 1 else expr
    for mistake in RULE_MISTAKES:
        places = sites(before_last, var, mistake)
        if not places:
            continue
        choices: list[sp.Expr | None] = [places[0]]
        if len(places) > 1:  # everywhere, then at each place alone
            choices = [None, *places[:MAX_SITES]]
        for site in choices:
            found.append(
                WrongDerivation(mistake, site, wrong_diff(before_last, var, mistake, site))
            )
        if order > 1:
            early = wrong_diff(expr, var, mistake)
            found.append(WrongDerivation(mistake, None, sp.diff(early, var, order - 1)))
    for other in variables:
        if other != var:
            found.append(
                WrongDerivation("wrong_variable", None, sp.diff(expr, other, order), str(other))
            )
    found.append(WrongDerivation("not_differentiated", None, expr))
    for k in range(1, order + 2):
        if k != order:
            found.append(WrongDerivation("wrong_order", None, sp.diff(expr, var, k), str(k)))
    return found


# -- numeric comparison --------------------------------------------------------------


def evaluate(
    expr: sp.Expr, symbols: Sequence[sp.Symbol], points: Sequence[Sequence[float]]
) -> list[float]:
    """Float values of ``expr`` at ``points`` (nan where it is undefined)."""
    from symgrad.numeric import compile_expr

    fn = compile_expr(expr, list(symbols))
    return [fn(*p) for p in points]


def close(a: float, b: float, rtol: float = 1e-8, atol: float = 1e-10) -> bool:
    """Whether two finite floats agree within a relative and absolute tolerance."""
    return math.isfinite(a) and math.isfinite(b) and abs(a - b) <= atol + rtol * max(abs(a), abs(b))


def agree(xs: Sequence[float], ys: Sequence[float]) -> bool:
    """Whether two value lists agree at every point where both are defined (and one is)."""
    compared = 0
    for a, b in zip(xs, ys):
        if math.isfinite(a) != math.isfinite(b):
            return False
        if math.isfinite(a):
            if not close(a, b):
                return False
            compared += 1
    return compared > 0
