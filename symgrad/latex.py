"""LaTeX for slides: one home for how symgrad writes derivatives, points and documents.

Every result's ``to_latex()`` builds its rows with these helpers, so all of them
agree: ``d`` for a function of one variable and ``∂`` for several, the point
written under a bar (``\\left.\\frac{dy}{dx}\\right|_{x=\\pi}``), unnumbered
``align*`` blocks, and with ``standalone=True`` a complete document that
pdflatex compiles as it is.

>>> import sympy as sp
>>> derivative("y", ["x"], several=False)
'\\\\frac{dy}{dx}'
>>> derivative("y", ["x", "x"], several=True)
'\\\\frac{\\\\partial^{2} y}{\\\\partial x^{2}}'
>>> at(derivative("y", ["x"], several=False), [("x", sp.pi)])
'\\\\left.\\\\frac{dy}{dx}\\\\right|_{x=\\\\pi}'
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import sympy as sp

__all__ = [
    "align",
    "at",
    "derivative",
    "document",
    "expr",
    "point",
    "several",
    "symbol",
    "text",
    "value",
]

PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[T1]{fontenc}
\usepackage{amsmath,amssymb}
\usepackage[margin=2cm]{geometry}
\allowdisplaybreaks
\begin{document}
"""


def expr(e: sp.Basic) -> str:
    """LaTeX for a formula (SymPy's, with ``\\ln`` for the natural logarithm)."""
    return sp.latex(e, ln_notation=True)


def ordered(e: sp.Basic, terms: Sequence[sp.Basic] | None) -> str:
    """LaTeX for a sum with its terms in the order given (the user's), else as :func:`expr`.

    >>> w, x, b = sp.symbols("w x b")
    >>> ordered(w * x + b, [w * x, b])
    'w x + b'
    """
    if terms is None:
        return expr(e)
    from symgrad.render import signed_terms

    out = ""
    for i, (sign, term) in enumerate(signed_terms(e, terms)):
        if sign == "-":
            out += "- " if i == 0 else " - "
        elif i:
            out += " + "
        out += expr(term)
    return out


def symbol(name: str) -> str:
    """LaTeX for a variable or output name (``w_1`` → ``w_{1}``)."""
    return sp.latex(sp.Symbol(name))


def several(function: sp.Basic, names: Iterable[str]) -> bool:
    """Whether the function has several variables (so partial derivatives use ``∂``)."""
    return len({*names, *(s.name for s in function.free_symbols)}) > 1


def derivative(y: str, wrt: Sequence[str], several: bool) -> str:
    """``\\frac{dy}{dx}``, ``\\frac{\\partial^{2} y}{\\partial x \\partial y}``, ...

    ``wrt`` lists the variables in order of differentiation (repeated for higher orders).
    """
    d = r"\partial" if several else "d"
    n = len(wrt)
    top = f"{d}{symbol(y)}" if not several and n == 1 else f"{d} {symbol(y)}"
    if n > 1:
        top = f"{d}^{{{n}}} {symbol(y)}"
    groups: list[list[str]] = []
    for name in reversed(list(wrt)):  # ∂²y/∂y∂x means: by x first, then by y
        if groups and groups[-1][0] == name:
            groups[-1].append(name)
        else:
            groups.append([name])
    bottom = []
    for group in groups:
        base = f"{d}{symbol(group[0])}" if not several else f"{d} {symbol(group[0])}"
        bottom.append(base if len(group) == 1 else f"{base}^{{{len(group)}}}")
    return r"\frac{%s}{%s}" % (top, " ".join(bottom))


def point(pairs: Iterable[tuple[str, sp.Expr]]) -> str:
    """``x=\\pi,\\, y=1`` for the bar of a value at a point."""
    return r",\, ".join(f"{symbol(name)}={expr(v)}" for name, v in pairs)


def at(label: str, pairs: Iterable[tuple[str, sp.Expr]]) -> str:
    """``\\left.LABEL\\right|_{x=\\pi}``: the label evaluated at the point."""
    return r"\left.%s\right|_{%s}" % (label, point(pairs))


def number(value: float | None) -> str:
    """A float in LaTeX: ``-9.8696``, ``1.5 \\times 10^{-8}``, ``\\infty``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return r"\text{nan}"
    if math.isinf(value):
        return r"\infty" if value > 0 else r"-\infty"
    text = f"{value:.6g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return r"%s \times 10^{%d}" % (mantissa, int(exponent))
    return text


def value(exact: sp.Expr | None, as_float: float | None) -> str:
    """The exact value and, when it says more, its float: ``\\sqrt{2} \\approx 1.41421``."""
    if exact is None:
        return r"\text{undefined}"
    if exact.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        return r"\text{infinite or undefined}"
    if as_float is None or (isinstance(as_float, float) and math.isnan(as_float)):
        return expr(exact) + r" \quad \text{(not a real number)}"
    digits = len(str(abs(exact.p))) if exact.is_Integer else 0
    if digits > 24 or len(sp.sstr(exact)) > 80:
        return r"\approx " + _big(exact)
    shown = expr(exact)
    if exact.is_Integer:
        return shown
    if exact.is_Float or shown == number(as_float):
        return number(as_float)
    return shown + r" \approx " + number(as_float)


def _big(exact: sp.Expr) -> str:
    import mpmath

    mantissa, _, exponent = mpmath.nstr(sp.N(exact, 15)._to_mpmath(60), 6).partition("e")
    if mantissa.endswith(".0"):
        mantissa = mantissa[:-2]
    if not exponent:
        return mantissa
    return r"%s \times 10^{%d}" % (mantissa, int(exponent))


def text(words: str) -> str:
    """Words inside math, with LaTeX's special characters escaped."""
    out = []
    for ch in words:
        if ch in "#$%&_{}":
            out.append("\\" + ch)
        elif ch == "\\":
            out.append(r"\textbackslash{}")
        elif ch == "^":
            out.append(r"\^{}")
        elif ch == "~":
            out.append(r"\~{}")
        elif ch in _UNICODE:
            out.append(_UNICODE[ch])
        elif ch in _SUPER:
            out.append("$^{%s}$" % _SUPER[ch])
        elif ch in _SUB:
            out.append("$_{%s}$" % _SUB[ch])
        elif ord(ch) < 128:
            out.append(ch)
        else:
            out.append("?")  # a character no TeX engine is sure to have
    return r"\text{%s}" % "".join(out)


_SUPER = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻ᵗ", "0123456789-t"))
_SUB = dict(zip("₀₁₂₃₄₅₆₇₈₉", "0123456789"))


_UNICODE = {
    "∂": r"$\partial$",
    "⋅": r"$\cdot$",
    "·": r"$\cdot$",
    "√": r"$\surd$",
    "≈": r"$\approx$",
    "≤": r"$\le$",
    "≥": r"$\ge$",
    "→": r"$\to$",
    "←": r"$\leftarrow$",
    "⇒": r"$\Rightarrow$",
    "∇": r"$\nabla$",
    "π": r"$\pi$",
    "σ": r"$\sigma$",
    "θ": r"$\theta$",
    "δ": r"$\delta$",
    "✓": r"$\checkmark$",
    "✗": r"$\times$",
    "…": r"\dots{}",
    "−": "-",
}


def align(rows: Sequence[str]) -> str:
    """Rows ``lhs &= rhs`` as one unnumbered ``align*`` block."""
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"


def document(body: str, standalone: bool = False) -> str:
    """``body`` as it is, or (``standalone``) inside a complete LaTeX document."""
    if not standalone:
        return body
    return PREAMBLE + body + "\n\\end{document}"
