"""Deliberately wrong derivatives: the typical mistakes, made on purpose by the rule engine.

To say *why* a student's derivative is wrong, symgrad differentiates the
function again with the engine of :mod:`symgrad.rules`, with one rule
swapped for a typical wrong one at one node: the chain rule without the
inner derivative at ``sin(x²)``, the product rule taken as ``u'v'`` at
``x⋅sin(x)``, ``σ' = σ²`` at ``σ(2x)``, and so on. Every node where a rule is
applied is a site, nested ones included; a mistake is also made everywhere it
applies at once, and two mistakes at two sites are tried together (the chain
rule forgotten inside a product rule). The candidates are compared with the
student's answer by :mod:`symgrad.answers`.

>>> import sympy as sp
>>> from symgrad.parse import variable
>>> x = variable("x")
>>> wrong_diff(sp.sin(x**2), x, "chain")
cos(x**2)
>>> wrong_diff(x**3 + 5, x, "constant_kept")
3*x**2 + 5
>>> wrong_diff(x**3, x, "power_not_lowered")
3*x**3
>>> wrong_diff(2**x, x, "exponential_no_log")
2**x
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import NamedTuple

import sympy as sp

from symgrad.functions import REGISTRY, sigmoid
from symgrad.rules import (
    ARITHMETIC,
    Application,
    Differentiation,
    RuleArithmetic,
    differentiate,
    function_derivative,
)


class Mistake(NamedTuple):
    """A typical mistake: the rule it breaks, what went wrong, and a hint that names the rule."""

    rule: str
    description: str
    hint: str


# -- the mistakes of the rules (sum, product, quotient, power, exponential, chain) ----------

_RULE_MISTAKES: dict[str, Mistake] = {
    "chain": Mistake(
        "chain rule",
        "the derivative of the inner function is missing",
        "after differentiating the outer function, multiply by the derivative of what is "
        "inside it: (f(g(x)))' = f'(g(x))·g'(x)",
    ),
    "chain_inside": Mistake(
        "chain rule",
        "the inner function was replaced by its derivative inside the outer one (f'(g') "
        "instead of f'(g)·g')",
        "the chain rule keeps the inner function inside: differentiate the outer function at "
        "the same inner function, then multiply by the inner derivative",
    ),
    "composition_as_product": Mistake(
        "chain rule",
        "a function of a multiple, f(c·u), was differentiated as the multiple c·f(u)",
        "f(c·u) is the function applied to c·u, not c times f(u): differentiate the outer "
        "function at c·u, then multiply by the derivative of c·u",
    ),
    "product": Mistake(
        "product rule",
        "the derivative of a product was taken as the product of the derivatives (u'·v')",
        "(u·v)' = u'·v + u·v': differentiate one factor at a time and add the two terms",
    ),
    "product_term_dropped": Mistake(
        "product rule",
        "one of the terms of the product rule is missing",
        "the product rule has one term per factor: differentiate one factor at a time, keep "
        "the others as they are, and add all the terms",
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
    "quotient_plus": Mistake(
        "quotient rule",
        "the two terms of the numerator were added instead of subtracted",
        "(u/v)' = (u'·v − u·v')/v²: the numerator is a difference, unlike the product rule's sum",
    ),
    "quotient_of_derivatives": Mistake(
        "quotient rule",
        "the derivative of a quotient was taken as the quotient of the derivatives (u'/v')",
        "(u/v)' is not u'/v': use the quotient rule (u'·v − u·v')/v², or write u·v⁻¹ and use "
        "the product rule",
    ),
    "power_not_lowered": Mistake(
        "power rule",
        "the exponent was brought down but not lowered by one",
        "(xⁿ)' = n·xⁿ⁻¹: bring the exponent down and subtract 1 from it",
    ),
    "power_coefficient_missing": Mistake(
        "power rule",
        "the exponent was lowered by one but not brought down as a factor",
        "(xⁿ)' = n·xⁿ⁻¹: the old exponent n becomes a factor in front",
    ),
    "negative_exponent": Mistake(
        "power rule with a negative exponent",
        "the power rule was misapplied to a negative exponent (a power in the denominator)",
        "write 1/xⁿ as x⁻ⁿ and apply the power rule as for any exponent: bring −n down and "
        "subtract 1, so the exponent moves away from zero",
    ),
    "antiderivative": Mistake(
        "differentiation, not integration",
        "the answer is an antiderivative: the exponent was raised, or a logarithm appeared, "
        "as when integrating",
        "differentiate rather than integrate: the power rule lowers the exponent by one, and "
        "the exponential rule multiplies by the logarithm of the base rather than dividing",
    ),
    "power_rule_on_exponential": Mistake(
        "exponential rule",
        "the power rule was applied to an exponential, whose exponent is not constant",
        "the power rule (xⁿ)' = n·xⁿ⁻¹ needs a constant exponent; a constant base raised to a "
        "varying exponent is an exponential: its derivative is proportional to the "
        "exponential itself (then apply the chain rule to the exponent)",
    ),
    "exponential_no_log": Mistake(
        "exponential rule",
        "the exponential rule's factor ln(a) is missing (only eˣ is its own derivative)",
        "an exponential aᵘ with a base other than e is not its own derivative: the exponential "
        "rule brings in the natural logarithm of the base as a factor",
    ),
    "power_rule_variable_exponent": Mistake(
        "logarithmic differentiation",
        "the power rule was applied although the exponent varies too",
        "with the variable in both the base and the exponent neither the power rule nor the "
        "exponential rule applies: write f^g = e^(g·ln f) and differentiate that "
        "(logarithmic differentiation), with the chain and product rules",
    ),
    "exponential_rule_variable_base": Mistake(
        "logarithmic differentiation",
        "the exponential rule was applied although the base varies too",
        "with the variable in both the base and the exponent neither the power rule nor the "
        "exponential rule applies: write f^g = e^(g·ln f) and differentiate that "
        "(logarithmic differentiation), with the chain and product rules",
    ),
    "constant_kept": Mistake(
        "constant rule",
        "a constant term was kept instead of becoming 0",
        "the derivative of a constant term is 0",
    ),
    "not_held_constant": Mistake(
        "partial derivatives",
        "another variable was differentiated instead of being held constant",
        "in a partial derivative every other variable is a constant: a term with only other "
        "variables differentiates to 0, and a factor with only other variables stays as it is",
    ),
}


# -- the mistakes of single functions, by SymPy head -------------------------------------
#
# One entry per typical mistake: (key, the wrong derivative of f(g) given g and g', hint).
# The key's rule and description are in _FUNCTION_FAMILIES below.

Builder = Callable[[sp.Expr, sp.Expr], sp.Expr]

_TRIG = (
    "the derivatives of sin and cos: exactly one of the two has a minus sign (sin rises "
    "through 0, cos is at its maximum there), and the chain rule multiplies by u'"
)
_LOG = "the logarithm rule: ln turns into the reciprocal of its argument, then the chain rule"
_SIGMOID = (
    "the sigmoid rule: write σ(u) = 1/(1 + e⁻ᵘ), differentiate with the chain rule, and write "
    "the result with σ again; its slope is largest at u = 0 and vanishes far from it"
)
_HYPERBOLIC = (
    "the hyperbolic functions are built from eᵘ and e⁻ᵘ: differentiate cosh = (eᵘ + e⁻ᵘ)/2 "
    "or tanh = sinh/cosh directly; their signs are not those of cos and tan"
)
_SOFTPLUS = (
    "softplus(u) = ln(1 + eᵘ): differentiate it with the logarithm rule and the chain rule "
    "(the inner function is 1 + eᵘ)"
)
_KINK = (
    "|u| and relu(u) are defined piecewise: differentiate each side (u > 0 and u < 0) "
    "separately, then apply the chain rule"
)
_INVERSE_TRIG = (
    "derive it from the inverse: if y = arcsin(u) then sin(y) = u; differentiate both sides "
    "and use sin² + cos² = 1 (likewise for arccos and arctan)"
)

#: The hint of each function mistake; the wrong derivatives themselves are in the functions'
#: records (symgrad.functions: ``mistakes=``), so a function's mistakes live with it.
_FUNCTION_HINTS: dict[str, str] = {
    "trig_sign": _TRIG,
    "trig_confused": (
        "write tan = sin/cos and use the quotient rule, then simplify with sin² + cos² = 1"
    ),
    "log_inverted": _LOG,
    "log_of_log": (
        "the logarithm rule: ln(u) turns into the reciprocal of its argument u, not of "
        "ln(u), then the chain rule"
    ),
    "power_rule_on_exponential": _RULE_MISTAKES["power_rule_on_exponential"].hint,
    "sigmoid_squared": _SIGMOID,
    "sigmoid_one_minus": _SIGMOID,
    "tanh_one_minus": (
        "check tanh' with tanh = sinh/cosh, the quotient rule and cosh² − sinh² = 1"
    ),
    "hyperbolic_sign": _HYPERBOLIC,
    "softplus_wrong": _SOFTPLUS,
    "kink_ignored": _KINK,
    "inverse_trig_sign": _INVERSE_TRIG,
}

FUNCTION_MISTAKES: dict[type, tuple[tuple[str, Builder, str], ...]] = {
    f.head: tuple((key, build, _FUNCTION_HINTS[key]) for key, build in f.mistakes)
    for f in REGISTRY
    if f.head is not None and f.mistakes
}
"""Each function's typical mistakes by SymPy head: (key, wrong derivative of f(g), hint)."""

_FUNCTION_FAMILIES: dict[str, tuple[str, str]] = {
    "trig_sign": ("derivatives of sin and cos", "a sign error in the derivative of sin or cos"),
    "trig_confused": (
        "derivative of tan",
        "the derivative of tan was confused with the derivative of sec",
    ),
    "log_inverted": ("logarithm rule", "the derivative of ln was inverted"),
    "log_of_log": ("logarithm rule", "the derivative of ln(u) was taken as 1/ln(u)"),
    "power_rule_on_exponential": _RULE_MISTAKES["power_rule_on_exponential"][:2],
    "sigmoid_squared": ("sigmoid rule", "σ' was taken as σ²"),
    "sigmoid_one_minus": ("sigmoid rule", "σ' was taken as 1 − σ"),
    "tanh_one_minus": ("hyperbolic rule", "tanh' was taken as 1 − tanh"),
    "hyperbolic_sign": ("hyperbolic rule", "a sign error in the derivative of cosh or tanh"),
    "softplus_wrong": ("softplus rule", "the derivative of softplus is wrong"),
    "kink_ignored": (
        "absolute value and ReLU",
        "the slope was taken as 1 on both sides, forgetting the side where the argument is "
        "negative",
    ),
    "inverse_trig_sign": (
        "inverse trig rule",
        "a sign error in the derivative of an inverse trigonometric function",
    ),
}

# -- the mistakes that are not one rule at one node ---------------------------------------

_OTHER_MISTAKES: dict[str, Mistake] = {
    "wrong_variable": Mistake(
        "partial derivatives",
        "differentiated with respect to the wrong variable",
        "differentiate with respect to the variable asked for and treat every other "
        "variable as a constant",
    ),
    "target_missing": Mistake(
        "gradient of a loss",
        "the terms with {detail} are missing, as if {detail} were 0 (the '- y' of a "
        "cross-entropy gradient)",
        "differentiate every term of the loss, including the ones with the target: they do "
        "not vanish when you differentiate by the prediction's input",
    ),
    "extra_sigmoid_slope": Mistake(
        "cross-entropy of a sigmoid",
        "the sigmoid's slope σ(1 − σ) is multiplied in once too often",
        "differentiate the cross-entropy through the sigmoid with the chain rule and "
        "simplify: the 1/σ and 1/(1 − σ) of the logarithms cancel the sigmoid's slope",
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


def _function_mistakes() -> dict[str, Mistake]:
    found: dict[str, Mistake] = {}
    for entries in FUNCTION_MISTAKES.values():
        for key, _, hint in entries:
            rule, description = _FUNCTION_FAMILIES[key]
            found.setdefault(key, Mistake(rule, description, hint))
    return found


#: Every mistake symgrad can name, by key.
MISTAKES: dict[str, Mistake] = {**_RULE_MISTAKES, **_function_mistakes(), **_OTHER_MISTAKES}


# -- the swaps: a wrong arithmetic for one rule of the engine ------------------------------


class RuleSwap(NamedTuple):
    """A mistake as a swapped rule: at a node where ``rule`` applies (and ``applies`` says
    so), the engine uses ``wrong`` instead of :data:`symgrad.rules.ARITHMETIC` [rule]."""

    mistake: str
    rule: str
    applies: Callable[[Application, sp.Symbol], bool]
    wrong: RuleArithmetic


def _set(values: tuple, index: int, value) -> tuple:
    return (*values[:index], value, *values[index + 1 :])


_INNER = {"power": 0, "exponential": 1, "function": 0}  # which part is the inner function


def _forgot_inner(rule: str) -> RuleSwap:
    index = _INNER[rule]
    return RuleSwap(
        "chain",
        rule,
        lambda app, var: app.parts[index] != var,
        lambda node, parts, ders: ARITHMETIC[rule](node, parts, _set(ders, index, sp.S.One)),
    )


def _inner_inside(node, parts, ders):
    """f'(g') for f(g): the outer derivative taken at the inner derivative."""
    if node.is_Pow:
        return parts[1] * ders[0] ** (parts[1] - 1)
    t = sp.Dummy("t", real=True)
    return function_derivative(node.func(t)).xreplace({t: ders[0]})


def _as_multiple(node, parts, ders):
    coefficient, rest = parts[0].as_coeff_Mul()
    t = sp.Dummy("t", real=True)
    return function_derivative(node.func(t)).xreplace({t: rest}) * ders[0]


def _is_multiple(app: Application, var) -> bool:
    coefficient, rest = app.parts[0].as_coeff_Mul()
    return coefficient not in (1, -1) and rest.has(var)


def _drop(index: int) -> RuleSwap:
    def wrong(node, parts, ders):
        return ARITHMETIC["product"](node, parts, _set(ders, index, sp.S.Zero))

    return RuleSwap(
        "product_term_dropped", "product", lambda app, var: len(app.parts) > index, wrong
    )


def _negative(app: Application, var) -> bool:
    return app.parts[1].is_number and app.parts[1].is_negative is True


def _antiderivative(node, parts, ders):
    base, n = parts
    return sp.log(base) if n == -1 else base ** (n + 1) / (n + 1)


def _other_symbols(expr: sp.Expr) -> list[sp.Symbol]:
    return sorted(expr.free_symbols, key=lambda s: s.name)


def _not_held(node, parts, ders):
    return sp.Add(*(differentiate(node, s) for s in _other_symbols(node)))


def _not_held_factor(node, parts, ders):
    c, u = parts
    dc = sp.Add(*(differentiate(c, s) for s in _other_symbols(c)))
    return dc * u + c * ders[1]


def _function_swaps() -> list[RuleSwap]:
    swaps = []
    for head, entries in FUNCTION_MISTAKES.items():
        for key, build, _ in entries:
            swaps.append(
                RuleSwap(
                    key,
                    "function",
                    lambda app, var, head=head: app.node.func is head,
                    lambda node, parts, ders, build=build: build(parts[0], ders[0]),
                )
            )
    return swaps


def _always(app: Application, var) -> bool:
    return True


#: Every swap, in the order the mistakes are tried.
SWAPS: tuple[RuleSwap, ...] = (
    *(_forgot_inner(rule) for rule in ("function", "power", "exponential")),
    *(
        RuleSwap("chain_inside", rule, lambda app, var: app.parts[0] != var, _inner_inside)
        for rule in ("function", "power")
    ),
    RuleSwap("composition_as_product", "function", _is_multiple, _as_multiple),
    RuleSwap("product", "product", _always, lambda node, parts, ders: sp.Mul(*ders)),
    *(_drop(i) for i in range(3)),
    RuleSwap(
        "quotient_swapped",
        "quotient",
        _always,
        lambda node, p, d: (p[0] * d[1] - d[0] * p[1]) / p[1] ** 2,
    ),
    RuleSwap(
        "quotient_no_square",
        "quotient",
        _always,
        lambda node, p, d: (d[0] * p[1] - p[0] * d[1]) / p[1],
    ),
    RuleSwap(
        "quotient_plus",
        "quotient",
        _always,
        lambda node, p, d: (d[0] * p[1] + p[0] * d[1]) / p[1] ** 2,
    ),
    RuleSwap(
        "quotient_of_derivatives",
        "quotient",
        lambda app, var: app.derivatives[1] != 0,
        lambda node, p, d: d[0] / d[1],
    ),
    RuleSwap(
        "power_not_lowered",
        "power",
        lambda app, var: app.parts[1] != 0,
        lambda node, p, d: p[1] * p[0] ** p[1] * d[0],
    ),
    RuleSwap(
        "power_coefficient_missing",
        "power",
        lambda app, var: app.parts[1] not in (0, 1),
        lambda node, p, d: p[0] ** (p[1] - 1) * d[0],
    ),
    RuleSwap(
        "negative_exponent", "power", _negative, lambda node, p, d: p[1] * p[0] ** (p[1] + 1) * d[0]
    ),
    RuleSwap(
        "negative_exponent",
        "power",
        _negative,
        lambda node, p, d: 1 / (-p[1] * p[0] ** (-p[1] - 1) * d[0]),
    ),
    RuleSwap("antiderivative", "power", _always, _antiderivative),
    RuleSwap("antiderivative", "variable", _always, lambda node, p, d: node**2 / 2),
    RuleSwap("exponential_no_log", "exponential", _always, lambda node, p, d: node * d[1]),
    RuleSwap(
        "power_rule_on_exponential",
        "exponential",
        _always,
        lambda node, p, d: p[1] * p[0] ** (p[1] - 1),
    ),
    RuleSwap(
        "antiderivative", "exponential", _always, lambda node, p, d: node / sp.log(p[0]) * d[1]
    ),
    RuleSwap(
        "power_rule_variable_exponent",
        "logarithmic",
        _always,
        lambda node, p, d: p[1] * p[0] ** (p[1] - 1) * d[0],
    ),
    RuleSwap(
        "exponential_rule_variable_base",
        "logarithmic",
        _always,
        lambda node, p, d: node * sp.log(p[0]) * d[1],
    ),
    *_function_swaps(),
    RuleSwap("constant_kept", "constant", lambda app, var: app.node != 0, lambda n, p, d: n),
    RuleSwap(
        "not_held_constant", "constant", lambda app, var: bool(app.node.free_symbols), _not_held
    ),
    RuleSwap(
        "not_held_constant",
        "constant_multiple",
        lambda app, var: bool(app.parts[0].free_symbols),
        _not_held_factor,
    ),
)

#: The mistakes made by swapping a rule, in the order they are tried.
RULE_MISTAKES: tuple[str, ...] = tuple(dict.fromkeys(s.mistake for s in SWAPS))

MAX_SITES = 12  # sites tried one by one, per swap
MAX_PAIRS = 60  # two mistakes at once: at most this many pairs


class WrongDerivation(NamedTuple):
    """One deliberately wrong derivative: the mistake, where it was made, the result."""

    mistake: str
    site: sp.Expr | None  # the subexpression where the mistake was made; None: everywhere
    derivative: sp.Expr
    detail: str = ""  # e.g. the variable used instead, or the order
    also: tuple[tuple[str, sp.Expr], ...] = ()  # a second mistake made at the same time


def _sites(walk: Differentiation, swap: RuleSwap) -> list[Application]:
    return [
        app for app in walk.applications if app.rule == swap.rule and swap.applies(app, walk.var)
    ]


def _swaps_of(mistake: str) -> list[RuleSwap]:
    found = [s for s in SWAPS if s.mistake == mistake]
    if not found:
        raise ValueError(f"unknown mistake {mistake!r}; the rule mistakes: {RULE_MISTAKES}")
    return found


def wrong_diff(
    expr: sp.Expr, var: sp.Symbol, mistake: str | None = None, site: sp.Expr | None = None
) -> sp.Expr:
    """Differentiate ``expr`` by ``var`` making ``mistake`` (everywhere, or only at ``site``).

    With ``mistake=None`` the result is the correct derivative. A mistake
    with several wrong forms at one node (a product term dropped: either
    one) uses the first that applies there.

    >>> from symgrad.parse import variable
    >>> x = variable("x")
    >>> wrong_diff(x * sp.sin(x), x, "product")
    cos(x)
    >>> wrong_diff(sp.log(x), x, "log_inverted")
    x
    >>> wrong_diff(sp.log(1 + sp.sin(x)**2), x, "chain", sp.sin(x)**2)
    2*sin(x)/(sin(x)**2 + 1)
    """
    walk = Differentiation(expr, var)
    if mistake is None:
        return walk.result
    swaps: dict[tuple[str, sp.Expr], RuleArithmetic] = {}
    for swap in _swaps_of(mistake):
        for app in _sites(walk, swap):
            if site is None or app.node == site:
                swaps.setdefault((swap.rule, app.node), swap.wrong)
    return walk.with_swaps(swaps)


def sites(expr: sp.Expr, var: sp.Symbol, mistake: str) -> list[sp.Expr]:
    """The subexpressions of ``expr`` where ``mistake`` can be made, in order of visit.

    >>> from symgrad.parse import variable
    >>> x = variable("x")
    >>> sites(sp.sin(x**2) + sp.cos(3*x), x, "chain")
    [cos(3*x), sin(x**2)]
    >>> sites(sp.log(1 + sp.sin(x)**2), x, "chain")
    [sin(x)**2, log(sin(x)**2 + 1)]
    """
    walk = Differentiation(expr, var)
    swaps = _swaps_of(mistake)
    found: list[sp.Expr] = []
    for app in walk.applications:
        if app.node not in found and any(app.rule == s.rule and s.applies(app, var) for s in swaps):
            found.append(app.node)
    return found


def _single(walk: Differentiation) -> Iterator[tuple[RuleSwap, Application | None, sp.Expr]]:
    """Each swap at each of its sites alone, then everywhere at once."""
    for swap in SWAPS:
        apps = _sites(walk, swap)
        for app in apps[:MAX_SITES]:
            yield swap, app, walk.with_swaps({(swap.rule, app.node): swap.wrong})
        if len(apps) > 1:
            yield swap, None, walk.with_swaps({(swap.rule, a.node): swap.wrong for a in apps})


_CHAIN_KEYS = ("chain", "chain_inside", "composition_as_product")


def _pairs(walk: Differentiation) -> Iterator[WrongDerivation]:
    """Two mistakes at once: a rule's mistake with the inner derivative forgotten at the same
    node, then two single-site mistakes at two nodes (the same mistake twice included)."""
    var = walk.var
    for swap in SWAPS:
        index = _INNER.get(swap.rule)
        if index is None or swap.mistake in _CHAIN_KEYS:
            continue
        for app in _sites(walk, swap)[:MAX_SITES]:
            if app.parts[index] == var:
                continue

            def both(node, parts, ders, wrong=swap.wrong, index=index):
                return wrong(node, parts, _set(ders, index, sp.S.One))

            derivative = walk.with_swaps({(swap.rule, app.node): both})
            yield WrongDerivation(swap.mistake, app.node, derivative, also=(("chain", app.node),))
    singles = [(swap, app) for swap in SWAPS for app in _sites(walk, swap)[:MAX_SITES]]
    count = 0
    for (s1, a1), (s2, a2) in itertools.combinations(singles, 2):
        if a1.node == a2.node:
            continue
        swaps = {(s1.rule, a1.node): s1.wrong, (s2.rule, a2.node): s2.wrong}
        yield WrongDerivation(
            s1.mistake, a1.node, walk.with_swaps(swaps), also=((s2.mistake, a2.node),)
        )
        count += 1
        if count >= MAX_PAIRS:
            return


def _sigmoids_in_logs(expr: sp.Expr) -> list[sp.Expr]:
    found: list[sp.Expr] = []
    for node in sp.preorder_traversal(expr):
        if node.func is sp.log:
            found += [s for s in node.atoms(sigmoid) if s not in found]
    return found


def _n_times(expr: sp.Expr, var: sp.Symbol, n: int) -> sp.Expr:
    for _ in range(n):
        expr = differentiate(expr, var)
    return expr


def wrong_derivations(
    expr: sp.Expr, var: sp.Symbol, order: int = 1, variables: Iterable[sp.Symbol] = ()
) -> Iterator[WrongDerivation]:
    """Every deliberately wrong ``order``-th derivative of ``expr`` by ``var``, lazily.

    In order: each swapped rule at each site alone and then everywhere;
    the wrong variable (``variables`` are the others a student might use);
    the terms with another variable missing; the sigmoid's slope once too
    often; the function itself; another order; two mistakes at two sites.
    For a higher derivative the mistake is made in the last differentiation
    and, separately, in the first. A candidate that cannot be evaluated in
    floats (a Dirac delta from differentiating a kink twice) is left out.

    >>> from symgrad.parse import variable
    >>> x = variable("x")
    >>> [(w.mistake, w.derivative) for w in wrong_derivations(x**2 + 1, x)][:3]
    [('power_not_lowered', 2*x**2), ('power_coefficient_missing', x), ('antiderivative', x**3/3)]
    """
    seen: set[sp.Expr] = set()

    def new(wrong: WrongDerivation) -> bool:
        d = wrong.derivative
        if not isinstance(d, sp.Basic):  # a builder's plain 0
            d = sp.Integer(d)
        if d in seen or d.has(sp.DiracDelta, sp.Derivative, sp.Subs):
            return False
        seen.add(d)
        return True

    others = [v for v in variables if v != var]
    before_last = _n_times(expr, var, order - 1)
    walk = Differentiation(before_last, var)
    seen.add(walk.result)
    for swap, app, derivative in _single(walk):
        site = app.node if app is not None else None
        wrong = WrongDerivation(swap.mistake, site, derivative)
        if new(wrong):
            yield wrong
    if order > 1:
        first = Differentiation(expr, var)
        for swap in SWAPS:
            apps = _sites(first, swap)
            if apps:
                early = first.with_swaps({(swap.rule, a.node): swap.wrong for a in apps})
                wrong = WrongDerivation(swap.mistake, None, _n_times(early, var, order - 1))
                if new(wrong):
                    yield wrong
    for other in others:
        wrong = WrongDerivation("wrong_variable", None, _n_times(expr, other, order), str(other))
        if new(wrong):
            yield wrong
    for other in others:
        wrong = WrongDerivation(
            "target_missing", None, walk.result.xreplace({other: 0}), str(other)
        )
        if new(wrong) and wrong.derivative != 0:
            yield wrong
    for s in _sigmoids_in_logs(expr) if order == 1 else ():
        wrong = WrongDerivation("extra_sigmoid_slope", s, walk.result * s * (1 - s))
        if new(wrong):
            yield wrong
    if new(WrongDerivation("not_differentiated", None, expr)):
        yield WrongDerivation("not_differentiated", None, expr)
    for k in range(1, order + 2):
        if k != order:
            wrong = WrongDerivation("wrong_order", None, _n_times(expr, var, k), str(k))
            if new(wrong):
                yield wrong
    for wrong in _pairs(walk):
        if new(wrong):
            yield wrong


def describe(wrong: WrongDerivation) -> tuple[Mistake, sp.Expr | None]:
    """The mistake (or both mistakes) behind ``wrong``, and the site to name with it.

    Two mistakes at once read as one: both rules, both descriptions with their
    sites, both hints.

    >>> from symgrad.parse import variable
    >>> x = variable("x")
    >>> pair = WrongDerivation("product", x * sp.sin(x**2), sp.cos(x**2), also=(("chain", sp.sin(x**2)),))
    >>> describe(pair)[0].rule
    'product rule and chain rule'
    """
    from symgrad.printing import inline

    m = MISTAKES[wrong.mistake]
    if wrong.detail and "{detail}" in m.description:
        m = m._replace(description=m.description.format(detail=wrong.detail))
    if not wrong.also:
        return m, wrong.site
    sites: dict[str, list[sp.Expr]] = {wrong.mistake: [wrong.site]}
    for key, site in wrong.also:
        sites.setdefault(key, []).append(site)
    if len(sites) == 1:  # the same mistake at two places
        where = " and in ".join(dict.fromkeys(inline(s) for s in sites[wrong.mistake]))
        return m._replace(description=f"{m.description}, in {where}"), None
    parts = [(MISTAKES[key], places) for key, places in sites.items()]
    return (
        Mistake(
            " and ".join(dict.fromkeys(p.rule for p, _ in parts)),
            "; and ".join(
                f"{p.description}, in {' and in '.join(inline(s) for s in places)}"
                for p, places in parts
            ),
            "; ".join(dict.fromkeys(p.hint for p, _ in parts)),
        ),
        None,
    )


def mistake_key(wrong: WrongDerivation) -> str:
    """``chain`` for one mistake, ``chain+product`` for two (each key once)."""
    return "+".join(dict.fromkeys([wrong.mistake, *(key for key, _ in wrong.also)]))


# -- numeric comparison --------------------------------------------------------------


def evaluate(
    expr: sp.Expr, symbols: Sequence[sp.Symbol], points: Sequence[Sequence[float]]
) -> list[float]:
    """Float values of ``expr`` at ``points`` (nan where it is undefined)."""
    from symgrad.numeric import compile_expr

    fn = compile_expr(expr, list(symbols))
    return [fn(*p) for p in points]


class Evaluator:
    """Float values of many related expressions at the same points, each subexpression once.

    The wrong derivatives share almost all of their subexpressions with the
    right one (only the nodes above the swapped rule differ), so the values of
    every subexpression are kept: a candidate costs its new nodes only. Sums
    and products are added and multiplied here; every other node is evaluated
    by :func:`symgrad.numeric.compile_expr` applied to its arguments' values,
    so the numbers are the ones :func:`evaluate` gives.

    >>> from symgrad.parse import variable
    >>> x = variable("x")
    >>> values = Evaluator([x], [[0.0], [2.0]])
    >>> values(sp.sin(x) ** 2 + 3 * x)
    [0.0, 6.826821810431806]
    >>> values(1 / x)
    [inf, 0.5]
    """

    def __init__(self, symbols: Sequence[sp.Symbol], points: Sequence[Sequence[float]]):
        self.symbols = list(symbols)
        self.points = [list(p) for p in points]
        self._known: dict[sp.Expr, list[float]] = {}
        for i, s in enumerate(self.symbols):
            self._known[s] = [float(p[i]) for p in self.points]

    def __call__(self, expr: sp.Expr) -> list[float]:
        known = self._known.get(expr)
        if known is None:
            known = self._values(expr)
            self._known[expr] = known
        return known

    def _values(self, expr: sp.Expr) -> list[float]:
        n = len(self.points)
        if expr.is_Number or expr.is_NumberSymbol:
            return [float(expr)] * n
        if expr.is_Add or expr.is_Mul:
            columns = [self(a) for a in expr.args]
            if expr.is_Add:
                return [sum(c[k] for c in columns) for k in range(n)]
            return [math.prod(c[k] for c in columns) for k in range(n)]
        from symgrad.numeric import compile_expr

        args = expr.args
        if args and all(isinstance(a, sp.Expr) for a in args) and not expr.is_Symbol:
            dummies = [sp.Dummy(f"a{i}", real=True) for i in range(len(args))]
            varying = [(d, a) for d, a in zip(dummies, args) if not a.is_number]
            shell = expr.func(*(d if not a.is_number else a for d, a in zip(dummies, args)))
            if shell.func is expr.func and shell.free_symbols == {d for d, _ in varying}:
                fn = compile_expr(shell, [d for d, _ in varying])
                columns = [self(a) for _, a in varying]
                return [fn(*(c[k] for c in columns)) for k in range(n)]
        fn = compile_expr(expr, self.symbols)
        return [fn(*p) for p in self.points]


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


# -- gradients as arrays (the pytest plugin) ----------------------------------------------

_TINY = 1e-12


def _ratio(pairs: list[tuple[float, float]]) -> float | None:
    """The one ratio received/expected that explains every pair, or None."""
    nonzero = [(e, r) for e, r in pairs if abs(e) > _TINY or abs(r) > _TINY]
    if not nonzero or any(abs(e) <= _TINY for e, _ in nonzero):
        return None
    ratios = [r / e for e, r in nonzero]
    if all(math.isclose(q, ratios[0], rel_tol=1e-6) for q in ratios):
        return ratios[0]
    return None


def _times(ratio: float) -> str:
    return sp.sstr(sp.nsimplify(ratio, rational=True, tolerance=1e-6))


def diagnose_gradient(
    labels: Sequence[str],
    expected: Sequence[Sequence[object]],
    received: Sequence[Sequence[object]],
) -> str:
    """A pattern that explains a wrong gradient: for all entries, or parameter by parameter.

    ``expected[k][i]`` and ``received[k][i]`` are the gradient for parameter
    ``labels[i]`` at point ``k`` (a float or an array). A constant factor or
    sign wrong in every entry is said once; otherwise each wrong parameter
    gets its own pattern (0, a sign, a factor, a transpose), and the right
    ones are said to be right.

    >>> diagnose_gradient(["w", "b"], [[2.0, 1.0], [4.0, 1.0]], [[8.0, 1.0], [16.0, 1.0]])
    'the gradient for w is 4 times the expected one; the others are right'
    >>> diagnose_gradient(["w"], [[2.0], [3.0]], [[1.0], [1.5]])
    'every entry is 1/2 times the expected one: a constant factor is off (the 2 from differentiating a square? a sum taken as a mean?)'
    """
    import numpy as np

    def flat(values) -> list[float]:
        return [float(v) for v in np.ravel(np.asarray(values, dtype=float))]

    def finite(pairs):
        return [(e, r) for e, r in pairs if math.isfinite(e) and math.isfinite(r)]

    def pairs_of(i: int | None) -> list[tuple[float, float]]:
        found = []
        for ep, rp in zip(expected, received):
            items = range(len(labels)) if i is None else (i,)
            for j in items:
                found += zip(flat(ep[j]), flat(rp[j]))
        return finite(found)

    every = pairs_of(None)
    nonzero = [(e, r) for e, r in every if abs(e) > _TINY or abs(r) > _TINY]
    if nonzero and all(abs(r) <= _TINY for _, r in nonzero):
        return "every entry is 0: is the gradient computed at all?"
    ratio = _ratio(every)
    if ratio is not None and math.isclose(ratio, -1.0, rel_tol=1e-6):
        return "every entry has the wrong sign: check the sign of the error term"
    if ratio is not None:
        return (
            f"every entry is {_times(ratio)} times the expected one: a constant factor is off"
            " (the 2 from differentiating a square? a sum taken as a mean?)"
        )
    wrong = []
    for i, label in enumerate(labels):
        pairs = pairs_of(i)
        if all(math.isclose(e, r, rel_tol=1e-6, abs_tol=1e-9) for e, r in pairs):
            continue
        shapes = [np.shape(ep[i]) for ep in expected]
        square = all(len(s) == 2 and s[0] == s[1] for s in shapes)
        ratio = _ratio(pairs)
        if pairs and all(abs(r) <= _TINY for _, r in pairs):
            wrong.append(f"the gradient for {label} is 0")
        elif ratio is not None and math.isclose(ratio, -1.0, rel_tol=1e-6):
            wrong.append(f"the gradient for {label} has the wrong sign")
        elif ratio is not None:
            wrong.append(f"the gradient for {label} is {_times(ratio)} times the expected one")
        elif square and all(
            np.allclose(np.asarray(ep[i]).T, rp[i]) for ep, rp in zip(expected, received)
        ):
            wrong.append(f"the gradient for {label} is transposed")
        else:
            wrong.append(f"the gradient for {label} is wrong")
    if wrong and len(wrong) < len(labels):
        return "; ".join(wrong) + "; the others are right"
    if wrong and any(not w.endswith(" is wrong") for w in wrong):
        return "; ".join(wrong)
    return "no simple pattern (a sign, a constant factor, a transpose) explains the difference"
