"""Run untrusted computations in a worker process with a CPU-time and a memory limit.

A Python big-integer operation (``9**9**9``) or a runaway SymPy simplification
cannot be interrupted by a signal, so the only real guard is a separate
process that can be killed. :func:`run_guarded` forks (cheap on Linux: the
worker shares the parent's already-imported SymPy), runs the function there
under ``RLIMIT_AS``, and sends the pickled result back through a pipe.

The time limit counts the worker's **CPU time**, so the answer does not
depend on how busy the machine is: the parent reads the worker's CPU clock
while it waits (and ``RLIMIT_CPU`` stops the worker one second later in any
case). A wall-clock backstop, :data:`WALL_FACTOR` times the limit plus
:data:`WALL_EXTRA` seconds, catches a worker that waits instead of working;
an idle machine never meets it first.

On a terminal, work that takes longer than about a second shows a spinner
(or the stages the worker reports with :func:`report`) on stderr; nothing is
shown when stderr is piped.

Where ``fork`` is unavailable (Windows) or the caller asks for it (``--debug``
or ``SYMGRAD_NO_FORK=1``), the function runs in-process without a time limit.

Inside a process, :func:`cpu_budget` bounds a block of interruptible work
(a simplification, a parse) by CPU time: what ``--steps``, ``graph`` and
``check`` use for work that may give up without failing the answer.

>>> run_guarded(pow, 2, 10, timeout=5)
1024
"""

from __future__ import annotations

import math
import os
import signal
import struct
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager

from symgrad.errors import InputError, LimitError, SymgradError

TYPE_CHECKING = False  # importing typing would cost --help and --version a quarter of their time
if TYPE_CHECKING:
    from typing import Any, TypeVar

    T = TypeVar("T")

DEFAULT_TIMEOUT = 3.0  # seconds of CPU time
MAX_TIMEOUT = 86_400.0  # a day: --timeout beyond it is surely a typo
DEFAULT_MEMORY_MB = 2048
WALL_FACTOR = 20  # wall-clock backstop: WALL_FACTOR x the CPU limit + WALL_EXTRA seconds
WALL_EXTRA = 30.0
PROGRESS_AFTER = 1.0  # seconds of wall clock before a terminal shows progress
POLL = 0.1  # how often the parent reads the worker's CPU clock

_HEADER = struct.Struct("!Q")
_report_fd: int | None = None  # set in the worker: where report() writes


class WorkerCrash(Exception):  # noqa: N818 - a crash, not an error the user made
    """The worker raised an unexpected exception; carries its formatted traceback."""

    def __init__(self, summary: str, details: str):
        super().__init__(summary)
        self.details = details


def seconds(text: str) -> float:
    """``--timeout``'s value: positive finite seconds, at most :data:`MAX_TIMEOUT`.

    >>> seconds("2.5")
    2.5
    >>> seconds("nan")
    Traceback (most recent call last):
    ...
    symgrad.errors.InputError: --timeout wants seconds, a number above 0 and at most 86400 (a day); got 'nan'
    """
    try:
        value = float(text)
    except (TypeError, ValueError):
        value = math.nan
    if not (0 < value <= MAX_TIMEOUT):
        raise InputError(
            f"--timeout wants seconds, a number above 0 and at most {MAX_TIMEOUT:g} (a day); "
            f"got {str(text)[:30]!r}"
        )
    return value


def report(stage: str, done: float | None = None) -> None:
    """Tell the waiting parent what the worker is doing (``done``: the fraction, 0 to 1).

    Shown only on a terminal; outside a worker (in-process runs) it does nothing.
    """
    if _report_fd is not None:
        _send(_report_fd, ("progress", (str(stage), done)))


def _send(fd: int, message: tuple[str, Any]) -> None:
    import pickle  # here, not at the top: --help and --version never run a worker

    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _in_process() -> bool:
    return not hasattr(os, "fork") or os.environ.get("SYMGRAD_NO_FORK") == "1"


def _limit(kind: int, value: int) -> None:
    import resource

    _, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, hard))


def _limit_resources(memory_mb: int, timeout: float) -> None:
    try:
        import resource

        _limit(resource.RLIMIT_AS, memory_mb * 1024 * 1024)
        _limit(resource.RLIMIT_CPU, math.ceil(timeout) + 1)  # the parent normally stops it first
    except (ImportError, ValueError, OSError):  # pragma: no cover - platform dependent
        pass
    try:  # Linux: the worker dies with the parent, however the parent ends
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


def _child(write_fd: int, fn: Callable[..., Any], args: tuple, kwargs: dict, limits: tuple):
    import traceback

    global _report_fd
    status = 1
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what ^C means
        _limit_resources(*limits)
        _report_fd = write_fd
        import warnings

        # Results say in symgrad's words what an overflow means (a note, "diverged"):
        # numpy's own warnings would only repeat it raw on the terminal.
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            payload: tuple[str, Any] = ("ok", fn(*args, **kwargs))
        except SymgradError as err:
            payload = ("error", err)
        except (MemoryError, RecursionError) as err:
            payload = ("error", LimitError(_resource_message(err), hint=_HINT))
        except BaseException as err:  # noqa: BLE001 - reported to the parent
            payload = ("crash", (f"{type(err).__name__}: {err}", traceback.format_exc()))
        try:
            _send(write_fd, payload)
        except Exception as err:  # noqa: BLE001
            _send(write_fd, ("crash", (f"result not picklable: {err}", traceback.format_exc())))
        status = 0
    finally:
        os._exit(status)


_HINT = "simplify the expression, or raise --timeout if you trust it"


def _resource_message(err: BaseException) -> str:
    if isinstance(err, RecursionError):
        return "the expression is nested too deeply to work with"
    return "the computation needed too much memory"


_TICKS = None


def cpu_seconds(pid: int) -> float | None:
    """The CPU time (user + system) process ``pid`` has used, where the system says it."""
    global _TICKS
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        if _TICKS is None:
            _TICKS = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / _TICKS
    except (OSError, IndexError, ValueError):
        return None


class _Terminated(Exception):  # noqa: N818
    pass


def _on_sigterm(signum, frame):
    raise _Terminated


def run_guarded(
    fn: Callable[..., T],
    /,
    *args: Any,
    timeout: float = DEFAULT_TIMEOUT,
    memory_mb: int = DEFAULT_MEMORY_MB,
    in_process: bool = False,
    **kwargs: Any,
) -> T:
    """Call ``fn(*args, **kwargs)`` in a worker process and return its result.

    ``timeout`` is seconds of the worker's CPU time. Raises the worker's
    :class:`~symgrad.errors.SymgradError` unchanged,
    :class:`~symgrad.errors.LimitError` when the time or memory limit is hit,
    and :class:`WorkerCrash` for an unexpected exception (a bug). SIGTERM
    stops the worker too, and the parent exits with status 143.
    """
    if in_process or _in_process():
        return fn(*args, **kwargs)
    import gc
    import pickle
    import select
    import traceback  # noqa: F401 - loaded before the fork, for the worker's crash reports

    read_fd, write_fd = os.pipe()
    # Everything alive now (SymPy's tens of megabytes of objects) moves to the collector's
    # permanent generation for the worker, as the gc module's documentation advises before a
    # fork without exec: the worker's collections no longer walk, and so copy, every page it
    # inherited.
    gc.freeze()
    pid = os.fork()
    if pid:
        gc.unfreeze()  # the parent collects as before; only the worker keeps them frozen
    if pid == 0:  # pragma: no cover - runs in the worker
        os.close(read_fd)
        _child(write_fd, fn, args, kwargs, (memory_mb, timeout))
    os.close(write_fd)
    try:
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # pragma: no cover - not the main thread
        previous = None
    progress = _Progress(timeout)
    stop = None  # why the worker was stopped, if it was
    buffer = bytearray()
    payload = None
    try:
        start = time.monotonic()
        wall = timeout * WALL_FACTOR + WALL_EXTRA
        while True:
            elapsed = time.monotonic() - start
            if elapsed >= wall:
                stop = "wall"
                break
            ready, _, _ = select.select([read_fd], [], [], min(POLL, wall - elapsed))
            if ready:
                chunk = os.read(read_fd, 1 << 16)
                if not chunk:
                    break
                buffer += chunk
                while len(buffer) >= _HEADER.size:
                    (size,) = _HEADER.unpack_from(buffer)
                    if len(buffer) < _HEADER.size + size:
                        break
                    message = pickle.loads(bytes(buffer[_HEADER.size : _HEADER.size + size]))
                    del buffer[: _HEADER.size + size]
                    if message[0] == "progress":
                        progress.stage(*message[1])
                    else:
                        payload = message
            used = cpu_seconds(pid)
            if payload is None and used is not None and used > timeout:
                stop = "cpu"
                break
            progress.tick(time.monotonic() - start, used)
    except _Terminated:
        stop = "term"
    finally:
        progress.close()
        os.close(read_fd)
        if stop is not None or payload is None:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _, status = os.waitpid(pid, 0)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    if stop == "term":
        print("symgrad: terminated", file=sys.stderr)
        raise SystemExit(143)
    if stop == "cpu" or (
        payload is None and os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU
    ):
        raise LimitError(
            f"gave up after {timeout:g} s of CPU time: the computation is too expensive",
            hint=_HINT,
        )
    if stop == "wall":
        raise LimitError(
            f"gave up after {wall:g} s of waiting: the worker used less than {timeout:g} s of "
            "CPU time, so the machine is too busy or the work is stuck",
            hint="try again when the machine is less busy",
        )
    if payload is None:
        if os.WIFSIGNALED(status):
            raise LimitError(
                "the computation was stopped by the system (signal "
                f"{os.WTERMSIG(status)}), probably for using too much memory",
                hint=_HINT,
            )
        raise LimitError("the computation ran out of resources", hint=_HINT)
    kind, value = payload
    if kind == "ok":
        return value
    if kind == "error":
        raise value
    summary, details = value
    raise WorkerCrash(summary, details)


class _Progress:
    """A transient rich spinner or bar on stderr, only on a terminal and only past a second."""

    def __init__(self, timeout: float):
        self.timeout = timeout
        self.enabled = _stderr_is_terminal()
        self.text = "working"
        self.done: float | None = None
        self.live = None
        self.task = None

    def stage(self, text: str, done: float | None) -> None:
        self.text, self.done = text, done

    def tick(self, elapsed: float, cpu: float | None) -> None:
        if not self.enabled or elapsed < PROGRESS_AFTER:
            return
        if self.live is None:
            try:
                from rich.console import Console
                from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn

                self.live = Progress(
                    SpinnerColumn(),
                    TextColumn("{task.description}"),
                    BarColumn(),
                    TextColumn("{task.fields[cpu]}"),
                    console=Console(file=sys.stderr),
                    transient=True,
                )
                self.task = self.live.add_task(self.text, total=None, cpu="")
                self.live.start()
            except Exception:  # noqa: BLE001 - progress is a courtesy, never an error
                self.enabled = False
                return
        cpu_text = "" if cpu is None else f"{cpu:.1f} of {self.timeout:g} s CPU"
        total = None if self.done is None else 1.0
        self.live.update(
            self.task, description=self.text, completed=self.done or 0, total=total, cpu=cpu_text
        )

    def close(self) -> None:
        if self.live is not None:
            try:
                self.live.stop()
            except Exception:  # noqa: BLE001, S110
                pass


def _stderr_is_terminal() -> bool:
    if os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(sys.stderr, "isatty", None)
    try:
        if not (isatty and isatty()):
            return False
    except (ValueError, OSError):
        return False
    from symgrad.output import needs_ascii

    return not needs_ascii(sys.stderr)  # the spinner's characters must be printable


# -- a CPU-time budget inside this process ----------------------------------------------


class BudgetExceededError(BaseException):
    """Raised inside a :func:`cpu_budget` block when its CPU time is used up.

    A ``BaseException``, so that SymPy's own ``except Exception`` clauses (simplify tries
    several methods and catches their failures) cannot swallow it and run on unbounded.
    """


@contextmanager
def cpu_budget(seconds: float):
    """Run a block for at most ``seconds`` of CPU time; yields a function giving what is left.

    In the main thread of a Unix process a profiling timer interrupts the block with
    :class:`BudgetExceededError`; elsewhere (threads, Windows) the block runs to its end and only
    the time left is reported, so callers check it between pieces of work.

    >>> with cpu_budget(10.0) as left:
    ...     left() > 0
    True
    """
    start = time.process_time()

    def left() -> float:
        return seconds - (time.process_time() - start)

    import gc
    import threading

    active = [False]
    previous = None
    collecting = False
    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
        if signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0):  # never take a timer in use

            def stop(signum, frame):
                if active[0]:  # raised again at every tick until the block has ended
                    raise BudgetExceededError

            previous = signal.signal(signal.SIGPROF, stop)
            active[0] = True
            # The signal is raised wherever Python runs; in a gc callback or a finalizer Python
            # would only report it as unraisable and carry on, so the collector waits meanwhile.
            collecting = gc.isenabled()
            gc.disable()
            signal.setitimer(signal.ITIMER_PROF, max(seconds, 1e-3), 0.05)
    armed = active[0]
    try:
        yield left
    finally:
        active[0] = False
        if armed:
            signal.setitimer(signal.ITIMER_PROF, 0)
            signal.signal(signal.SIGPROF, previous)
            if collecting:
                gc.enable()
