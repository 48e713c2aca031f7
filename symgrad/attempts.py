"""Attempt logs: one JSON line per answer, appended safely, read back for the class report.

``symgrad lesson run --log FILE`` and the grading plugin (``symgrad_log`` in
the pytest ini, or ``--symgrad-log``) append one line per attempt. A line holds
exactly these fields and nothing else (no user name, host, path or
environment):

=============  ==============================================================
``time``       when, in UTC (ISO 8601, seconds)
``student``    the student ID given with ``--student`` / ``$SYMGRAD_STUDENT``
               (``null`` when none was given)
``source``     ``"lesson"`` or ``"pytest"``
``exercise``   which exercise or test (``"lesson 4, exercise 2"``, a test id)
``variant``    the student's parameter values, or ``null``
``answer``     the answer as typed, or the submission's values (at most 500
               characters)
``verdict``    ``"correct"``, ``"incorrect"`` or ``"invalid"`` (could not be
               read; not counted as a try)
``diagnosis``  the key of the likely mistake (``"chain_inner"``), or ``null``
``first_try``  whether this was the student's first counted try
``attempt``    the number of the try on this exercise in this run (1, 2, ...)
=============  ==============================================================

Appending opens the file with ``O_APPEND`` (never truncating it), refuses a
symbolic link or anything but a regular file, holds an exclusive ``flock``
while writing, and writes each line with a single ``write``, so parallel runs
interleave whole lines only.

>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "attempts.jsonl")
>>> _ = append_attempt(path, attempt("alice", "lesson 1, exercise 1", "2*w", "correct"))
>>> log = read_attempts([path])
>>> [(r["student"], r["verdict"]) for r in log.records], log.skipped
([('alice', 'correct')], ())
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

from symgrad.errors import InputError, LimitError

__all__ = ["FIELDS", "VERDICTS", "attempt", "append_attempt", "read_attempts", "AttemptLog"]

FIELDS = (
    "time",
    "student",
    "source",
    "exercise",
    "variant",
    "answer",
    "verdict",
    "diagnosis",
    "first_try",
    "attempt",
)
VERDICTS = ("correct", "incorrect", "invalid")
SOURCES = ("lesson", "pytest")
MAX_ANSWER = 500
MAX_LINE = 8192
#: The most a log file may hold before reading it is refused (exit code 3).
MAX_LOG_BYTES = 64 * 1024 * 1024


def _clip(text: object, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def attempt(
    student: str | None,
    exercise: str,
    answer: object,
    verdict: str,
    *,
    source: str = "lesson",
    diagnosis: str | None = None,
    variant: Mapping[str, str] | None = None,
    first_try: bool = True,
    number: int = 1,
    time: datetime | None = None,
) -> dict[str, object]:
    """One attempt record with exactly the documented fields."""
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}")
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}")
    when = (time or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return {
        "time": when.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "student": student,
        "source": source,
        "exercise": _clip(exercise, 200),
        "variant": dict(variant) if variant else None,
        "answer": _clip(answer, MAX_ANSWER),
        "verdict": verdict,
        "diagnosis": diagnosis,
        "first_try": bool(first_try),
        "attempt": int(number),
    }


def _open_log(path: str | os.PathLike[str]) -> int:
    flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as err:
        if os.path.islink(path):
            raise InputError(
                f"the attempt log {os.fspath(path)} is a symbolic link; symgrad does not follow it",
                hint="give the path of a regular file",
            ) from None
        raise InputError(
            f"cannot open the attempt log {os.fspath(path)}: {err.strerror}",
            hint="choose a writable file with --log",
        ) from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise InputError(
            f"the attempt log {os.fspath(path)} is not a regular file",
            hint="give the path of a regular file",
        )
    return fd


def append_attempt(
    path: str | os.PathLike[str], record: Mapping[str, object], *, count: bool = False
) -> dict[str, object]:
    """Append one record as one JSON line; safe against parallel writers, never truncates.

    With ``count``, ``first_try`` and ``attempt`` are filled in from the
    lines already in the log for the same student and exercise, read under
    the same lock (so two parallel runs cannot both be a first try).
    Returns what was written.
    """
    data = {name: record.get(name) for name in FIELDS}
    fd = _open_log(path)
    try:
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        except (ImportError, OSError):  # pragma: no cover - no flock: O_APPEND alone
            pass
        if count:
            earlier = _count(fd, data.get("student"), data.get("exercise"))
            data["first_try"], data["attempt"] = earlier == 0, earlier + 1
        line = json.dumps(data, ensure_ascii=True, separators=(",", ":")) + "\n"
        if len(line) > MAX_LINE:
            data["answer"] = _clip(data["answer"], 100)
            line = json.dumps(data, ensure_ascii=True, separators=(",", ":")) + "\n"
        view = memoryview(line.encode("ascii"))
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)  # closing releases the lock
    return data


def _count(fd: int, student: object, exercise: object) -> int:
    """Earlier lines of the log with this student and exercise (unreadable lines are skipped)."""
    chunks, offset = [], 0
    while offset < MAX_LOG_BYTES:
        chunk = os.pread(fd, 1 << 20, offset)
        if not chunk:
            break
        chunks.append(chunk)
        offset += len(chunk)
    earlier = 0
    for line in b"".join(chunks).splitlines():
        try:
            old = json.loads(line)
        except ValueError:
            continue
        if isinstance(old, dict) and old.get("student") == student:
            earlier += old.get("exercise") == exercise
    return earlier


@dataclass(frozen=True)
class AttemptLog:
    """The records read from one or more logs, and the lines that were skipped."""

    records: tuple[dict[str, object], ...]
    #: ``(file, line number)`` of every malformed line, in order.
    skipped: tuple[tuple[str, int], ...]

    def skipped_summary(self) -> str | None:
        """One line naming the skipped lines, or ``None`` when every line was read."""
        if not self.skipped:
            return None
        by_file: dict[str, list[int]] = {}
        for name, number in self.skipped:
            by_file.setdefault(name, []).append(number)
        parts = []
        for name, numbers in by_file.items():
            shown = ", ".join(str(n) for n in numbers[:10])
            more = f" and {len(numbers) - 10} more" if len(numbers) > 10 else ""
            parts.append(f"{name} line{'s' if len(numbers) > 1 else ''} {shown}{more}")
        count = len(self.skipped)
        return f"skipped {count} malformed line{'s' if count > 1 else ''}: " + "; ".join(parts)


def _valid(record: object) -> bool:
    if not isinstance(record, dict):
        return False
    student = record.get("student")
    variant = record.get("variant")
    return (
        isinstance(record.get("exercise"), str)
        and (student is None or isinstance(student, str))
        and record.get("verdict") in VERDICTS
        and isinstance(record.get("time", ""), str)
        and (variant is None or isinstance(variant, dict))
        and isinstance(record.get("first_try", True), bool)
        and isinstance(record.get("attempt", 1), int)
        and (record.get("diagnosis") is None or isinstance(record.get("diagnosis"), str))
    )


def _read_text(path: str) -> str:
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as err:
        raise InputError(
            f"cannot read the attempt log {path}: {err.strerror}", hint="check the path"
        ) from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"the attempt log {path} is not a regular file", hint="check the path")
        if info.st_size > MAX_LOG_BYTES:
            raise LimitError(
                f"the attempt log {path} is larger than {MAX_LOG_BYTES // 2**20} MiB",
                hint="split it, or report on fewer files at a time",
            )
        return handle.read(MAX_LOG_BYTES + 1).decode("utf-8", "replace")


def read_attempts(paths: Iterable[str | os.PathLike[str]]) -> AttemptLog:
    """Read logs; a malformed line is skipped and remembered, never an error."""
    records: list[dict[str, object]] = []
    skipped: list[tuple[str, int]] = []
    for path in paths:
        name = os.fspath(path)
        for number, line in enumerate(_read_text(name).splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                record = None
            if _valid(record):
                records.append({k: record.get(k) for k in FIELDS})
            else:
                skipped.append((name, number))
    return AttemptLog(tuple(records), tuple(skipped))
