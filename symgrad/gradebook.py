"""Scores for a grading run: points, partial credit, Gradescope results, a CSV gradebook, logs.

A pytest plugin (installed with symgrad, inactive until asked for) that
turns a grading run into what a teacher records:

- **points**: ``@pytest.mark.symgrad(score=4)`` or an ini table
  ``symgrad_scores`` (lines ``test_name = 4``); a test without either is
  worth ``symgrad_default_score`` (1);
- **partial credit**: the ``credit`` fixture gives part of a test's points per
  part (``with credit.part("w"): ...``); a failed part costs its share and
  the test goes on, so ``w`` right and ``b`` wrong earns half;
- **results**: ``--symgrad-results results.json`` writes Gradescope's
  ``results.json`` (tests, scores, max scores, visible output);
  ``--symgrad-gradebook grades.csv`` appends one row per student run;
- **attempt logs**: ``--symgrad-log attempts.jsonl`` appends one line per
  test (see :mod:`symgrad.attempts` for the fields);
- **variants**: ``@pytest.mark.symgrad(variant="student")`` with the
  ``symgrad_variant`` fixture gives each student their own numbers, from the
  student ID (``--symgrad-student`` or ``$SYMGRAD_STUDENT``) and the course
  seed (ini ``symgrad_course_seed`` or ``$SYMGRAD_COURSE_SEED``).

Nothing here imports SymPy or numpy until a test uses a variant, so the
plugin costs nothing in a project that does not use it.

>>> share({"w": 1.0, "b": 1.0}, {"w"}, 4)
2.0
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

__all__ = ["Credit", "PartsWrong", "TestScore", "share", "record"]

#: The most characters of a test's output kept in results.json and the log.
MAX_OUTPUT = 2000
GENERATOR = "symgrad"


def share(weights: Mapping[str, float], passed: set[str], max_score: float) -> float:
    """The points earned when the parts in ``passed`` pass, each worth its weight."""
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    return round(max_score * sum(w for k, w in weights.items() if k in passed) / total, 6)


class PartsWrong(AssertionError):  # noqa: N818 - an assertion failure, as pytest says
    """Some parts of a partial-credit test failed; the message names each."""


@dataclass
class Credit:
    """Partial credit within one test: ``with credit.part("w"): assert_gradient(...)``."""

    weights: dict[str, float] = field(default_factory=dict)
    passed: set[str] = field(default_factory=set)
    failures: list[tuple[str, str]] = field(default_factory=list)

    @contextlib.contextmanager
    def part(self, name: str, weight: float = 1.0) -> Iterator[None]:
        """One part of the test: an ``AssertionError`` inside it fails the part, not the test."""
        if name in self.weights:
            raise ValueError(f"part {name!r} is graded twice in one test")
        if not weight > 0:
            raise ValueError("a part's weight must be positive")
        self.weights[name] = float(weight)
        try:
            yield
        except AssertionError as err:
            self.failures.append((name, _first_lines(str(err))))
        else:
            self.passed.add(name)

    def check(self) -> None:
        """Fail the test (after every part ran) if any part failed, naming each."""
        if self.failures:
            lines = [f"part {name}: {message}" for name, message in self.failures]
            ok = len(self.passed)
            raise PartsWrong(
                f"{len(self.failures)} of {len(self.weights)} parts wrong "
                f"({ok} right)\n" + "\n".join(lines)
            )


@dataclass
class TestScore:
    """What one test earned."""

    nodeid: str
    name: str
    max_score: float
    score: float = 0.0
    status: str = "failed"
    output: str = ""


@dataclass
class _Answer:
    """What a test recorded about the student's answer (for the attempt log)."""

    answer: str | None = None
    diagnosis: str | None = None
    variant: dict[str, str] | None = None


_recorded: _Answer | None = None


def record(*, answer: object = None, diagnosis: str | None = None) -> None:
    """Tell the attempt log what the student answered and the likely mistake (if any)."""
    if _recorded is not None:
        if answer is not None:
            _recorded.answer = str(answer)[:500]
        if diagnosis is not None:
            _recorded.diagnosis = str(diagnosis)


def _first_lines(text: str, limit: int = MAX_OUTPUT) -> str:
    import re

    text = re.sub(r"^(AssertionError|GradingFailure|Failed): ", "", text.strip())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def short_id(nodeid: str) -> str:
    """``test_hw.py::test_q1`` for ``grading/hw3/test_hw.py::test_q1``: how logs name a test."""
    path, sep, rest = nodeid.partition("::")
    return path.rsplit("/", 1)[-1] + sep + rest


def _parse_scores(lines: list[str]) -> dict[str, float]:
    table = {}
    for line in lines:
        name, sep, value = line.partition("=")
        if not sep:
            raise ValueError(f"symgrad_scores: {line!r} is not 'test_name = points'")
        try:
            table[name.strip()] = float(value)
        except ValueError:
            raise ValueError(f"symgrad_scores: {value.strip()!r} is not a number") from None
    return table


def _atomic_json(path: str, data: object) -> None:
    """Write results atomically (symgrad.files); never over a file symgrad did not write."""
    from symgrad.errors import SymgradError
    from symgrad.files import check_target, write_atomic

    try:
        target = check_target(path, ".json", what="--symgrad-results")
        if target.exists():
            try:
                with open(target, encoding="utf-8") as old:
                    ours = json.load(old).get("extra_data", {}).get("generator") == GENERATOR
            except (OSError, ValueError, AttributeError):
                ours = False
            if not ours:
                raise OSError(f"{path} exists and was not written by symgrad; choose another name")
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        write_atomic(target, lambda stream: stream.write(text.encode("utf-8")), ".json")
    except SymgradError as err:
        raise OSError(str(err)) from None


def _append_row(path: str, header: list[str], row: list[str]) -> None:
    """Append one CSV row under a lock; write the header if the file is new."""
    import csv
    import fcntl
    import io
    import stat

    flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o644)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path} is not a regular file")
        fcntl.flock(fd, fcntl.LOCK_EX)
        size = os.fstat(fd).st_size
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        if size == 0:
            writer.writerow(header)
        else:
            with os.fdopen(os.dup(fd), "r", encoding="utf-8", newline="") as existing:
                existing.seek(0)
                first = next(csv.reader(existing), [])
            if first != header:
                raise OSError(f"{path} has other columns; use one gradebook per assignment")
        writer.writerow(row)
        os.write(fd, buffer.getvalue().encode("utf-8"))
    finally:
        os.close(fd)


class _Session:
    """The scores of one pytest run (only when a result file, log or score is asked for)."""

    def __init__(self, config) -> None:
        self.config = config
        self.results = _option(config, "symgrad_results")
        self.gradebook = _option(config, "symgrad_gradebook")
        self.log = _option(config, "symgrad_log")
        self.student = config.getoption("symgrad_student", default=None) or os.environ.get(
            "SYMGRAD_STUDENT"
        )
        self.scores = _parse_scores(config.getini("symgrad_scores"))
        self.default_score = float(config.getini("symgrad_default_score") or 1)
        self.tests: dict[str, TestScore] = {}
        self.answers: dict[str, _Answer] = {}
        self.started = time.monotonic()
        self.seen: set[tuple[str, str]] = set()
        if self.student:
            from symgrad.variants import check_student_id

            check_student_id(self.student)
        if self.log and os.path.exists(self.log):
            from symgrad.attempts import read_attempts

            for r in read_attempts([self.log]).records:
                self.seen.add((str(r.get("student")), str(r.get("exercise"))))

    def max_score(self, item) -> float:
        marker = item.get_closest_marker("symgrad")
        if marker is not None and "score" in marker.kwargs:
            return float(marker.kwargs["score"])
        for key in (item.nodeid, item.name, getattr(item, "originalname", None)):
            if key in self.scores:
                return self.scores[key]
        return self.default_score

    def finish(self) -> None:
        tests = list(self.tests.values())
        total = round(sum(t.score for t in tests), 6)
        top = round(sum(t.max_score for t in tests), 6)
        if self.results:
            _atomic_json(
                self.results,
                {
                    "score": total,
                    "execution_time": round(time.monotonic() - self.started, 3),
                    "visibility": "visible",
                    "stdout_visibility": "hidden",
                    "extra_data": {"generator": GENERATOR, "max_score": top},
                    "tests": [
                        {
                            "name": t.name,
                            "number": str(i),
                            "score": t.score,
                            "max_score": t.max_score,
                            "status": t.status,
                            "output": t.output,
                            "visibility": "visible",
                        }
                        for i, t in enumerate(tests, start=1)
                    ],
                },
            )
        if self.gradebook:
            header = ["student", "score", "max_score"] + [
                f"{t.name} ({t.max_score:g})" for t in tests
            ]
            row = [self.student or "", f"{total:g}", f"{top:g}"] + [f"{t.score:g}" for t in tests]
            _append_row(self.gradebook, header, row)


def _option(config, name: str) -> str | None:
    return config.getoption(name, default=None) or config.getini(name) or None


try:
    import pytest
except ImportError:  # pragma: no cover
    pytest = None  # type: ignore[assignment]

if pytest is not None:
    _SESSION = pytest.StashKey[_Session]()

    def pytest_addoption(parser) -> None:
        group = parser.getgroup("symgrad-grading", "symgrad scores, gradebook and logs")
        group.addoption("--symgrad-results", metavar="FILE", help="write Gradescope results.json")
        group.addoption("--symgrad-gradebook", metavar="FILE", help="append a row to a CSV")
        group.addoption("--symgrad-log", metavar="FILE", help="append one JSON line per test")
        group.addoption("--symgrad-student", metavar="ID", help="the student being graded")
        parser.addini("symgrad_results", "Gradescope results.json to write", default="")
        parser.addini("symgrad_gradebook", "CSV gradebook to append a row to", default="")
        parser.addini("symgrad_log", "attempt log to append to (JSON lines)", default="")
        parser.addini("symgrad_scores", "points per test: 'test_name = 4' lines", type="linelist")
        parser.addini("symgrad_default_score", "points of a test without a score", default="1")
        parser.addini("symgrad_course_seed", "the course seed for per-student variants", default="")

    def pytest_configure(config) -> None:
        outputs = ("symgrad_results", "symgrad_gradebook", "symgrad_log")
        if not any(_option(config, name) for name in outputs) and not config.getoption(
            "symgrad_student", default=None
        ):
            return  # nothing to record: the plugin stays out of the way
        try:
            config.stash[_SESSION] = _Session(config)
        except (ValueError, OSError) as err:
            raise pytest.UsageError(f"symgrad: {err}") from None
        except Exception as err:  # an InputError about the student ID
            raise pytest.UsageError(f"symgrad: {err}") from None

    def pytest_runtest_setup(item) -> None:
        marker = item.get_closest_marker("symgrad")
        session = item.config.stash.get(_SESSION, None)
        if marker is not None and marker.kwargs.get("variant") == "student":
            student = session.student if session is not None else os.environ.get("SYMGRAD_STUDENT")
            if not student:
                pytest.fail(
                    "this test gives each student a variant: pass --symgrad-student ID "
                    "or set SYMGRAD_STUDENT",
                    pytrace=False,
                )

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(item, call):
        outcome = yield
        report = outcome.get_result()
        if call.excinfo is not None and call.excinfo.errisinstance(PartsWrong) and report.failed:
            report.longrepr = str(call.excinfo.value)  # the parts' own lines, no plugin traceback
        session = item.config.stash.get(_SESSION, None)
        if session is None or report.skipped or (report.when != "call" and report.passed):
            return
        score = session.tests.get(item.nodeid)
        if score is None:
            name = item.nodeid.split("::", 1)[-1]
            score = session.tests[item.nodeid] = TestScore(
                item.nodeid, name, session.max_score(item)
            )
        crash = getattr(report.longrepr, "reprcrash", None)
        message = _first_lines(str(crash.message if crash is not None else report.longrepr or ""))
        if report.when != "call":  # setup or teardown failed: the test could not grade
            score.status, score.score = "failed", 0.0
            score.output = f"not graded: {message}"
            return
        credit: Credit | None = getattr(item, "_symgrad_credit", None)
        if report.passed:
            score.status, score.score = "passed", score.max_score
        else:
            score.status = "failed"
            partial = credit is not None and credit.weights
            score.score = share(credit.weights, credit.passed, score.max_score) if partial else 0.0
            score.output = message
        _log(session, item, score)

    def _log(session: _Session, item, score: TestScore) -> None:
        if not session.log:
            return
        from symgrad.attempts import append_attempt, attempt

        answer = session.answers.get(item.nodeid) or _Answer()
        student = session.student
        exercise = short_id(item.nodeid)
        key = (str(student), exercise)
        first = key not in session.seen
        session.seen.add(key)
        verdict = "correct" if score.status == "passed" else "incorrect"
        append_attempt(
            session.log,
            attempt(
                student,
                exercise,
                answer.answer if answer.answer is not None else score.output.split("\n")[0],
                verdict,
                source="pytest",
                diagnosis=answer.diagnosis,
                variant=answer.variant,
                first_try=first,
            ),
        )

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(item):
        global _recorded
        session = item.config.stash.get(_SESSION, None)
        _recorded = _Answer() if session is not None else None
        try:
            outcome = yield
            credit: Credit | None = getattr(item, "_symgrad_credit", None)
            if credit is not None and credit.failures and outcome.excinfo is None:
                try:
                    credit.check()
                except AssertionError as err:
                    outcome.force_exception(err)
        finally:
            if session is not None and _recorded is not None:
                previous = session.answers.get(item.nodeid)
                if previous is not None and previous.variant and not _recorded.variant:
                    _recorded.variant = previous.variant
                session.answers[item.nodeid] = _recorded
            _recorded = None

    def pytest_sessionfinish(session, exitstatus) -> None:
        state = session.config.stash.get(_SESSION, None)
        if state is not None and (state.results or state.gradebook):
            try:
                state.finish()
            except OSError as err:
                session.config.get_terminal_writer().line(f"symgrad: {err}", red=True)
                session.exitstatus = pytest.ExitCode.USAGE_ERROR

    @pytest.fixture
    def credit(request) -> Credit:
        """Partial credit: ``with credit.part("w"): ...``; the test fails if any part did."""
        c = Credit()
        request.node._symgrad_credit = c
        return c

    @pytest.fixture
    def symgrad_variant(request):
        """``symgrad_variant(template)``: the current student's variant of a template."""
        state = request.config.stash.get(_SESSION, None)
        student = state.student if state is not None else os.environ.get("SYMGRAD_STUDENT")
        seed = os.environ.get("SYMGRAD_COURSE_SEED") or request.config.getini("symgrad_course_seed")

        def draw(template, *, student_id: str | None = None, course_seed: str | None = None):
            who = student_id or student
            if not who:
                pytest.fail(
                    "this test gives each student a variant: pass --symgrad-student ID "
                    "or set SYMGRAD_STUDENT",
                    pytrace=False,
                )
            variant = template.draw(who, course_seed=seed if course_seed is None else course_seed)
            if state is not None:
                answer = state.answers.setdefault(request.node.nodeid, _Answer())
                answer.variant = dict(variant.values)
                if _recorded is not None:
                    _recorded.variant = dict(variant.values)
            return variant

        return draw
