"""The rules of differentiation as steps: one small class per rule, and :func:`derive`.

:func:`derive` looks at the head of an expression (``expr.func``) and hands it
to the rule for that head; each rule returns a typed :class:`Step` that knows
its name, its formula, what it was applied to, its result and the steps it
needed. A head without a rule gives an :class:`UnsupportedRule` step that
says so and uses SymPy's own derivative, never a silently different answer.

Every result comes from the rule engine's arithmetic (:data:`symgrad.rules.ARITHMETIC`),
the one home of what each rule computes; the classes here only describe it. They
live apart from the engine so that an answer without ``--steps`` never builds them.

>>> import sympy as sp
>>> x = sp.Symbol("x", real=True)
>>> step = derive(x * sp.sin(x**2), x)
>>> step.rule, [s.rule for s in step.substeps]
('Product rule', ['Variable rule', 'Chain rule'])
>>> step.result
2*x**2*cos(x**2) + sin(x**2)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import sympy as sp

from symgrad.functions import record_of
from symgrad.printing import Ordering, inline
from symgrad.rules import (
    FUNCTION_HEADS,
    constant_multiple_rule,
    exponential_rule,
    function_rule,
    logarithmic_rule,
    power_rule,
    product_rule,
    quotient_rule,
    sum_rule,
)

#: Placeholders used to state rules (u, v, g, ...), chosen to avoid the expression's own names.
_PLACEHOLDERS = ("u", "v", "w", "p", "q", "r", "s")


@dataclass(frozen=True)
class Step:
    """One application of a rule: ``d/d(var) expr = result``, with the steps it used."""

    expr: sp.Expr
    var: sp.Symbol
    result: sp.Expr
    substeps: tuple[Step, ...] = ()

    rule: ClassVar[str] = "Step"
    #: The rule in general (Unicode and LaTeX); empty when the concrete statement says it all.
    formula: ClassVar[str] = ""
    formula_latex: ClassVar[str] = ""

    def bindings(self) -> tuple[tuple[str, sp.Expr], ...]:
        """The placeholders of the formula and what they stand for here (``u = x``)."""
        return ()

    def statement(self, d: str) -> str:
        """The rule as applied here, one line (``d`` is ``d/dx`` or ``∂/∂x``)."""
        return self.formula or f"{d} {inline(self.expr)} = {inline(self.result)}"

    def statement_latex(self, d: str) -> str:
        return self.formula_latex or f"{d} {_latex(self.expr)} = {sp.latex(self.result)}"

    def note(self) -> str | None:
        """A remark a teacher would add (a kink, a rewriting), or ``None``."""
        return None

    def walk(self):
        """This step and every step below it, depth first."""
        yield self
        for sub in self.substeps:
            yield from sub.walk()


def _latex(expr: sp.Expr) -> str:
    text = sp.latex(expr)
    return text if expr.is_Atom or expr.is_Function else r"\left(%s\right)" % text


# -- leaves ---------------------------------------------------------------------------


class ConstantRule(Step):
    rule = "Constant rule"

    def note(self) -> str | None:
        held = sorted(s.name for s in self.expr.free_symbols)
        if held:
            return f"{', '.join(held)} {'is' if len(held) == 1 else 'are'} held constant"
        return None


class VariableRule(Step):
    rule = "Variable rule"


class PowerRule(Step):
    """``d/dx xⁿ = n⋅xⁿ⁻¹`` for a constant exponent (integer, rational, real, √)."""

    rule = "Power rule"

    def note(self) -> str | None:
        exponent = self.expr.exp
        if abs(exponent) is sp.S.Half:
            return f"{inline(self.expr)} = {inline(self.expr.base)}^({inline(exponent)})"
        return None


class FunctionRule(Step):
    """The derivative of a named function of the variable itself, e.g. ``d/dx sin(x) = cos(x)``.

    The derivative, the general statement and the note come from the function's
    record in :mod:`symgrad.functions`.
    """

    rule = "Function rule"

    def statement(self, d: str) -> str:
        text = f"{d} {inline(self.expr)} = {inline(self.result)}"
        general = _record_text(self.expr, "statement")
        return f"{text}   ({general})" if general else text

    def statement_latex(self, d: str) -> str:
        return f"{d} {_latex(self.expr)} = {sp.latex(self.result)}"

    def note(self) -> str | None:
        note = _record_text(self.expr, "note")
        return note.format(u=inline(self.expr.args[0])) if note else None


def _record_text(expr: sp.Expr, field: str) -> str:
    record = record_of(expr)
    return getattr(record, field) if record is not None else ""


class TrigRule(FunctionRule):
    rule = "Trig rule"


class InverseTrigRule(FunctionRule):
    rule = "Inverse trig rule"


class HyperbolicRule(FunctionRule):
    rule = "Hyperbolic rule"


class InverseHyperbolicRule(FunctionRule):
    rule = "Inverse hyperbolic rule"


class ExpRule(FunctionRule):
    rule = "Exponential rule"


class LogRule(FunctionRule):
    rule = "Log rule"


class AbsRule(FunctionRule):
    rule = "Absolute value rule"


class SigmoidRule(FunctionRule):
    rule = "Sigmoid rule"
    formula_latex = r"\sigma' = \sigma\,(1 - \sigma)"

    def statement_latex(self, d: str) -> str:
        return f"{d} {_latex(self.expr)} = {sp.latex(self.result)} \\quad ({self.formula_latex})"


class ReluRule(FunctionRule):
    rule = "ReLU rule"


class SoftplusRule(FunctionRule):
    rule = "Softplus rule"


class ExponentialRule(Step):
    """``d/dx aˣ = aˣ⋅ln(a)`` for a constant base ``a``."""

    rule = "General exponential rule"


class UnsupportedRule(Step):
    """No rule for this head: say so, and use SymPy's derivative."""

    rule = "No rule"

    def statement(self, d: str) -> str:
        return f"symgrad has no rule for {self.expr.func.__name__}; SymPy gives {d} {inline(self.expr)} = {inline(self.result)}"

    def statement_latex(self, d: str) -> str:
        return (
            r"\text{no rule for %s; SymPy gives } " % self.expr.func.__name__
            + f"{d} {_latex(self.expr)} = {sp.latex(self.result)}"
        )


# -- rules with parts ------------------------------------------------------------------


@dataclass(frozen=True)
class SumRule(Step):
    """``(u + v - w)' = u' + v' - w'``: term by term, each with its sign."""

    rule = "Sum rule"
    signs: tuple[int, ...] = ()

    def _names(self) -> list[str]:
        return [name for name, _ in self.bindings()]

    def _signed(self, names: list[str]) -> str:
        text = names[0] if self.signs[0] > 0 else f"-{names[0]}"
        for sign, name in zip(self.signs[1:], names[1:]):
            text += f" {'+' if sign > 0 else '-'} {name}"
        return text

    def statement(self, d: str) -> str:
        names = self._names()
        return f"({self._signed(names)})' = {self._signed([n + chr(39) for n in names])}"

    def statement_latex(self, d: str) -> str:
        return self.statement(d).replace("₁", "_1").replace("₂", "_2")

    def bindings(self):
        return _name_parts(self, [s.expr for s in self.substeps])


class DifferenceRule(SumRule):
    rule = "Difference rule"


@dataclass(frozen=True)
class ConstantMultipleRule(Step):
    rule = "Constant multiple rule"
    formula = "(c⋅u)' = c⋅u'"
    formula_latex = r"(c\,u)' = c\,u'"
    constant: sp.Expr = sp.S.One

    def bindings(self):
        (inner,) = self.substeps
        return (("c", self.constant), (_pick(self, 0, skip="c"), inner.expr))

    def note(self) -> str | None:
        logs = [a for a in sp.Mul.make_args(self.constant) if a.is_Pow and a.base.func is sp.log]
        if logs:
            base = logs[0].base.args[0]
            return f"log(u, {inline(base)}) = log(u)/log({inline(base)})"
        return None


class ProductRule(Step):
    rule = "Product rule"
    formula = "(u⋅v)' = u'⋅v + u⋅v'"
    formula_latex = r"(u\,v)' = u'\,v + u\,v'"

    def bindings(self):
        return _name_parts(self, [s.expr for s in self.substeps])


class QuotientRule(Step):
    rule = "Quotient rule"
    formula = "(u/v)' = (u'⋅v - u⋅v')/v²"
    formula_latex = r"\left(\frac{u}{v}\right)' = \frac{u'\,v - u\,v'}{v^{2}}"

    def bindings(self):
        return _name_parts(self, [s.expr for s in self.substeps])


@dataclass(frozen=True)
class ChainRule(Step):
    """``d/dx f(g) = f'(g)⋅g'``: the outer function's rule, with the inner one as ``g``."""

    rule = "Chain rule"
    outer: sp.Expr = sp.S.Zero  # f(G), written with the placeholder G
    placeholder: sp.Symbol = sp.Symbol("g")
    outer_rule: str = ""

    def _outer_derivative(self) -> sp.Expr:
        return sp.diff(self.outer, self.placeholder)

    def statement(self, d: str) -> str:
        g = self.placeholder.name
        return f"{d} {inline(self.outer)} = {inline(self._outer_derivative())}⋅{g}'"

    def statement_latex(self, d: str) -> str:
        g = sp.latex(self.placeholder)
        return f"{d} {_latex(self.outer)} = {sp.latex(self._outer_derivative())} \\cdot {g}'"

    def bindings(self):
        return ((self.placeholder.name, self.substeps[0].expr),)

    def note(self) -> str | None:
        rule = _FUNCTION_RULES.get(self.expr.func)
        if rule is not None:
            return rule(self.expr, self.var, self.result).note()
        if self.expr.is_Pow and abs(self.expr.exp) is sp.S.Half:
            return PowerRule(self.outer, self.placeholder, self.result).note()
        return None


class LogarithmicDifferentiationRule(Step):
    """``y = f^g``: take logs, ``ln y = g⋅ln f``, so ``y' = f^g⋅(g'⋅ln f + g⋅f'/f)``."""

    rule = "Logarithmic differentiation"
    formula = "y = fᵍ ⇒ ln y = g⋅ln f ⇒ y' = fᵍ⋅(g'⋅ln f + g⋅f'/f)"
    formula_latex = (
        r"y = f^{g} \Rightarrow \ln y = g \ln f \Rightarrow "
        r"y' = f^{g} \left(g' \ln f + g\,\frac{f'}{f}\right)"
    )

    def bindings(self):
        return (("f", self.substeps[0].expr), ("g", self.substeps[1].expr))


class SimplifyStep(Step):
    """The tidy answer; ``expr`` is the raw result the rules produced."""

    rule = "Simplify"

    def statement(self, d: str) -> str:
        return inline(self.result)

    def statement_latex(self, d: str) -> str:
        return sp.latex(self.result)


def _pick(step: Step, index: int, skip: str = "") -> str:
    names = step.expr.free_symbols | step.var.free_symbols
    taken = {s.name for s in names} | {skip}
    free = [n for n in _PLACEHOLDERS if n not in taken]
    return free[index] if index < len(free) else f"u{index + 1}"


def _name_parts(step: Step, parts: list[sp.Expr]) -> tuple[tuple[str, sp.Expr], ...]:
    if len(parts) > 3:
        sub = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
        return tuple((f"u{str(i).translate(sub)}", part) for i, part in enumerate(parts, 1))
    return tuple((_pick(step, i), part) for i, part in enumerate(parts))


# -- the walk --------------------------------------------------------------------------

_NAMED_RULES: dict[str, type[FunctionRule]] = {
    cls.rule: cls
    for cls in (
        TrigRule,
        InverseTrigRule,
        HyperbolicRule,
        InverseHyperbolicRule,
        ExpRule,
        LogRule,
        AbsRule,
        SigmoidRule,
        ReluRule,
        SoftplusRule,
    )
}


def _rule_class(name: str) -> type[FunctionRule]:
    """The step class for a rule a record names (one is made for a new name)."""
    if name not in _NAMED_RULES:
        class_name = name.title().replace(" ", "")
        cls = type(class_name, (FunctionRule,), {"rule": name, "__module__": __name__})
        globals()[class_name] = cls  # a module attribute, so steps pickle (worker processes)
        _NAMED_RULES[name] = cls
    return _NAMED_RULES[name]


_FUNCTION_RULES: dict[type, type[FunctionRule]] = {
    head: _rule_class(f.rule) for head, f in FUNCTION_HEADS.items()
}


def _placeholder(expr: sp.Expr, var: sp.Symbol) -> sp.Symbol:
    taken = {s.name for s in expr.free_symbols} | {var.name}
    name = next((n for n in ("g", "h", "q", "k") if n not in taken), "g₁")
    return sp.Symbol(name, real=True)


def _chain(
    expr: sp.Expr,
    var: sp.Symbol,
    inner: sp.Expr,
    outer_of,
    outer_rule: str,
    arithmetic,
    order: Ordering,
) -> Step:
    """``expr = outer(inner)`` with a compound ``inner``: the chain rule.

    ``arithmetic(inner_derivative)`` is the rule's derivative of ``expr`` (see
    :data:`ARITHMETIC`), the same one :func:`differentiate` uses.
    """
    g = _placeholder(expr, var)
    outer = outer_of(g)
    inner_step = derive(inner, var, order)
    result = arithmetic(inner_step.result)
    return ChainRule(expr, var, result, (inner_step,), outer, g, outer_rule)


def _derive_function(expr: sp.Expr, var: sp.Symbol, order: Ordering) -> Step:
    rule = _FUNCTION_RULES.get(expr.func)
    arg, *rest = expr.args
    if rule is None or any(a.has(var) for a in rest):
        return UnsupportedRule(expr, var, sp.diff(expr, var))
    if arg == var:
        return rule(expr, var, function_rule(expr, (arg,), (sp.S.One,)))
    arithmetic = lambda d: function_rule(expr, (arg,), (d,))  # noqa: E731
    return _chain(expr, var, arg, lambda g: expr.func(g, *rest), rule.rule, arithmetic, order)


def _derive_pow(expr: sp.Expr, var: sp.Symbol, order: Ordering) -> Step:
    base, exponent = expr.base, expr.exp
    base_varies, exponent_varies = base.has(var), exponent.has(var)
    parts = (base, exponent)
    if base_varies and exponent_varies:
        f_step, g_step = derive(base, var, order), derive(exponent, var, order)
        result = logarithmic_rule(expr, parts, (f_step.result, g_step.result))
        return LogarithmicDifferentiationRule(expr, var, result, (f_step, g_step))
    if base_varies:
        if base == var:
            return PowerRule(expr, var, power_rule(expr, parts, (sp.S.One, sp.S.Zero)))
        arithmetic = lambda d: power_rule(expr, parts, (d, sp.S.Zero))  # noqa: E731
        return _chain(expr, var, base, lambda g: g**exponent, PowerRule.rule, arithmetic, order)
    if exponent == var:
        return ExponentialRule(expr, var, exponential_rule(expr, parts, (sp.S.Zero, sp.S.One)))
    arithmetic = lambda d: exponential_rule(expr, parts, (sp.S.Zero, d))  # noqa: E731
    return _chain(expr, var, exponent, lambda g: base**g, ExponentialRule.rule, arithmetic, order)


def _derive_add(expr: sp.Expr, var: sp.Symbol, order: Ordering) -> Step:
    terms = order.terms(expr)
    signs = tuple(-1 if t.could_extract_minus_sign() else 1 for t in terms)
    subs = tuple(derive(sign * t, var, order) for sign, t in zip(signs, terms))
    rule = DifferenceRule if -1 in signs[1:] else SumRule
    result = sum_rule(expr, terms, tuple(sign * s.result for sign, s in zip(signs, subs)))
    return rule(expr, var, result, subs, signs)


def _derive_mul(expr: sp.Expr, var: sp.Symbol, order: Ordering) -> Step:
    constant, varying = expr.as_independent(var, as_Add=False)
    if constant != 1:
        inner = derive(varying, var, order)
        result = constant_multiple_rule(expr, (constant, varying), (sp.S.Zero, inner.result))
        return ConstantMultipleRule(expr, var, result, (inner,), constant)
    numerator, denominator = [], []
    for factor in order.factors(varying):
        if factor.is_Pow and factor.exp.is_number and factor.exp.is_negative:
            denominator.append(factor.base ** (-factor.exp))
        else:
            numerator.append(factor)
    if denominator:
        u, v = sp.Mul(*numerator), sp.Mul(*denominator)
        du, dv = derive(u, var, order), derive(v, var, order)
        result = quotient_rule(expr, (u, v), (du.result, dv.result))
        return QuotientRule(expr, var, result, (du, dv))
    u = numerator[0]
    # The other factors, as SymPy would multiply them: a product's factors are already
    # combined and sorted, so without one of them it needs no flattening again (which
    # costs k⋅log k comparisons at each of the k levels of a product of k factors).
    rest = tuple(a for a in varying.args if a != u)
    v = sp.Mul._from_args(rest) if len(rest) > 1 else rest[0]
    du, dv = derive(u, var, order), derive(v, var, order)
    return ProductRule(expr, var, product_rule(expr, (u, v), (du.result, dv.result)), (du, dv))


def derive(expr: sp.Expr, var: sp.Symbol, order: Ordering | None = None) -> Step:
    """The step (with its substeps) that differentiates ``expr`` with respect to ``var``.

    >>> x = sp.Symbol("x", real=True)
    >>> derive(sp.sqrt(x), x).rule
    'Power rule'
    >>> derive(sp.exp(x) / x, x).rule
    'Quotient rule'

    The terms of a sum and the factors of a product are taken in the order they are
    printed; ``order`` (one :class:`symgrad.printing.Ordering` for the whole walk,
    made when omitted) computes each sort key once.
    """
    if order is None:
        order = Ordering()
    if not expr.has(var):
        return ConstantRule(expr, var, sp.S.Zero)
    if expr == var:
        return VariableRule(expr, var, sp.S.One)
    handler = _HANDLERS.get(expr.func)
    if handler is not None:
        return handler(expr, var, order)
    if isinstance(expr, sp.Function):
        return _derive_function(expr, var, order)
    return UnsupportedRule(expr, var, sp.diff(expr, var))


_HANDLERS: dict[type, Callable[[sp.Expr, sp.Symbol, Ordering], Step]] = {
    sp.Add: _derive_add,
    sp.Mul: _derive_mul,
    sp.Pow: _derive_pow,
}

#: Every rule class, for documentation and tests.
RULES: tuple[type[Step], ...] = (
    ConstantRule,
    VariableRule,
    ConstantMultipleRule,
    SumRule,
    DifferenceRule,
    PowerRule,
    ProductRule,
    QuotientRule,
    ChainRule,
    ExpRule,
    ExponentialRule,
    LogRule,
    TrigRule,
    InverseTrigRule,
    HyperbolicRule,
    InverseHyperbolicRule,
    AbsRule,
    SigmoidRule,
    ReluRule,
    SoftplusRule,
    LogarithmicDifferentiationRule,
    UnsupportedRule,
    SimplifyStep,
)
