"""Checking a student's derivative: equivalence, a counterexample, the likely mistake.

An answer is right when SymPy simplifies its difference from the exact
derivative to 0 *and* the two agree at seeded random points where the
function is defined. A wrong answer gets a point where the two differ and,
when one of the typical mistakes of :mod:`symgrad.mistakes` reproduces it, a
diagnosis whose hint names the rule without giving the answer away.

>>> check = check_answer("x*sin(x^2)", "sin(x^2) + x*cos(x^2)")
>>> check.correct, check.diagnosis.rule
(False, 'chain rule')
>>> check_answer("x*sin(x^2)", "sin(x^2) + 2*x^2*cos(x^2)").correct
True
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp

from symgrad.derive import as_parsed
from symgrad.errors import EXIT_MATH, EXIT_OK, InputError
from symgrad.mistakes import (
    MISTAKES,
    Evaluator,
    agree,
    close,
    describe,
    evaluate,
    mistake_key,
    wrong_derivations,
)
from symgrad.parse import Parsed, parse_names, variable
from symgrad.printing import inline, one_line
from symgrad.render import Hanging, StyledLines, message

DEFAULT_POINTS = 8
DEFAULT_SEED = 0
_SCALES = (3, 10, 1, 100)  # half-widths of the intervals points are drawn from, in turn
_MAX_SPECIAL = 10


@dataclass(frozen=True)
class Counterexample:
    """A point where the answer and the derivative differ."""

    point: tuple[tuple[str, sp.Expr], ...]
    expected: float | None  # None: the derivative is undefined there
    received: float | None  # None: the answer is undefined there

    def where(self) -> str:
        return ", ".join(f"{name} = {_number(value)}" for name, value in self.point)

    def to_dict(self) -> dict[str, object]:
        return {
            "point": {name: float(value) for name, value in self.point},
            "expected": self.expected,
            "received": self.received,
        }


@dataclass(frozen=True)
class Diagnosis:
    """The typical mistake that reproduces a wrong answer, and a hint that names its rule."""

    mistake: str
    rule: str
    description: str
    hint: str
    site: sp.Expr | None = None  # the part of the function where the mistake was made
    detail: str = ""

    def sentence(self) -> str:
        text = self.description
        if self.mistake == "wrong_variable":
            text = f"differentiated with respect to {self.detail} instead"
        elif self.mistake == "wrong_order" and self.detail:
            text = f"the answer is the derivative of order {self.detail}"
        elif self.mistake == "factor" and self.detail:
            text = f"the answer is {self.detail} times the derivative"
        elif self.mistake == "constant_kept" and self.site is not None:
            return f"the constant term {inline(self.site)} was kept instead of becoming 0"
        if self.site is not None:
            text += f", in {inline(self.site)}"
        return text

    def to_dict(self) -> dict[str, object]:
        return {
            "mistake": self.mistake,
            "rule": self.rule,
            "description": self.sentence(),
            "hint": self.hint,
            "where": str(self.site) if self.site is not None else None,
        }


@dataclass(frozen=True)
class AnswerCheck(StyledLines):
    """The verdict on one answer: correct or not, the evidence, and what to say.

    ``expected`` (the correct derivative) is always available to the program;
    it is shown in the output only when ``reveal`` is true.
    """

    function: sp.Expr
    answer: sp.Expr
    wrt: tuple[str, ...]
    expected: sp.Expr
    correct: bool
    method: str  # "symbolic", "numeric" or "counterexample"
    points_checked: int
    counterexample: Counterexample | None = None
    diagnosis: Diagnosis | None = None
    notes: tuple[str, ...] = ()
    reveal: bool = False
    seed: int = DEFAULT_SEED

    @property
    def verdict(self) -> str:
        return "correct" if self.correct else "incorrect"

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.correct else EXIT_MATH

    def what(self) -> str:
        """``the derivative of x⋅sin(x²) with respect to x`` (or the order / mixed partial)."""
        names = self.wrt
        if len(set(names)) == 1 and len(names) > 1:
            by = f"derivative of order {len(names)}"
            return f"the {by} of {inline(self.function)} with respect to {names[0]}"
        if len(names) > 1:
            return (
                f"the mixed partial derivative of {inline(self.function)} with respect to "
                + ", then ".join(names)
            )
        return f"the derivative of {inline(self.function)} with respect to {names[0]}"

    # -- JSON and LaTeX -------------------------------------------------------------

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "function": str(self.function),
            "answer": str(self.answer),
            "wrt": list(self.wrt),
            "verdict": self.verdict,
            "correct": self.correct,
            "method": self.method,
            "points_checked": self.points_checked,
            "seed": self.seed,
            "counterexample": self.counterexample.to_dict() if self.counterexample else None,
            "diagnosis": self.diagnosis.to_dict() if self.diagnosis else None,
            "notes": list(self.notes),
            "exit_code": self.exit_code,
        }
        if self.reveal:
            data["derivative"] = str(self.expected)
        return data

    def to_latex(self, standalone: bool = False) -> str:
        """The answer against the derivative (``=`` or ``\\neq``) and the evidence, as
        ``align*``; with ``reveal``, the derivative itself."""
        from symgrad import latex

        several = latex.several(self.function, self.wrt)
        label = latex.derivative("", list(self.wrt), several)
        operator = r"%s\left[%s\right]" % (label, latex.expr(self.function))
        relation = "=" if self.correct else r"\neq"
        rows = [r"%s &%s %s" % (operator, relation, latex.expr(self.answer))]
        mark = r"\checkmark" if self.correct else r"\times"
        rows.append(r"&%s\ %s" % (mark, latex.text(self.verdict)))
        c = self.counterexample
        if c is not None and not self.correct:
            expected = "undefined" if c.expected is None else _float(c.expected)
            received = "undefined" if c.received is None else _float(c.received)
            rows.append(
                "&"
                + latex.text(
                    f"at {c.where()}: the derivative is {expected}, yours gives {received}"
                )
            )
        if self.diagnosis is not None:
            rows.append(
                "&"
                + latex.text(f"likely mistake ({self.diagnosis.rule}): {self.diagnosis.sentence()}")
            )
        if self.reveal:
            rows.append(r"%s &= %s" % (operator, latex.expr(self.expected)))
        return latex.document(latex.align(rows), standalone)

    # -- text and rich --------------------------------------------------------------

    def lines(self) -> list[tuple[str, str]]:
        """The report as ``(text, style)`` lines."""
        if self.correct:
            out = [(f"✓ correct: your answer is {self.what()}", "bold green")]
            agree = f"the two agree at {self.points_checked} random points (seed {self.seed})"
            if self.method == "numeric":
                evidence = f"SymPy could not simplify the difference to 0, but {agree}"
            elif self.points_checked:
                evidence = f"SymPy simplifies the difference to 0; {agree}"
            else:
                evidence = "SymPy simplifies the difference to 0"
            out.append((f"  {evidence}", ""))
        else:
            out = [(f"✗ incorrect: your answer is not {self.what()}", "bold red")]
            c = self.counterexample
            if c is not None:
                expected = "undefined" if c.expected is None else _float(c.expected)
                received = "undefined" if c.received is None else _float(c.received)
                out.append(
                    (f"  at {c.where()}: the derivative is {expected}, yours gives {received}", "")
                )
            d = self.diagnosis
            if d is not None:
                out.append((f"  likely mistake ({d.rule}): {d.sentence()}", "yellow"))
                out.append((f"  hint: {d.hint}", "yellow"))
            else:
                out.append(("  no typical mistake reproduces this answer", ""))
        out += [(message(f"  note: {note}"), "") for note in self.notes]
        if self.reveal:
            out.append((Hanging(f"  the derivative: {one_line(self.expected)}", 18), "cyan"))
        return out


def _float(value: float) -> str:
    return repr(float(f"{value:.6g}"))


def _number(value: sp.Expr) -> str:
    text = sp.sstr(value)
    if value.is_Rational and not value.is_Integer:
        return repr(float(value))
    return text if len(text) <= 20 else repr(float(value))


# -- the engine ----------------------------------------------------------------------


def _as_function(expr: str | sp.Expr | Parsed, what: str) -> Parsed:
    if not isinstance(expr, str | sp.Basic | Parsed):
        raise InputError(
            f"the {what} must be text or a SymPy expression, not {type(expr).__name__}"
        )
    return as_parsed(expr, ())


def _wrt_names(function: Parsed, wrt: str | Sequence[str] | None, order: int) -> tuple[str, ...]:
    if order < 1:
        raise InputError(f"the order must be 1 or more, not {order}")
    if wrt is None:
        if len(function.names) != 1:
            listed = ", ".join(function.names) or "none"
            raise InputError(
                f"say which variable to differentiate by (the function's variables: {listed})",
                hint="pass wrt=..., on the command line --wrt NAME",
            )
        names = [function.names[0]]
    elif isinstance(wrt, str):
        names = parse_names(wrt)
    else:
        names = [str(n) for n in wrt]
    if len(names) > 1 and order > 1:
        raise InputError(
            "give either several variables (a mixed partial) or an order, not both",
            hint="for ∂²f/∂x² use --wrt x --order 2; for ∂²f/∂x∂y use --wrt x,y",
        )
    return tuple(names) * order if len(names) == 1 else tuple(names)


def _sample(
    symbols: Sequence[sp.Symbol],
    exprs: Sequence[sp.Expr],
    count: int,
    seed: int,
) -> list[tuple[sp.Rational, ...]]:
    """``count`` seeded exact points (two decimals) where every expression is defined."""
    from symgrad.numeric import compile_expr

    rng = random.Random(seed)
    fns = [compile_expr(e, list(symbols)) for e in exprs]
    found: list[tuple[sp.Rational, ...]] = []
    for attempt in range(count * 40):
        scale = _SCALES[(attempt // max(count, 1)) % len(_SCALES)]
        point = tuple(sp.Rational(f"{rng.uniform(-scale, scale):.2f}") for _ in symbols)
        if point in found:
            continue
        floats = [float(v) for v in point]
        if all(math.isfinite(fn(*floats)) for fn in fns):
            found.append(point)
            if len(found) == count:
                break
    return found


def _exact_difference(diff: sp.Expr, symbols, point) -> float | None:
    """|answer − derivative| at ``point`` to 30 digits (None if it cannot be evaluated)."""
    value = diff.subs(dict(zip(symbols, point)))
    try:
        number = sp.N(value, 30)
        if number.is_real is not True or not number.is_finite:
            return None
        return abs(float(number))
    except (TypeError, ValueError):  # pragma: no cover - defensive
        return None


def _value(expr: sp.Expr, symbol: sp.Symbol, point: sp.Expr) -> sp.Expr | None:
    """The exact value of ``expr`` at ``symbol = point``, or None where it is undefined."""
    value = expr.subs(symbol, point)
    if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or value.is_real is False:
        return None
    value = sp.nsimplify(value) if value.is_Float else value
    if value.is_finite is False:
        return None
    return value


def _special_points(exprs: Sequence[sp.Expr], symbol: sp.Symbol) -> list[sp.Expr]:
    """Real zeros of the denominators of ``exprs`` (a handful at most)."""
    found: list[sp.Expr] = []
    for expr in exprs:
        denominator = sp.denom(sp.together(expr))
        if not denominator.has(symbol):
            continue
        roots = sp.solveset(denominator, symbol, sp.S.Reals)
        if isinstance(roots, sp.FiniteSet) and len(roots) <= _MAX_SPECIAL:
            found += [r for r in roots if r not in found]
    return sorted(found, key=lambda r: float(r))[:_MAX_SPECIAL]


def _domain_notes(function, expected, answer, symbol: sp.Symbol) -> list[str]:
    """Say honestly where the answer and the derivative are not both defined."""
    notes = []
    for p in _special_points((function, expected, answer), symbol):
        want = _value(expected, symbol, p)
        got = _value(answer, symbol, p)
        where = f"{symbol} = {sp.sstr(p)}"
        if want is None and got is not None:
            notes.append(
                f"at {where} the function or its derivative is undefined, while your answer"
                f" gives {sp.sstr(got)}; they differ only there, which does not make the"
                " answer wrong"
            )
        elif want is not None and got is None:
            notes.append(
                f"your answer is undefined at {where}, where the derivative is {sp.sstr(want)};"
                " write it in a form that is defined there too"
            )
    return notes


def _diagnose(
    function: sp.Expr,
    answer: sp.Expr,
    expected: sp.Expr,
    symbols: Sequence[sp.Symbol],
    wrt: tuple[str, ...],
    points: Sequence[Sequence[float]],
) -> Diagnosis | None:
    values_of = Evaluator(symbols, points)  # the candidates share most of their nodes
    want = values_of(expected)
    got = evaluate(answer, symbols, points)
    if len(set(wrt)) == 1:
        var = variable(wrt[0])
        others = [s for s in symbols if s != var]
        for wrong in wrong_derivations(function, var, len(wrt), others):
            try:
                values = values_of(wrong.derivative)
            except InputError:  # a candidate floats cannot evaluate is no candidate
                continue
            if agree(values, want) or not agree(values, got):
                continue
            m, site = describe(wrong)
            key = mistake_key(wrong)
            return Diagnosis(key, m.rule, m.description, m.hint, site, wrong.detail)
    pairs = [(a, b) for a, b in zip(want, got) if math.isfinite(a) and math.isfinite(b)]
    if pairs and all(close(-a, b) for a, b in pairs):
        m = MISTAKES["sign"]
        return Diagnosis("sign", m.rule, m.description, m.hint)
    ratios = [b / a for a, b in pairs if abs(a) > 1e-12]
    same = ratios and all(close(r, ratios[0]) for r in ratios) and len(ratios) == len(pairs)
    if same and abs(ratios[0]) > 1e-12:
        m = MISTAKES["factor"]
        factor = sp.nsimplify(ratios[0], rational=True, tolerance=1e-9)
        return Diagnosis("factor", m.rule, m.description, m.hint, None, sp.sstr(factor))
    return None


def check_answer(
    function: str | sp.Expr,
    answer: str | sp.Expr,
    wrt: str | Sequence[str] | None = None,
    order: int = 1,
    *,
    points: int = DEFAULT_POINTS,
    seed: int = DEFAULT_SEED,
    reveal: bool = False,
) -> AnswerCheck:
    """Whether ``answer`` is the derivative of ``function``; if not, where and why.

    ``wrt`` names the variable (needed when the function has several), or
    several variables for a mixed partial; ``order`` asks for a higher
    derivative. ``points`` seeded random points confirm the symbolic verdict
    and provide a counterexample. Text is parsed with :func:`symgrad.parse`.

    >>> check = check_answer("x^3 + 5", "3*x^3")
    >>> check.verdict, check.diagnosis.mistake
    ('incorrect', 'power_not_lowered')
    >>> check.counterexample.where()
    'x = 2.07'
    >>> check_answer("1/sqrt(x)", "-0.5*x^(-3/2)").verdict
    'correct'
    """
    f = _as_function(function, "function")
    a = _as_function(answer, "answer")
    names = _wrt_names(f, wrt, order)
    extra = [n for n in a.names if n not in f.names and n not in names]
    if extra:
        raise InputError(
            f"the answer uses {', '.join(extra)}, which the function does not have",
            hint=f"the function's variables: {', '.join(f.names) or 'none'}",
        )
    all_names = list(dict.fromkeys([*f.names, *names]))
    symbols = [variable(n) for n in all_names]
    expected = sp.diff(f.expr, *(variable(n) for n in names))
    samples = _sample(symbols, (f.expr, expected), points, seed)
    floats = [[float(v) for v in p] for p in samples]
    want = evaluate(expected, symbols, floats)
    got = evaluate(a.expr, symbols, floats)
    difference = a.expr - expected
    notes: list[str] = []
    counterexample = None
    for point, e, g in zip(samples, want, got):
        if close(e, g):
            continue
        gap = _exact_difference(difference, symbols, point) if math.isfinite(g) else None
        if gap is not None and gap <= 1e-12 * max(1.0, abs(e)):
            continue  # a float rounding difference, not a real one
        counterexample = Counterexample(
            tuple(zip(all_names, point)), e, g if math.isfinite(g) else None
        )
        break
    result = dict(function=f.expr, answer=a.expr, wrt=names, expected=expected, reveal=reveal)
    result |= dict(points_checked=len(samples), seed=seed)
    if not samples:
        notes.append("no random point was found where the function is defined; SymPy decides alone")
    if counterexample is None:
        proved = sp.simplify(difference) == 0
        if proved or samples:
            if len(symbols) == 1:
                notes += _domain_notes(f.expr, expected, a.expr, symbols[0])
            method = "symbolic" if proved else "numeric"
            return AnswerCheck(correct=True, method=method, notes=tuple(notes), **result)
    diagnosis = _diagnose(f.expr, a.expr, expected, symbols, names, floats) if floats else None
    return AnswerCheck(
        correct=False,
        method="counterexample",
        counterexample=counterexample,
        diagnosis=diagnosis,
        notes=tuple(notes),
        **result,
    )
