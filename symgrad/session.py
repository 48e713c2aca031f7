"""A warm symgrad: SymPy and every command loaded once, each request in a fresh worker.

A cold ``symgrad "w*w+2" --at w=10`` spends nearly all its time importing
SymPy. A :class:`Session` pays that once: :func:`warm` imports SymPy and every
command, answers one fixed example so SymPy's caches and printers are set up,
and freezes the garbage collector's view of all that (``gc.freeze``), so the
worker forked for each request shares those pages with the session instead
of copying them.

Safety is the command line's: each request runs in a worker forked from the
warm process (:func:`symgrad.guard.run_guarded`), under its command's own
CPU-time and memory limits, so a runaway computation ends that request with
exit 3 and the session carries on. A fork per request rather than a worker
started in advance: the limits depend on the command (``critic`` allows 60 s,
``--timeout`` changes them), which is known only once the line is read, and
nothing is left over from one request to the next. The fork costs about
4.5 ms of CPU time of a 20-30 ms answer (measured on a busy 2-core machine);
a pre-started worker would hide that wait, not the CPU time.

The same warm path serves Python (a notebook, a grading script):
:func:`session` returns a :class:`Session` whose methods are symgrad's
functions, each run in a fresh guarded worker and returning the usual result.

>>> s = session()
>>> s.grad("w*w+2", at={"w": 10}).compute_gradients()
[(20.0, 10.0)]
>>> s.run(["w*w+2", "--at", "w=10", "--format", "json"]) == 0  # doctest: +ELLIPSIS
{...
True
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence

#: symgrad functions a :class:`Session` offers as methods (each runs in a guarded worker).
FUNCTIONS = (
    "grad",
    "steps",
    "check_answer",
    "nth_derivative",
    "hessian",
    "jacobian",
    "directional",
    "spot_check",
    "optimize",
)

WARM_UP = ("w*w+2", "--at", "w=10", "--format", "plain")

_warm = False


def warm() -> None:
    """Load SymPy and every command and answer one example, once per process."""
    global _warm
    if _warm:
        return
    import contextlib
    import ctypes  # the worker's limits use these: import them once, not in every worker
    import gc
    import importlib
    import io
    import pickle  # noqa: F401
    import resource  # noqa: F401
    import select  # noqa: F401
    import traceback  # noqa: F401

    import symgrad
    from symgrad import cli

    with contextlib.suppress(OSError):
        ctypes.CDLL(None)
    for path in cli.COMMANDS.values():
        importlib.import_module(path)
    for name in FUNCTIONS:
        getattr(symgrad, name)
    import symgrad.guard as guard

    # The warm-up answer runs here, in-process: the text is ours, not the user's.
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        guard.run_guarded(_answer, list(WARM_UP), in_process=True)
        # A checked answer's first confirmation by SymPy loads simplify's modules. Done
        # here, in this process, they are shared with every worker; otherwise each
        # ``check`` line loaded them again in its own worker (about 150 ms of CPU time).
        from symgrad.answers import check_answer

        check_answer("cos(w)", "-sin(w)")
    gc.collect()
    gc.freeze()  # what is loaded now stays shared with every forked worker
    _warm = True


def _answer(argv: list[str]) -> int:
    from symgrad.cli import main

    return main(argv)


class Session:
    """A warm process that answers command lines and API calls, each in a guarded worker.

    ``timeout`` (seconds of CPU time) and ``memory_mb`` apply to API calls;
    command lines use each command's own limits (and ``--timeout``), exactly
    as on the command line.
    """

    def __init__(self, timeout: float | None = None, memory_mb: int | None = None) -> None:
        from symgrad.guard import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT

        warm()
        self.timeout = DEFAULT_TIMEOUT if timeout is None else timeout
        self.memory_mb = DEFAULT_MEMORY_MB if memory_mb is None else memory_mb

    def run(self, line: str | Sequence[str]) -> int:
        """Answer one command line (``"w*w+2 --at w=10"`` or its words); return its exit code.

        Output goes to ``sys.stdout``/``sys.stderr`` exactly as the ``symgrad``
        command would print it. A line that shlex cannot split is a usage error.
        """
        import sys

        from symgrad.cli import main
        from symgrad.errors import EXIT_INPUT

        if isinstance(line, str):
            try:
                argv = shlex.split(line)
            except ValueError as err:
                print(f"symgrad: error: {err} in the line; close the quote", file=sys.stderr)
                return EXIT_INPUT
        else:
            argv = list(line)
        if argv[:1] == ["symgrad"]:  # a command pasted whole
            argv = argv[1:]
        if "--debug" in argv:
            print(
                "symgrad: error: --debug runs without the worker's limits, so the session "
                "refuses it; run symgrad --debug ... from the command line",
                file=sys.stderr,
            )
            return EXIT_INPUT
        return main(argv)

    def call(self, fn: Callable, /, *args, **kwargs):
        """``fn(*args, **kwargs)`` in a fresh worker under the session's limits."""
        from symgrad.guard import run_guarded

        return run_guarded(fn, *args, timeout=self.timeout, memory_mb=self.memory_mb, **kwargs)

    def __getattr__(self, name: str):
        if name not in FUNCTIONS:
            raise AttributeError(f"'Session' has no attribute {name!r}")
        import symgrad

        fn = getattr(symgrad, name)

        def method(*args, **kwargs):
            return self.call(fn, *args, **kwargs)

        method.__name__ = name
        method.__doc__ = f"symgrad.{name}, run in a guarded worker of the warm session."
        return method

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(FUNCTIONS))


def session(timeout: float | None = None, memory_mb: int | None = None) -> Session:
    """A warm :class:`Session` (the first one in a process pays for loading SymPy)."""
    return Session(timeout=timeout, memory_mb=memory_mb)
