"""Results that lay themselves out as styled lines, for the width they are given.

A result with a ``lines()`` method (``(text, rich style)`` pairs) gets its
plain text, ``str``, rich rendering and notebook display from
:class:`StyledLines`. Each text is laid out for the width at hand:

* a :class:`Formula` (``lhs = expr``) is drawn in 2-D when it fits; if not, it
  breaks at its top-level ``+``/``-`` with the signs under the ``=``; if a
  single term is still too wide, it is written on one line and wrapped;
* a :class:`Hanging` line (or any other text) wraps at spaces, its continuation
  lines indented under where its text starts;
* no line is ever longer than the width and a stacked fraction is never cut.

The width is rich's ``ConsoleOptions.max_width`` on a terminal, and ``COLUMNS``
(or 80) for plain text. rich is imported only when rich output is asked for.

>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class Hello(StyledLines):
...     def lines(self):
...         return [("hello", "bold"), ("world", "")]
>>> print(Hello(), end="")
hello
world
>>> import sympy as sp
>>> x = sp.Symbol("x")
>>> f = Formula("y", sp.sin(x) / x + sp.cos(x) / x**2)
>>> print("\\n".join(f.layout(40)))
    sin(x)   cos(x)
y = ────── + ──────
      x        x²
>>> print("\\n".join(f.layout(15)))
    sin(x)
y = ──────
      x
    cos(x)
  + ──────
      x²
>>> print("\\n".join(Formula("y", sp.exp(x) / (x**2 + 123456789)).layout(16)))
y = exp(x)/(x² +
    123456789)
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import sympy as sp
    from rich.console import Console, ConsoleOptions, RenderResult

#: Width of plain text when ``COLUMNS`` says nothing usable.
DEFAULT_WIDTH = 80
MIN_WIDTH = 20

#: Prefixes whose text continues under itself when a line wraps (``note: ...``).
_LABEL = re.compile(r"^(\s*)((?:note|problem|hint|check|likely mistake[^:]*|[✓✗·] \w+): )")


def terminal_width(default: int = DEFAULT_WIDTH) -> int:
    """The width for plain text: ``COLUMNS`` when it is a sensible number, else ``default``.

    >>> import os
    >>> os.environ["COLUMNS"] = "60"; terminal_width()
    60
    >>> os.environ["COLUMNS"] = "wide"; terminal_width()
    80
    >>> del os.environ["COLUMNS"]
    """
    raw = os.environ.get("COLUMNS", "")
    try:
        width = int(raw)
    except ValueError:
        return default
    return max(MIN_WIDTH, min(width, 10_000)) if width > 0 else default


# -- text that wraps ------------------------------------------------------------------------


class Hanging(str):
    """A line of text whose continuation lines start at column ``hang``.

    ``column`` marks where a second column starts (a check after a value): when
    the hanging indent would take more than half the width, that column moves to
    lines of its own, indented by four.
    """

    hang: int
    column: int | None

    def __new__(cls, text: str, hang: int, column: int | None = None) -> Hanging:
        obj = super().__new__(cls, text)
        obj.hang, obj.column = hang, column
        return obj

    def __reduce__(self):
        return (Hanging, (str(self), self.hang, self.column))

    def layout(self, width: int) -> list[str]:
        text = str(self)
        if len(text) <= width:
            return [text]
        if self.column is not None and self.hang > width // 2:
            head = text[: self.column].rstrip()
            equals = head.find(" = ")
            head_hang = equals + 3 if equals >= 0 else hang_of(head)
            return [*wrap(head, width, head_hang), *wrap("    " + text[self.column :], width, 6)]
        return wrap(text, width, self.hang)


def hang_of(text: str) -> int:
    """Where the continuation of a wrapped line starts: under the text after its label."""
    if isinstance(text, Hanging):
        return text.hang
    m = _LABEL.match(text)
    if m:
        return len(m.group(1)) + len(m.group(2))
    return len(text) - len(text.lstrip(" ")) + 2


def wrap_spans(text: str, width: int, hang: int) -> list[tuple[int, int]]:
    """Break ``text`` into pieces ``text[a:b]`` that fit ``width`` (later ones after ``hang``).

    Breaks go at spaces (the spaces themselves are dropped); a word longer than a
    line is cut where it must be.

    >>> t = "note: one two three four"
    >>> [t[a:b] for a, b in wrap_spans(t, 15, 6)]
    ['note: one two', 'three', 'four']
    """
    width = max(width, 2)
    hang = min(hang, width // 2)
    spans: list[tuple[int, int]] = []
    start, n = 0, len(text)
    first = True
    outside = _outside_brackets(text)
    while start < n:
        room = width if first else width - hang
        if n - start <= room:
            spans.append((start, n))
            break
        cut = _last_space(text, outside, start + 1, start + room + 1, start + room // 2)
        if cut <= start:  # no space to break at: cut the word
            end, nxt = start + room, start + room
        else:
            end = cut
            while end > start and text[end - 1] == " ":
                end -= 1
            nxt = cut
        spans.append((start, end))
        while nxt < n and text[nxt] == " ":
            nxt += 1
        start = nxt
        first = False
    return spans or [(0, 0)]


def _outside_brackets(text: str) -> list[bool]:
    depth, out = 0, []
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}" and depth:
            depth -= 1
        out.append(depth == 0)
    return out


def _last_space(text: str, outside: list[bool], lo: int, hi: int, good: int) -> int:
    """The last space in ``text[lo:hi]``, one outside brackets if there is one after ``good``."""
    cut = text.rfind(" ", lo, hi)
    best = cut
    while best >= good and not outside[best]:
        best = text.rfind(" ", lo, best)
    return best if best >= good else cut


def wrap(text: str, width: int, hang: int | None = None) -> list[str]:
    """``text`` as lines of at most ``width`` characters, continuation lines indented.

    >>> wrap("  value = 1   ✓ agrees with the numeric estimate", 30, 16)
    ['  value = 1   ✓ agrees with', '               the numeric', '               estimate']
    """
    h = hang_of(text) if hang is None else hang
    h = min(h, max(width // 2, 0))
    longest = max((len(word) for word in str(text).split(" ")), default=0)
    if longest > width - h:  # indent less rather than cut a word
        h = max(min(h, width - longest), 0)
    spans = wrap_spans(str(text), width, h)
    return [("" if i == 0 else " " * h) + text[a:b] for i, (a, b) in enumerate(spans)]


def wrap_fragments(
    fragments: Sequence[tuple[str, str]], width: int, hang: int
) -> list[list[tuple[str, str]]]:
    """Wrap one line made of ``(text, style)`` fragments, keeping each piece's style."""
    text = "".join(t for t, _ in fragments)
    if len(text) <= width:
        return [list(fragments)]
    h = min(hang, max(width // 2, 0))
    longest = max((len(word) for word in text.split(" ")), default=0)
    if longest > width - h:  # indent less rather than cut a word
        h = max(min(h, width - longest), 0)
    bounds, pos = [], 0
    for t, style in fragments:
        bounds.append((pos, pos + len(t), style))
        pos += len(t)
    out = []
    for i, (a, b) in enumerate(wrap_spans(text, width, h)):
        line = [(" " * h, "")] if i else []
        for lo, hi, style in bounds:
            s, e = max(a, lo), min(b, hi)
            if s < e:
                line.append((text[s:e], style))
        out.append(line)
    return out


# -- formulas that re-lay themselves out ----------------------------------------------------


class Formula(str):
    """``lhs = expr`` drawn for a width: 2-D, broken at top-level ``+``/``-``, or one line.

    As a string it is the 2-D drawing with no width limit (plus ``suffix``), so it
    reads and compares like the text it always was. ``terms`` gives the order of a
    sum's terms (for example the order the user typed them); by default SymPy's.
    """

    lhs: str
    expr: sp.Basic
    suffix: str
    terms: tuple | None
    _whole: list[str]

    def __new__(cls, lhs: str, expr, suffix: str = "", terms: Sequence | None = None) -> Formula:
        whole = _formula_rows(lhs, expr, terms, None)
        obj = super().__new__(cls, _join_lines(whole) + suffix)
        obj._whole = whole
        obj.lhs, obj.expr, obj.suffix = lhs, expr, suffix
        obj.terms = None if terms is None else tuple(terms)
        return obj

    def __reduce__(self):
        return (Formula, (self.lhs, self.expr, self.suffix, self.terms))

    def layout(self, width: int) -> list[str]:
        """The lines of this formula at ``width`` columns (none longer than ``width``)."""
        whole = getattr(self, "_whole", None)
        if whole is not None and max(len(row) for row in whole) <= width:
            rows = whole  # drawn already, when the formula was made
        else:
            rows = _formula_rows(self.lhs, self.expr, self.terms, width)
        if rows is not None:
            lines = rows
        elif getattr(self.expr, "is_Matrix", False):
            lines = _matrix_rows(self.lhs, self.expr, width)
        else:
            lines = _one_line_rows(self.lhs, self.expr, self.terms, width)
        if self.suffix:
            last = lines[-1] + self.suffix
            if len(last) <= width:
                lines = [*lines[:-1], last]
            else:
                lines = [*lines, *wrap(" " * 4 + self.suffix.strip(), width, 4)]
        return lines


def _join_lines(rows) -> str:
    return "\n".join(rows)


def signed_terms(expr, terms=None):
    """``[(sign, term), ...]``: a sum's terms in order (``terms`` or SymPy's), signs pulled out."""
    import sympy as sp

    if terms is None:
        if not isinstance(expr, sp.Add):
            return [("", expr)]
        terms = expr.as_ordered_terms()
    out = []
    for i, t in enumerate(terms):
        if t.could_extract_minus_sign():
            out.append(("-", -t))
        else:
            out.append(("+" if i else "", t))
    return out


def _formula_rows(lhs, expr, terms, width):
    """The 2-D rows of ``lhs = expr`` within ``width`` (``None``: no limit), or ``None``."""
    from sympy.printing.pretty.stringpict import prettyForm, stringPict

    from symgrad.printing import pretty_form

    head = f"{lhs} = "
    pieces = signed_terms(expr, terms)

    def block(form):
        return [line.rstrip() for line in form.render(wrap_line=False).split("\n")]

    forms = [pretty_form(t) for _, t in pieces]

    def sign_text(i, sign):
        if not sign:
            return ""
        if i:
            return f" {sign} "
        return "- " if forms[0].height() > 1 else "-"

    first = prettyForm(*stringPict.next(head, sign_text(0, pieces[0][0]), forms[0]))
    whole = first
    for i in range(1, len(pieces)):
        whole = prettyForm(*stringPict.next(whole, sign_text(i, pieces[i][0]), forms[i]))
    if width is None or whole.width() <= width:
        return block(whole)
    if len(pieces) < 2:
        return None
    indent = " " * max(len(head) - 2, 0)
    rows, current = [], first
    if current.width() > width:
        return None
    for i in range(1, len(pieces)):
        sign = pieces[i][0]
        joined = prettyForm(*stringPict.next(current, f" {sign} ", forms[i]))
        if joined.width() <= width:
            current = joined
            continue
        rows.append(current)
        current = prettyForm(*stringPict.next(indent, f"{sign} ", forms[i]))
        if current.width() > width:
            return None
    rows.append(current)
    return [line for row in rows for line in block(row)]


def _one_line_rows(lhs, expr, terms, width) -> list[str]:
    from symgrad.printing import one_line

    pieces = signed_terms(expr, terms)
    text = f"{lhs} = "
    for i, (sign, t) in enumerate(pieces):
        if sign:
            text += sign if i == 0 else f" {sign} "
        text += one_line(t)
    return wrap(text, width, len(lhs) + 3)


def _matrix_rows(lhs, matrix, width) -> list[str]:
    """A matrix too wide to draw: one row per line, ``row 1: [a, b]``, each wrapped."""
    from symgrad.printing import one_line

    out = [f"{lhs} = the {matrix.rows}×{matrix.cols} matrix with rows"]
    pad = " " * (len(lhs) - len(lhs.lstrip()) + 2)
    for i in range(matrix.rows):
        entries = ", ".join(one_line(v) for v in matrix.row(i))
        out += wrap(f"{pad}{i + 1}: [{entries}]", width, len(pad) + 4)
    return out


def fit(text: str, width: int) -> list[str]:
    """The lines of one entry of ``lines()`` at ``width`` columns."""
    if isinstance(text, Formula):
        return text.layout(width)
    out = []
    for line in str(text).split("\n"):
        if len(line) <= width:
            out.append(line)
        elif isinstance(text, Hanging):
            out += text.layout(width)
        else:
            out += wrap(line, width)
    return out


# -- numbers and messages in the notation of the formulas ----------------------------------

#: Exact numbers with more digits than this are shown shortened, with their digit count.
MAX_DIGITS = 24
#: Exact values whose one-line form is longer than this are shown as their float.
MAX_EXACT = 40

LN_NOTE = "ln is written log here: log is the natural logarithm"

_DIGITS = re.compile(r"\d{%d,}" % (MAX_DIGITS + 1))


def shorten_digits(text: str) -> str:
    """Runs of many digits shortened, with their count: ``1000…000 (801 digits)``.

    >>> shorten_digits("y = " + "1" + "0" * 40)
    'y = 1000…000 (41 digits)'
    """
    return _DIGITS.sub(
        lambda m: f"{m.group()[:4]}…{m.group()[-3:]} ({len(m.group())} digits)", text
    )


_POWER = re.compile(r"\*\*(\d{1,3})(?![\d.(])")
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def message(text: str) -> str:
    """A sentence with formulas in it, in the notation of the formulas (not Python's).

    Messages are written with SymPy's strings (``x**(1/3)``, ``2*x``); on a terminal
    they read like the formulas above them.

    >>> message("problem: x**(1/3) is not real at x = -8, where 2*x*exp(-x**2/2) = pi")
    'problem: x^(1/3) is not real at x = -8, where 2⋅x⋅exp(-x²/2) = π'
    """
    text = _POWER.sub(lambda m: m.group(1).translate(_SUPERSCRIPT), text)
    text = text.replace("**", "^")
    text = re.sub(r"(?<=[\w)])\*(?=[\w(])", "⋅", text)
    text = re.sub(r"\bpi\b", "π", text)
    return shorten_digits(text)


def _float_text(value: float) -> str:
    return repr(value)


def big_text(exact) -> str:
    """A number too large (or too long) to write out: ``1.0e+800``."""
    import mpmath
    import sympy as sp

    try:
        return mpmath.nstr(sp.N(exact, 15)._to_mpmath(60), 6).replace("e+", "e")
    except (AttributeError, TypeError, ValueError):  # pragma: no cover - not a plain number
        return shorten_digits(sp.sstr(exact))


def point_text(value) -> str:
    """A coordinate of the point as the student would write it: ``π/4``, ``0.1``, ``1.0e400``.

    >>> import sympy as sp
    >>> point_text(sp.pi / 4), point_text(sp.Rational(1, 10)), point_text(sp.Integer(10) ** 400)
    ('π/4', '1/10', '1.0e400')
    """
    from symgrad.printing import one_line

    text = one_line(value)
    if len(text) <= MAX_EXACT and len(_DIGITS.findall(text)) == 0:
        return text
    return big_text(value)


def value_text(exact, value: float | None) -> tuple[str, str]:
    """The exact value in the formulas' notation, and its float when that says more; a style.

    >>> import sympy as sp
    >>> value_text(7 * sp.sin(sp.Rational(49, 100)) / 10, 0.3293)
    ('7⋅sin(49/100)/10 ≈ 0.3293', '')
    >>> value_text(2 * sp.I, None)
    ('2⋅i: not a real number (TensorFlow gives nan)', 'red')
    >>> value_text(sp.Integer(10) ** 800, float("inf"))
    ('1.0e800: too large for float64 (TensorFlow gives inf)', 'yellow')
    """
    import math

    import sympy as sp

    from symgrad.printing import one_line

    if exact is None:  # too large to evaluate exactly: the float64 of compiled code
        return ("undefined", "red") if value is None else (f"{_float_text(value)} (float64)", "")
    if exact.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        framework = "" if value is None else f"; float64 gives {value!r}"
        return f"infinite or undefined{framework}", "red"
    shown = one_line(exact)
    if len(shown) > MAX_EXACT or _DIGITS.search(shown):
        shown = None
    if value is None or (isinstance(value, float) and math.isnan(value)):
        words = shown if shown is not None else big_text(exact)
        return f"{words}: not a real number (TensorFlow gives nan)", "red"
    if math.isinf(value):
        words = big_text(exact)
        return f"{words}: too large for float64 (TensorFlow gives {value!r})", "yellow"
    as_float = _float_text(value)
    if shown is None:
        return as_float, ""
    if exact.is_Integer and len(shown) <= 17:
        return shown, ""
    if shown == as_float:
        return as_float, ""
    return f"{shown} ≈ {as_float}", ""


def check_text(check) -> tuple[str, str]:
    """A check's verdict as a mark and its sentence, with a style: ``✓ agrees with ...``."""
    style = {"agrees": "green", "disagrees": "bold red"}.get(check.verdict, "yellow")
    mark = {"agrees": "✓", "disagrees": "✗"}.get(check.verdict, "·")
    return f"{mark} {check.explain()}", style


def value_table(rows, indent: str = "  ") -> list[tuple[str, str]]:
    """``label = value   ✓ check`` rows with the ``=`` and the check marks aligned.

    ``rows`` holds ``(label, value text, style, check or None)``; the check column
    starts after the widest value of the first row and of the rows with a check.
    """
    label_width = max(len(label) for label, _, _, _ in rows)
    aligned = [v for i, (_, v, _, c) in enumerate(rows) if c is not None or i == 0]
    value_width = max((len(v) for v in aligned if len(v) <= MAX_EXACT + 30), default=0)
    out = []
    for label, value, style, check in rows:
        text = indent + label.ljust(label_width) + " = " + value
        hang, column = len(indent) + label_width + 3, None
        if check is not None:
            mark, check_style = check_text(check)
            text += " " * max(value_width - len(value) + 3, 3)
            column = len(text)
            hang = column + 2
            text += mark
            style = style or check_style
        out.append((Hanging(text, hang, column), style))
    return out


_LN = re.compile(r"\bln\s*\(")


def typed_ln(text: str) -> bool:
    """Whether the user wrote ``ln(...)`` (which symgrad shows as ``log``)."""
    return bool(_LN.search(text))


def typed_order(expr, text: str | None):
    """The terms of a sum in the order the user typed them, where that can be told.

    Each term goes where its first variable (or its number) first appears in the
    text; terms that tie keep SymPy's order. ``None`` when there is nothing to order.

    >>> import sympy as sp
    >>> w, x, b = sp.symbols("w x b")
    >>> typed_order(w * x + b, "w*x + b")
    [w*x, b]
    """
    import sympy as sp

    if text is None or not isinstance(expr, sp.Add):
        return None
    terms = expr.as_ordered_terms()

    def where(term) -> int:
        places = []
        for s in term.free_symbols:
            m = re.search(r"(?<![A-Za-z0-9_])%s(?![A-Za-z0-9_])" % re.escape(s.name), text)
            if m:
                places.append(m.start())
        if not places and term.is_Number:
            m = re.search(r"(?<![\w.])%s(?![\w.])" % re.escape(sp.sstr(abs(term))), text)
            if m:
                places.append(m.start())
        return min(places) if places else len(text)

    return sorted(terms, key=where)


# -- the mixin ------------------------------------------------------------------------------


class StyledLines:
    """Mixin: ``lines()`` gives ``(text, style)`` pairs; layout, plain, rich and HTML follow."""

    __slots__ = ()

    def lines(self) -> list[tuple[str, str]]:  # pragma: no cover - every result defines it
        raise NotImplementedError

    def layout(self, width: int | None = None) -> list[tuple[str, str]]:
        """The lines laid out for ``width`` columns (default: :func:`terminal_width`)."""
        w = terminal_width() if width is None else max(width, 1)
        return [(line, style) for text, style in self.lines() for line in fit(text, w)]

    def plain_text(self, width: int | None = None) -> str:
        """The result as plain text (what ``--format plain`` prints), ``width`` columns wide."""
        return "\n".join(text for text, _ in self.layout(width)) + "\n"

    def __str__(self) -> str:
        return self.plain_text()

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.text import Text

        for text, style in self.layout(options.max_width):
            yield Text(text, style=style)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        """What a notebook shows: typeset math (LaTeX) and the styled lines (HTML)."""
        from symgrad.notebook import mimebundle

        return mimebundle(self)

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        """IPython's plain text: the layout, not the record's fields."""
        from symgrad.notebook import NOTEBOOK_WIDTH

        printer.text(self.plain_text(NOTEBOOK_WIDTH).rstrip("\n"))


def styled_html(lines: Sequence[tuple[str, str]]) -> str:
    """``(text, style)`` lines as one HTML ``<pre>`` block with the styles as colours."""
    import html

    out = []
    for text, style in lines:
        css = css_of(style)
        body = html.escape(text)
        out.append(f'<span style="{css}">{body}</span>' if css and body else body)
    return PRE + "\n".join(out) + "</pre>"


PRE = '<pre style="font-family: monospace; line-height: 1.25; white-space: pre">'


_COLOURS = {"red": "#c0392b", "green": "#1e8449", "cyan": "#117a8b", "yellow": "#9a7d0a"}


def css_of(style: str) -> str:
    """CSS for a rich style such as ``bold green``."""
    parts = []
    for word in style.split():
        if word == "bold":
            parts.append("font-weight: bold")
        elif word == "dim":
            parts.append("opacity: 0.7")
        elif word in _COLOURS:
            parts.append(f"color: {_COLOURS[word]}")
    return "; ".join(parts)
