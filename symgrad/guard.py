"""Run untrusted computations in a worker process with a time and memory limit.

A Python big-integer operation (``9**9**9``) or a runaway SymPy simplification
cannot be interrupted by a signal, so the only real guard is a separate
process that can be killed. :func:`run_guarded` forks (cheap on Linux: the
worker shares the parent's already-imported SymPy), runs the function there
under ``RLIMIT_AS``, and sends the pickled result back through a pipe.

Where ``fork`` is unavailable (Windows) or the caller asks for it (``--debug``
or ``SYMGRAD_NO_FORK=1``), the function runs in-process without a time limit.

>>> run_guarded(pow, 2, 10, timeout=5)
1024
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import time
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from symgrad.errors import LimitError, SymgradError

T = TypeVar("T")

DEFAULT_TIMEOUT = 3.0
DEFAULT_MEMORY_MB = 2048


class WorkerCrash(Exception):  # noqa: N818 - a crash, not an error the user made
    """The worker raised an unexpected exception; carries its formatted traceback."""

    def __init__(self, summary: str, details: str):
        super().__init__(summary)
        self.details = details


def _in_process() -> bool:
    return not hasattr(os, "fork") or os.environ.get("SYMGRAD_NO_FORK") == "1"


def _limit_memory(memory_mb: int) -> None:
    try:
        import resource

        limit = memory_mb * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):  # pragma: no cover - platform dependent
        pass


def _child(write_fd: int, fn: Callable[..., Any], args: tuple, kwargs: dict, memory_mb: int):
    status = 1
    try:
        _limit_memory(memory_mb)
        try:
            payload: tuple[str, Any] = ("ok", fn(*args, **kwargs))
        except SymgradError as err:
            payload = ("error", err)
        except (MemoryError, RecursionError) as err:
            payload = ("error", LimitError(_resource_message(err), hint=_HINT))
        except BaseException as err:  # noqa: BLE001 - reported to the parent
            payload = ("crash", (f"{type(err).__name__}: {err}", traceback.format_exc()))
        try:
            data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as err:  # noqa: BLE001
            data = pickle.dumps(("crash", (f"result not picklable: {err}", traceback.format_exc())))
        view = memoryview(data)
        while view:
            written = os.write(write_fd, view)
            view = view[written:]
        status = 0
    finally:
        os._exit(status)


_HINT = "simplify the expression, or raise --timeout if you trust it"


def _resource_message(err: BaseException) -> str:
    if isinstance(err, RecursionError):
        return "the expression is nested too deeply to work with"
    return "the computation needed too much memory"


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

    Raises the worker's :class:`~symgrad.errors.SymgradError` unchanged,
    :class:`~symgrad.errors.LimitError` when the time or memory limit is hit,
    and :class:`WorkerCrash` for an unexpected exception (a bug).
    """
    if in_process or _in_process():
        return fn(*args, **kwargs)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the worker
        os.close(read_fd)
        _child(write_fd, fn, args, kwargs, memory_mb)
    os.close(write_fd)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    timed_out = False
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([read_fd], [], [], remaining)
            if not ready:
                timed_out = True
                break
            chunk = os.read(read_fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        if timed_out:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _, status = os.waitpid(pid, 0)
    if timed_out:
        raise LimitError(
            f"gave up after {timeout:g} s: the computation is too expensive", hint=_HINT
        )
    if not chunks:
        if os.WIFSIGNALED(status):
            raise LimitError(
                "the computation was stopped by the system (signal "
                f"{os.WTERMSIG(status)}), probably for using too much memory",
                hint=_HINT,
            )
        raise LimitError("the computation ran out of resources", hint=_HINT)
    kind, value = pickle.loads(b"".join(chunks))
    if kind == "ok":
        return value
    if kind == "error":
        raise value
    summary, details = value
    raise WorkerCrash(summary, details)
