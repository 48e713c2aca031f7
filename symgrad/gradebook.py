"""What a grading run leaves for the teacher: attempt logs, Gradescope results, a CSV gradebook.

The grading plugin (:mod:`symgrad.testing`) calls these at the end of each
test and of the run. Everything is appended or replaced whole:

- :func:`append_attempt` adds one JSON line to an attempt log. The file is
  opened with ``O_APPEND`` and locked with ``flock`` while the line is
  written, so parallel runs (a class graded at once, pytest-xdist) never
  interleave or truncate lines; whether this is the student's first try at
  the test is read under the same lock.
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
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}")
ID_FORM = "1 to 64 letters, digits and . _ @ + -, starting with a letter or digit"


class GradebookError(Exception):
    """A log, results file or gradebook cannot be written as asked; the message says why."""


def check_student_id(text: str) -> str:
    """The student ID, or :class:`GradebookError` that gives the expected form."""
    if not isinstance(text, str) or not _ID.fullmatch(text):
        raise GradebookError(f"the student ID {text!r} is not valid: use {ID_FORM}")
    return text


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


def append_attempt(path: str, record: Mapping[str, Any]) -> dict[str, Any]:
    """Append ``record`` as one JSON line, with ``first_try`` filled in; return what was written.

    ``first_try`` is true when no earlier line of the log has the same
    ``student`` and ``test`` (lines that cannot be read are skipped).
    """
    with _locked(path, os.O_RDWR | os.O_APPEND) as fd:
        earlier = 0
        for line in _read_all(fd).splitlines():
            try:
                old = json.loads(line)
            except ValueError:
                continue
            if (
                isinstance(old, dict)
                and old.get("student") == record.get("student")
                and old.get("test") == record.get("test")
            ):
                earlier += 1
        written = {**record, "first_try": earlier == 0, "attempt": earlier + 1}
        data = json.dumps(written, ensure_ascii=False, allow_nan=False, default=str)
        _write_all(fd, data.encode() + b"\n")
    return written


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
    folder = os.path.dirname(os.path.abspath(path))
    temporary = os.path.join(folder, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    try:
        with open(temporary, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=2, ensure_ascii=False)
            out.write("\n")
        os.replace(temporary, path)
    except OSError as err:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise GradebookError(f"cannot write {path}: {err.strerror}") from None


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
