"""What a grading run leaves for the teacher: attempt logs, Gradescope results, a CSV gradebook.

The grading plugin (:mod:`symgrad.testing`) calls these at the end of each
test and of the run. Everything is appended or replaced whole:

- attempt logs are written by :func:`symgrad.attempts.append_attempt` (one
  JSON line per test, the same fields as a lesson's log, whether this is
  the student's first try read under the file's lock);
- :class:`Credit` splits a test's points over its parts (the ``credit``
  fixture);
- :func:`write_results` writes Gradescope's ``results.json`` through a
  temporary file and a rename, so it is never half-written.
- :func:`append_grades` adds one row per run to a CSV gradebook (one column
  per test), under the same lock.

>>> check_student_id("alice.smith-2")
'alice.smith-2'
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


class GradebookError(Exception):
    """A log, results file or gradebook cannot be written as asked; the message says why."""


def check_student_id(text: str) -> str:
    """The student ID (:func:`symgrad.variants.check_student_id`), or :class:`GradebookError`."""
    from symgrad.errors import InputError
    from symgrad.variants import check_student_id as check

    try:
        return check(text)
    except InputError as err:
        raise GradebookError(str(err)) from None


def short_test_id(nodeid: str) -> str:
    """``test_hw.py::test_q1`` for ``grading/hw3/test_hw.py::test_q1``: how logs name a test.

    >>> short_test_id("grading/hw3/test_hw.py::test_q1[2]")
    'test_hw.py::test_q1[2]'
    """
    path, sep, rest = nodeid.partition("::")
    return path.rsplit("/", 1)[-1] + sep + rest


@dataclass
class Credit:
    """Partial credit within one test: ``with credit.part("w"): assert_answer(...)``.

    A failed part costs its share of the test's points and the test goes on;
    the test fails at the end if any part did, naming each.
    """

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
            self.failures.append((name, str(err).strip()))
        else:
            self.passed.add(name)

    def share(self) -> float:
        """The fraction of the points the passed parts earn (1.0 without parts).

        >>> c = Credit({"w": 1.0, "b": 3.0}, {"w"})
        >>> c.share()
        0.25
        """
        total = sum(self.weights.values())
        if not total:
            return 1.0
        return sum(w for k, w in self.weights.items() if k in self.passed) / total

    def failure(self) -> str | None:
        """The test's failure message when a part failed (each part's own lines), or None."""
        if not self.failures:
            return None
        lines = [f"part {name}: {message}" for name, message in self.failures]
        head = f"{len(self.failures)} of {len(self.weights)} parts wrong ({len(self.passed)} right)"
        return "\n".join([head, *lines])


@contextlib.contextmanager
def _locked(path: str, flags: int) -> Iterator[int]:
    """``path`` opened with ``flags`` (created if missing) and locked for this process alone."""
    try:
        fd = os.open(path, flags | os.O_CREAT, 0o644)
    except OSError as err:
        raise GradebookError(f"cannot open {path}: {err.strerror}") from None
    try:
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - no flock: O_APPEND alone keeps lines whole
            pass
        yield fd
    finally:
        os.close(fd)  # closing releases the lock


def _read_all(fd: int) -> bytes:
    chunks, offset = [], 0
    while True:
        chunk = os.pread(fd, 1 << 20, offset)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        offset += len(chunk)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def write_results(path: str, tests: Sequence[Mapping[str, Any]]) -> None:
    """Gradescope's ``results.json``: every test's score, maximum and visible output.

    An existing file is replaced only if it is itself a results file (a JSON
    object with a ``tests`` list); anything else is left alone.
    """
    if os.path.exists(path):
        try:
            with open(path, encoding="utf-8") as old:
                previous = json.load(old)
            ours = isinstance(previous, dict) and isinstance(previous.get("tests"), list)
        except (OSError, ValueError):
            ours = False
        if not ours:
            raise GradebookError(f"{path} exists and is not a results file: not overwritten")
    total = sum(t["score"] for t in tests)
    maximum = sum(t["max_score"] for t in tests)
    data = {
        "score": round(total, 6),
        "max_score": round(maximum, 6),
        "visibility": "visible",
        "stdout_visibility": "visible",
        "tests": [dict(t) for t in tests],
    }
    from symgrad.errors import SymgradError
    from symgrad.files import write_atomic

    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    try:
        write_atomic(path, lambda stream: stream.write(text.encode("utf-8")), ".json")
    except SymgradError as err:
        raise GradebookError(str(err)) from None


def append_grades(path: str, student: str, scores: Mapping[str, float], maximum: float) -> None:
    """One row for ``student``: a score per test (the header's columns), the total, the maximum.

    A new gradebook gets a header from this run's tests; a later run with
    tests the header does not have is refused rather than misfiled.
    """
    with _locked(path, os.O_RDWR | os.O_APPEND) as fd:
        text = _read_all(fd).decode("utf-8", errors="replace")
        rows = list(csv.reader(io.StringIO(text)))
        columns = ["student", *scores, "total", "max_total"]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        if not rows:
            writer.writerow(columns)
            header = columns
        else:
            header = rows[0]
            unknown = [name for name in scores if name not in header]
            if header[:1] != ["student"] or unknown:
                raise GradebookError(
                    f"{path} has other columns than this run's tests"
                    f" ({', '.join(unknown[:3]) or 'not a symgrad gradebook'}): not changed"
                )
        total = sum(scores.values())
        values = {"student": student, **scores, "total": total, "max_total": maximum}
        writer.writerow([_cell(values.get(name, "")) for name in header])
        _write_all(fd, out.getvalue().encode())


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text  # no spreadsheet formulas
