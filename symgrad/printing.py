"""SymPy's pretty printer, with the one-line powers students see on slides.

SymPy draws ``w**2`` with the exponent on a line of its own; symgrad writes
small integer powers of a one-line base with Unicode superscripts, so the seed
reads ``y = w² + 2``. Everything else is SymPy's own layout.

>>> import sympy as sp
>>> w = sp.Symbol("w")
>>> pretty(sp.Eq(sp.Symbol("y"), w**2 + 2, evaluate=False))
'y = w² + 2'
>>> pretty(sp.sin(w)**2 * (w + 1)**3)
'(w + 1)³⋅sin(w)²'

:func:`inline` is the one-line form used inside derivation steps:

>>> inline(1 / (2 * sp.sqrt(w)) + sp.exp(-w) * w**sp.Rational(3, 2))
'w^(3/2)⋅exp(-w) + 1/(2⋅√w)'
"""

from __future__ import annotations

from functools import lru_cache

import sympy as sp
from sympy.core.numbers import Number
from sympy.printing.precedence import precedence
from sympy.printing.pretty.pretty import PrettyPrinter
from sympy.printing.pretty.stringpict import prettyForm, stringPict
from sympy.printing.str import StrPrinter

from symgrad.functions import LEAKY_SLOPE

_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
MAX_SUPERSCRIPT = 999


class _Printer(PrettyPrinter):
    def _print_Mul(self, product):
        # SymPy's own _print_Mul, less its ``import sympy.physics.units`` (about 250 ms on
        # the first product printed, only to sort unit quantities last; symgrad has none).
        # Adapted from sympy/printing/pretty/pretty.py (BSD-3-Clause).
        args = product.args
        if args[0] is sp.S.One or any(isinstance(arg, Number) for arg in args[1:]):
            strargs = list(map(self._print, args))
            negone = strargs[0] == "-1"
            if negone:
                strargs[0] = prettyForm("1", 0, 0)
            obj = prettyForm.__mul__(*strargs)
            if negone:
                obj = prettyForm("-" + obj.s, obj.baseline, obj.binding)
            return obj
        if self.order not in ("old", "none"):
            args = product.as_ordered_factors()
        else:
            args = list(product.args)
        numerator, denominator = [], []
        for item in args:
            if (
                item.is_commutative
                and item.is_Pow
                and item.exp.is_Rational
                and item.exp.is_negative
            ):
                if item.exp != -1:
                    denominator.append(sp.Pow(item.base, -item.exp, evaluate=False))
                else:
                    denominator.append(sp.Pow(item.base, -item.exp))
            elif item.is_Rational and item is not sp.S.Infinity:
                if item.p != 1:
                    numerator.append(sp.Rational(item.p))
                if item.q != 1:
                    denominator.append(sp.Rational(item.q))
            else:
                numerator.append(item)
        top = [self._print(a) for a in numerator]
        bottom = [self._print(b) for b in denominator]
        if not bottom:
            return prettyForm.__mul__(*top)
        if not top:
            top.append(self._print(sp.S.One))
        return prettyForm.__mul__(*top) / prettyForm.__mul__(*bottom)

    def _print_Heaviside(self, step):
        spelled = _spelled_out(step)
        args = prettyForm(*self._print_seq(spelled.args, delimiter=", ").parens())
        name = prettyForm(type(spelled).__name__)  # not SymPy's leaky_relu → leakyᵣₑₗᵤ
        form = prettyForm(*stringPict.next(name, args), binding=prettyForm.FUNC)
        form.prettyFunc, form.prettyArgs = name, args  # so a power prints as f(x)^n
        return form

    _print_DiracDelta = _print_Heaviside  # noqa: N815
    _print_leaky_relu = _print_Heaviside

    def _print_cbrt(self, root):
        form = self._print(root.args[0])
        if form.height() != 1:
            return self._print_Heaviside(root)
        if not (root.args[0].is_Atom or root.args[0].is_Function):
            form = prettyForm(*form.parens())
        return prettyForm("∛" + form.s, binding=prettyForm.ATOM)

    def _print_Pow(self, power):
        base, exponent = power.as_base_exp()
        if exponent.is_Integer and 1 < exponent <= MAX_SUPERSCRIPT:
            form = self._print(base)
            if form.height() == 1:
                needs_parens = (
                    base.is_Add
                    or base.is_Mul
                    or base.is_Pow
                    or (base.is_Number and (base.is_negative or not base.is_Integer))
                )
                if needs_parens:
                    form = prettyForm(*form.parens())
                text = form.s + str(exponent).translate(_SUPERSCRIPT)
                return prettyForm(text, binding=prettyForm.POW)
        return super()._print_Pow(power)


def _spelled_out(expr: sp.Expr) -> sp.Expr:
    """A step, delta or leaky ReLU as symgrad's parser reads it, defaults left out.

    SymPy writes the unit step as θ(x, 0), which reads as a variable θ; symgrad
    spells it ``Heaviside(x)``, with its value at 0 (0, as TensorFlow's relu') implied.
    """
    args = list(expr.args)
    defaults = {"Heaviside": sp.S.Zero, "DiracDelta": sp.S.Zero, "leaky_relu": LEAKY_SLOPE}
    name = type(expr).__name__
    if len(args) == 2 and args[1] == defaults.get(name):
        args.pop()
    return sp.Function(name)(*args)


def pretty(expr: sp.Basic) -> str:
    """Unicode pretty text for ``expr`` (possibly several lines), never wrapped."""
    text = _Printer({"use_unicode": True, "wrap_line": False}).doprint(expr)
    return "\n".join(line.rstrip() for line in text.split("\n"))


class _InlinePrinter(StrPrinter):
    """SymPy's one-line printer with the symbols of the board: ⋅, ², √, ^."""

    def _print_Mul(self, product):
        # Children print without "*" (powers use "^" or superscripts), so every "*"
        # left in this string is one of this product's own multiplication signs.
        return super()._print_Mul(product).replace("*", "⋅")

    def _print_Pow(self, power, rational=False):
        base, exponent = power.base, power.exp
        prec = precedence(power)
        if exponent is sp.S.Half:
            return "√" + self._root_argument(base)
        if exponent is sp.S.NegativeOne:
            return "1/" + self.parenthesize(base, prec, strict=False)
        if exponent == -sp.S.Half:
            return "1/√" + self._root_argument(base)
        if exponent.is_Integer and exponent < 0:
            return "1/" + self._print(sp.Pow(base, -exponent))
        text = self.parenthesize(base, prec, strict=True)
        if base.is_Pow and text == self._print(base):
            text = f"({text})"  # (1/x)^x and (x^x)^x, not 1/x^x and x^x^x
        if exponent.is_Integer and 1 < exponent <= MAX_SUPERSCRIPT:
            return text + str(exponent).translate(_SUPERSCRIPT)
        if exponent.is_Atom and not (exponent.is_Number and exponent.is_negative):
            if not exponent.is_Rational or exponent.is_Integer:
                return f"{text}^{self._print(exponent)}"
        return f"{text}^({self._print(exponent)})"

    def _root_argument(self, base) -> str:
        text = self._print(base)
        return text if base.is_Atom or base.is_Function else f"({text})"

    def _print_Abs(self, expr):
        return f"|{self._print(expr.args[0])}|"

    def _print_Heaviside(self, expr):
        return self._print(_spelled_out(expr))

    _print_DiracDelta = _print_Heaviside  # noqa: N815
    _print_leaky_relu = _print_Heaviside

    def _print_cbrt(self, expr):
        return "∛" + self._root_argument(expr.args[0])

    def _print_Exp1(self, expr):
        return "ℯ"

    def _print_Pi(self, expr):
        return "π"


class _PlainPrinter(StrPrinter):
    """SymPy's string form with symgrad's spellings, so the parser reads it back."""

    def _print_Exp1(self, expr):
        return "e"

    def _print_Abs(self, expr):
        return f"abs({self._print(expr.args[0])})"

    def _print_Heaviside(self, expr):  # SymPy's str drops the value 1/2 at 0; symgrad's is 0
        return f"Heaviside({self._print(expr.args[0])}, {self._print(expr.args[1])})"


def plain(expr: sp.Basic) -> str:
    """ASCII text symgrad's parser reads back: SymPy's ``str`` with ``e`` and ``abs``.

    >>> x = sp.Symbol("x")
    >>> plain(sp.E * sp.Abs(x) + x**2)
    'x**2 + e*abs(x)'
    """
    return _PlainPrinter().doprint(expr)


@lru_cache(maxsize=4096)
def inline(expr: sp.Basic) -> str:
    """One-line Unicode text for ``expr``: ``2⋅x⋅cos(x²)``, ``1/(2⋅√x)``, ``x^(1/3)``."""
    return _InlinePrinter({"order": None}).doprint(expr)


# -- one notation for the terminal: what every result shows, 2-D or on one line -------------


class _DisplayPrinter(_Printer):
    """The 2-D printer with ``exp(u)`` written as a function, as the one-line forms write it.

    One notation for e^u everywhere on a terminal (formulas, values, steps, answers):
    ``exp(3⋅x)``, which is also what a student types and what symgrad reads back.
    """

    def _print_ExpBase(self, e):
        return self._print_Function(e)


def pretty_form(expr: sp.Basic):
    """The 2-D drawing of ``expr`` as SymPy's ``prettyForm`` (for laying out several pieces).

    >>> x = sp.Symbol("x")
    >>> pretty_form(sp.exp(x) / x).render(wrap_line=False)
    'exp(x)\\n──────\\n  x   '
    """
    return _DisplayPrinter({"use_unicode": True, "wrap_line": False})._print(expr)


def display(expr: sp.Basic) -> str:
    """Unicode 2-D text for ``expr`` in the terminal notation (``exp(x)``), never wrapped.

    >>> display(sp.exp(sp.Symbol("x")) ** 2)
    'exp(2⋅x)'
    """
    text = pretty_form(expr).render(wrap_line=False)
    return "\n".join(line.rstrip() for line in text.split("\n"))


class _OneLinePrinter(_InlinePrinter):
    def _print_Pi(self, expr):
        return "π"

    def _print_Exp1(self, expr):
        return "e"

    def _print_Infinity(self, expr):
        return "∞"

    def _print_NegativeInfinity(self, expr):
        return "-∞"

    def _print_ImaginaryUnit(self, expr):
        return "i"


def one_line(expr: sp.Basic) -> str:
    """The one-line form of any value or formula: ``7⋅sin(49/100)/10``, ``√2/2``, ``π²/16``.

    Like :func:`inline`, with the constants written as on the board.

    >>> one_line(sp.pi**2 / 16), one_line(sp.sqrt(2) / 2), one_line(sp.E)
    ('π²/16', '√2/2', 'e')
    """
    return _OneLinePrinter({"order": None}).doprint(expr)


class _MemoInlinePrinter(_InlinePrinter):
    """:func:`inline`'s printer remembering the text of every subexpression it printed."""

    def __init__(self, settings=None):
        super().__init__(settings)
        self._memo: dict[sp.Basic, str] = {}

    def _print(self, expr, **kwargs):
        if kwargs or not isinstance(expr, sp.Basic):
            return super()._print(expr, **kwargs)
        text = self._memo.get(expr)
        if text is None:
            text = super()._print(expr)
            self._memo[expr] = text
        return text


def inline_printer():
    """A function like :func:`inline` that prints each distinct subexpression only once.

    For many related formulas (the steps of one derivation share most of their
    subexpressions) the cost is linear in what is new, not in what is printed.

    >>> x = sp.Symbol("x")
    >>> show = inline_printer()
    >>> show(sp.sin(x**2) + 1), show(2 * sp.sin(x**2))
    ('sin(x²) + 1', '2⋅sin(x²)')
    """
    return _MemoInlinePrinter({"order": None}).doprint
