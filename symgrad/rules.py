"""The rule engine: how each rule of differentiation makes a derivative, and the walk that applies them.

Each rule is one small function ``rule(node, parts, derivatives)`` (:data:`ARITHMETIC`),
the single source of truth for what that rule computes. :class:`Differentiation`
walks an expression and applies them, each subexpression once; :func:`differentiate`
is its result. The step-by-step presentation of the same rules (a typed step per
application, with its formula and its placeholders) lives in
:mod:`symgrad.step_rules`, loaded only when steps are asked for, and uses these
functions for every result it shows.

>>> import sympy as sp
>>> x = sp.Symbol("x", real=True)
>>> differentiate(x * sp.sin(x**2), x)
2*x**2*cos(x**2) + sin(x**2)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import sympy as sp

from symgrad.functions import REGISTRY, Function, record_of

# -- the rules' arithmetic ----------------------------------------------------------------
#
# One home for how each rule makes a derivative out of its parts: ``rule(node, parts,
# derivatives)``, where ``parts`` are the pieces the rule splits ``node`` into and
# ``derivatives`` their derivatives (0 for a piece that is held constant). The steps
# (:func:`symgrad.step_rules.derive`) and :func:`differentiate` both use these, and the
# mistake generator (:mod:`symgrad.mistakes`) makes a mistake by swapping one of them at
# one node.

Parts = tuple[sp.Expr, ...]
RuleArithmetic = Callable[[sp.Expr, Parts, Parts], sp.Expr]


def constant_rule(node: sp.Expr, parts: Parts, derivatives: Parts) -> sp.Expr:
    """``c' = 0`` (a term of a sum that does not depend on the variable)."""
    return sp.S.Zero


def variable_rule(node: sp.Expr, parts: Parts, derivatives: Parts) -> sp.Expr:
    """``x' = 1`` (the variable itself)."""
    return sp.S.One


def sum_rule(node: sp.Expr, parts: Parts, derivatives: Parts) -> sp.Expr:
    """``(u + v + ...)' = u' + v' + ...``"""
    return sp.Add(*derivatives)


def constant_multiple_rule(node: sp.Expr, parts: Parts, derivatives: Parts) -> sp.Expr:
    """``(c⋅u)' = c⋅u'``: parts ``(c, u)``."""
    return parts[0] * derivatives[1]


def product_rule(node: sp.Expr, parts: Parts, derivatives: Parts) -> sp.Expr:
    """``(u⋅v⋅w)' = u'⋅v⋅w + u⋅v'⋅w + u⋅v⋅w'``, for any number of factors."""
    terms = [sp.Mul(*parts[:i], d, *parts[i + 1 :]) for i, d in enumerate(derivatives) if d != 0]
    return sp.Add(*terms)


def quotient_rule(node: sp.Expr, parts: Parts, derivatives: Parts) -> sp.Expr:
    """``(u/v)' = (u'⋅v - u⋅v')/v²``: parts ``(u, v)``."""
    (u, v), (du, dv) = parts, derivatives
    return (du * v - u * dv) / v**2


def power_rule(node: sp.Expr, parts: Parts, derivatives: Parts) -> sp.Expr:
    """``(gⁿ)' = n⋅gⁿ⁻¹⋅g'`` for a constant ``n`` (the chain rule when ``g`` is compound)."""
    (base, n), dbase = parts, derivatives[0]
    return n * base ** (n - 1) * dbase


def exponential_rule(node: sp.Expr, parts: Parts, derivatives: Parts) -> sp.Expr:
    """``(aᵍ)' = aᵍ⋅ln(a)⋅g'`` for a constant base ``a``."""
    base, dg = parts[0], derivatives[1]
    return node * sp.log(base) * dg


def function_rule(node: sp.Expr, parts: Parts, derivatives: Parts) -> sp.Expr:
    """``(f(g))' = f'(g)⋅g'`` for a function of the table (sin, log, sigmoid, ...)."""
    return function_derivative(node) * derivatives[0]


def logarithmic_rule(node: sp.Expr, parts: Parts, derivatives: Parts) -> sp.Expr:
    """``(fᵍ)' = fᵍ⋅(g'⋅ln f + g⋅f'/f)`` when base and exponent both vary."""
    (f, g), (df, dg) = parts, derivatives
    return node * (dg * sp.log(f) + g * df / f)


#: The engine's rules by name, as :class:`Differentiation` applies them.
ARITHMETIC: dict[str, RuleArithmetic] = {
    "constant": constant_rule,
    "variable": variable_rule,
    "sum": sum_rule,
    "constant_multiple": constant_multiple_rule,
    "product": product_rule,
    "quotient": quotient_rule,
    "power": power_rule,
    "exponential": exponential_rule,
    "function": function_rule,
    "logarithmic": logarithmic_rule,
}


#: The functions with a rule of their own (``sin``, ``sigmoid``, ...): head -> record.
FUNCTION_HEADS: dict[type, Function] = {
    f.head: f for f in REGISTRY if f.head is not None and f.derivative
}


def function_derivative(expr: sp.Expr) -> sp.Expr:
    """``f'(u)`` for ``expr = f(u)``: the outer derivative, from the function's own record."""
    return record_of(expr).derivative(*expr.args)


# -- the derivative alone ----------------------------------------------------------------


class Application:
    """One rule applied at one node: ``rule(node, parts, derivatives)`` (see :data:`ARITHMETIC`).

    A plain slotted class, not a dataclass: the engine is on the path of every answer,
    and the ``dataclasses`` module is not otherwise loaded there.
    """

    __slots__ = ("rule", "node", "parts", "derivatives")

    def __init__(self, rule: str, node: sp.Expr, parts: Parts, derivatives: Parts) -> None:
        self.rule = rule
        self.node = node
        self.parts = parts
        self.derivatives = derivatives

    def __repr__(self) -> str:
        return f"Application({self.rule!r}, {self.node!r}, {self.parts!r}, {self.derivatives!r})"


#: A swapped rule: at ``(rule name, node)``, use this arithmetic instead of the right one.
Swaps = Mapping[tuple[str, sp.Expr], RuleArithmetic]


class Differentiation:
    """The engine's derivative of ``expr`` by ``var``, with the rule applied at every node.

    The walk is the one :func:`symgrad.step_rules.derive` takes (constant multiple, quotient and
    product for a product; power, exponential or logarithmic differentiation
    for a power; the function table and the chain rule for a function), with
    each node's derivative computed once. :attr:`applications` lists every
    rule application, and :meth:`with_swaps` recomputes the derivative with
    some rules swapped at some nodes, redoing only the nodes above them.

    >>> x = sp.Symbol("x", real=True)
    >>> walk = Differentiation(x * sp.sin(x**2), x)
    >>> walk.result
    2*x**2*cos(x**2) + sin(x**2)
    >>> [(a.rule, a.node) for a in walk.applications]
    [('variable', x), ('power', x**2), ('function', sin(x**2)), ('product', x*sin(x**2))]
    >>> forgot = lambda node, parts, ders: function_rule(node, parts, (1,))
    >>> walk.with_swaps({("function", sp.sin(x**2)): forgot})
    x*cos(x**2) + sin(x**2)
    """

    def __init__(self, expr: sp.Expr, var: sp.Symbol) -> None:
        self.expr = expr
        self.var = var
        self.applications: list[Application] = []
        self._memo: dict[sp.Expr, sp.Expr] = {}
        self._depends: dict[sp.Expr, bool] = {}
        self._parents: dict[sp.Expr, set[sp.Expr]] = {}
        self._stack: list[sp.Expr] = []
        self._swaps: Swaps = {}
        self._record = True
        self.result: sp.Expr = self._d(expr)
        self._record = False

    def with_swaps(self, swaps: Swaps) -> sp.Expr:
        """The derivative with ``swaps[(rule, node)]`` used instead of ``rule`` at ``node``."""
        above: set[sp.Expr] = set()
        todo = [node for _, node in swaps]
        while todo:
            node = todo.pop()
            if node not in above:
                above.add(node)
                todo.extend(self._parents.get(node, ()))
        kept = {n: d for n, d in self._memo.items() if n not in above}
        memo, self._memo, self._swaps = self._memo, kept, swaps
        try:
            return self._d(self.expr)
        finally:
            self._memo, self._swaps = memo, {}

    # -- the walk -------------------------------------------------------------------

    def depends(self, node: sp.Expr) -> bool:
        """Whether ``node`` depends on the variable (memoised, bottom up)."""
        known = self._depends.get(node)
        if known is None:
            if node.is_Symbol:
                known = node == self.var
            elif node.is_Atom:
                known = False
            elif node.is_Add or node.is_Mul or node.is_Pow or isinstance(node, sp.Function):
                known = any(self.depends(a) for a in node.args)
            else:  # bound variables (Derivative, Integral, ...): ask SymPy
                known = node.has(self.var)
            self._depends[node] = known
        return known

    def _d(self, node: sp.Expr) -> sp.Expr:
        if self._record and self._stack:
            self._parents.setdefault(node, set()).add(self._stack[-1])
        known = self._memo.get(node)
        if known is not None:
            return known
        self._stack.append(node)
        try:
            result = self._derive(node)
        finally:
            self._stack.pop()
        self._memo[node] = result
        return result

    def _apply(self, rule: str, node: sp.Expr, parts: Parts, derivatives: Parts) -> sp.Expr:
        if self._record:
            self.applications.append(Application(rule, node, parts, derivatives))
        arithmetic = self._swaps.get((rule, node)) if self._swaps else None
        return (arithmetic or ARITHMETIC[rule])(node, parts, derivatives)

    def _derive(self, node: sp.Expr) -> sp.Expr:
        if node == self.var:
            return self._apply("variable", node, (), ())
        if not self.depends(node):
            return sp.S.Zero
        if node.is_Add:
            derivatives = []
            for term in node.args:
                if self.depends(term):
                    derivatives.append(self._d(term))
                else:
                    if self._record:
                        self._parents.setdefault(term, set()).add(node)
                    derivatives.append(self._apply("constant", term, (), ()))
            return self._apply("sum", node, node.args, tuple(derivatives))
        if node.is_Mul:
            return self._mul(node)
        if node.is_Pow:
            base, exponent = node.args
            parts = (base, exponent)
            if not self.depends(exponent):
                return self._apply("power", node, parts, (self._d(base), sp.S.Zero))
            if not self.depends(base):
                return self._apply("exponential", node, parts, (sp.S.Zero, self._d(exponent)))
            ders = (self._d(base), self._d(exponent))
            return self._apply("logarithmic", node, parts, ders)
        if (
            isinstance(node, sp.Function)
            and node.func in FUNCTION_HEADS
            and not any(self.depends(a) for a in node.args[1:])  # leaky_relu(x, a): a constant
        ):
            arg = node.args[0]
            return self._apply("function", node, (arg,), (self._d(arg),))
        return sp.diff(node, self.var)  # no rule: SymPy's derivative, as the steps say

    def _mul(self, node: sp.Expr) -> sp.Expr:
        constant, varying = [], []
        for factor in node.args:
            (varying if self.depends(factor) else constant).append(factor)
        if constant:
            c, u = sp.Mul(*constant), sp.Mul(*varying)
            return self._apply("constant_multiple", node, (c, u), (sp.S.Zero, self._d(u)))
        numerator, denominator = [], []
        for factor in varying:
            if factor.is_Pow and factor.exp.is_number and factor.exp.is_negative:
                denominator.append(factor.base ** (-factor.exp))
            else:
                numerator.append(factor)
        if denominator and numerator:
            u, v = sp.Mul(*numerator), sp.Mul(*denominator)
            return self._apply("quotient", node, (u, v), (self._d(u), self._d(v)))
        parts = tuple(varying)
        return self._apply("product", node, parts, tuple(self._d(f) for f in parts))


def differentiate(expr: sp.Expr, var: sp.Symbol) -> sp.Expr:
    """The derivative of ``expr`` by ``var`` by symgrad's rules, without the steps' text.

    The same rules as the steps (:func:`symgrad.step_rules.derive`, so the same result), each subexpression
    differentiated once: a sum of ``n`` terms costs ``n`` term derivatives.

    >>> x = sp.Symbol("x", real=True)
    >>> differentiate(x * sp.sin(x**2), x)
    2*x**2*cos(x**2) + sin(x**2)
    >>> differentiate(sp.exp(x) / x, x)
    (x*exp(x) - exp(x))/x**2
    """
    return Differentiation(expr, var).result
