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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sympy as sp

from symgrad.derive import as_parsed, exact_point
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
from symgrad.printing import inline, one_line, plain
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
            "where": plain(self.site) if self.site is not None else None,
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
    method: str  # "symbolic", "numeric", "counterexample", "point masses" or "value"
    points_checked: int
    counterexample: Counterexample | None = None
    diagnosis: Diagnosis | None = None
    notes: tuple[str, ...] = ()
    reveal: bool = False
    seed: int = DEFAULT_SEED
    at: tuple[tuple[str, sp.Expr], ...] | None = None  # a value answer: the point

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
            text = f"the {by} of {inline(self.function)} with respect to {names[0]}"
            return text if self.at is None else f"the value of {text} at {_where(self.at)}"
        if len(names) > 1:
            text = (
                f"the mixed partial derivative of {inline(self.function)} with respect to "
                + ", then ".join(names)
            )
        else:
            text = f"the derivative of {inline(self.function)} with respect to {names[0]}"
        if self.at is not None:
            text = "the value of " + text + " at " + _where(self.at)
        return text

    # -- JSON and LaTeX -------------------------------------------------------------

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "function": plain(self.function),
            "answer": plain(self.answer),
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
        if self.at is not None:
            data["at"] = {name: float(value) for name, value in self.at}
        if self.reveal:
            data["derivative"] = plain(self.expected)
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
            if self.method == "value":
                pass
            elif self.method == "numeric":
                evidence = (
                    f"{agree}, two of them to 30 digits (SymPy did not simplify the"
                    " difference to 0 within its budget)"
                )
            elif self.points_checked:
                evidence = f"SymPy simplifies the difference to 0; {agree}"
            else:
                evidence = "SymPy simplifies the difference to 0"
            if self.method != "value":
                out.append((f"  {evidence}", ""))
        else:
            out = [(f"✗ incorrect: your answer is not {self.what()}", "bold red")]
            c = self.counterexample
            if c is not None and self.at is not None:
                received = "undefined" if c.received is None else _float(c.received)
                out.append((f"  your answer gives {received} there", ""))
                if self.reveal and c.expected is not None:
                    out.append((f"  the value is {_float(c.expected)}", "cyan"))
            elif c is not None:
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


def _where(point) -> str:
    return ", ".join(f"{name} = {_number(value)}" for name, value in point)


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


def _high(expr: sp.Expr, symbols, point, digits: int = 30) -> sp.Expr | None:
    """``expr`` at the exact ``point`` to ``digits`` digits; None where it is not a real number.

    SymPy's evalf raises its working precision where terms cancel, so a
    difference of two nearly equal values comes out right where float64
    rounds it to noise.
    """
    try:
        value = sp.N(expr.xreplace(dict(zip(symbols, point))), digits, maxn=200)
    except (TypeError, ValueError, ZeroDivisionError, RecursionError):
        return None
    if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or not value.is_number:
        return None
    re, im = value.as_real_imag()
    if not re.is_Number or not im.is_Number:
        return None
    if im != 0 and abs(im) > 1e-20 * max(1, abs(re)):
        return None
    return re


def _same_at(answer, expected, symbols, point) -> tuple[bool, float | None, float | None]:
    """Whether answer and derivative are equal at ``point``, decided at high precision.

    Returns the verdict and both values (None where undefined). Equal means
    within 1e-20 of their size at 30 digits: far below any float64 rounding,
    far above the evaluation's own error.
    """
    want = _high(expected, symbols, point)
    got = _high(answer, symbols, point)
    if want is None or got is None:
        return want is None and got is None, _opt(want), _opt(got)
    gap = _high(answer - expected, symbols, point, 40)
    scale = max(1, abs(want), abs(got))
    if gap is None:
        gap = abs(got - want)
    return bool(abs(gap) <= sp.Float("1e-20") * scale), _opt(want), _opt(got)


def _opt(value: sp.Expr | None) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


SYMBOLIC_BUDGET = 0.3  # CPU seconds for SymPy's confirmation of a numeric "equal"
_CONFIRM_POINTS = 2  # points re-checked at high precision when float64 says "equal"


_warmed = False


def _within_budget(work, default):
    """``work()`` in a guarded worker within :data:`SYMBOLIC_BUDGET`; ``default`` if it cannot."""
    import os

    from symgrad.errors import SymgradError
    from symgrad.guard import WorkerCrash, run_guarded

    global _warmed
    if not hasattr(os, "fork") or os.environ.get("SYMGRAD_NO_FORK") == "1":
        # No worker to stop a runaway simplification (--debug, Windows): the same budget as a
        # CPU timer in this process, so the verdict does not depend on how symgrad runs.
        from symgrad.guard import BudgetExceededError, cpu_budget

        try:
            with cpu_budget(SYMBOLIC_BUDGET):
                return work()
        except (BudgetExceededError, RecursionError, MemoryError):
            return default
    if not _warmed:
        # simplify imports a few dozen modules on first use; import them here, once, rather
        # than in every worker, where they would eat the budget
        t = variable("t")
        sp.simplify(sp.sin(t) ** 2 + sp.cos(t) ** 2 - 1)
        _warmed = True

    def budgeted():
        import signal

        # CPU time, not wall-clock time: a busy machine must not change the outcome.
        # SIGPROF's default action ends the worker when the budget is spent.
        signal.setitimer(signal.ITIMER_PROF, SYMBOLIC_BUDGET)
        return work()

    try:
        return run_guarded(budgeted, timeout=max(10.0, 20 * SYMBOLIC_BUDGET))
    except (SymgradError, WorkerCrash):
        return default


def _proved_zero(difference: sp.Expr) -> bool:
    """SymPy's confirmation that ``difference`` is 0, within the budget (False: not known)."""
    return _within_budget(lambda: sp.simplify(difference) == 0, False)


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
    """Real zeros of the denominators of ``exprs``, and where their point masses sit (the
    jumps of the function), a handful at most."""
    found: list[sp.Expr] = []
    for expr in exprs:
        places = [sp.denom(sp.together(expr))] + [d.args[0] for d in expr.atoms(sp.DiracDelta)]
        for place in places:
            if not place.has(symbol):
                continue
            roots = sp.solveset(place, symbol, sp.S.Reals)
            if isinstance(roots, sp.FiniteSet) and len(roots) <= _MAX_SPECIAL:
                found += [r for r in roots if r not in found]
    return sorted(found, key=lambda r: float(r))[:_MAX_SPECIAL]


def point_masses(expr: sp.Expr, symbol: sp.Symbol) -> dict[sp.Expr, sp.Expr] | None:
    """Where ``expr`` puts a point mass (a DiracDelta) and how heavy each is.

    ``c(x)⋅δ(u(x))`` puts ``c(a)/|u'(a)|`` at each real root ``a`` of ``u``: the size of the
    jump it stands for. None when that is not well defined or not known: a derivative of a
    delta, a product of deltas, or a coefficient that itself jumps at the root.

    >>> x = variable("x")
    >>> point_masses(4*sp.DiracDelta(2*x - 1), x)
    {1/2: 2}
    """
    from symgrad.derive import differentiate
    from symgrad.special import switches

    masses: dict[sp.Expr, sp.Expr] = {}
    for term in sp.Add.make_args(sp.expand(expr)):
        deltas = [f for f in sp.Mul.make_args(term) if f.has(sp.DiracDelta)]
        if not deltas:
            continue
        if len(deltas) != 1 or not isinstance(deltas[0], sp.DiracDelta):
            return None  # a product of deltas, or a delta inside another function
        delta = deltas[0]
        if len(delta.args) > 1 and delta.args[1] != 0:
            return None  # a derivative of a delta
        coefficient = term / delta
        inner = delta.args[0]
        roots = sp.solveset(inner, symbol, sp.S.Reals)
        if not isinstance(roots, sp.FiniteSet) or len(roots) > _MAX_SPECIAL:
            return None
        slope = differentiate(inner, symbol)
        for root in roots:
            steep = sp.Abs(slope.subs(symbol, root))
            if steep == 0 or not steep.is_finite:
                return None
            if any(arg.subs(symbol, root) == 0 for _, arg in switches(coefficient)):
                return None  # the coefficient itself switches there: no defined weight
            masses[root] = masses.get(root, sp.S.Zero) + coefficient.subs(symbol, root) / steep
    masses = {root: sp.nsimplify(sp.simplify(m)) for root, m in masses.items()}
    return {root: m for root, m in sorted(masses.items(), key=lambda rm: float(rm[0])) if m != 0}


def _point_mass_verdict(
    function: sp.Expr, expected: sp.Expr, answer: sp.Expr, symbol: sp.Symbol
) -> tuple[Diagnosis | None, list[str]] | None:
    """Compare the point masses of an answer with the derivative's, once they agree elsewhere.

    Away from its jumps a step function's derivative is 0, so the floats cannot tell
    ``2⋅DiracDelta(x)`` from ``4⋅DiracDelta(x)``: the weights can. None when neither
    has a point mass; otherwise (a diagnosis if the answer is wrong, notes if it is right).
    """
    if not (expected.has(sp.DiracDelta) or answer.has(sp.DiracDelta)):
        return None
    want, got = point_masses(expected, symbol), point_masses(answer, symbol)
    if want is None or got is None:
        return None
    if not answer.has(sp.DiracDelta):  # the classical derivative: right away from the jumps
        return None
    if want == got:
        where = ", ".join(f"{symbol} = {sp.sstr(r)}" for r in want)
        return None, [
            f"as a distribution your answer is right, point masses included (at {where});"
            " as a function the derivative does not exist where it jumps"
        ]
    described = []
    for root in sorted(set(want) | set(got), key=float):
        if want.get(root, 0) == got.get(root, 0):
            continue
        where = f"{symbol} = {sp.sstr(root)}"
        if root not in want:
            described.append(
                f"{inline(function)} does not jump at {where}, yet your answer puts a point"
                f" mass of {sp.sstr(got[root])} there"
            )
        elif root not in got:
            described.append(f"your answer has no point mass at {where}, where the function jumps")
        else:
            described.append(
                f"your point mass at {where} weighs {sp.sstr(got[root])}, which is not the size"
                " of the jump there"
            )
    diagnosis = Diagnosis(
        "point_mass",
        "jumps",
        "away from its point masses the answer is right, but " + "; ".join(described),
        "a jump of size J at x = a gives J⋅DiracDelta(x - a) in the derivative, and "
        "DiracDelta(u) weighs 1/|u'(a)| at a root a of u",
    )
    return diagnosis, []


def _domain_notes(function, expected, answer, symbol: sp.Symbol) -> list[str]:
    """Say honestly where the answer and the derivative are not both defined."""
    from symgrad.special import find_kinks

    notes = []
    for p in _special_points((function, expected, answer), symbol):
        want = _value(expected, symbol, p)
        got = _value(answer, symbol, p)
        where = f"{symbol} = {sp.sstr(p)}"
        kinks = find_kinks(function, {symbol: p}, [symbol])
        if kinks:  # no derivative exists there, whatever the formula gives: say it as grad does
            yours = "is undefined there too" if got is None else f"gives {sp.sstr(got)} there"
            notes.append(
                f"{kinks[0].explain()}; your answer {yours}, so that point does not decide"
            )
            continue
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
            if (
                "+" in key
            ):  # two mistakes at once: only if a plain sign or factor does not explain it
                simpler = _sign_or_factor(want, got)
                if simpler is not None:
                    return simpler
            return Diagnosis(key, m.rule, m.description, m.hint, site, wrong.detail)
    return _sign_or_factor(want, got)


def _sign_or_factor(want: Sequence[float], got: Sequence[float]) -> Diagnosis | None:
    """The answer is the derivative times -1, or times one constant factor, at every point."""
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
    at: Mapping[str, object] | str | None = None,
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

    With ``at`` the answer is the derivative's value at that point (a number,
    or an expression evaluated there). Where the derivative does not exist
    (a kink), the right value is what TensorFlow and PyTorch return, and a
    note says so:

    >>> check = check_answer("relu(x)", "0", at="x=0")
    >>> check.correct, check.notes[0][:33]
    (True, 'relu(x) has a kink at x = 0: the ')
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
    from symgrad.derive import differentiate

    expected = f.expr
    for name in names:  # by the rule engine, one variable at a time
        expected = differentiate(expected, variable(name))
    if at is not None:
        return _check_value(f, a, names, expected, all_names, at, reveal=reveal, seed=seed)
    samples = _sample(symbols, (f.expr, expected), points, seed)
    floats = [[float(v) for v in p] for p in samples]
    want = evaluate(expected, symbols, floats)
    got = evaluate(a.expr, symbols, floats)
    difference = a.expr - expected
    notes: list[str] = []
    counterexample = None
    agreed = []  # points where float64 says "equal"
    for point, e, g in zip(samples, want, got):
        if close(e, g):
            agreed.append(point)
            continue
        # float64 says "different": make sure before saying so (it may be rounding)
        same, e_high, g_high = _same_at(a.expr, expected, symbols, point)
        if same:
            continue
        counterexample = Counterexample(
            tuple(zip(all_names, point)), e if e_high is None else e_high, g_high
        )
        break
    if counterexample is None:
        # float64 agrees to 8 digits: confirm at high precision where it cannot see
        for point in agreed[:_CONFIRM_POINTS]:
            same, e_high, g_high = _same_at(a.expr, expected, symbols, point)
            if not same:
                counterexample = Counterexample(tuple(zip(all_names, point)), e_high, g_high)
                break
    result = dict(function=f.expr, answer=a.expr, wrt=names, expected=expected, reveal=reveal)
    result |= dict(points_checked=len(samples), seed=seed)
    if not samples:
        notes.append("no random point was found where the function is defined; SymPy decides alone")
    if counterexample is None:
        proved = _proved_zero(difference)
        if proved or samples:
            domain: list[str] = []
            if len(symbols) == 1:
                x0 = symbols[0]
                domain = _within_budget(lambda: _domain_notes(f.expr, expected, a.expr, x0), [])
            method = "symbolic" if proved else "numeric"
            masses = None
            if len(symbols) == 1:
                x0 = symbols[0]
                masses = _within_budget(
                    lambda: _point_mass_verdict(f.expr, expected, a.expr, x0), None
                )
            if masses is not None and masses[0] is not None:
                return AnswerCheck(
                    correct=False,
                    method="point masses",
                    diagnosis=masses[0],
                    notes=tuple(notes),
                    **result,
                )
            notes += masses[1] if masses is not None else domain
            return AnswerCheck(correct=True, method=method, notes=tuple(notes), **result)
    if sum(math.isfinite(v) for v in got) < len(got) / 2:
        # The answer is undefined at most points (log(x - 3) for 1/(x - 3) on [-3, 3]): a
        # mistake can only be recognised where the answer has values, so look there.
        both = _sample(symbols, (f.expr, expected, a.expr), points, seed)
        floats = [[float(v) for v in p] for p in both] or floats
    diagnosis = _diagnose(f.expr, a.expr, expected, symbols, names, floats) if floats else None
    return AnswerCheck(
        correct=False,
        method="counterexample",
        counterexample=counterexample,
        diagnosis=diagnosis,
        notes=tuple(notes),
        **result,
    )


def _check_value(f, a, names, expected, all_names, at, *, reveal: bool, seed: int) -> AnswerCheck:
    """A value answer at a point: the derivative's value there, or the frameworks' at a kink."""
    point = exact_point(at)
    missing = [n for n in all_names if n not in point]
    if missing:
        raise InputError(f"no value for {', '.join(missing)}", hint=f"add {missing[0]}=... to --at")
    unknown = [n for n in point if n not in all_names]
    if unknown:
        raise InputError(
            f"{', '.join(unknown)} is not a variable of the function",
            hint=f"the function's variables: {', '.join(all_names) or 'none'}",
        )
    ordered = tuple((n, point[n]) for n in all_names)
    symbols = [variable(n) for n in all_names]
    values = [v for _, v in ordered]
    notes: list[str] = []
    want: float | None
    if len(names) == 1:
        from symgrad.derive import grad

        result = grad(f.expr, at=dict(ordered), wrt=list(names))
        want = result.partials[0].value
        notes += result.problems
        kink = bool(result.problems) and want is not None and math.isfinite(want)
    else:
        want = _opt(_high(expected, symbols, values))
        kink = False
    got = _opt(_high(a.expr, symbols, values))
    if kink or want is None or got is None:
        correct = want is not None and got is not None and close(want, got, rtol=1e-12)
    else:
        correct, want_high, got_high = _same_at(a.expr, expected, symbols, values)
        want, got = (want if want_high is None else want_high), got_high
    counterexample = None if correct else Counterexample(ordered, want, got)
    diagnosis = None
    if not correct and not notes and want is not None:  # at one regular point only
        floats = [[float(v) for v in values]]
        diagnosis = _diagnose(f.expr, a.expr, expected, symbols, names, floats)
        if diagnosis is not None and diagnosis.mistake == "factor":
            diagnosis = None  # any two numbers differ by a factor: at one point it says nothing
    return AnswerCheck(
        function=f.expr,
        answer=a.expr,
        wrt=names,
        expected=expected,
        correct=correct,
        method="value",
        points_checked=1,
        counterexample=counterexample,
        diagnosis=diagnosis,
        notes=tuple(notes),
        reveal=reveal,
        seed=seed,
        at=ordered,
    )
