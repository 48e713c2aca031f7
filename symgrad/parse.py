"""Safe text → SymPy: symgrad's own tokenizer and precedence parser.

User text never reaches ``eval``, ``exec``, ``sympify`` or ``parse_expr``: the
tokenizer accepts a small alphabet, the parser builds SymPy objects directly,
and every size that could explode (length, nesting, numbers, exponents) is
checked *before* the expensive thing is built.

>>> parse("w*w+2").expr
w**2 + 2
>>> parse("2x^2^3 - sin²(θ)").expr
2*x**8 - sin(theta)**2
>>> parse("w - w + x").names
('w', 'x')
>>> parse_assignments("w=10, v=-2.5")
{'w': 10, 'v': -5/2}
"""

from __future__ import annotations

import keyword
import math
import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

import sympy as sp

from symgrad.errors import InputError, LimitError, ParseError
from symgrad.functions import CONSTANTS, FUNCTIONS, REGISTRY


class Limits(NamedTuple):
    """What the parser accepts before it refuses with a :class:`LimitError` (exit 3)."""

    max_length: int = 2000  # characters of input
    max_depth: int = 50  # nesting of parentheses, function calls and powers
    max_digits: int = 100  # digits in one number literal
    max_decimal_exponent: int = 400  # |n| in 1.5e<n>
    max_exponent: int = 1000  # |n| in x^n for an integer or rational n
    max_bits: int = 20000  # bits in any exact number the expression contains


LIMITS = Limits()

_SUPERSCRIPTS = {"⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6"}
_SUPERSCRIPTS |= {"⁷": "7", "⁸": "8", "⁹": "9", "⁻": "-", "⁺": "+"}
_ALIASES = {"−": "-", "–": "-", "—": "-", "×": "*", "·": "*", "⋅": "*", "∙": "*", "÷": "/"}
_ALIASES |= {"│": "|", "∣": "|"}  # SymPy draws |x| with box-drawing bars
_OPERATORS = set("+-*/^(),|√∛")
_REJECT = {
    ".": ("unexpected '.'", "attribute access is not allowed; decimals look like 2.5"),
    "[": ("square brackets are not allowed", "use parentheses ( ) for grouping"),
    "]": ("square brackets are not allowed", "use parentheses ( ) for grouping"),
    "{": ("braces are not allowed", "use parentheses ( ) for grouping"),
    "}": ("braces are not allowed", "use parentheses ( ) for grouping"),
    "'": ("strings are not allowed", "type the expression without quotes"),
    '"': ("strings are not allowed", "type the expression without quotes"),
    "=": ("'=' is not allowed in an expression", "give the point with --at, e.g. --at x=1"),
    "<": ("comparisons are not allowed", "type one expression to differentiate"),
    ">": ("comparisons are not allowed", "type one expression to differentiate"),
    "!": ("'!' is not supported", "factorial is not supported; use a product or gamma-free form"),
    "&": ("boolean operators are not allowed", "type one expression to differentiate"),
    "~": ("'~' is not allowed", "use - for negation"),
    "%": ("'%' is not supported", "write percentages as fractions, e.g. 0.05"),
    ";": ("';' is not allowed", "type a single expression"),
    ":": ("':' is not allowed", "type a single expression"),
    "@": ("'@' is not allowed", "use * to multiply"),
    "\\": ("backslash is not allowed", "type plain math, not LaTeX or escapes"),
    "#": ("'#' is not allowed", "type a single expression"),
    "$": ("'$' is not allowed", "type plain math, not LaTeX"),
    "?": ("'?' is not allowed", "type a single expression"),
    "`": ("backquotes are not allowed", "type the expression without quotes"),
    "_": ("names must start with a letter", "for example x_1, not _x"),
}
_NUMBER = re.compile(r"([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_KEYWORDS = set(keyword.kwlist) - {"lambda"}
_DIGITS = frozenset("0123456789")  # str.isdigit() also accepts '²' and other digits


class Token(NamedTuple):
    kind: str  # "num", "name", "op", "sup", "end"
    text: str
    column: int  # 1-based
    space_before: bool = False


class Parsed(NamedTuple):
    """A parsed expression and the variable names it mentions, in order of appearance.

    ``names`` is structural, as in a TensorFlow graph: ``w - w + x`` names
    ``w`` even though SymPy cancels it.
    """

    expr: sp.Expr
    names: tuple[str, ...]
    text: str
    notes: tuple[str, ...] = ()  # how an ambiguous spelling was read, e.g. sinx


def variable(name: str) -> sp.Symbol:
    """The one place symgrad makes a symbol: every variable is real.

    >>> variable("x").is_real
    True
    """
    return sp.Symbol(name, real=True)


def _greek_name(ch: str) -> str | None:
    name = unicodedata.name(ch, "")
    for prefix, capital in (("GREEK SMALL LETTER ", False), ("GREEK CAPITAL LETTER ", True)):
        if name.startswith(prefix):
            word = name[len(prefix) :].lower().replace(" ", "_")
            if word == "lamda":
                word = "lambda"
            return word.capitalize() if capital else word
    return None


def _describe(ch: str) -> str:
    return f"'{ch}' (U+{ord(ch):04X})" if ch.isprintable() else f"U+{ord(ch):04X}"


def tokenize(text: str, *, limits: Limits = LIMITS) -> list[Token]:
    """Split ``text`` into tokens, refusing anything outside symgrad's alphabet."""
    if len(text) > limits.max_length:
        raise LimitError(
            f"the expression is too long ({len(text)} characters; the limit is {limits.max_length})",
            hint="differentiate a shorter expression",
        )
    tokens: list[Token] = []
    i, n = 0, len(text)
    space = False
    while i < n:
        ch = text[i]
        col = i + 1
        if ch in " \t" or (unicodedata.category(ch) == "Zs" and ch != "\u3000"):
            space = True
            i += 1
            continue
        if ch in "\r\n" or unicodedata.category(ch) in ("Zl", "Zp"):
            raise ParseError("line breaks are not allowed", column=col, hint="type one line")
        if unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cn", "Cs"):
            raise ParseError(
                f"invisible or control character {_describe(ch)}",
                column=col,
                hint="retype the expression instead of pasting it",
            )
        ch = _ALIASES.get(ch, ch)
        if ch in _DIGITS or (ch == "." and text[i + 1 : i + 2] in _DIGITS and i + 1 < n):
            m = _NUMBER.match(text, i)
            if m is None:  # pragma: no cover - the test above guarantees a match
                raise ParseError("malformed number", column=col)
            tokens.append(Token("num", m.group(0), col, space))
            i = m.end()
        elif ch == "ℯ":  # the constant e, as SymPy prints it
            tokens.append(Token("name", "ℯ", col, space))
            i += 1
        elif ch.isascii() and ch.isalpha() or _greek_name(ch):
            j = _name_end(text, i)
            tokens.append(Token("name", _name_text(text[i:j]), col, space))
            i = j
        elif ch in _SUPERSCRIPTS:
            j = i
            while j < n and text[j] in _SUPERSCRIPTS:
                j += 1
            tokens.append(Token("sup", "".join(_SUPERSCRIPTS[c] for c in text[i:j]), col, space))
            i = j
        elif ch == "*" and text[i + 1 : i + 2] == "*":
            tokens.append(Token("op", "^", col, space))
            i += 2
        elif ch in _OPERATORS:
            tokens.append(Token("op", ch, col, space))
            i += 1
        elif ch in _REJECT:
            message, hint = _REJECT[ch]
            if ch in "=!<>" and text[i + 1 : i + 2] == "=" or ch in "<>":
                message = "comparisons are not allowed"
            raise ParseError(message, column=col, hint=hint)
        elif unicodedata.normalize("NFKC", ch) != ch:
            plain = unicodedata.normalize("NFKC", ch)
            raise ParseError(
                f"look-alike character {_describe(ch)}",
                column=col,
                hint=f"type a plain '{plain}' instead",
            )
        else:
            raise ParseError(f"unexpected character {_describe(ch)}", column=col)
        space = False
    tokens.append(Token("end", "", n + 1, space))
    return tokens


def _name_end(text: str, i: int) -> int:
    """Where the name starting at ``text[i]`` ends.

    A run of ASCII letters, digits and ``_`` is one name (``lr``, ``theta``, ``x1``); a
    Greek letter is a name of its own (``2θx`` is 2⋅θ⋅x), which digits and a subscript
    may follow (``θ1``, ``θ_0``, ``x_θ``).
    """
    greek_run = not text[i].isascii()
    j = i + 1 if greek_run else i
    while j < len(text):
        c = text[j]
        after_underscore = text[j - 1] == "_"
        if c.isascii() and (c.isdigit() or c == "_"):
            j += 1
        elif c.isascii() and c.isalpha() and (not greek_run or after_underscore):
            j += 1
        elif not c.isascii() and _greek_name(c) and after_underscore:
            j += 1
        else:
            break
    return j


def _name_text(raw: str) -> str:
    """The name symgrad uses for a typed name: Greek letters spelled out (θ → theta)."""
    name = "".join(c if c.isascii() else _greek_name(c) for c in raw)
    return "pi" if name == "π" else name


def _number(token: Token, limits: Limits) -> sp.Rational:
    mantissa, _, exponent = token.text.lower().partition("e")
    digits = mantissa.replace(".", "").lstrip("0")
    if len(digits) > limits.max_digits:
        raise LimitError(
            f"the number at column {token.column} has {len(digits)} digits "
            f"(the limit is {limits.max_digits})"
        )
    if exponent and abs(int(exponent)) > limits.max_decimal_exponent:
        raise LimitError(
            f"the number {token.text} at column {token.column} is too large or too small",
            hint=f"exponents up to e{limits.max_decimal_exponent} are accepted",
        )
    whole, _, fraction = mantissa.partition(".")
    numerator = int(whole + fraction or "0")
    scale = int(exponent or 0) - len(fraction)
    if scale >= 0:
        return sp.Rational(numerator * 10**scale, 1)
    return sp.Rational(numerator, 10**-scale)


def _known_functions() -> str:
    return ", ".join(f.name for f in REGISTRY if f.listed)


class _Parser:
    def __init__(self, text: str, assigned: Iterable[str], limits: Limits):
        self.text = text
        self.tokens = tokenize(text, limits=limits)
        self.pos = 0
        self.depth = 0
        self.limits = limits
        self.assigned = set(assigned)
        self.names: list[str] = []
        self.notes: list[str] = []
        self.runs: list[str] = []  # multi-letter names that could be products
        self.leibniz_names: set[str] = set()
        self.bars = 0  # open |...| in the current parentheses

    # -- token helpers ------------------------------------------------------------

    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def advance(self) -> Token:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def at_op(self, op: str) -> bool:
        return self.tok.kind == "op" and self.tok.text == op

    def enter(self, column: int) -> None:
        self.depth += 1
        if self.depth > self.limits.max_depth:
            raise LimitError(
                f"the expression is nested too deeply (more than {self.limits.max_depth} levels) "
                f"at column {column}"
            )

    # -- checked construction -----------------------------------------------------

    def check(self, node: sp.Expr, column: int) -> sp.Expr:
        bad = (sp.zoo, sp.nan, sp.oo, -sp.oo)
        if node in bad or any(a in bad for a in node.args):
            raise ParseError(
                "the expression is undefined (division by zero or log(0))", column=column
            )
        if (
            node.is_Rational
            and max(node.p.bit_length(), node.q.bit_length()) > self.limits.max_bits
        ):
            raise LimitError(f"a number in the expression is too large (near column {column})")
        return node

    def power(self, base: sp.Expr, exponent: sp.Expr, column: int) -> sp.Expr:
        if base.is_Rational and exponent.is_Rational and not base.is_zero:
            size = float(abs(exponent)) * math.log2(max(abs(base.p), base.q, 2))
            if size > self.limits.max_bits:
                digits = size * math.log10(2)
                raise LimitError(
                    f"number too large: {base}^{exponent} has about {digits:,.0f} digits",
                    hint="symgrad keeps numbers exact; use smaller numbers",
                )
        if exponent.is_Rational and abs(exponent) > self.limits.max_exponent:
            raise LimitError(
                f"the exponent {exponent} at column {column} is too large "
                f"(the limit is {self.limits.max_exponent})",
                hint="use a smaller power",
            )
        return self.check(sp.Pow(base, exponent), column)

    # -- grammar ------------------------------------------------------------------

    def parse_list(self) -> list[tuple[sp.Expr, tuple[str, ...]]]:
        items = []
        while True:
            start = len(self.names)
            first = self.tok
            if first.kind == "end" or self.at_op(","):
                raise ParseError(
                    "empty expression", column=first.column, hint="type something like x^2"
                )
            expr = self.expression()
            items.append((expr, tuple(dict.fromkeys(self.names[start:]))))
            if not self.at_op(","):
                break
            self.advance()
        self.expect_end()
        return items

    def expect_end(self) -> None:
        tok = self.tok
        if tok.kind == "end":
            return
        if self.at_op(")"):
            raise ParseError("unbalanced parenthesis: this ')' has no '('", column=tok.column)
        if self.at_op(","):
            raise ParseError("unexpected ','", column=tok.column, hint="give one expression")
        raise ParseError(f"unexpected {tok.text!r}", column=tok.column)

    def expression(self) -> sp.Expr:
        terms = [self.term()]
        while self.tok.kind == "op" and self.tok.text in "+-":
            op = self.advance()
            term = self.term()
            terms.append(term if op.text == "+" else self.check(-term, op.column))
        return terms[0] if len(terms) == 1 else self.check(sp.Add(*terms), self.tok.column)

    def starts_atom(self) -> bool:
        tok = self.tok
        if tok.kind in ("num", "name"):
            return True
        # Inside |...| a bar after an operand closes it; outside it opens one: |x||y|.
        return tok.kind == "op" and (tok.text in "(√∛" or (tok.text == "|" and not self.bars))

    def term(self) -> sp.Expr:
        factors = [self.unary()]
        while True:
            tok = self.tok
            if tok.kind == "op" and tok.text in "*/":
                if tok.text == "/":
                    self.leibniz()
                self.advance()
                factor = self.unary()
                if tok.text == "/":
                    if factor.is_zero:
                        raise ParseError("division by zero", column=tok.column)
                    factor = self.check(sp.Pow(factor, -1), tok.column)
                factors.append(factor)
            elif self.starts_atom():
                previous = self.tokens[self.pos - 1]
                if tok.kind == "num" and previous.kind in ("num", "name", "sup"):
                    raise ParseError(
                        f"missing operator before the number {tok.text}",
                        column=tok.column,
                        hint="use * to multiply, e.g. 2*3 or x*2",
                    )
                factors.append(self.power_level())
            else:
                break
        return factors[0] if len(factors) == 1 else self.check(sp.Mul(*factors), self.tok.column)

    def unary(self) -> sp.Expr:
        sign, column = 1, self.tok.column
        while self.tok.kind == "op" and self.tok.text in "+-":
            if self.advance().text == "-":
                sign = -sign
        if self.tok.kind == "end":
            raise ParseError(
                "the expression ends too early", column=self.tok.column, hint="add an operand"
            )
        value = self.power_level()
        return value if sign == 1 else self.check(-value, column)

    def power_level(self) -> sp.Expr:
        base = self.postfix()
        if self.at_op("^"):
            op = self.advance()
            self.enter(op.column)
            exponent = self.exponent()
            self.depth -= 1
            return self.power(base, exponent, op.column)
        return base

    def exponent(self) -> sp.Expr:
        sign, column = 1, self.tok.column
        while self.tok.kind == "op" and self.tok.text in "+-":
            if self.advance().text == "-":
                sign = -sign
        if self.tok.kind == "end":
            raise ParseError("missing exponent after '^'", column=self.tok.column, hint="e.g. x^2")
        value = self.power_level()
        return value if sign == 1 else self.check(-value, column)

    def postfix(self) -> sp.Expr:
        atom = self.atom()
        while self.tok.kind == "sup":
            sup = self.advance()
            atom = self.power(atom, self.superscript(sup), sup.column)
        return atom

    def superscript(self, tok: Token) -> sp.Integer:
        text = tok.text
        if not re.fullmatch(r"[+-]?\d+", text):
            raise ParseError(
                f"malformed superscript {text!r}", column=tok.column, hint="e.g. x² or x⁻¹"
            )
        return sp.Integer(int(text))

    def atom(self) -> sp.Expr:
        tok = self.tok
        if tok.kind == "num":
            self.advance()
            return self.check(_number(tok, self.limits), tok.column)
        if tok.kind == "name":
            return self.name()
        if self.at_op("("):
            self.advance()
            self.enter(tok.column)
            if self.at_op(")"):
                raise ParseError(
                    "empty parentheses", column=tok.column, hint="put an expression inside ( )"
                )
            bars, self.bars = self.bars, 0
            inner = self.expression()
            self.close(tok)
            self.bars = bars
            self.depth -= 1
            return inner
        if self.at_op("|"):
            return self.bars_abs(tok)
        if self.at_op("√") or self.at_op("∛"):
            self.advance()
            self.enter(tok.column)
            if self.tok.kind == "end" or not (
                self.starts_atom() or self.at_op("|") or self.at_op("-")
            ):
                raise ParseError(
                    f"{tok.text} needs something to take the root of",
                    column=tok.column,
                    hint=f"write {tok.text}x or {tok.text}(x + 1)",
                )
            negative = self.at_op("-") and self.advance()  # ∛-8 = -2
            radicand = self.atom()
            if negative:
                radicand = self.check(-radicand, tok.column)
            self.depth -= 1
            root = FUNCTIONS["sqrt" if tok.text == "√" else "cbrt"].build(radicand)
            return self.check(root, tok.column)
        if tok.kind == "end":
            raise ParseError(
                "the expression ends too early", column=tok.column, hint="add an operand"
            )
        if tok.kind == "sup":
            raise ParseError("a superscript needs something before it", column=tok.column)
        if self.at_op(")"):
            raise ParseError("unbalanced parenthesis: this ')' has no '('", column=tok.column)
        raise ParseError(
            f"unexpected {tok.text!r}", column=tok.column, hint="an operand is missing"
        )

    def bars_abs(self, opening: Token) -> sp.Expr:
        """``|x - 1|``: bars nest (``||x| - 1|``) and multiply side by side (``|x||y|``)."""
        self.advance()
        self.enter(opening.column)
        if self.tok.kind == "end":
            raise ParseError(
                "empty absolute value bars", column=opening.column, hint="write |x| or abs(x)"
            )
        self.bars += 1
        inner = self.expression()
        self.bars -= 1
        if not self.at_op("|"):
            raise ParseError(
                "this '|' is never closed" if self.tok.kind == "end" else "expected a closing '|'",
                column=opening.column if self.tok.kind == "end" else self.tok.column,
                hint="write |x - 1|, or abs(x - 1)",
            )
        self.advance()
        self.depth -= 1
        return self.check(sp.Abs(inner), opening.column)

    def leibniz(self) -> None:
        """Say how ``d/dx`` or ``dy/dx`` was read: as division, not as a derivative."""
        before, after = self.tokens[self.pos - 1], self.tokens[self.pos + 1]
        if not (before.kind == after.kind == "name" and before.text[:1] == after.text[:1] == "d"):
            return
        if len(after.text) < 2 or before.text in FUNCTIONS:
            return
        read = f"{before.text}/{after.text}"
        self.leibniz_names |= {before.text, after.text}
        wrt = after.text[1:]
        self.note(
            f"read {read} as the variable {before.text} divided by the variable {after.text}, "
            f"not as a derivative; symgrad differentiates for you: give the function alone "
            f"(with --wrt {wrt})"
        )

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def name_notes(self) -> None:
        """After parsing: a run such as ``xy`` whose letters are also variables of their own."""
        singles = {n for n in self.names if len(n) == 1} | {n for n in self.assigned if len(n) == 1}
        for run in self.runs:
            if run not in self.assigned | self.leibniz_names and set(run) <= singles:
                self.note(
                    f"read {run} as one variable named {run}; for the product write "
                    + "*".join(run)
                )

    def close(self, opening: Token) -> None:
        if self.at_op(")"):
            self.advance()
            return
        if self.tok.kind == "end":
            raise ParseError(
                "unbalanced parenthesis: this '(' is never closed",
                column=opening.column,
                hint="add ')'",
            )
        raise ParseError(f"expected ')' but found {self.tok.text!r}", column=self.tok.column)

    def name(self) -> sp.Expr:
        tok = self.advance()
        name = tok.text
        if name in _KEYWORDS:
            raise ParseError(f"{name} is a Python keyword, not math", column=tok.column)
        if name in FUNCTIONS:
            return self.call(tok)
        if name == "ℯ":
            return sp.E
        single = len(self.text_of(tok)) == 1
        if self.at_op("(") and not self.tok.space_before:
            if not single:
                raise ParseError(
                    f"unknown function {name}",
                    column=tok.column,
                    hint=f"known functions are: {_known_functions()}; to multiply, write {name}*(...)",
                )
            if name in "fgh":  # x(x+1) is a product; f(x) may be meant as a function
                self.note(f"read {name}(…) as {name} times (…): symgrad has no function {name}")
        if name in CONSTANTS and name not in self.assigned:
            return CONSTANTS[name]
        if not single and name.isalpha() and name.isascii() and len(name) <= 4:
            self.runs.append(name)
        prefix = _function_prefix(name)
        if prefix is not None:
            self.note(
                f"read {name} as one variable named {name}; for the function write "
                f"{prefix}({name[len(prefix) :]})"
            )
        self.names.append(name)
        return variable(name)

    def text_of(self, tok: Token) -> str:
        """The characters the user typed for a name token (θ, not theta)."""
        return self.text[tok.column - 1 : _name_end(self.text, tok.column - 1)]

    def call(self, tok: Token) -> sp.Expr:
        name, spec = tok.text, FUNCTIONS[tok.text]
        power = None
        if self.at_op("^") or self.tok.kind == "sup":  # sin^2(x), sin²(x)
            marker = self.advance()
            if marker.kind == "sup":
                power = self.superscript(marker)
            else:
                sign = -1 if self.at_op("-") and self.advance() else 1
                if self.tok.kind != "num":
                    raise ParseError(
                        f"write {name}(...)^n for a power of {name}", column=marker.column
                    )
                power = sign * _number(self.advance(), self.limits)
            if power == -1:
                raise ParseError(
                    f"{name}^-1 is ambiguous",
                    column=tok.column,
                    hint=f"write a{name}(x) for the inverse, or {name}(x)^-1 for 1/{name}(x)"
                    if not name.startswith("a")
                    else f"write {name}(x)^-1 for 1/{name}(x)",
                )
        if not self.at_op("("):
            raise ParseError(
                f"function {name} needs parentheses", column=tok.column, hint=f"write {name}(...)"
            )
        opening = self.advance()
        self.enter(opening.column)
        args = []
        if self.at_op(")"):
            raise ParseError(f"{name}() needs an argument", column=opening.column)
        while True:
            bars, self.bars = self.bars, 0
            args.append(self.expression())
            self.bars = bars
            if self.at_op(","):
                self.advance()
                continue
            break
        self.close(opening)
        self.depth -= 1
        if len(args) not in spec.arities:
            expected = " or ".join(map(str, spec.arities))
            plural = "s" if spec.arities != (1,) else ""
            raise ParseError(
                f"{name} takes {expected} argument{plural}, got {len(args)}", column=tok.column
            )
        try:
            built = spec.build(*args)
        except ValueError as err:  # an argument the function refuses, e.g. Heaviside(x, y)
            raise ParseError(str(err), column=tok.column) from None
        result = self.check(built, tok.column)
        if power is not None:
            result = self.power(result, power, tok.column)
        return result


def _function_prefix(name: str) -> str | None:
    """``sin`` for ``sinx``: a function name run into its argument without parentheses."""
    if not name.isascii() or not name.isalpha():
        return None
    for length in range(len(name) - 1, 1, -1):
        if name[:length] in FUNCTIONS:
            return name[:length]
    return None


def _guarded(fn):
    """Turn the few Python failures deep inputs can still cause into SymgradErrors."""

    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except RecursionError:
            raise LimitError("the expression is nested too deeply") from None
        except (OverflowError, MemoryError):
            raise LimitError("the expression is too large to work with") from None

    wrapper.__doc__ = fn.__doc__
    wrapper.__name__ = fn.__name__
    wrapper.__wrapped__ = fn
    return wrapper


@_guarded
def parse(text: str, *, assigned: Iterable[str] = ()) -> Parsed:
    """Parse one expression. Names in ``assigned`` (``--at``) are variables even if ``e``/``pi``.

    >>> parse("e^x").expr
    exp(x)
    >>> parse("e^x", assigned=["e"]).expr
    e**x
    """
    if not text.strip():
        raise ParseError("empty expression", hint="type something like x^2")
    parser = _Parser(text, assigned, LIMITS)
    items = parser.parse_list()
    if len(items) > 1:
        raise ParseError(
            "several expressions given where one is expected",
            hint="remove the commas, or use --jacobian for several outputs",
        )
    expr, names = items[0]
    parser.name_notes()
    return Parsed(expr, names, text, tuple(parser.notes))


@_guarded
def parse_many(text: str, *, assigned: Iterable[str] = ()) -> list[Parsed]:
    """Parse comma-separated expressions (commas inside calls are arguments).

    >>> [p.expr for p in parse_many("x*y, log(x, 2)")]
    [x*y, log(x)/log(2)]
    """
    if not text.strip():
        raise ParseError("empty expression", hint="type something like x^2")
    parser = _Parser(text, assigned, LIMITS)
    items = parser.parse_list()
    parser.name_notes()
    return [Parsed(expr, names, text, tuple(parser.notes)) for expr, names in items]


def _check_name(raw: str, what: str = "name") -> str:
    tokens = tokenize(raw.strip())
    if len(tokens) != 2 or tokens[0].kind != "name":
        raise InputError(
            f"{raw.strip()!r} is not a valid variable {what}",
            hint="names start with a letter, e.g. w, x1, theta",
        )
    name = tokens[0].text
    if name in _KEYWORDS:
        raise InputError(f"{name} is a Python keyword, not a variable name")
    if name in FUNCTIONS:
        raise InputError(f"{name} is a function, not a variable name")
    if name == "ℯ":
        raise InputError(
            "ℯ is the constant e, not a variable name", hint="use e, which --at may set"
        )
    return name


_NON_FINITE = {"nan", "inf", "+inf", "-inf", "infinity", "-infinity", "oo", "-oo", "∞", "-∞"}


@_guarded
def parse_value(text: str, *, name: str = "value") -> sp.Expr:
    """Parse a number for ``--at``: a constant expression that is real and finite.

    >>> parse_value("pi/4"), parse_value("-2.5"), parse_value("1e-3")
    (pi/4, -5/2, 1/1000)
    """
    stripped = text.strip()
    if stripped.lower() in _NON_FINITE:
        raise InputError(f"the value of {name} must be a finite number, not {stripped}")
    if not stripped:
        raise InputError(f"no value given for {name}", hint=f"write {name}=<number>")
    try:
        parsed = _Parser(stripped, (), LIMITS).parse_list()
    except ParseError as err:
        raise InputError(f"the value of {name} is not a number: {err}") from None
    if len(parsed) != 1:
        raise InputError(f"the value of {name} must be one number", hint="separate values with ','")
    value, names = parsed[0]
    if names:
        complex_hint = " (complex values are not supported)" if set(names) & {"I", "i", "j"} else ""
        raise InputError(
            f"the value of {name} must be a number, but it uses the variable {names[0]}{complex_hint}"
        )
    if value.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise InputError(f"the value of {name} is not finite")
    if value.is_extended_real is False:
        raise InputError(f"the value of {name} must be real, got {value}")
    return value


def _split_top(text: str, separators: str) -> list[tuple[str, int]]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch in separators and depth == 0:
            parts.append((text[start:i], start + 1))
            start = i + 1
    parts.append((text[start:], start + 1))
    return parts


@_guarded
def parse_assignments(text: str) -> dict[str, sp.Expr]:
    """Parse ``--at`` text such as ``"w=10,v=3"`` into exact values, in order.

    >>> parse_assignments("x = 1/3; θ = pi")
    {'x': 1/3, 'theta': pi}
    """
    if len(text) > LIMITS.max_length:
        raise LimitError(f"--at is too long ({len(text)} characters)")
    point: dict[str, sp.Expr] = {}
    for part, _column in _split_top(text, ",;"):
        if not part.strip():
            raise InputError("an empty assignment in --at", hint="write --at w=10,v=3")
        name_text, eq, value_text = part.partition("=")
        if not eq:
            raise InputError(
                f"{part.strip()!r} in --at has no '='", hint="write NAME=VALUE, e.g. w=10"
            )
        name = _check_name(name_text)
        if name in point:
            raise InputError(f"{name} is given two values in --at")
        point[name] = parse_value(value_text, name=name)
    return point


@_guarded
def parse_names(text: str) -> list[str]:
    """Parse ``--wrt`` text such as ``"w,v"``: validated, normalised names, in order.

    >>> parse_names("w, θ")
    ['w', 'theta']
    """
    if len(text) > LIMITS.max_length:
        raise LimitError(f"the list of variables is too long ({len(text)} characters)")
    names: list[str] = []
    for part, _column in _split_top(text, ","):
        if not part.strip():
            raise InputError("an empty name in the variable list", hint="write --wrt w,v")
        name = _check_name(part)
        if name in names:
            raise InputError(f"{name} appears twice in the variable list")
        names.append(name)
    return names
