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
from collections.abc import Callable, Sequence
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


@dataclass(frozen=True)
class Exercise:
    """One question with a reference solution, checked exactly.

    ``kind`` is ``"derivative"`` (the answer is the derivative of ``expr``
    with respect to ``wrt``; with ``at``, its value at that point) or
    ``"value"`` (the answer is the number or formula ``expected``).
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
    ) -> Exercise:
        """A "differentiate this" exercise (at a point, if ``at`` is given)."""
        return cls(question, solution, "derivative", expr, wrt, at, None, tuple(hints))

    @classmethod
    def value(
        cls,
        question: str,
        expected: object,
        *,
        solution: str | None = None,
        hints: Sequence[str] = (),
        tolerance: float = 0.0,
    ) -> Exercise:
        """A "what is this number (or formula)" exercise; ``expected`` is computed by the lesson."""
        text = expected if isinstance(expected, str) else _exact_text(expected)
        return cls(
            question, solution or text, "value", None, None, None, text, tuple(hints), tolerance
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
    """

    correct: bool
    message: str
    hint: str | None = None
    details: tuple[str, ...] = ()


def check_answer(exercise: Exercise, answer: str) -> Verdict:
    """Check ``answer`` (text typed by a student) against ``exercise``.

    A derivative is checked with symgrad's answer checking
    (:func:`symgrad.answers.check_answer`: exact equivalence, a counterexample
    and the likely mistake); a number or formula is compared exactly with the
    expected value, and a wrong slope at a point is compared with the typical
    mistakes evaluated there. Answers are parsed only with ``symgrad.parse``.

    >>> ex = Exercise.derivative("d/dx of x·sin(x²)?", "x*sin(x^2)", wrt="x",
    ...                          solution="sin(x^2) + 2*x^2*cos(x^2)")
    >>> check_answer(ex, "sin(x^2) + x*cos(x^2)").details[-1]
    'likely mistake (chain rule): the derivative of the inner function is missing, in sin(x²)'
    >>> ex = Exercise.derivative("Slope at w = 10?", "w^2 + 2", wrt="w", at="w=10", solution="20")
    >>> check_answer(ex, "20").correct, check_answer(ex, "19").correct
    (True, False)
    """
    from symgrad.parse import parse

    try:
        if exercise.kind == "derivative" and exercise.at is None:
            return _check_derivative(exercise, answer)
        given = parse(answer).expr
    except ParseError as err:
        return Verdict(False, f"symgrad cannot read that answer: {err}", err.hint)
    except SymgradError as err:
        return Verdict(False, str(err), err.hint)
    expected = exercise.expected_expr()
    if exercise.tolerance and not given.free_symbols and not expected.free_symbols:
        ok = abs(float(given) - float(expected)) <= exercise.tolerance
    else:
        ok = sp.simplify(given - expected) == 0
    if ok:
        return Verdict(True, "correct")
    details: tuple[str, ...] = ()
    hint = exercise.hints[0] if exercise.hints else None
    if given.free_symbols and not expected.free_symbols:
        names = ", ".join(sorted(s.name for s in given.free_symbols))
        where = f" at {exercise.at}" if exercise.at else ""
        details = (
            f"the question asks for a number{where}, and your answer still contains {names}",
        )
    elif exercise.kind == "derivative" and not given.free_symbols:
        mistake = _mistake_at_point(exercise, given)
        if mistake is not None:
            details = (f"likely mistake ({mistake.rule}): {mistake.description}",)
            hint = mistake.hint
    return Verdict(False, "incorrect", hint, details)


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
    if d is not None:
        details.append(f"likely mistake ({d.rule}): {d.sentence()}")
    hint = d.hint if d is not None else (exercise.hints[0] if exercise.hints else None)
    return Verdict(False, "incorrect", hint, tuple(details))


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
    for wrong in wrong_derivations(parsed.expr, var, 1, others):
        value = wrong.derivative.xreplace(subs)
        if value.is_number and sp.simplify(value - given) == 0:
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
            {"question": ex.question, "kind": ex.kind, **(answers[i] if i < len(answers) else {})}
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
    code = Syntax(cell.source, "python", theme="ansi_dark", background_color="default")
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
