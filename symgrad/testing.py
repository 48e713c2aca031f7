"""Grading with pytest: check a student's gradient code against the exact gradient.

:func:`assert_gradient` calls a student's numeric gradient function at random
points and compares what it returns with symgrad's exact gradient; it works
for scalars and for numpy arrays (a vectorised gradient of an MSE loss with
respect to a weight matrix, say). :func:`assert_answer` checks a derivative
written as text. Both raise :class:`GradingFailure` (an ``AssertionError``)
with the point, the expected and received values and a diagnosis; the
reference formula stays hidden unless the teacher reveals it.

**The student's code never runs in the test's process.** It runs in a fresh
interpreter (started, not forked, so no frame, formula or expected value of
the test exists there) that imports the student's module, calls the function
at the points, turns every result into plain floats and shapes and sends back
only those, as JSON. The expected values are computed afterwards, in the
test's process. Each call has a CPU-time, a wall-clock and a memory limit. A
student function that exits, crashes, hangs, patches numpy or pytest, walks
the stack or returns objects with hostile ``__float__``/``__array__`` fails
with one line; it never passes. The worker is a separate process, not a
sandbox: it can read the files the test's user can read.

The student's function is named, not passed as an object, so that the worker
can import it:

- ``Submission("path/to/student.py").function("grad", *fixed)``: the function
  ``grad`` of a student's file, called as ``grad(*fixed, *params)`` (fixed
  leading arguments are plain data: numbers, strings, lists, numpy arrays);
- ``"path/to/student.py:grad"`` or ``"package.module:grad"`` as text;
- a module-level function of an importable module (``module.grad``): the
  worker imports that module again by its file.

This module is also a pytest plugin, registered through the ``pytest11``
entry point, so it is active wherever symgrad is installed. It adds

- the marker ``@pytest.mark.symgrad(points=5, seed=None, rtol=1e-6, atol=1e-9,
  scale=2.0, reveal="values", cpu_limit=10, time_limit=60, memory_mb=2048)``;
- the same settings as ini options ``symgrad_points``, ``symgrad_seed``, ...;
- the fixture ``symgrad_settings`` (those settings, for a test that wants them);
- the option ``--symgrad-reveal`` (the same as ``reveal="formula"``);
- short failure reports: the message only, no traceback (a traceback would
  show the teacher's test source, and with it the formula); a test whose own
  formula cannot be read is reported as an error of the test.

``reveal`` says what a failure shows: ``"none"`` (which gradient is wrong and
the diagnosis), ``"values"`` (also the point, the expected and the received
numbers: the default) or ``"formula"`` (also the reference derivative).
Without a seed the points are fresh random numbers on every run, so a
student cannot hard-code the numbers a failure showed; a seed (marker or ini)
makes a run repeatable.

It is imported by every pytest run, so it imports nothing heavy at the top;
symgrad's engine is loaded only when a test calls an assert helper or uses
the fixture.

>>> assert_gradient("math:cos", "sin(x)")
>>> try:
...     assert_gradient("operator:neg", "x^2/2", points=[3.0])
... except GradingFailure as failure:
...     print(failure)
the gradient is wrong at point 1 of 1
  point: x = 3.0
  gradient for x: expected 3.0, received -3.0
  diagnosis: every entry has the wrong sign: check the sign of the error term
"""

from __future__ import annotations

import math
import os
import random
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

try:  # the plugin part needs pytest; assert_gradient itself does not
    import pytest
except ImportError:  # pragma: no cover
    pytest = None  # type: ignore[assignment]

REVEAL = ("none", "values", "formula")


class GradingFailure(AssertionError):  # noqa: N818 - an assertion failure, as pytest says
    """A student's gradient or answer is wrong; the message says where and why."""


class GradingTestError(Exception):
    """The teacher's test itself is wrong (a formula that cannot be read, a missing variable)."""


class Settings(NamedTuple):
    """Points, tolerance, what failures show and the limits of one test (the ``symgrad`` marker)."""

    points: int | Sequence[Any] = 5  # how many random points, or the points themselves
    seed: int | None = None  # None: fresh random points on every run
    rtol: float = 1e-6
    atol: float = 1e-9
    scale: float = 2.0  # random points are drawn from [-scale, scale]
    reveal: str = "values"  # "none", "values" or "formula"
    cpu_limit: float = 10.0  # CPU seconds per call of the student's function
    time_limit: float = 60.0  # wall-clock seconds per call (a busy machine is slow)
    memory_mb: int = 2048  # address space of the student's process
    max_score: float | None = None  # the test's points in results.json and the gradebook (1)
    partial: bool = False  # part of the points for each parameter of a gradient that is right
    variant: str | None = None  # "student": parameters drawn from the student ID and course seed
    params: Mapping[str, tuple[float, float]] | None = None  # a variant's ranges, by name
    template: str | None = None  # the formula a variant must not make degenerate
    course_seed: int = 0


DEFAULTS = Settings()
_current: Settings = DEFAULTS  # set by the plugin for the test that is running
_record: dict[str, Any] | None = None  # what the running test's checks found (for grading)
_variant: dict[str, Any] | None = None  # the running test's variant: parameter values by name


def _note(check: dict[str, Any]) -> None:
    """Keep what one check found, for the test's score and its attempt log."""
    if _record is not None and len(_record["checks"]) < 100:
        _record["checks"].append(check)


def current_settings() -> Settings:
    """The settings of the running test (ini options, its ``symgrad`` marker, ``--symgrad-reveal``)."""
    return _current


def _reveal(value: Any) -> str:
    """``"none"``, ``"values"`` or ``"formula"``; True and False as the old flag meant them."""
    if value is True:
        return "formula"
    if value is False or value is None:
        return "values"
    if value not in REVEAL:
        raise GradingTestError(f"reveal must be one of {', '.join(REVEAL)}, not {value!r}")
    return value


def _seed(settings: Settings) -> int:
    if settings.seed is not None:
        return int(settings.seed)
    return random.SystemRandom().randrange(2**32)


# -- naming the student's function ---------------------------------------------------------


class StudentFunction(NamedTuple):
    """A function of the student's code, named so that a worker process can import it."""

    target: tuple[tuple[str, str], ...]  # (("path", "/abs/student.py"),) or (("module", "m"),)
    name: str
    args: tuple[Any, ...] = ()  # plain data passed before the parameters

    def where(self) -> str:
        kind, value = self.target[0]
        return os.path.basename(value) if kind == "path" else value


class Submission:
    """A student's file or module: ``Submission("student.py").function("grad", X, y)``.

    Nothing of the student's is imported here; the worker process does that
    when a test calls the function or reads a text answer.
    """

    def __init__(self, path_or_module: str | os.PathLike[str]):
        text = os.fspath(path_or_module)
        if text.endswith(".py") or os.sep in text or (os.altsep and os.altsep in text):
            self.target: tuple[tuple[str, str], ...] = (("path", os.path.abspath(text)),)
        else:
            self.target = (("module", text),)

    def __repr__(self) -> str:
        return f"Submission({self.target[0][1]!r})"

    def function(self, name: str, *args: Any) -> StudentFunction:
        """The student's function ``name``, called with ``args`` and then the parameters."""
        return StudentFunction(self.target, name, tuple(args))

    def text(self, name: str) -> str:
        """The string ``name`` of the student's module (a derivative written as text).

        Read in a worker process, like every call: a module that cannot be
        imported fails the test with one line.
        """
        __tracebackhide__ = True
        value = self._read("text", name)
        if not isinstance(value, str):
            raise GradingFailure(f"{name} is not text")
        return value

    def value(self, name: str) -> Any:
        """The plain data ``name`` of the student's module: text, numbers, lists, dicts.

        ``Submission("alice.py").value("LESSON_4")[0]``: a list of answers.
        Anything else (an object the student made) fails the test.
        """
        __tracebackhide__ = True
        return self._read("value", name)

    def _read(self, op: str, name: str) -> Any:
        __tracebackhide__ = True
        reply = _request(self.target, {"op": op, "name": name}, _current, f"reading {name}", None)
        return reply.get("value")


def _student(student: Any) -> StudentFunction:
    """Whatever names the student's function, as a :class:`StudentFunction`."""
    if isinstance(student, StudentFunction):
        return student
    if isinstance(student, str):
        place, sep, name = student.rpartition(":")
        if not sep or not place or not name.isidentifier():
            raise GradingTestError(
                f"name the student's function as 'path/to/file.py:name' or 'module:name',"
                f" not {student!r}"
            )
        return Submission(place).function(name)
    qualname = getattr(student, "__qualname__", "")
    module = sys.modules.get(getattr(student, "__module__", None) or "")
    if not callable(student) or module is None or "<" in qualname or "." in qualname:
        raise GradingTestError(
            "the student's function runs in a separate process, so it must be named there:"
            " pass Submission('student.py').function('name', ...), 'student.py:name', or a"
            f" module-level function of an importable module, not {_short_repr(student)}"
        )
    if getattr(module, qualname, None) is not student:
        raise GradingTestError(f"{qualname} is not reachable as {module.__name__}.{qualname}")
    path = getattr(module, "__file__", None)
    if isinstance(path, str) and path.endswith(".py") and not _installed(path):
        target = (("path", os.path.abspath(path)), ("name", module.__name__))
        return StudentFunction(target, qualname)
    return StudentFunction((("module", module.__name__),), qualname)


def _installed(path: str) -> bool:
    """Whether ``path`` is in the standard library or site-packages (import it by name)."""
    import sysconfig

    path = os.path.realpath(path)
    roots = {sysconfig.get_path(kind) for kind in ("stdlib", "platstdlib", "purelib", "platlib")}
    return any(root and path.startswith(os.path.realpath(root) + os.sep) for root in roots)


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:79] + "…"


# -- the worker process ---------------------------------------------------------------------

_MAX_REPLY = 32 * 1024 * 1024  # bytes; a bigger reply is the student's, not ours
_MAX_SHOWN = 300  # characters of anything the student's process says


class _Dead(Exception):  # noqa: N818 - internal: the worker is gone, with the reason
    pass


def _cpu_seconds(pid: int) -> float | None:
    """CPU time used so far by process ``pid`` (Linux ``/proc``), None where unknown."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


class _Worker:
    """A fresh interpreter serving one student's module: JSON lines over two pipes."""

    def __init__(self, memory_mb: int, cwd: str | None):
        import subprocess

        to_worker_r, self._to_worker = os.pipe()
        self._from_worker, from_worker_w = os.pipe()
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "student_worker.py")
        env = {
            **os.environ,
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        env.pop("PYTHONSTARTUP", None)
        try:
            self.process = subprocess.Popen(
                [sys.executable, script, str(to_worker_r), str(from_worker_w), str(memory_mb)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                pass_fds=(to_worker_r, from_worker_w),
                cwd=cwd,
                env=env,
                close_fds=True,
            )
        finally:
            os.close(to_worker_r)
            os.close(from_worker_w)
        self._buffer = b""
        self._next_id = 0

    def alive(self) -> bool:
        """Running, and quiet: a worker that sent what nobody asked for is not reused."""
        import select

        if self._buffer or self.process.poll() is not None:
            return False
        ready, _, _ = select.select([self._from_worker], [], [], 0)
        return not ready

    def close(self) -> None:
        for fd in (self._to_worker, self._from_worker):
            try:
                os.close(fd)
            except OSError:
                pass
        if self.process.poll() is None:
            self.process.kill()
        try:
            self.process.wait(timeout=5)
        except Exception:  # noqa: BLE001 - best effort
            pass

    def _ended(self) -> str:
        try:
            code = self.process.wait(timeout=2)
        except Exception:  # noqa: BLE001
            self.process.kill()
            code = self.process.wait()
        if code < 0:
            import signal

            number = -code
            if number == getattr(signal, "SIGXCPU", None):
                return "cpu"
            try:
                name = signal.Signals(number).name
            except ValueError:
                name = f"signal {number}"
            return f"the student's process was killed by {name} (a crash, or too much memory)"
        return f"the student's process ended with exit status {code} (os._exit? a crash?)"

    def ask(self, request: dict, cpu_limit: float, time_limit: float) -> dict:
        """Send one request and read its reply within the limits; raise _Dead otherwise."""
        import json
        import select
        import time

        self._next_id += 1
        request = {**request, "id": self._next_id, "cpu": cpu_limit}
        data = json.dumps(request, allow_nan=True).encode() + b"\n"
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self._to_worker, view) :]
        except OSError:
            raise _Dead(self._ended()) from None
        start_cpu = _cpu_seconds(self.process.pid)
        deadline = time.monotonic() + time_limit
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.close()
                raise _Dead("wall")
            ready, _, _ = select.select([self._from_worker], [], [], min(remaining, 0.1))
            if not ready:
                used = _cpu_seconds(self.process.pid)
                if start_cpu is not None and used is not None and used - start_cpu > cpu_limit:
                    self.close()
                    raise _Dead("cpu")
                continue
            chunk = os.read(self._from_worker, 1 << 20)
            if not chunk:
                raise _Dead(self._ended())
            self._buffer += chunk
            if len(self._buffer) > _MAX_REPLY:
                self.close()
                raise _Dead(f"the student's process sent more than {_MAX_REPLY >> 20} MB")
        line, self._buffer = self._buffer.split(b"\n", 1)
        try:
            reply = json.loads(line)
        except ValueError:
            self.close()
            raise _Dead("the student's process sent something that is not a reply") from None
        if not isinstance(reply, dict) or reply.get("id") != self._next_id:
            self.close()
            raise _Dead("the student's process sent a reply out of turn")
        return reply


_workers: dict[tuple[Any, ...], _Worker] = {}


def close_workers() -> None:
    """End every worker process (the plugin does it after each test module)."""
    while _workers:
        _, worker = _workers.popitem()
        worker.close()


def _worker(target: tuple[tuple[str, str], ...], memory_mb: int) -> _Worker:
    key = (target, memory_mb)
    worker = _workers.get(key)
    if worker is not None and worker.alive():
        return worker
    if worker is not None:
        worker.close()
    kind, value = target[0]
    cwd = (
        os.path.dirname(value) if kind == "path" and os.path.isdir(os.path.dirname(value)) else None
    )
    if not _workers:
        import atexit

        atexit.register(close_workers)
    worker = _workers[key] = _Worker(memory_mb, cwd)
    return worker


def _said(text: Any) -> str:
    """Something the student's process said, made safe to show: one bounded line."""
    text = " ".join(str(text).split())
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


def _request(
    target: tuple[tuple[str, str], ...],
    request: dict,
    settings: Settings,
    doing: str,
    name: str | None,
) -> dict:
    """One request to the student's worker; any trouble is one GradingFailure line."""
    __tracebackhide__ = True
    place = os.path.basename(target[0][1]) if target[0][0] == "path" else target[0][1]
    request = {**request, "target": dict(target)}
    worker = _worker(target, settings.memory_mb)
    try:
        reply = worker.ask(request, settings.cpu_limit, settings.time_limit)
    except _Dead as dead:
        _workers.pop((target, settings.memory_mb), None)
        worker.close()
        reason = str(dead)
        if reason == "cpu":
            reason = (
                f"it used more than {settings.cpu_limit:g} s of CPU time (raise cpu_limit in the"
                " symgrad marker if a correct solution needs more)"
            )
        elif reason == "wall":
            reason = f"it did not finish within {settings.time_limit:g} s (time_limit)"
        raise GradingFailure(f"{place}: {doing}: {reason}") from None
    if reply.get("ok") is True:
        return reply
    kind = reply.get("kind")
    where = _said(reply.get("where") or "")
    message = _said(reply.get("message", "no reason given"))
    if kind == "import":
        at = where or place
        raise GradingFailure(f"the submission cannot be imported ({at}): {message}")
    if kind in ("missing", "signature"):
        raise GradingFailure(f"{where or place}: {message}")
    if kind == "memory":
        message = f"it needed more than {settings.memory_mb} MB of memory (memory_mb)"
    at = f" ({where})" if where else ""
    raise GradingFailure(f"{place}: {doing}{at}: {message}")


def _call_student(
    student: StudentFunction, params: list[Any], points: list[list[Any]], settings: Settings
) -> list[list[Any]]:
    """The student's gradients at every point, as floats and float arrays of the right shapes."""
    __tracebackhide__ = True
    import numpy as np

    fixed = [_encode(a) for a in student.args]
    labels = [f"{i + 1}: {_short_repr(a)[:20]}" for i, a in enumerate(student.args)]
    labels += [p.label for p in params]
    shapes = [list(p.shape) for p in params]
    results = []
    for k, values in enumerate(points):
        request = {
            "op": "call",
            "name": student.name,
            "args": fixed + [_encode(v) for v in values],
            "shapes": shapes,
            "labels": labels,
        }
        doing = f"{student.name} at point {k + 1} of {len(points)}"
        reply = _request(student.target, request, settings, doing, student.name)
        got = reply.get("values")
        if not isinstance(got, list) or len(got) != len(params):
            raise GradingFailure(f"{student.where()}: {doing}: the reply is malformed")
        received = []
        for p, item in zip(params, got):
            try:
                shape = tuple(int(n) for n in item["shape"][:32])
            except (KeyError, TypeError, ValueError):
                raise GradingFailure(
                    f"{student.where()}: {doing}: the reply is malformed"
                ) from None
            size = math.prod(shape)
            if p.shape == () and size != 1:
                raise GradingFailure(
                    f"the gradient for {p.label} has shape {shape}, expected a number"
                )
            if p.shape != () and shape != p.shape:
                hint = " (transposed?)" if shape == p.shape[::-1] else ""
                raise GradingFailure(
                    f"the gradient for {p.label} has shape {shape}, expected {p.shape}{hint}"
                )
            try:
                data = np.array([float(v) for v in item["data"]], dtype=float)
                array = data.reshape(shape)
            except (KeyError, TypeError, ValueError):
                raise GradingFailure(
                    f"{student.where()}: {doing}: the reply is malformed"
                ) from None
            received.append(float(array.ravel()[0]) if p.shape == () else array)
        results.append(received)
    return results


def _encode(value: Any) -> Any:
    """Plain JSON data for a value sent to the worker (numbers, text, lists, arrays)."""
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _encode(v) for k, v in value.items()}
    import numpy as np

    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        array = np.asarray(value)
        if array.dtype.kind not in "biuf":
            raise GradingTestError(f"cannot send an array of {array.dtype} to the student's code")
        kind = {"b": "bool", "i": "int64", "u": "int64", "f": "float64"}[array.dtype.kind]
        if array.ndim == 0:
            return array.item()
        return {"__array__": array.ravel().tolist(), "shape": list(array.shape), "dtype": kind}
    raise GradingTestError(
        f"cannot send {type(value).__name__} to the student's code: pass numbers, text,"
        " lists or numpy arrays"
    )


# -- the reference ---------------------------------------------------------------------------


class _Param(NamedTuple):
    """One argument of the student's function: a scalar or an array of symbols."""

    label: str
    shape: tuple[int, ...]  # () for a scalar
    symbols: tuple[Any, ...]  # flat, in C order


def _params(function, wrt) -> list[_Param]:
    import numpy as np
    import sympy as sp

    from symgrad.parse import parse_names, variable

    def scalar(item) -> _Param:
        symbol = variable(item) if isinstance(item, str) else _real(item)
        return _Param(symbol.name, (), (symbol,))

    def array(item) -> _Param:
        values = np.array(item.tolist() if isinstance(item, sp.MatrixBase) else item, dtype=object)
        symbols = tuple(_real(s) for s in values.flat)
        label = _array_label(symbols, values.shape)
        return _Param(label, values.shape, symbols)

    if wrt is None:
        names = sorted(s.name for s in function.free_symbols)
        return [scalar(n) for n in names]
    if isinstance(wrt, str):
        return [scalar(n) for n in parse_names(wrt)]
    if isinstance(wrt, (sp.MatrixBase, np.ndarray)):
        return [array(wrt)]
    if isinstance(wrt, sp.Symbol):
        return [scalar(wrt)]
    labelled = wrt.items() if isinstance(wrt, Mapping) else ((None, item) for item in wrt)
    params = []
    for label, item in labelled:
        param = scalar(item) if isinstance(item, (str, sp.Symbol)) else array(item)
        if label is not None:
            shape = f" (shape {param.shape})" if param.shape else ""
            param = param._replace(label=f"{label}{shape}")
        params.append(param)
    return params


def _real(symbol):
    from symgrad.parse import variable

    return variable(symbol.name)


def _array_label(symbols, shape) -> str:
    """``W1 (shape (3, 4))`` for symbols named ``W1_00`` ... ``W1_32``."""
    import os.path

    names = [s.name for s in symbols]
    stem = os.path.commonprefix(names) if len(names) > 1 else names[0].rpartition("_")[0]
    stem = stem.rstrip("_[")
    return f"{stem} (shape {shape})" if stem else f"an array of shape {shape}"


def _function(function):
    """The teacher's function as SymPy, with the test's variant put in; bad text is the test's."""
    import sympy as sp

    from symgrad.errors import SymgradError
    from symgrad.parse import parse, variable

    if isinstance(function, str):
        try:
            expr = parse(function).expr
        except SymgradError as err:
            raise GradingTestError(
                f"the test's function {function!r} cannot be read: {err}"
            ) from None
        return _with_variant(expr)
    if isinstance(function, sp.Basic):
        expr = function.xreplace({s: variable(s.name) for s in function.free_symbols})
        return _with_variant(expr)
    raise GradingTestError(
        f"the function must be text or a SymPy expression, not {type(function).__name__}"
    )


def _with_variant(expr):
    """``expr`` with the running test's variant values in place of its parameters."""
    if not _variant:
        return expr
    import sympy as sp

    values = {s: sp.nsimplify(_variant[s.name]) for s in expr.free_symbols if s.name in _variant}
    return expr.xreplace(values) if values else expr


def draw_variant(
    params: Mapping[str, tuple[float, float]],
    student: str,
    exercise: str,
    course_seed: int = 0,
    template: str | None = None,
) -> dict[str, float]:
    """Each student's own parameter values: the same ID always gets the same ones.

    ``params`` gives each parameter's range (integers when both ends are
    integers, else two-decimal numbers). A draw is skipped when a value is
    0 or, with a ``template``, when it makes terms of the template or of its
    derivatives merge or vanish (``a*w^n + b*w`` with ``n = 1`` or ``n = 0``).

    >>> draw_variant({"a": (2, 9), "n": (2, 5)}, "alice", "poly") == draw_variant(
    ...     {"a": (2, 9), "n": (2, 5)}, "alice", "poly")
    True
    """
    import hashlib

    ranges = {}
    for name, bounds in params.items():
        try:
            lo, hi = bounds
            ranges[name] = (lo, hi) if lo <= hi else (hi, lo)
        except (TypeError, ValueError):
            message = f"the range of {name} must be (low, high), not {bounds!r}"
            raise GradingTestError(message) from None
    key = f"{course_seed}|{student}|{exercise}".encode()
    rng = random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))
    check = _degenerate(template, list(ranges)) if template else None
    for _ in range(1000):
        values: dict[str, float] = {}
        for name, (lo, hi) in ranges.items():
            if float(lo).is_integer() and float(hi).is_integer():
                values[name] = rng.randint(int(lo), int(hi))
            else:
                values[name] = round(rng.uniform(lo, hi), 2)
        if any(v == 0 for v in values.values()):
            continue
        if check is None or not check(values):
            return values
    raise GradingTestError(
        f"the variant's parameter ranges ({', '.join(f'{k} in {v}' for k, v in ranges.items())})"
        " admit no valid draw: every draw makes a value 0 or the formula degenerate"
    )


def _degenerate(template: str, names: list[str]) -> Callable[[dict[str, float]], bool]:
    """Whether a draw collapses the template: fewer terms, or fewer in a derivative."""
    import sympy as sp

    from symgrad.derive import differentiate
    from symgrad.errors import SymgradError
    from symgrad.parse import parse

    try:
        expr = parse(template).expr
    except SymgradError as err:
        message = f"the variant's template {template!r} cannot be read: {err}"
        raise GradingTestError(message) from None
    variables = sorted((s for s in expr.free_symbols if s.name not in names), key=str)

    def shape(e) -> list[int]:
        derivatives = [differentiate(e, v) for v in variables]
        sizes = [len(sp.Add.make_args(sp.expand(e)))]
        sizes += [len(sp.Add.make_args(sp.expand(d))) for d in derivatives]
        sizes += [int(d != 0) for d in derivatives]
        return sizes

    wanted = shape(expr)

    def collapses(values: dict[str, float]) -> bool:
        subs = {s: sp.nsimplify(values[s.name]) for s in expr.free_symbols if s.name in values}
        got = shape(expr.xreplace(subs))
        return any(g < w for g, w in zip(got, wanted))

    return collapses


def _points(
    params: list[_Param], points, settings: Settings, seed: int, finite: Callable
) -> list[list[Any]]:
    """Values for every parameter at every point: explicit, or random from ``seed``."""
    import numpy as np

    if isinstance(points, int):
        rng = random.Random(seed)
        found: list[list[Any]] = []
        for _ in range(points * 40):
            values = []
            for p in params:
                flat = [rng.uniform(-settings.scale, settings.scale) for _ in p.symbols]
                values.append(flat[0] if p.shape == () else np.array(flat).reshape(p.shape))
            if finite(values):
                found.append(values)
                if len(found) == points:
                    break
        return found
    result = []
    for point in points:
        if isinstance(point, Mapping):
            values = []
            for p in params:
                if p.shape == ():
                    values.append(float(point[p.symbols[0].name]))
                else:
                    flat = [float(point[s.name]) for s in p.symbols]
                    values.append(np.array(flat).reshape(p.shape))
        elif len(params) == 1 and not isinstance(point, (tuple, list)):
            values = [point]
        else:
            values = list(point)
        values = [
            float(v) if p.shape == () else np.asarray(v, dtype=float).reshape(p.shape)
            for p, v in zip(params, values)
        ]
        result.append(values)
    return result


def _flat(values: list[Any]) -> list[float]:
    import numpy as np

    out: list[float] = []
    for v in values:
        out.extend(float(x) for x in np.ravel(v))
    return out


def _show(value) -> str:
    import numpy as np

    if np.ndim(value) == 0:
        return repr(float(f"{float(value):.6g}"))
    return np.array2string(
        np.asarray(value, dtype=float), precision=6, threshold=24, separator=", ", max_line_width=90
    )


def _diagnose(params: list[_Param], expected: list[list[Any]], received: list[list[Any]]) -> str:
    """A pattern that explains every mismatch, or which gradients are wrong and how."""
    from symgrad.mistakes import diagnose_gradient

    return diagnose_gradient([p.label for p in params], expected, received)


def _settings(**overrides: Any) -> Settings:
    """The running test's settings with the arguments a call gave (None: keep)."""
    given = {k: v for k, v in overrides.items() if v is not None}
    settings = _current._replace(**given)
    return settings._replace(reveal=_reveal(settings.reveal))


def assert_gradient(
    student_fn: Any,
    function: Any,
    wrt: Any = None,
    points: int | Sequence[Any] | None = None,
    *,
    seed: int | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    scale: float | None = None,
    reveal: str | bool | None = None,
    cpu_limit: float | None = None,
    time_limit: float | None = None,
    memory_mb: int | None = None,
) -> None:
    """Check the student's numeric gradient against the exact gradient of ``function``.

    ``student_fn`` names the student's function (see the module's docs: a
    :class:`Submission` function, ``"file.py:name"``, ``"module:name"`` or a
    module-level function); it runs in a separate process. ``function`` is
    text (parsed with :func:`symgrad.parse`) or a SymPy expression. ``wrt``
    lists the arguments of ``student_fn``: a name (``"w"``), several
    (``"w,b"``), or a list (or a dict by label) whose items are names,
    symbols or arrays of symbols (a numpy object array or SymPy Matrix: the
    student receives and returns a float array of that shape). The student's
    function is called with one value per argument and returns one gradient
    per argument (the gradient itself when there is one argument).

    ``points`` is a number of random points or a list of points (a number, a
    tuple with one value per argument, or a dict by name); arguments left
    unset come from the test's ``symgrad`` marker and the ini options.

    >>> assert_gradient("math:exp", "exp(x)", points=3, seed=1)
    """
    __tracebackhide__ = True
    import numpy as np

    settings = _settings(
        points=points,
        seed=seed,
        rtol=rtol,
        atol=atol,
        scale=scale,
        reveal=reveal,
        cpu_limit=cpu_limit,
        time_limit=time_limit,
        memory_mb=memory_mb,
    )
    student = _student(student_fn)
    f = _function(function)
    try:
        params = _params(f, wrt)
    except Exception as err:  # noqa: BLE001 - the teacher's wrt
        raise GradingTestError(f"wrt cannot be read: {err}") from None
    symbols = [s for p in params for s in p.symbols]
    missing = sorted(s.name for s in f.free_symbols if s not in set(symbols))
    if missing:
        raise GradingTestError(
            f"the function also depends on {', '.join(missing)}: substitute values for it"
            " (function.subs(...)) or add it to wrt"
        )
    reference = _Reference(f, params)
    chosen_seed = _seed(settings)
    chosen = _points(params, settings.points, settings, chosen_seed, reference.finite)
    if not chosen:
        raise GradingTestError("no point was found where the function and its gradient are defined")
    try:
        received_all = _call_student(student, params, chosen, settings)
    except GradingFailure as failure:
        first = str(failure).splitlines()[0][:300]
        _note(_gradient_check(params, {p.label: False for p in params}, first, None))
        raise
    # Only now, with the student's numbers in, are the expected ones computed.
    expected_all = [reference.gradient(values) for values in chosen]
    right = {
        p.label: all(
            np.allclose(r[i], e[i], rtol=settings.rtol, atol=settings.atol)
            for e, r in zip(expected_all, received_all)
        )
        for i, p in enumerate(params)
    }
    first_bad = None
    for k, (expected, received) in enumerate(zip(expected_all, received_all)):
        good = all(
            np.allclose(r, e, rtol=settings.rtol, atol=settings.atol, equal_nan=False)
            for e, r in zip(expected, received)
        )
        if not good:
            first_bad = k
            break
    if first_bad is None:
        _note(_gradient_check(params, right, None, received_all[0]))
        return
    k = first_bad
    origin = f" (seed {settings.seed})" if settings.seed is not None else ""
    lines = [f"the gradient is wrong at point {k + 1} of {len(chosen)}{origin}"]
    wrong = [
        (p, e, r)
        for p, e, r in zip(params, expected_all[k], received_all[k])
        if not np.allclose(r, e, rtol=settings.rtol, atol=settings.atol)
    ]
    if settings.reveal == "none":
        lines.append("  wrong: the gradient for " + ", ".join(p.label for p, _, _ in wrong))
    elif all(p.shape == () for p in params):
        lines.append(
            "  point: " + ", ".join(f"{p.label} = {_show(v)}" for p, v in zip(params, chosen[k]))
        )
        for p, e, r in wrong:
            lines.append(f"  gradient for {p.label}: expected {_show(e)}, received {_show(r)}")
    else:
        lines.append("  point:")
        for p, v in zip(params, chosen[k]):
            lines.append(_block(f"    {p.label.split(' ')[0]} = ", v))
        for p, e, r in wrong:
            lines.append(f"  gradient for {p.label}:")
            lines.append(_block("    expected ", e))
            lines.append(_block("    received ", r))
    diagnosis = _diagnose(params, expected_all, received_all)
    lines.append("  diagnosis: " + diagnosis)
    _note(_gradient_check(params, right, diagnosis, received_all[k]))
    if settings.reveal == "formula":
        lines += reference.formula_lines()
    raise GradingFailure("\n".join(lines))


def _gradient_check(params, right, diagnosis, received) -> dict[str, Any]:
    """What an assert_gradient found, as plain data: which parameters are right, the values."""
    values = None
    if received is not None:
        values = {p.label: [float(v) for v in _flat([r])[:20]] for p, r in zip(params, received)}
    return {
        "kind": "gradient",
        "verdict": "passed" if all(right.values()) else "failed",
        "parts": right,
        "diagnosis": diagnosis,
        "values": values,
    }


class _Reference:
    """The exact gradient of the teacher's function, evaluated in the test's process."""

    def __init__(self, f, params: list[_Param]):

        from symgrad.numeric import compile_expr

        self.params = params
        self.symbols = [s for p in params for s in p.symbols]
        from symgrad.derive import differentiate

        self.derivatives = [differentiate(f, s) for s in self.symbols]  # the rule engine
        self._compiled = [compile_expr(d, self.symbols) for d in self.derivatives]
        self._value = compile_expr(f, self.symbols)

    def gradient(self, values: list[Any]) -> list[Any]:
        import numpy as np

        flat = _flat(values)
        grads = [fn(*flat) for fn in self._compiled]
        out, start = [], 0
        for p in self.params:
            n = len(p.symbols)
            chunk = grads[start : start + n]
            start += n
            out.append(chunk[0] if p.shape == () else np.array(chunk).reshape(p.shape))
        return out

    def finite(self, values: list[Any]) -> bool:
        flat = _flat(values)
        if not math.isfinite(self._value(*flat)):
            return False
        return all(math.isfinite(fn(*flat)) for fn in self._compiled)

    def formula_lines(self) -> list[str]:
        from symgrad.printing import inline

        shown = list(zip(self.symbols, self.derivatives))[:8]
        lines = [f"  reference: ∂f/∂{s.name} = {inline(d)}" for s, d in shown]
        if len(self.symbols) > len(shown):
            lines.append(f"  (and {len(self.symbols) - len(shown)} more partial derivatives)")
        return lines


def _block(prefix: str, value: Any) -> str:
    """``prefix`` then the value; the lines of an array line up under its first line."""
    return prefix + _show(value).replace("\n", "\n" + " " * len(prefix))


def assert_answer(
    answer: str,
    function: Any,
    wrt: str | Sequence[str] | None = None,
    order: int = 1,
    *,
    reveal: str | bool | None = None,
    timeout: float | None = None,
    seed: int | None = None,
) -> None:
    """Check a derivative written as text (untrusted student input) against ``function``.

    The check runs in a guarded worker process with a time limit; an answer
    that cannot be read, or that takes too long, fails like a wrong one. A
    text answer in the student's file is read with :meth:`Submission.text`.

    >>> assert_answer("2*x*cos(x^2)", "sin(x^2)")
    """
    __tracebackhide__ = True
    from symgrad.answers import check_answer
    from symgrad.errors import SymgradError
    from symgrad.guard import DEFAULT_TIMEOUT, run_guarded

    settings = _settings(reveal=reveal, seed=seed)
    f = _function(function)
    if not isinstance(answer, str):
        raise GradingFailure(f"the answer is not text but {type(answer).__name__}")
    try:
        check = run_guarded(
            check_answer,
            f,
            answer,
            wrt,
            order,
            timeout=timeout or max(DEFAULT_TIMEOUT, 10.0),
            seed=_seed(settings),
            reveal=settings.reveal == "formula",
        )
    except SymgradError as err:
        _note(
            {
                "kind": "answer",
                "answer": answer[:500],
                "verdict": "failed",
                "diagnosis": "unreadable",
            }
        )
        raise GradingFailure(f"the answer {_said(answer)!r} could not be checked: {err}") from None
    key = check.diagnosis.mistake if check.diagnosis is not None else None
    verdict = "passed" if check.correct else "failed"
    _note({"kind": "answer", "answer": answer[:500], "verdict": verdict, "diagnosis": key})
    if not check.correct:
        text = check.plain_text().rstrip()
        if settings.reveal == "none":
            text = "\n".join(line for line in text.splitlines() if not line.startswith("  at "))
        raise GradingFailure(f"the answer {_said(answer)!r} is wrong\n" + text)


# -- the pytest plugin ------------------------------------------------------------------

_INI: dict[str, tuple[str, Callable[[str], Any]]] = {
    "symgrad_points": ("points", int),
    "symgrad_seed": ("seed", int),
    "symgrad_rtol": ("rtol", float),
    "symgrad_atol": ("atol", float),
    "symgrad_scale": ("scale", float),
    "symgrad_reveal": ("reveal", str),
    "symgrad_cpu_limit": ("cpu_limit", float),
    "symgrad_time_limit": ("time_limit", float),
    "symgrad_memory_mb": ("memory_mb", int),
    "symgrad_partial": ("partial", lambda text: text.lower() in ("1", "true", "yes", "on")),
}
_OUTPUTS = {  # option -> ini name: where a grading run leaves its results
    "symgrad_log": "symgrad_log",
    "symgrad_results": "symgrad_results",
    "symgrad_gradebook": "symgrad_gradebook",
}

if pytest is not None:

    def pytest_addoption(parser) -> None:
        group = parser.getgroup("symgrad", "symgrad gradient grading")
        group.addoption(
            "--symgrad-reveal",
            action="store_true",
            default=False,
            help="show the reference formula when a symgrad gradient check fails",
        )
        for name, (field, _) in _INI.items():
            parser.addini(name, f"symgrad marker default for {field}", default=None)
        group.addoption(
            "--symgrad-student",
            default=None,
            metavar="ID",
            help="who is graded (default: $SYMGRAD_STUDENT), for the log and the gradebook",
        )
        group.addoption(
            "--symgrad-log", default=None, metavar="FILE", help="append one JSON line per test"
        )
        group.addoption(
            "--symgrad-results",
            default=None,
            metavar="FILE",
            help="write Gradescope's results.json (scores, maximum scores, output)",
        )
        group.addoption(
            "--symgrad-gradebook",
            default=None,
            metavar="FILE",
            help="append this student's row (a score per test) to a CSV gradebook",
        )
        for name in _OUTPUTS.values():
            parser.addini(name, f"like --{name.replace('_', '-')}", default=None)
        parser.addini(
            "symgrad_course_seed", "the course seed of per-student variants", default=None
        )
        parser.addini(
            "symgrad_scores",
            "points per test, one 'test_name = points' per line",
            type="linelist",
            default=[],
        )

    _GRADING = pytest.StashKey[dict]()  # per run: the outputs, the student, each test's score

    def _output(config, name: str) -> str | None:
        value = config.getoption(name, default=None)
        if value:
            return os.path.abspath(value)
        value = config.getini(_OUTPUTS[name])
        if value:
            return os.path.join(str(config.rootpath), value.strip())
        return None

    def pytest_configure(config) -> None:
        outputs = {name: _output(config, name) for name in _OUTPUTS}
        grading: dict[str, Any] = {"tests": [], "student": None}
        grading["outputs"] = {k: v for k, v in outputs.items() if v}
        config.stash[_GRADING] = grading
        student = config.getoption("symgrad_student", default=None) or os.environ.get(
            "SYMGRAD_STUDENT"
        )
        if student is not None:
            from symgrad.gradebook import GradebookError, check_student_id

            try:
                student = check_student_id(student)
            except GradebookError as err:
                raise pytest.UsageError(str(err)) from None
        elif "symgrad_gradebook" in grading["outputs"]:
            raise pytest.UsageError(
                "--symgrad-gradebook needs the student: --symgrad-student ID or SYMGRAD_STUDENT"
            )
        grading["student"] = student
        config.addinivalue_line(
            "markers",
            "symgrad(points=5, seed=None, rtol=1e-6, atol=1e-9, scale=2.0, reveal='values', "
            "cpu_limit=10, time_limit=60, memory_mb=2048, max_score=1, partial=False, "
            "variant=None, params=None, template=None, course_seed=0): points, tolerance, what "
            "a failure shows (reveal: none, values or formula), the limits of symgrad's checks, "
            "the test's score, and per-student variants",
        )

    def _ini_settings(config) -> Settings:
        settings = DEFAULTS
        for name, (field, kind) in _INI.items():
            raw = config.getini(name)
            if raw in (None, "", []):
                continue
            try:
                value = kind(raw.strip() if isinstance(raw, str) else raw)
            except (TypeError, ValueError):
                message = f"ini option {name} = {raw!r} is not a {kind.__name__}"
                raise pytest.UsageError(message) from None
            settings = settings._replace(**{field: value})
        return settings

    def _item_settings(item) -> Settings:
        settings = _ini_settings(item.config)
        if item.config.getoption("symgrad_reveal", default=False):
            settings = settings._replace(reveal="formula")
        marker = item.get_closest_marker("symgrad")
        if marker is not None:
            unknown = sorted(set(marker.kwargs) - set(Settings._fields))
            if unknown:
                raise GradingTestError(
                    f"the symgrad marker has no option {', '.join(unknown)}"
                    f" (it has {', '.join(Settings._fields)})"
                )
            settings = settings._replace(**marker.kwargs)
        return settings._replace(reveal=_reveal(settings.reveal))

    def _item_variant(item, settings: Settings) -> dict[str, float] | None:
        """The test's variant for the student being graded (None without one)."""
        if settings.variant is None:
            return None
        if settings.variant != "student":
            raise GradingTestError(f"variant must be 'student', not {settings.variant!r}")
        if not settings.params:
            raise GradingTestError("variant='student' needs params={'a': (low, high), ...}")
        grading = item.config.stash.get(_GRADING, {})
        student = grading.get("student")
        if student is None:
            raise GradingTestError(
                "variant='student' needs the student's ID: --symgrad-student ID or SYMGRAD_STUDENT"
            )
        exercise = getattr(item, "originalname", None) or item.name
        course = settings.course_seed
        ini = item.config.getini("symgrad_course_seed")
        if ini and course == DEFAULTS.course_seed:
            course = int(ini)
        return draw_variant(settings.params, student, exercise, course, settings.template)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(item):
        global _current, _record, _variant
        _record = {"checks": [], "variant": getattr(item, "symgrad_variant", None)}
        item.symgrad_record = _record
        _current = _item_settings(item)
        _variant = getattr(item, "symgrad_variant", None)
        try:
            outcome = yield
            credit = getattr(item, "symgrad_credit", None)
            failure = credit.failure() if credit is not None else None
            if failure and outcome.excinfo is None:  # every part ran; some failed
                outcome.force_exception(GradingFailure(failure))
        finally:
            _current = DEFAULTS
            _record = None
            _variant = None

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(item) -> None:
        marker = item.get_closest_marker("symgrad")
        if marker is not None and "variant" in marker.kwargs:
            item.symgrad_variant = _item_variant(item, _item_settings(item))

    def _max_score(item) -> tuple[float, bool]:
        """The test's points (marker, else the ini table, else 1) and whether they split."""
        try:
            settings = _item_settings(item)
        except Exception:  # noqa: BLE001 - a bad marker is reported by the test itself
            settings = DEFAULTS
        if settings.max_score is not None:
            return float(settings.max_score), bool(settings.partial)
        for line in item.config.getini("symgrad_scores"):
            name, sep, value = line.partition("=")
            name = name.strip()
            if sep and name and (item.nodeid.endswith(name) or item.name == name):
                try:
                    return float(value), bool(settings.partial)
                except ValueError:
                    message = f"symgrad_scores: {line!r} is not 'name = points'"
                    raise pytest.UsageError(message) from None
        return 1.0, bool(settings.partial)

    def _score(item, report) -> dict[str, Any]:
        maximum, partial = _max_score(item)
        record = getattr(item, "symgrad_record", None) or {"checks": []}
        checks = record["checks"]
        status = "passed" if report.passed else "failed"
        if getattr(report, "symgrad_test_error", False):
            status = "error"
        score = maximum if report.passed else 0.0
        credit = getattr(item, "symgrad_credit", None)
        if credit is not None and credit.weights and status == "failed":
            score = maximum * credit.share()
        parts = [ok for c in checks if c["kind"] == "gradient" for ok in c["parts"].values()]
        if status == "failed" and partial and parts and credit is None:
            others_ok = all(c["verdict"] == "passed" for c in checks if c["kind"] != "gradient")
            if others_ok:
                score = maximum * sum(parts) / len(parts)
        return {
            "score": round(score, 6),
            "max_score": maximum,
            "status": status,
            "checks": checks,
            "variant": getattr(item, "symgrad_variant", None),
        }

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(item, call):
        outcome = yield
        report = outcome.get_result()
        if call.excinfo is not None and report.failed:
            if call.excinfo.errisinstance(GradingFailure):
                report.longrepr = str(call.excinfo.value)
            elif call.excinfo.errisinstance(GradingTestError):
                report.longrepr = f"error in the test (not the submission): {call.excinfo.value}"
                report.symgrad_test_error = True
        if call.when == "call" or (call.when == "setup" and report.failed):
            found = _score(item, report)
            report.user_properties.append(("symgrad", found))
            _graded(item.config, report, found)

    def pytest_report_teststatus(report, config):
        if getattr(report, "symgrad_test_error", False) and report.when == "call":
            return "error", "E", "ERROR"
        return None

    def _graded(config, report, found: dict[str, Any]) -> None:
        """Keep the test's score for the run's results, and log the attempt if asked."""
        grading = config.stash.get(_GRADING, None)
        if grading is None:
            return
        output = ""
        if report.failed:
            output = str(report.longrepr)
            output = output if len(output) <= 4000 else output[:3999] + "…"
        entry = {"name": report.nodeid, "output": output, "visibility": "visible", **found}
        grading["tests"].append(entry)
        log = grading["outputs"].get("symgrad_log")
        if log and (found["checks"] or report.failed) and found["status"] != "error":
            from symgrad.attempts import append_attempt, attempt
            from symgrad.errors import SymgradError
            from symgrad.gradebook import short_test_id

            answer, diagnosis = _attempt_answer(found["checks"], output)
            record = attempt(
                grading["student"],
                short_test_id(report.nodeid),  # the same exercise wherever the tests live
                answer,
                "correct" if found["status"] == "passed" else "incorrect",
                source="pytest",
                diagnosis=diagnosis,
                variant={k: str(v) for k, v in found["variant"].items()}
                if found.get("variant")
                else None,
            )
            try:
                append_attempt(log, record, count=True)
            except SymgradError as err:
                grading.setdefault("errors", []).append(str(err))

    def _attempt_answer(checks: list[dict[str, Any]], output: str) -> tuple[str, str | None]:
        """What the attempt log says the student answered, and the likely mistake's key."""
        import json

        failed = [c for c in checks if c.get("verdict") != "passed"]
        chosen = (failed or checks or [{}])[0]
        if chosen.get("kind") == "answer":
            answer = chosen.get("answer") or ""
        elif chosen.get("values") is not None:
            answer = json.dumps(chosen["values"])
        else:
            answer = output.split("\n", 1)[0]
        return answer, chosen.get("diagnosis") if failed else None

    def pytest_sessionfinish(session) -> None:
        grading = session.config.stash.get(_GRADING, None)
        if grading is None:
            return
        outputs = grading["outputs"]
        tests = [
            {k: t[k] for k in ("name", "score", "max_score", "status", "output", "visibility")}
            for t in grading["tests"]
        ]
        errors = list(dict.fromkeys(grading.get("errors", [])))
        if not outputs or not tests:
            return
        from symgrad.gradebook import GradebookError, append_grades, write_results

        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        for error in errors:
            if reporter is not None:
                reporter.write_line(f"symgrad: error: {error}")
            session.exitstatus = 2
        try:
            if "symgrad_results" in outputs:
                write_results(outputs["symgrad_results"], tests)
            if "symgrad_gradebook" in outputs:
                scores = {t["name"]: t["score"] for t in tests}
                maximum = sum(t["max_score"] for t in tests)
                append_grades(outputs["symgrad_gradebook"], grading["student"], scores, maximum)
        except GradebookError as err:
            if reporter is not None:
                reporter.write_line(f"symgrad: error: {err}")
            session.exitstatus = 2

    def pytest_runtest_teardown(item, nextitem):
        if _workers and (nextitem is None or nextitem.path != item.path):
            close_workers()  # one worker per test module and submission

    @pytest.fixture
    def credit(request):
        """Partial credit per part: ``with credit.part("w"): ...`` (see symgrad.gradebook.Credit)."""
        from symgrad.gradebook import Credit

        request.node.symgrad_credit = Credit()
        return request.node.symgrad_credit

    @pytest.fixture
    def symgrad_variant(request) -> dict[str, float]:
        """This student's parameter values for the test (``variant="student"`` in the marker)."""
        variant = getattr(request.node, "symgrad_variant", None)
        if variant is None:
            raise GradingTestError(
                "symgrad_variant needs @pytest.mark.symgrad(variant='student', ...)"
            )
        return dict(variant)

    @pytest.fixture
    def symgrad_settings(request) -> Settings:
        """The ``symgrad`` marker's settings for this test (with the ini options and flags)."""
        return _item_settings(request.node)
