"""A variant for every student: exercise templates with parameters drawn from a student ID.

A :class:`Template` is a formula with parameters (``a*x^n + b*x``) and the
range each parameter may take. :meth:`Template.draw` gives a student's own
:class:`Variant`: the same student ID and course seed always give the same
numbers, two students rarely share them, and a draw that would change the
exercise's shape is never used (``n = 1`` turns ``a*x^n + b*x`` into one
term; ``a = 1`` hides the constant factor). The reference answer and the
mistake diagnosis follow the variant, because the variant is an ordinary
expression that symgrad differentiates exactly.

This is the one place symgrad draws per-student values: the lessons
(``symgrad lesson run --student``) and the grading plugin
(``@pytest.mark.symgrad(variant="student")``, through
:func:`symgrad.testing.draw_variant`) both draw here. Each keeps the draws it
has always made, because students already hold them: a :class:`Scheme` says
how the seed comes from the student ID, in which order the parameters are
drawn and what makes a draw degenerate (:data:`LESSONS`, the default, and
:data:`GRADING`).

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
import math
import os
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from symgrad.errors import InputError

__all__ = [
    "Template",
    "Variant",
    "TemplateError",
    "Scheme",
    "LESSONS",
    "GRADING",
    "check_student_id",
    "student_from_env",
]

#: What a student ID may look like: a letter or digit, then letters, digits and ``. _ @ -``.
STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}")
STUDENT_ID_FORM = "1 to 64 letters, digits and . _ @ + -, starting with a letter or digit (e.g. alice or s1234567)"
ENV_STUDENT = "SYMGRAD_STUDENT"
ENV_COURSE_SEED = "SYMGRAD_COURSE_SEED"
#: How many draws are tried for a student before the template is declared unusable.
MAX_TRIES = 1000
#: The most values a list of values may have.
MAX_RANGE = 10_000

#: A drawn value: an integer of a range, a two-decimal number of a range with a non-integer end,
#: or the exact number text of a list of values.
Value = int | float | str


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


SEED_PARTS = ("course", "key", "student", "attempt")


@dataclass(frozen=True)
class Scheme:
    """How a template's draws are made; a published scheme never changes its students' draws.

    ``seed`` names the parts of the seed text in order (``course``, ``key``,
    ``student``, ``attempt``), joined by ``separator`` and hashed with SHA-256,
    whose first ``seed_bytes`` seed the random generator. Parameters are drawn
    in name order (``ordered``) or in the order given. ``shape`` is what a draw
    must keep: ``"operations"`` (no fewer operations than the formula, every
    variable kept) or ``"terms"`` (no value 0, no fewer terms in the expanded
    formula or in any first derivative, no derivative that vanishes).
    """

    name: str
    seed: tuple[str, ...]
    separator: str
    seed_bytes: int
    ordered: bool
    shape: str

    def __post_init__(self) -> None:
        if self.shape not in ("operations", "terms") or not set(self.seed) <= set(SEED_PARTS):
            raise ValueError(f"scheme {self.name}: unknown shape rule or seed part")

    def rng(self, course_seed: str, key: str, student: str) -> random.Random:
        """The random generator of one student's draws of one template.

        >>> LESSONS.rng("calc", "a*x", "alice").random() == LESSONS.rng("calc", "a*x", "alice").random()
        True
        """
        parts = {"course": course_seed, "key": key, "student": student, "attempt": "0"}
        text = self.separator.join(parts[p] for p in self.seed)
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
        return random.Random(int.from_bytes(digest[: self.seed_bytes], "big"))


#: The lessons' draws (``Exercise.variant``, ``symgrad lesson run --student``).
LESSONS = Scheme("lessons", ("course", "key", "student", "attempt"), "\0", 16, True, "operations")
#: The grading plugin's draws (``variant="student"``): the key is the test's name.
GRADING = Scheme("grading", ("course", "student", "key"), "|", 8, False, "terms")


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


@dataclass(frozen=True)
class _Domain:
    """The values one parameter may take: a range of integers, of two-decimal numbers, or a list."""

    kind: str  # "integers", "decimals" or "list"
    low: float = 0
    high: float = 0
    values: tuple[str, ...] = ()

    def size(self) -> int | None:
        if self.kind == "integers":
            return int(self.high) - int(self.low) + 1
        return len(self.values) if self.kind == "list" else None

    def pick(self, rng: random.Random) -> Value:
        if self.kind == "integers":
            return rng.randint(int(self.low), int(self.high))
        if self.kind == "decimals":
            return round(rng.uniform(self.low, self.high), 2)
        return rng.choice(self.values)

    def shown(self) -> str:
        if self.kind == "list":
            return "[" + ", ".join(self.values) + "]"
        return f"({self.low}, {self.high})"


def _number(item: object) -> bool:
    return isinstance(item, (int, float)) and not isinstance(item, bool)


def _domain(name: str, spec: object) -> _Domain:
    """The values a parameter may take: ``(low, high)`` (a tuple) or a list of values."""
    import math

    from symgrad.parse import parse_value

    if isinstance(spec, tuple) and len(spec) == 2 and all(_number(v) for v in spec):
        low, high = spec
        if not all(math.isfinite(v) for v in spec):
            raise TemplateError(f"parameter {name}: range ({low}, {high}) is not finite")
        if low > high:
            raise TemplateError(f"parameter {name}: range ({low}, {high}) is empty")
        if float(low).is_integer() and float(high).is_integer():
            return _Domain("integers", low, high)
        return _Domain("decimals", low, high)
    if isinstance(spec, (list, tuple)) and spec:
        if len(spec) > MAX_RANGE:
            raise TemplateError(f"parameter {name}: more than {MAX_RANGE:,} values")
        values = []
        for item in spec:
            if isinstance(item, bool) or not isinstance(item, (int, str)):
                raise TemplateError(
                    f"parameter {name}: {item!r} is not a number",
                    hint="give integers or exact numbers as text, e.g. '1/2'",
                )
            values.append(str(parse_value(str(item), name=name)))
        return _Domain("list", values=tuple(dict.fromkeys(values)))
    raise TemplateError(
        f"parameter {name}: give a range (low, high) of numbers or a list of values",
        hint="for example {'a': (2, 9)} or {'c': ['1/2', '3/2']}",
    )


def _exact(name: str, value: Value):
    """A drawn value as the exact number symgrad puts into the formula."""
    import sympy as sp

    from symgrad.parse import parse_value

    return parse_value(value, name=name) if isinstance(value, str) else sp.nsimplify(value)


@dataclass(frozen=True)
class Template:
    """An exercise formula with parameters, each drawn from its range for every student.

    ``params`` maps a parameter name to ``(low, high)`` (inclusive: integers
    when both ends are integers, else numbers with two decimals) or to a list
    of allowed values. ``key`` tells templates apart when one course has
    several (two exercises with the same formula still get independent
    draws); by default it is the formula itself. ``text`` may be ``None``
    (values only, with no formula to keep the shape of: :meth:`values_for`);
    ``scheme`` is how the draws are made (:data:`LESSONS` unless told).
    """

    text: str | None
    params: Mapping[str, object]
    key: str = ""
    scheme: Scheme = LESSONS
    _domains: Mapping[str, _Domain] = field(init=False, repr=False, compare=False)
    _shape: _Shape | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        from symgrad.parse import parse

        if not self.params:
            raise TemplateError("a template needs at least one parameter")
        shape = None
        if self.text is not None:
            parsed = parse(self.text)
            missing = [name for name in self.params if name not in parsed.names]
            if missing:
                raise TemplateError(
                    f"parameter {missing[0]} does not occur in {self.text!r}",
                    hint="every parameter must appear in the formula",
                )
            shape = _Shape(parsed.expr, self.scheme.shape, tuple(self.params))
        domains = {name: _domain(name, spec) for name, spec in self.params.items()}
        object.__setattr__(self, "_domains", domains)
        object.__setattr__(self, "_shape", shape)
        object.__setattr__(self, "key", self.key or self.text or "")
        if self._first_valid("\0validate", "") is None:
            ranges = ", ".join(f"{n} in {d.shown()}" for n, d in domains.items())
            of = f" of {self.text!r}" if self.text is not None else ""
            zero = "a value 0 or " if self.scheme.shape == "terms" else ""
            raise TemplateError(
                f"the parameter ranges{of} ({ranges}) admit no valid draw",
                hint=f"widen the ranges: every draw made {zero}a term vanish or merge with another",
            )

    # -- drawing ---------------------------------------------------------------

    def _instance(self, values: Mapping[str, Value]):
        """The formula with ``values`` in place of its parameters."""
        from symgrad.parse import variable

        assert self._shape is not None
        subs = {variable(n): _exact(n, v) for n, v in values.items()}
        return self._shape.formula.xreplace(subs)

    def is_valid(self, values: Mapping[str, Value]) -> bool:
        """A draw is valid when the formula keeps its shape: no term vanishes or merges.

        >>> t = Template("a*x^n + b*x", {"a": (1, 3), "n": (1, 3), "b": (0, 3)})
        >>> t.is_valid({"a": "2", "n": "3", "b": "5"}), t.is_valid({"a": "2", "n": "1", "b": "5"})
        (True, False)
        """
        if self.scheme.shape == "terms" and any(_exact(n, v) == 0 for n, v in values.items()):
            return False
        return self._shape is None or self._shape.kept_by(self._instance(values))

    def _names(self) -> list[str]:
        return sorted(self._domains) if self.scheme.ordered else list(self._domains)

    def _first_valid(self, student: str, course_seed: str) -> dict[str, Value] | None:
        rng = self.scheme.rng(course_seed, self.key, student)
        names = self._names()
        sizes = [self._domains[n].size() for n in names]
        combinations = None if None in sizes else math.prod(s for s in sizes if s is not None)
        seen: set[tuple[Value, ...]] = set()
        for _ in range(MAX_TRIES):
            values = {name: self._domains[name].pick(rng) for name in names}
            marker = tuple(values[n] for n in names)
            if marker in seen:
                continue
            seen.add(marker)
            if self.is_valid(values):
                return values
            if len(seen) == combinations:  # every draw there is was tried
                return None
        return None

    def values_for(self, student: str, *, course_seed: str = "") -> dict[str, Value]:
        """The student's own parameter values, by name, as drawn (see :data:`Value`).

        >>> t = Template("a*w^n", {"a": (2, 9), "n": (2, 5)}, key="test_poly", scheme=GRADING)
        >>> t.values_for("alice", course_seed="0") == t.values_for("alice", course_seed="0")
        True
        """
        check_student_id(student)
        values = self._first_valid(student, course_seed)
        if values is None:  # pragma: no cover - construction found a valid draw
            raise TemplateError(f"no valid draw of {self.text!r} for student {student}")
        return values

    def draw(self, student: str, *, course_seed: str = "") -> Variant:
        """The student's own variant: the same ``student`` and ``course_seed`` give the same one."""
        import sympy as sp

        from symgrad.printing import inline

        if self.text is None:
            raise TemplateError("a template without a formula has values only (values_for)")
        values = {n: str(v) for n, v in self.values_for(student, course_seed=course_seed).items()}
        instance = self._instance(values)
        return Variant(self.text, student, values, inline(instance), sp.sstr(instance))

    def draws(self, students: Sequence[str], *, course_seed: str = "") -> dict[str, Variant]:
        """Variants for a whole class, by student ID."""
        return {s: self.draw(s, course_seed=course_seed) for s in students}


class _Shape:
    """What a draw of a formula must keep, measured once on the formula with free parameters.

    ``"operations"`` (the lessons): no fewer operations (``sympy.count_ops``),
    a variable left, and every variable kept. ``"terms"`` (the grading
    plugin): no fewer terms in the expanded formula or in its first derivative
    by any variable, and no derivative that vanishes.
    """

    def __init__(self, formula, rule: str, params: Sequence[str]) -> None:
        from symgrad.parse import variable

        self.formula = formula
        self.rule = rule
        names = {variable(n) for n in params}
        self.variables = sorted(formula.free_symbols - names, key=str)
        self.wanted = self.measure(formula)

    def measure(self, expr) -> list[int]:
        import sympy as sp

        if self.rule == "operations":
            return [int(sp.count_ops(expr))]
        from symgrad.derive import differentiate

        derivatives = [differentiate(expr, v) for v in self.variables]  # the engine, once each
        sizes = [len(sp.Add.make_args(sp.expand(expr)))]
        sizes += [len(sp.Add.make_args(sp.expand(d))) for d in derivatives]
        sizes += [int(d != 0) for d in derivatives]
        return sizes

    def kept_by(self, instance) -> bool:
        if self.rule == "operations" and not set(self.variables) <= instance.free_symbols:
            return False  # (a formula with no variable is made of parameters only)
        if self.rule == "operations" and not instance.free_symbols:
            return False
        return all(g >= w for g, w in zip(self.measure(instance), self.wanted))
