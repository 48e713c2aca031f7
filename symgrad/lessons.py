"""Classroom lessons: find, parse, render and run the numbered lessons.

A lesson is a Python file in the "percent" cell format (``# %%`` starts a
code cell, ``# %% [markdown]`` a prose cell): it runs as a plain script,
opens as a notebook in Jupyter or VS Code, and reads well as text. The last
code cells define ``EXERCISES``, a list of :class:`Exercise`; each exercise
knows its reference solution, and :func:`check_answer` decides whether an
answer is right, exactly (answers are parsed only with ``symgrad.parse``).

>>> ex = Exercise.derivative("Differentiate w² + 2.", "w^2 + 2", wrt="w", solution="2*w")
>>> check_answer(ex, "2w").correct
True
>>> check_answer(ex, "w").correct
False
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import sympy as sp

from symgrad.errors import InputError, ParseError, SymgradError

__all__ = [
    "Exercise",
    "Verdict",
    "Cell",
    "Lesson",
    "LessonRun",
    "check_answer",
    "reveals_answer",
    "lint_exercise",
    "NOTATION",
    "find_lessons",
    "load_lesson",
    "lessons_dir",
    "execute",
    "figure_path",
    "figures_folder",
    "save_figure",
    "shell",
    "render_cell",
    "render_question",
    "lesson_text",
    "run_to_dict",
]

ENV_DIR = "SYMGRAD_LESSONS"
ENV_FIGURES = "SYMGRAD_FIGURES"


# -- exercises --------------------------------------------------------------------

MAX_HINTS = 3

NOTATION = (
    "how to type math: products as 2*x or 2x (x*z for two variables: xz is one name), "
    "powers as x^2, functions with parentheses: sin(x), exp(x), log(x), sqrt(x), abs(x); "
    "fractions as 1/(2*sqrt(x)); decimals as 0.25"
)


@dataclass(frozen=True)
class Exercise:
    """One question with a reference solution, checked exactly.

    ``kind`` is ``"derivative"`` (the answer is the derivative of ``expr``
    with respect to ``wrt``; with ``at``, its value at that point) or
    ``"value"`` (the answer is the number or formula ``expected``).

    ``hints`` are up to three graduated hints (a nudge, the rule, a worked
    sub-step), none of which gives the answer away. ``wrong`` pairs typical
    wrong answers with the mistake that produces them (``("122", "that is
    t(11), not the gap")``): an answer equal to one of them gets that diagnosis.
    """

    question: str
    solution: str
    kind: str = "derivative"
    expr: str | None = None
    wrt: str | None = None
    at: str | None = None
    expected: str | None = None
    hints: tuple[str, ...] = ()
    tolerance: float = 0.0
    wrong: tuple[tuple[str, str], ...] = ()
    #: A variant exercise: the formula with parameters, their ranges, and this instance's values.
    template: str | None = None
    vary: tuple[tuple[str, object], ...] = ()
    values: tuple[tuple[str, str], ...] = ()
    texts: tuple[str, ...] = ()  # question, hints and at as written, with {f} and {a} ...
    #: A value variant's typical wrong answers as formulas in the parameters.
    wrong_formulas: tuple[tuple[str, str], ...] = ()

    @classmethod
    def derivative(
        cls,
        question: str,
        expr: str,
        *,
        solution: str,
        wrt: str | None = None,
        at: str | None = None,
        hints: Sequence[str] = (),
        wrong: Mapping[str, str] | Sequence[tuple[str, str]] = (),
    ) -> Exercise:
        """A "differentiate this" exercise (at a point, if ``at`` is given)."""
        return cls(
            question,
            solution,
            "derivative",
            expr,
            wrt,
            at,
            None,
            tuple(hints),
            wrong=_pairs(wrong),
        )

    @classmethod
    def value(
        cls,
        question: str,
        expected: object,
        *,
        solution: str | None = None,
        hints: Sequence[str] = (),
        tolerance: float = 0.0,
        wrong: Mapping[str, str] | Sequence[tuple[str, str]] = (),
    ) -> Exercise:
        """A "what is this number (or formula)" exercise; ``expected`` is computed by the lesson.

        A wrong answer may be given as a computed value too (``{t11: "..."}``).
        """
        text = expected if isinstance(expected, str) else _exact_text(expected)
        return cls(
            question,
            solution or text,
            "value",
            None,
            None,
            None,
            text,
            tuple(hints),
            tolerance,
            _pairs(wrong),
        )

    def expected_expr(self) -> sp.Expr:
        """The exact expected answer, computed with symgrad."""
        if self.kind == "value":
            from symgrad.parse import parse

            return parse(self.expected or "").expr
        from symgrad.derive import grad

        result = grad(self.expr or "", at=self.at, wrt=self.wrt, check=False)
        if self.wrt is None and len(result.partials) != 1:
            raise InputError(f"exercise {self.question!r} needs wrt=")
        partial = result.partials[0]
        return partial.exact if self.at is not None else partial.derivative

    @classmethod
    def variant(
        cls,
        question: str,
        template: str,
        *,
        vary: Mapping[str, object],
        defaults: Mapping[str, object],
        wrt: str | None = None,
        at: str | None = None,
        hints: Sequence[str] = (),
        wrong: Mapping[str, str] | Sequence[tuple[str, str]] = (),
        solution: str | None = None,
    ) -> Exercise:
        """A derivative exercise with parameters: every student can get their own numbers.

        ``template`` is the function with parameter names (``a*x^n + b*x``),
        ``vary`` their ranges (see :class:`symgrad.variants.Template`) and
        ``defaults`` the values the lesson shows to everyone. ``question``,
        ``hints`` and ``at`` may say ``{f}`` (the function) and ``{a}`` (a
        parameter's value). ``wrong`` answers are for the default numbers only;
        for a student's own numbers the mistake catalogue diagnoses. ``solution``
        is the defaults' answer as the lesson writes it (else symgrad prints it).

        >>> ex = Exercise.variant("Differentiate {f}.", "a*x^n", vary={"a": (2, 9), "n": (2, 5)},
        ...                       defaults={"a": 3, "n": 2}, wrt="x")
        >>> ex.question, ex.solution
        ('Differentiate 3⋅x².', '6⋅x')
        >>> mine = ex.for_student("alice", course_seed="calc")
        >>> mine.question != ex.question or mine.values != ex.values
        True
        """
        base = cls(
            question,
            solution or "",
            "derivative",
            template,
            wrt,
            at,
            None,
            tuple(hints),
            wrong=_pairs(wrong),
            template=template,
            vary=tuple(vary.items()),
            texts=(question, at or "", *hints),
        )
        base._template()  # check the ranges now: a template with no valid draw is an error
        return base.instance({k: str(v) for k, v in defaults.items()}, default=True)

    @classmethod
    def value_variant(
        cls,
        question: str,
        expected: str,
        *,
        vary: Mapping[str, object],
        defaults: Mapping[str, object],
        solution: str | None = None,
        hints: Sequence[str] = (),
        tolerance: float = 0.0,
        wrong: Mapping[str, str] | Sequence[tuple[str, str]] = (),
    ) -> Exercise:
        """A value exercise with parameters: the answer is a formula in them, computed exactly.

        ``expected`` and the typical ``wrong`` answers are formulas in the
        parameters (``w - 2*w/10``: one gradient step from ``w``), so for every
        student they follow the student's own numbers; ``question``, ``hints``
        and the wrong answers' explanations may say ``{a}``. A draw is valid when
        no parameter is 0, 1 or −1 (a value that makes a step vanish or do
        nothing); ``defaults`` are shown to everyone, with ``solution`` as written.

        >>> ex = Exercise.value_variant("One step from w = {w}?", "w - 2*w/10",
        ...     vary={"w": (2, 9)}, defaults={"w": 4}, wrong={"w + 2*w/10": "uphill from {w}"})
        >>> ex.question, ex.solution, ex.wrong
        ('One step from w = 4?', '16/5', (('24/5', 'uphill from 4'),))
        >>> mine = ex.for_student("alice", course_seed="calc")
        >>> w = int(dict(mine.values)["w"])
        >>> check_answer(mine, f"{w} - {2 * w}/10").correct
        True
        >>> check_answer(mine, f"{12 * w}/10").mistake
        'uphill from 6'
        """
        pairs = _pairs(wrong)
        base = cls(
            question,
            solution or "",
            "value",
            None,
            None,
            None,
            expected,
            tuple(hints),
            tolerance,
            pairs,
            template=expected,
            wrong_formulas=pairs,
            vary=tuple(vary.items()),
            texts=(question, "", *hints, *(why for _, why in pairs)),
        )
        base._template()  # check the ranges now: a template with no valid draw is an error
        return base.instance({k: str(v) for k, v in defaults.items()}, default=True)

    def _template(self):
        from symgrad.variants import Template

        text = self.template or ""
        if self.kind == "value":  # one term per parameter: a draw of 0 or ±1 changes its shape
            unused = next(n for n in ("t", "u", "v", "q") if n not in dict(self.vary))
            terms = [f"{n}*{unused}^{i}" for i, (n, _) in enumerate(self.vary, 1)]
            text = " + ".join([*terms, f"{unused}^{len(terms) + 1}"])  # so that −1 shows too
        return Template(text, dict(self.vary), key=self.texts[0])

    def instance(self, values: Mapping[str, str], *, default: bool = False) -> Exercise:
        """This exercise with the parameters set to ``values`` (exact number texts)."""
        import dataclasses

        from symgrad.derive import grad
        from symgrad.parse import parse, parse_value, variable
        from symgrad.printing import inline

        subs = {variable(k): parse_value(v, name=k) for k, v in values.items()}
        if self.kind == "value":
            return self._value_instance(values, subs, default)
        expr = parse(self.template or "").expr.xreplace(subs)
        fill = {"f": inline(expr), **values}
        question, at, *hints = (_fill(t, fill) for t in self.texts)
        result = grad(sp.sstr(expr), at=at or None, wrt=self.wrt, check=False)
        partial = result.partials[0]
        answer = partial.exact if at else partial.derivative
        answer = min((answer, sp.together(answer)), key=sp.count_ops)  # one fraction if shorter
        return dataclasses.replace(
            self,
            question=question,
            solution=self.solution if default and self.solution else inline(answer),
            expr=sp.sstr(expr),
            at=at or None,
            hints=tuple(hints),
            wrong=self.wrong if default else (),
            values=tuple(sorted(values.items())),
        )

    def _value_instance(self, values: Mapping[str, str], subs, default: bool) -> Exercise:
        import dataclasses

        from symgrad.parse import parse

        def exact(text: str) -> sp.Expr:
            return sp.nsimplify(parse(text).expr.xreplace(subs), rational=True)

        question, _, *rest = (_fill(t, dict(values)) for t in self.texts)
        hints, whys = rest[: len(self.hints)], rest[len(self.hints) :]
        expected = exact(self.template or "")
        wrong = []
        for (text, _), why in zip(self.wrong_formulas, whys, strict=True):
            value = exact(text)
            if sp.simplify(value - expected) != 0:  # a draw may make a mistake harmless
                wrong.append((sp.sstr(value), why))
        keep = default and bool(self.solution)
        # a student's answer is shown the way the lesson writes its own: 3.2 or 32/5
        shown = _as_written(expected) if "." in self.solution else sp.sstr(expected)
        return dataclasses.replace(
            self,
            question=question,
            solution=self.solution if keep else shown,
            expected=sp.sstr(expected),
            hints=tuple(hints),
            wrong=tuple(wrong),
            values=tuple(sorted(values.items())),
        )

    def for_student(self, student: str, *, course_seed: str = "") -> Exercise:
        """The student's own variant (the same ID and seed, the same numbers); or this exercise."""
        if not self.template:
            return self
        drawn = self._template().draw(student, course_seed=course_seed)
        return self.instance(dict(drawn.values))

    def names(self) -> set[str]:
        """The variable names a student may use in an answer."""
        from symgrad.parse import parse

        if self.kind == "value":
            return set(parse(self.expected or "").names)
        return set(parse(self.expr or "").names)


def _fill(text: str, values: Mapping[str, str]) -> str:
    """``text`` with ``{f}``, ``{a}``, ... replaced (other braces are left as they are)."""
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), text)


def _as_written(value: sp.Expr) -> str:
    """An exact number as a decimal where the decimal terminates (else as a fraction).

    >>> _as_written(sp.Rational(12, 5)), _as_written(sp.Rational(1, 3)), _as_written(sp.Integer(7))
    ('2.4', '1/3', '7')
    """
    if isinstance(value, sp.Rational) and not value.is_Integer:
        q = int(value.q)
        twos, fives = 0, 0
        while q % 2 == 0:
            q, twos = q // 2, twos + 1
        while q % 5 == 0:
            q, fives = q // 5, fives + 1
        if q == 1 and max(twos, fives) <= 12:
            digits = max(twos, fives)
            scaled = abs(int(value * 10**digits))  # exact: the decimal terminates here
            sign = "-" if value < 0 else ""
            return f"{sign}{scaled // 10**digits}.{scaled % 10**digits:0{digits}d}"
    return sp.sstr(value)


def _pairs(wrong: Mapping[str, str] | Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    items = wrong.items() if isinstance(wrong, Mapping) else wrong
    return tuple((a if isinstance(a, str) else _exact_text(a), why) for a, why in items)


def _exact_text(value: object) -> str:
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, sp.Basic):
        return sp.sstr(value)
    return str(value)


@dataclass(frozen=True)
class Verdict:
    """Whether an answer is right, and what to say about it.

    ``details`` are the lines of evidence for a wrong answer (where it differs,
    the likely mistake); ``hint`` names the rule to look at, without the answer.
    ``readable`` is false when the answer could not be read as math (a typing
    problem, not a wrong answer: it does not use up a try); ``mistake`` is the
    diagnosis in a few words, when one explains the answer.
    """

    correct: bool
    message: str
    hint: str | None = None
    details: tuple[str, ...] = ()
    readable: bool = True
    mistake: str | None = None
    diagnosis: str | None = None  # the mistake catalogue's key, where the checker named one

    @property
    def key(self) -> str | None:
        """The diagnosis as a short stable name for attempt logs (the mistake catalogue's key)."""
        if self.correct or not self.readable or self.mistake is None:
            return None
        if self.diagnosis is not None:
            return self.diagnosis
        from symgrad.mistakes import MISTAKES

        for key, known in MISTAKES.items():
            if self.mistake.startswith(known.description):
                return key
        return self.mistake[:80]


def check_answer(exercise: Exercise, answer: str) -> Verdict:
    """Check ``answer`` (text typed by a student) against ``exercise``.

    A derivative is checked with symgrad's answer checking
    (:func:`symgrad.answers.check_answer`: exact equivalence, a counterexample
    and the likely mistake); a number or formula is compared exactly with the
    expected value. A wrong answer that one of the exercise's typical wrong
    answers, a typical mistake at the point, a sign or a simple factor explains
    gets that diagnosis. Answers are parsed only with ``symgrad.parse``.

    >>> ex = Exercise.derivative("d/dx of x·sin(x²)?", "x*sin(x^2)", wrt="x",
    ...                          solution="sin(x^2) + 2*x^2*cos(x^2)")
    >>> check_answer(ex, "sin(x^2) + x*cos(x^2)").details[-1]
    'likely mistake (chain rule): the derivative of the inner function is missing, in sin(x²)'
    >>> ex = Exercise.derivative("Slope at w = 10?", "w^2 + 2", wrt="w", at="w=10", solution="20")
    >>> check_answer(ex, "20").correct, check_answer(ex, "-20").mistake
    (True, 'the sign is wrong')
    >>> check_answer(ex, "20)").readable
    False
    """
    from symgrad.parse import parse

    try:
        given = parse(answer).expr
    except ParseError as err:
        return Verdict(False, f"symgrad cannot read that answer: {err}", None, (NOTATION,), False)
    except SymgradError as err:
        return Verdict(False, str(err), err.hint, readable=False)
    glued = _glued(given, exercise.names())
    if glued:
        name, parts = glued
        return Verdict(
            False,
            f"{name} is read as one variable named {name}; to multiply, write {'*'.join(parts)}",
            None,
            (NOTATION,),
            False,
        )
    if exercise.kind == "derivative" and exercise.at is None:
        try:
            verdict = _check_derivative(exercise, answer)
        except SymgradError as err:
            if {s.name for s in given.free_symbols} - exercise.names():
                return Verdict(False, str(err), err.hint)  # a variable the function has not
            # the mistake search could not evaluate this function: compare exactly instead
            expected = exercise.expected_expr()
            if _same(exercise, given, expected):
                return Verdict(True, "correct")
            return _explain(exercise, given, Verdict(False, "incorrect"), expected)
        if verdict.correct:
            return verdict
        return _explain(exercise, given, verdict)
    expected = exercise.expected_expr()
    if _same(exercise, given, expected):
        return Verdict(True, "correct")
    details: tuple[str, ...] = ()
    if given.free_symbols and not expected.free_symbols:
        names = ", ".join(sorted(s.name for s in given.free_symbols))
        where = f" at {exercise.at}" if exercise.at else ""
        details = (
            f"the question asks for a number{where}, and your answer still contains {names}",
        )
    verdict = Verdict(False, "incorrect", None, details)
    if exercise.kind == "derivative" and not given.free_symbols:
        mistake = _mistake_at_point(exercise, given)
        if mistake is not None:
            line = f"likely mistake ({mistake.rule}): {mistake.description}"
            verdict = Verdict(
                False, "incorrect", mistake.hint, (line,), mistake=mistake.description
            )
    return _explain(exercise, given, verdict, expected)


def _same(exercise: Exercise, given: sp.Expr, expected: sp.Expr) -> bool:
    if exercise.tolerance and not given.free_symbols and not expected.free_symbols:
        return abs(float(given) - float(expected)) <= exercise.tolerance
    return sp.simplify(given - expected) == 0


def _explain(
    exercise: Exercise, given: sp.Expr, verdict: Verdict, expected: sp.Expr | None = None
) -> Verdict:
    """Add the diagnosis of a wrong answer: a declared typical one first, then sign or factor."""
    from symgrad.parse import parse

    for text, why in exercise.wrong:
        if _same(exercise, given, parse(text).expr):
            lines = [d for d in verdict.details if "likely mistake" not in d]
            return Verdict(
                False, verdict.message, verdict.hint, (*lines, f"likely mistake: {why}"), True, why
            )
    if verdict.mistake is not None or any("likely mistake" in d for d in verdict.details):
        return verdict
    if expected is None:
        expected = exercise.expected_expr()
    why = _simple_mistake(given, expected)
    if why is None:
        return verdict
    return Verdict(
        False,
        verdict.message,
        verdict.hint,
        (*verdict.details, f"likely mistake: {why}"),
        True,
        why,
    )


ROUNDED = 1e-2  # a number this close to the right one is a rounding, not a mistake
ROUNDED_TEXT = (
    "your answer is close to the right one but not equal: give the exact value "
    "(a fraction, sqrt(...), exp(...), pi), or more digits, not a rounded decimal"
)

_FACTORS = {
    sp.Integer(2): "your answer is twice the right one: a factor 2 is extra (or a 1/2 missing)",
    sp.Rational(1, 2): "your answer is half the right one: a factor 2 is missing",
    sp.Integer(10): "your answer is 10 times the right one: check the decimal point",
    sp.Rational(1, 10): "your answer is a tenth of the right one: check the decimal point",
}


def _simple_mistake(given: sp.Expr, expected: sp.Expr) -> str | None:
    """A rounding, a sign or a simple factor that turns the right answer into ``given``."""
    if expected == 0 or given == 0:
        return None
    if given.is_number and expected.is_number and given.is_real and expected.is_real:
        gap = abs(float(given) - float(expected))
        if 0 < gap <= ROUNDED * abs(float(expected)):
            return ROUNDED_TEXT
    ratio = sp.simplify(given / expected)
    if not ratio.is_number:
        return None
    if ratio == -1:
        return "the sign is wrong"
    if ratio in _FACTORS:
        return _FACTORS[ratio]
    if -ratio in _FACTORS:
        return "the sign is wrong, and " + _FACTORS[-ratio].replace("your answer", "its size")
    inverse = sp.simplify(given * expected)
    if not expected.free_symbols and inverse == 1 and sp.Abs(expected) != 1:
        return "your answer is upside down: the reciprocal of the right one"
    return None


def _glued(given: sp.Expr, names: set[str]) -> tuple[str, list[str]] | None:
    """A name in the answer that is several of the exercise's variables written together."""
    for symbol in sorted(given.free_symbols, key=lambda s: s.name):
        name = symbol.name
        if name in names or len(name) < 2:
            continue
        parts = _split_into(name, names)
        if parts:
            return name, parts
    return None


def _split_into(name: str, names: set[str]) -> list[str] | None:
    if not name:
        return []
    for known in sorted(names, key=len, reverse=True):
        if known and name.startswith(known):
            rest = _split_into(name[len(known) :], names)
            if rest is not None:
                return [known, *rest]
    return None


def _check_derivative(exercise: Exercise, answer: str) -> Verdict:
    from symgrad.answers import check_answer as check_derivative

    report = check_derivative(exercise.expr or "", answer, wrt=exercise.wrt)
    if report.correct:
        return Verdict(True, "correct")
    details = []
    c = report.counterexample
    if c is not None:
        expected = "undefined" if c.expected is None else f"{c.expected:.6g}"
        received = "undefined" if c.received is None else f"{c.received:.6g}"
        details.append(f"at {c.where()}: the derivative is {expected}, yours gives {received}")
    d = report.diagnosis
    mistake = None
    if d is not None:
        mistake = d.sentence()
        details.append(f"likely mistake ({d.rule}): {mistake}")
    hint = d.hint if d is not None else None
    key = d.mistake if d is not None else None
    return Verdict(False, "incorrect", hint, tuple(details), mistake=mistake, diagnosis=key)


# -- checking the exercises themselves -------------------------------------------------

_SPLIT = re.compile(r"[;,:=≈←→]|\b(?:that is|is|gives|so|then|equals|and|with|or)\b")


def reveals_answer(exercise: Exercise, text: str) -> bool:
    """Does ``text`` (a hint) contain the exercise's answer, as written or as math?

    Every piece of the hint between separators (``=``, ``;``, ``is``, ...) that
    symgrad can read is compared exactly with the expected answer.

    >>> ex = Exercise.derivative("Slope of sqrt(1 + x³) at 2?", "sqrt(1 + x^3)", wrt="x",
    ...                          at="x=2", solution="2")
    >>> reveals_answer(ex, "y' = 3x²/(2·sqrt(1 + x³)); at x = 2 that is 12/(2·3)")
    True
    >>> reveals_answer(ex, "y' = 3x²/(2·sqrt(1 + x³)); put x = 2 in it")
    False
    """
    from symgrad.parse import parse

    compact = re.sub(r"\s+", "", exercise.solution)
    if len(compact) > 2 and compact in re.sub(r"\s+", "", text):
        return True
    expected = exercise.expected_expr()
    from symgrad.functions import FUNCTIONS

    allowed = set(FUNCTIONS) | exercise.names() | {"pi", "e"}
    parts = _SPLIT.split(text)
    for i, piece in enumerate(parts):
        before = parts[i - 1].split() if i else []
        if before and before[-1] in exercise.names() and text.find("=") >= 0:
            # "x = 2": the value of a variable, as in the question, not a result
            if re.search(rf"\b{re.escape(before[-1])}\s*=\s*{re.escape(piece.strip())}", text):
                continue
        words = piece.strip().rstrip(".").split()
        for k in range(min(len(words), 4)):
            if k and not (words[k - 1].isalpha() and len(words[k - 1]) > 2):
                break  # drop leading English words only ("put", "then"), never math
            candidate = " ".join(words[k:])
            if set(re.findall(r"[A-Za-z_][A-Za-z0-9_]+", candidate)) - allowed:
                continue  # English words side by side would parse as a product
            try:
                value = parse(candidate).expr
            except SymgradError:
                continue
            if value.free_symbols - expected.free_symbols:
                continue
            if _same(exercise, value, expected):
                return True
    return False


def lint_exercise(exercise: Exercise) -> list[str]:
    """What is wrong with an exercise as teaching material (an empty list: nothing).

    The reference solution must be accepted; there are one to three hints and
    none gives the answer away; at least two typical wrong answers are listed,
    and each is rejected with its own diagnosis. The suite runs this on every
    lesson's exercises; a teacher writing a lesson can too.
    """
    problems = []
    if not check_answer(exercise, exercise.solution).correct:
        problems.append(f"the reference solution {exercise.solution!r} is not accepted")
    if not 1 <= len(exercise.hints) <= MAX_HINTS:
        problems.append(f"{len(exercise.hints)} hints (give 1 to {MAX_HINTS})")
    for hint in exercise.hints:
        if reveals_answer(exercise, hint):
            problems.append(f"the hint {hint!r} gives the answer away")
    if len(exercise.wrong) < 2:
        problems.append("fewer than two typical wrong answers")
    for text, why in exercise.wrong:
        verdict = check_answer(exercise, text)
        if verdict.correct or not verdict.readable:
            problems.append(f"the typical wrong answer {text!r} is accepted or unreadable")
        elif verdict.mistake != why:
            problems.append(f"the wrong answer {text!r} gets {verdict.mistake!r}, not {why!r}")
    return problems


def _mistake_at_point(exercise: Exercise, given: sp.Expr):
    """The typical mistake whose derivative has the student's (wrong) value at the point."""
    from symgrad.derive import exact_point
    from symgrad.mistakes import MISTAKES, wrong_derivations
    from symgrad.parse import parse, variable

    parsed = parse(exercise.expr or "")
    point = exact_point(exercise.at) or {}
    names = [exercise.wrt] if exercise.wrt else sorted(parsed.names)
    var = variable(names[0])
    subs = {variable(n): v for n, v in point.items()}
    others = [variable(n) for n in point if n != names[0]]
    target = sp.N(given, 15)
    for wrong in wrong_derivations(parsed.expr, var, 1, others):
        value = wrong.derivative.xreplace(subs)
        if not value.is_number:
            continue
        gap = sp.N(value - target, 15)  # a cheap look first: simplify only a near value
        if gap.is_number and gap.is_comparable and abs(gap) > 1e-9 * (1 + abs(target)):
            continue
        if sp.simplify(value - given) == 0:
            return MISTAKES[wrong.mistake]
    return None


# -- finding lessons ----------------------------------------------------------------


def lessons_dir() -> Path:
    """The folder that holds the lessons.

    In order: the ``SYMGRAD_LESSONS`` environment variable; ``lessons/`` next
    to the ``symgrad`` package (a source checkout or an editable install);
    ``share/symgrad/lessons`` in the installation prefix or the user base
    (where a wheel puts them: ``pyproject.toml`` ships them as data files).
    """
    env = os.environ.get(ENV_DIR)
    if env:
        if not Path(env).is_dir():
            raise InputError(
                f"{ENV_DIR}={env} is not a folder",
                hint=f"point {ENV_DIR} at the lessons/ folder of a symgrad checkout, or unset it",
            )
        return Path(env)
    here = Path(__file__).resolve().parent.parent / "lessons"
    if here.is_dir():
        return here
    import site
    import sysconfig

    for prefix in (sysconfig.get_path("data"), site.getuserbase()):
        installed = Path(prefix) / "share" / "symgrad" / "lessons"
        if installed.is_dir():
            return installed
    raise InputError(
        "cannot find the lessons folder",
        hint=f"set {ENV_DIR} to the lessons/ folder of a symgrad checkout",
    )


_LESSON_FILE = re.compile(r"^(\d{2})_[a-z0-9_]+\.py$")


def find_lessons(directory: Path | None = None) -> list[Path]:
    """The lesson files, in order of their number."""
    folder = directory or lessons_dir()
    return sorted(p for p in folder.iterdir() if _LESSON_FILE.match(p.name))


# -- parsing ------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One cell: ``kind`` is "markdown" or "code"; ``tags`` come from ``tags=[...]``."""

    kind: str
    source: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lesson:
    """A parsed lesson file."""

    number: int
    path: Path
    title: str
    cells: tuple[Cell, ...] = field(repr=False)


_CELL = re.compile(r"^# %%(?P<rest>.*)$")
_TAGS = re.compile(r"tags=\[(?P<tags>[^\]]*)\]")


def parse_lesson(text: str, path: Path, number: int) -> Lesson:
    """Split lesson text into cells; the title is the first ``# `` heading."""
    cells: list[Cell] = []
    kind, tags, lines = None, (), []

    def flush():
        if kind is not None:
            source = "\n".join(lines).strip("\n")
            if kind == "markdown":
                source = "\n".join(_uncomment(line) for line in source.splitlines())
            if source.strip():
                cells.append(Cell(kind, source, tags))

    for line in text.splitlines():
        m = _CELL.match(line)
        if m:
            flush()
            rest = m.group("rest")
            kind = "markdown" if "[markdown]" in rest else "code"
            t = _TAGS.search(rest)
            tags = tuple(x.strip().strip("'\"") for x in t.group("tags").split(",")) if t else ()
            lines = []
        elif kind is not None:
            lines.append(line)
    flush()
    title = path.stem
    for cell in cells:
        if cell.kind == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    title = line[2:].strip()
                    break
            break
    return Lesson(number, path, title, tuple(cells))


def _uncomment(line: str) -> str:
    if line.startswith("# "):
        return line[2:]
    return line[1:] if line.startswith("#") else line


def load_lesson(number: int | str, directory: Path | None = None) -> Lesson:
    """The lesson with this number (``1`` or ``"01"``)."""
    try:
        n = int(number)
    except ValueError:
        raise InputError(f"no lesson {number!r}", hint="see symgrad lesson list") from None
    for path in find_lessons(directory):
        if int(path.name[:2]) == n:
            return parse_lesson(path.read_text(encoding="utf-8"), path, n)
    raise InputError(f"no lesson {number}", hint="see symgrad lesson list")


# -- running ------------------------------------------------------------------------


@dataclass
class LessonRun:
    """The outcome of executing a lesson: each cell's printed output, and its exercises."""

    lesson: Lesson
    outputs: list[str]
    exercises: list[Exercise]
    namespace: dict = field(repr=False, default_factory=dict)


_run_folder: Path | None = None


def figures_folder() -> Path:
    """The folder for a lesson's pictures: ``SYMGRAD_FIGURES`` (``--figures``), checked, or a
    new folder private to this user and this run (so parallel runs never share a file)."""
    global _run_folder
    from symgrad.files import check_folder, private_folder

    chosen = os.environ.get(ENV_FIGURES)
    if chosen:
        return check_folder(chosen, "the figures folder")
    if _run_folder is None or not _run_folder.is_dir():
        _run_folder = private_folder("figures-")
    return _run_folder


def figure_path(name: str) -> Path:
    """Where a lesson writes the picture ``name`` (a PNG), checked as every file symgrad writes.

    >>> figure_path("01_tangent.png").name
    '01_tangent.png'
    """
    from symgrad.files import check_target

    return check_target(figures_folder() / name, what="a lesson picture")


def save_figure(fig, name: str, **savefig) -> Path:
    """Save a lesson's matplotlib figure as ``name`` in the figures folder, atomically."""
    from symgrad import files

    return files.save_figure(fig, figure_path(name), **savefig)


def execute(lesson: Lesson, on_cell: Callable[[int, str], None] | None = None) -> LessonRun:
    """Run every code cell of ``lesson`` in one namespace, capturing what each prints.

    Lessons are symgrad's own files, so running them as Python is safe; what a
    student types never reaches this function.
    """
    namespace: dict = {"__name__": "__lesson__", "__file__": str(lesson.path)}
    outputs: list[str] = []
    for i, cell in enumerate(lesson.cells):
        if cell.kind != "code":
            outputs.append("")
            continue
        buf = io.StringIO()
        code = compile(cell.source, f"{lesson.path.name} (cell {i + 1})", "exec")
        try:
            with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
                exec(code, namespace)  # noqa: S102 - the lesson is symgrad's own file
        except SymgradError:  # the user's environment (a figures folder, a link): say so as is
            raise
        except Exception as err:  # a stale lesson: say which cell
            raise RuntimeError(
                f"lesson {lesson.path.name} failed in cell {i + 1}: {type(err).__name__}: {err}"
            ) from err
        outputs.append(buf.getvalue())
        if on_cell is not None:
            on_cell(i, buf.getvalue())
    exercises = list(namespace.get("EXERCISES", []))
    return LessonRun(lesson, outputs, exercises, namespace)


def run_to_dict(run: LessonRun, answers: Sequence[dict] | None = None) -> dict[str, object]:
    """JSON-ready data for an executed lesson: cells with their output, and the exercises."""
    answers = list(answers or [])
    return {
        "number": run.lesson.number,
        "title": run.lesson.title,
        "file": run.lesson.path.name,
        "cells": [
            {"kind": c.kind, "source": c.source, "output": o, "tags": list(c.tags)}
            for c, o in zip(run.lesson.cells, run.outputs)
        ],
        "exercises": [
            {
                "number": i + 1,
                "question": ex.question,
                "kind": ex.kind,
                "hints": len(ex.hints),
                **(answers[i] if i < len(answers) else {}),
            }
            for i, ex in enumerate(run.exercises)
        ],
    }


# -- rendering ----------------------------------------------------------------------


def render_cell(
    cell: Cell, output: str = "", exercises: Sequence[Exercise] = (), plain: bool = False
):
    """A rich renderable for one cell: prose as Markdown, code as Python, and its output.

    The exercises cell shows the questions (numbered), not the code that defines them.
    With ``plain``, prose stays the Markdown text it was written as (it reads
    well as text, and wide tables and lists are not cut at the terminal's edge).
    """
    from rich.console import Group
    from rich.markdown import Markdown
    from rich.syntax import Syntax
    from rich.text import Text

    if cell.kind == "markdown":
        return Group(Text(cell.source) if plain else Markdown(cell.source), Text(""))
    if "exercises" in cell.tags:
        return Group(*(render_question(i, ex) for i, ex in enumerate(exercises, 1)))
    # word_wrap: a long line wraps at the terminal's edge instead of being cropped
    code = Syntax(
        cell.source, "python", theme="ansi_dark", background_color="default", word_wrap=True
    )
    parts = [Text(cell.source) if plain else code]
    if output.strip():
        indented = "\n".join(("    " + line).rstrip() for line in output.rstrip("\n").splitlines())
        parts.append(Text(indented, style="green"))
    return Group(*parts, Text(""))


def render_question(number: int, exercise: Exercise):
    """One exercise question as rich text."""
    from rich.text import Text

    return Text.assemble((f"Exercise {number}. ", "bold"), exercise.question, "\n")


def lesson_text(run: LessonRun) -> str:
    """A plain-text rendering of an executed lesson (what ``--format plain`` shows)."""
    from symgrad.output import make_console

    buf = io.StringIO()
    console = make_console("plain", buf)
    for cell, output in zip(run.lesson.cells, run.outputs):
        console.print(render_cell(cell, output, run.exercises, plain=True))
    return buf.getvalue()


def shell(command: str, expect: int = 0) -> None:
    """Run a ``symgrad ...`` command line inside a lesson and print what it prints.

    The exit code must be ``expect``, so a lesson whose example stops working
    fails loudly instead of teaching something stale.

    >>> shell("symgrad --version")
    $ symgrad --version
    symgrad 0.1.0
    """
    import shlex

    from symgrad.cli import main

    argv = shlex.split(command)
    if not argv or argv[0] != "symgrad":
        raise InputError("a lesson command starts with 'symgrad'")
    print(f"$ {command}")
    sys.stdout.flush()
    code = main(argv[1:])
    if code != expect:
        raise RuntimeError(f"{command!r} exited with {code}, the lesson expects {expect}")
