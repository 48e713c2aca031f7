"""A variant for every student: exercise templates with parameters drawn from a student ID.

A :class:`Template` is a formula with parameters (``a*x^n + b*x``) and the
range each parameter may take. :meth:`Template.draw` gives a student's own
:class:`Variant`: the same student ID and course seed always give the same
numbers, two students rarely share them, and a draw that would change the
exercise's shape is never used (``n = 1`` turns ``a*x^n + b*x`` into one
term; ``a = 1`` hides the constant factor). The reference answer and the
mistake diagnosis follow the variant, because the variant is an ordinary
expression that symgrad differentiates exactly.

>>> t = Template("a*x^n + b*x", {"a": (2, 9), "n": (2, 5), "b": (1, 9)})
>>> v = t.draw("alice", course_seed="calc-2026")
>>> v == t.draw("alice", course_seed="calc-2026")
True
>>> sorted(v.values) == ["a", "b", "n"]
True
>>> t.draw("alice", course_seed="calc-2026").text != t.draw("bob", course_seed="calc-2026").text
True
"""

from __future__ import annotations

import hashlib
import os
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from symgrad.errors import InputError

__all__ = ["Template", "Variant", "TemplateError", "check_student_id", "student_from_env"]

#: What a student ID may look like: a letter or digit, then letters, digits and ``. _ @ -``.
STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}")
STUDENT_ID_FORM = "1 to 64 letters, digits and . _ @ + -, starting with a letter or digit (e.g. alice or s1234567)"
ENV_STUDENT = "SYMGRAD_STUDENT"
ENV_COURSE_SEED = "SYMGRAD_COURSE_SEED"
#: How many draws are tried for a student before the template is declared unusable.
MAX_TRIES = 200
#: The most values one parameter may range over.
MAX_RANGE = 10_000


class TemplateError(InputError):
    """A variant template that cannot work: a bad range, or no valid draw at all (exit code 2)."""


def check_student_id(student: str) -> str:
    """``student`` if it is a valid student ID, else an :class:`InputError` naming the form.

    >>> check_student_id("s1234567")
    's1234567'
    >>> check_student_id("../etc")
    Traceback (most recent call last):
    ...
    symgrad.errors.InputError: unknown student ID format '../etc' (a student ID is 1 to 64 letters, digits and . _ @ + -, starting with a letter or digit (e.g. alice or s1234567))
    """
    if not isinstance(student, str) or STUDENT_ID.fullmatch(student) is None:
        shown = repr(student)[:40]
        raise InputError(
            f"unknown student ID format {shown}", hint=f"a student ID is {STUDENT_ID_FORM}"
        )
    return student


def student_from_env(environ: Mapping[str, str] | None = None) -> str | None:
    """The student ID in ``$SYMGRAD_STUDENT`` (checked), or ``None`` when it is not set."""
    value = (os.environ if environ is None else environ).get(ENV_STUDENT)
    return None if not value else check_student_id(value)


def course_seed_from_env(environ: Mapping[str, str] | None = None) -> str:
    """The course seed in ``$SYMGRAD_COURSE_SEED`` (any text), or ``""``."""
    return (os.environ if environ is None else environ).get(ENV_COURSE_SEED, "")


@dataclass(frozen=True)
class Variant:
    """One student's instance of a template: the parameter values and the resulting formula."""

    template: str
    student: str
    values: Mapping[str, str]
    #: The formula as symgrad prints it on the board (``3⋅x² + 5⋅x``) and as plain text.
    text: str
    source: str

    def to_dict(self) -> dict[str, object]:
        return {
            "template": self.template,
            "student": self.student,
            "values": dict(self.values),
            "expression": self.source,
        }


def _choices(name: str, spec: object) -> tuple[str, ...]:
    """The values a parameter may take, as exact number texts symgrad parses."""
    from symgrad.parse import parse_value

    if isinstance(spec, tuple) and len(spec) == 2 and all(isinstance(v, int) for v in spec):
        low, high = spec
        if low > high:
            raise TemplateError(f"parameter {name}: range ({low}, {high}) is empty")
        if high - low + 1 > MAX_RANGE:
            raise TemplateError(f"parameter {name}: range has more than {MAX_RANGE:,} values")
        return tuple(str(v) for v in range(low, high + 1))
    if isinstance(spec, (list, tuple)) and spec and len(spec) <= MAX_RANGE:
        values = []
        for item in spec:
            if isinstance(item, bool) or not isinstance(item, (int, str)):
                raise TemplateError(
                    f"parameter {name}: {item!r} is not a number",
                    hint="give integers or exact numbers as text, e.g. '1/2'",
                )
            values.append(str(parse_value(str(item), name=name)))
        return tuple(dict.fromkeys(values))
    raise TemplateError(
        f"parameter {name}: give a range (low, high) of integers or a list of values",
        hint="for example {'a': (2, 9)} or {'c': ['1/2', '3/2']}",
    )


@dataclass(frozen=True)
class Template:
    """An exercise formula with parameters, each drawn from its range for every student.

    ``params`` maps a parameter name to ``(low, high)`` (integers, inclusive)
    or to a list of allowed values. ``key`` tells templates apart when one
    course has several (two exercises with the same formula still get
    independent draws); by default it is the formula itself.
    """

    text: str
    params: Mapping[str, object]
    key: str = ""
    _choices: Mapping[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        from symgrad.parse import parse

        if not self.params:
            raise TemplateError("a template needs at least one parameter")
        parsed = parse(self.text)
        missing = [name for name in self.params if name not in parsed.names]
        if missing:
            raise TemplateError(
                f"parameter {missing[0]} does not occur in {self.text!r}",
                hint="every parameter must appear in the formula",
            )
        choices = {name: _choices(name, spec) for name, spec in self.params.items()}
        object.__setattr__(self, "_choices", choices)
        object.__setattr__(self, "key", self.key or self.text)
        if self._first_valid("\0validate", "") is None:
            raise TemplateError(
                f"the parameter ranges of {self.text!r} admit no valid draw",
                hint="widen the ranges: every draw made a term vanish or merge with another",
            )

    # -- drawing ---------------------------------------------------------------

    def _shape(self, values: Mapping[str, str] | None):
        """The expression for ``values`` (or with free parameters) and its operation count."""
        import sympy as sp

        from symgrad.parse import parse, parse_value, variable

        expr = parse(self.text).expr
        if values is None:
            return expr, sp.count_ops(expr)
        subs = {variable(n): parse_value(v, name=n) for n, v in values.items()}
        instance = expr.xreplace(subs)
        return instance, sp.count_ops(instance)

    def is_valid(self, values: Mapping[str, str]) -> bool:
        """A draw is valid when the formula keeps its shape: no term vanishes or merges.

        >>> t = Template("a*x^n + b*x", {"a": (1, 3), "n": (1, 3), "b": (0, 3)})
        >>> t.is_valid({"a": "2", "n": "3", "b": "5"}), t.is_valid({"a": "2", "n": "1", "b": "5"})
        (True, False)
        """
        from symgrad.parse import variable

        generic, generic_ops = self._shape(None)
        instance, ops = self._shape(values)
        if ops < generic_ops or not instance.free_symbols:
            return False
        params = {variable(n) for n in self.params}
        variables = generic.free_symbols - params
        return variables <= instance.free_symbols

    def _rng(self, student: str, course_seed: str, attempt: int = 0) -> random.Random:
        text = "\0".join((course_seed, self.key, student, str(attempt)))
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
        return random.Random(int.from_bytes(digest[:16], "big"))

    def _first_valid(self, student: str, course_seed: str) -> dict[str, str] | None:
        rng = self._rng(student, course_seed)
        names = sorted(self._choices)
        seen: set[tuple[str, ...]] = set()
        for _ in range(MAX_TRIES):
            values = {name: rng.choice(self._choices[name]) for name in names}
            marker = tuple(values[n] for n in names)
            if marker in seen:
                continue
            seen.add(marker)
            if self.is_valid(values):
                return values
        return None

    def draw(self, student: str, *, course_seed: str = "") -> Variant:
        """The student's own variant: the same ``student`` and ``course_seed`` give the same one."""
        import sympy as sp

        from symgrad.printing import inline

        check_student_id(student)
        values = self._first_valid(student, course_seed)
        if values is None:  # pragma: no cover - construction found a valid draw
            raise TemplateError(f"no valid draw of {self.text!r} for student {student}")
        instance, _ = self._shape(values)
        return Variant(self.text, student, values, inline(instance), sp.sstr(instance))

    def draws(self, students: Sequence[str], *, course_seed: str = "") -> dict[str, Variant]:
        """Variants for a whole class, by student ID."""
        return {s: self.draw(s, course_seed=course_seed) for s in students}
