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
from sympy.core.exprtools import decompose_power
from sympy.core.mul import _keep_coeff
from sympy.core.numbers import Number, NumberSymbol
from sympy.core.sorting import default_sort_key
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
        return self._str_Mul(product).replace("*", "⋅")

    def _ordered_factors(self, product):
        return product.as_ordered_factors()

    def _str_Mul(self, expr):  # noqa: N802
        # SymPy's StrPrinter._print_Mul with its ordering of the factors as a method
        # (_ordered_factors), so a printer may remember sort keys (see Ordering).
        # Adapted from sympy/printing/str.py (BSD-3-Clause).
        prec = precedence(expr)
        args = expr.args
        if args[0] is sp.S.One or any(
            isinstance(a, Number) or a.is_Pow and all(ai.is_Integer for ai in a.args)
            for a in args[1:]
        ):
            return super()._print_Mul(expr)  # an unevaluated product: SymPy's own form
        c, e = expr.as_coeff_Mul()
        if c < 0:
            expr = _keep_coeff(-c, e)
            sign = "-"
        else:
            sign = ""
        a, b, pow_paren = [], [], []  # numerator, denominator, 1/(x⋅y) kept in parentheses
        if self.order not in ("old", "none"):
            args = self._ordered_factors(expr)
        else:
            args = sp.Mul.make_args(expr)

        def apow(i):
            base, exponent = i.as_base_exp()
            eargs = list(sp.Mul.make_args(exponent))
            if eargs[0] is sp.S.NegativeOne:
                eargs = eargs[1:]
            else:
                eargs[0] = -eargs[0]
            exponent = sp.Mul._from_args(eargs)
            if isinstance(i, sp.Pow):
                return i.func(base, exponent, evaluate=False)
            return i.func(exponent, evaluate=False)

        for item in args:
            if (
                item.is_commutative
                and isinstance(item, sp.Pow)
                and bool(item.exp.as_coeff_Mul()[0] < 0)
            ):
                if item.exp is not sp.S.NegativeOne:
                    b.append(apow(item))
                else:
                    if len(item.args[0].args) != 1 and isinstance(item.base, (sp.Mul, sp.Pow)):
                        pow_paren.append(item)
                    b.append(item.base)
            elif item.is_Rational and item is not sp.S.Infinity:
                if item.p != 1:
                    a.append(sp.Rational(item.p))
                if item.q != 1:
                    b.append(sp.Rational(item.q))
            else:
                a.append(item)
        a = a or [sp.S.One]
        a_str = [self.parenthesize(x, prec, strict=False) for x in a]
        b_str = [self.parenthesize(x, prec, strict=False) for x in b]
        for item in pow_paren:
            if item.base in b:
                b_str[b.index(item.base)] = "(%s)" % b_str[b.index(item.base)]
        if not b:
            return sign + "*".join(a_str)
        if len(b) == 1:
            return sign + "*".join(a_str) + "/" + b_str[0]
        return sign + "*".join(a_str) + "/(%s)" % "*".join(b_str)

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


class Ordering:
    """SymPy's default order of terms and factors, with every sort key remembered.

    ``terms(add)`` is ``add.as_ordered_terms()`` and ``factors(mul)`` is
    ``mul.as_ordered_factors()``, the order SymPy prints in; ``key(e)`` is
    ``e.sort_key()``. SymPy computes a sort key from the sort keys of the whole
    subtree and keeps only the latest thousand in its cache, so on a formula of
    thousands of nodes it computes the same keys again and again (the cost of
    printing grows faster than the text). One ``Ordering`` per printing job
    computes each key once. The code follows SymPy's ``Expr.sort_key``,
    ``Expr.as_ordered_terms`` and ``Mul.as_ordered_factors`` (BSD-3-Clause).

    >>> x, y = sp.symbols("x y")
    >>> order = Ordering()
    >>> e = 3 * x**2 * y + sp.sin(x) - 2 * y + 1
    >>> order.terms(e) == e.as_ordered_terms()
    True
    >>> order.factors(x * y * sp.sin(x) * 2) == (2 * x * y * sp.sin(x)).as_ordered_factors()
    True
    """

    def __init__(self) -> None:
        self._keys: dict[sp.Basic, tuple] = {}
        self._terms: dict[sp.Basic, list[sp.Expr]] = {}

    def key(self, expr: sp.Basic) -> tuple:
        """``expr.sort_key()``, computed once per subexpression."""
        known = self._keys.get(expr)
        if known is None:
            if type(expr).sort_key is _EXPR_SORT_KEY:
                known = self._expr_key(expr)
            else:  # atoms and numbers have shallow keys of their own; other kinds keep SymPy's
                known = expr.sort_key()
            self._keys[expr] = known
        return known

    def _default_key(self, item) -> tuple:
        return self.key(item) if isinstance(item, sp.Basic) else default_sort_key(item)

    def _expr_key(self, expr: sp.Expr) -> tuple:
        coeff, rest = expr.as_coeff_Mul()
        if rest.is_Pow:
            base, exponent = rest.as_base_exp()
            if base is sp.S.Exp1:  # E**x sorts like exp(x), as in SymPy
                base, exponent = sp.Function("exp")(exponent), sp.S.One
            rest = base
        else:
            exponent = sp.S.One
        if rest.is_Dummy:
            args = (rest.sort_key(),)
        elif rest.is_Atom:
            args = (str(rest),)
        else:
            if rest.is_Add:
                parts = self.terms(rest)
            elif rest.is_Mul:
                parts = self.factors(rest)
            else:
                parts = rest.args
            args = tuple(self._default_key(a) for a in parts)
        return rest.class_key(), (len(args), args), self.key(exponent), coeff

    def factors(self, product: sp.Expr) -> list[sp.Expr]:
        """``product.as_ordered_factors()``."""
        if not product.is_Mul:
            return [product]
        commutative, other = product.args_cnc()
        commutative.sort(key=self.key)
        return commutative + other

    def terms(self, total: sp.Expr) -> list[sp.Expr]:
        """``total.as_ordered_terms()``."""
        known = self._terms.get(total)
        if known is None:
            known = self._ordered_terms(total)
            self._terms[total] = known
        return known

    def _ordered_terms(self, total: sp.Expr) -> list[sp.Expr]:
        terms = sp.Add.make_args(total)
        if any(t.is_Order for t in terms):
            return total.as_ordered_terms()
        if len(terms) == 2:  # a positive number minus a multiple: 1 - 2⋅x, not -2⋅x + 1
            number, other = sorted(terms, key=_not_a_number)
            if isinstance(number, (Number, NumberSymbol)) and isinstance(other, sp.Mul):
                factors = sorted(sp.Mul.make_args(other), key=_not_a_number)
                if (
                    len(factors) == 2
                    and isinstance(factors[0], Number)
                    and number.is_positive
                    and factors[0].is_negative
                ):
                    return [number, other]
        rows, gens = [], set()
        for term in terms:
            coeff, rest = term.as_coeff_Mul()
            coeff = complex(coeff)
            powers: dict[sp.Expr, sp.Expr] = {}
            other = []
            if rest is not sp.S.One:
                for factor in sp.Mul.make_args(rest):
                    if factor.is_number:
                        try:
                            coeff *= complex(factor)
                        except (TypeError, ValueError):
                            pass
                        else:
                            continue
                    if factor.is_commutative:
                        base, exponent = decompose_power(factor)
                        powers[base] = exponent
                        gens.add(base)
                    else:
                        other.append(factor)
            rows.append((term, (coeff.real, coeff.imag), powers, tuple(other)))
        index = {g: i for i, g in enumerate(sorted(gens, key=self._default_key))}

        def key(row):
            _, (re, im), powers, other = row
            monom = _sparse_lex(sorted((index[base], -e) for base, e in powers.items()))
            return monom, tuple(self.key(e) for e in other), ((bool(im), im), (re, im))

        return [row[0] for row in sorted(rows, key=key)]


def _sparse_lex(entries: list[tuple[int, int]]) -> tuple:
    """A key ordering monomials as SymPy's lex order of their dense exponent vectors.

    SymPy writes each term of a sum as a vector with one (negated) exponent per base
    of the whole sum, which costs terms × bases; this key reads only the bases a term
    has. ``entries`` are ``(index of the base, -exponent)`` by index. Where two dense
    vectors first differ, the term with the smaller value comes first: a nonzero
    value at an index the other term lacks (value 0 there) comes first when negative,
    and a vector ending early has zeros from there on.
    """
    return (*((0, i, v) if v < 0 else (2, -i, v) for i, v in entries), (1,))


_EXPR_SORT_KEY = sp.Expr.sort_key


def _not_a_number(expr: sp.Expr) -> bool:
    return not isinstance(expr, (Number, NumberSymbol))


class _MemoInlinePrinter(_InlinePrinter):
    """:func:`inline`'s printer remembering the text of every subexpression it printed,
    and the order of every sum and product (see :class:`Ordering`)."""

    def __init__(self, settings=None):
        super().__init__(settings)
        self._memo: dict[sp.Basic, str] = {}
        self._order = Ordering()

    def _print(self, expr, **kwargs):
        if kwargs or not isinstance(expr, sp.Basic) or expr.is_Float:
            # a float alone prints all its digits, inside a formula only the significant ones
            return super()._print(expr, **kwargs)
        text = self._memo.get(expr)
        if text is None:
            text = super()._print(expr)
            self._memo[expr] = text
        return text

    def _as_ordered_terms(self, expr, order=None):
        if (order or self.order) is None:
            return self._order.terms(expr)
        return super()._as_ordered_terms(expr, order=order)

    def _ordered_factors(self, product):
        return self._order.factors(product)


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
