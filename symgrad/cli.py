"""The ``symgrad`` command: parse arguments, call the API, print, return an exit code.

Each command lives in ``symgrad/commands/<name>.py`` and is imported only
when it runs, so ``symgrad "w*w+2" --at w=10`` loads no more than it needs.
``symgrad EXPR ...`` is short for ``symgrad grad EXPR ...``.

>>> main(["--version"]) == 0
symgrad 0.1.0
True
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
from collections.abc import Sequence

from symgrad import __version__
from symgrad.errors import EXIT_INPUT, SymgradError
from symgrad.output import FORMATS, Output, SafeStream, WriteError, to_json
from symgrad.startup import defer_tensor_module

EXIT_INTERNAL = 4

COMMANDS: dict[str, str] = {
    "grad": "symgrad.commands.grad",
    "check": "symgrad.commands.check",
    "lesson": "symgrad.commands.lesson",
    "step": "symgrad.commands.step",
    "critic": "symgrad.commands.critic",
    "shell": "symgrad.commands.shell",
    "report": "symgrad.commands.report",
    "graph": "symgrad.commands.graph",
}

DEFAULT_COMMAND = "grad"


class UsageError(Exception):
    """argparse found a problem with the command line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage dump
        raise UsageError(message)


def _command_list() -> str:
    lines = ["commands (symgrad EXPR is short for symgrad grad EXPR):"]
    for name, path in COMMANDS.items():
        module = importlib.import_module(path)
        lines.append(f"  {name:<8} {module.HELP}")
    return "\n".join(lines)


def _formatter(prog: str) -> argparse.HelpFormatter:
    """argparse's formatter at the terminal's width, found without importing shutil.

    ``shutil.get_terminal_size`` is the same rule (``COLUMNS``, then the
    terminal, then 80) but ``import shutil`` pulls in compression modules that
    would double the cost of ``symgrad --help``.
    """
    import os

    try:
        width = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        width = 0
    if width <= 0:
        try:
            width = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            width = 80
    return argparse.RawDescriptionHelpFormatter(prog, width=max(width, 20) - 2)


def build_parser(name: str) -> tuple[argparse.ArgumentParser, object]:
    """The argument parser of one command, and the command's module."""
    module = importlib.import_module(COMMANDS[name])
    prog = "symgrad" if name == DEFAULT_COMMAND else f"symgrad {name}"
    parser = _Parser(
        prog=prog,
        description=module.HELP,
        epilog=getattr(module, "EPILOG", None),
        formatter_class=_formatter,
    )
    module.add_arguments(parser)
    common = parser.add_argument_group("output and safety")
    common.add_argument(
        "--format",
        choices=FORMATS,
        default="auto",
        help="rich on a terminal, plain when piped or NO_COLOR is set (default: auto)",
    )
    common.add_argument(
        "--standalone",
        action="store_true",
        help="with --format latex: a complete LaTeX document (pdflatex compiles it as it is)",
    )
    common.add_argument(
        "--timeout",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="limit on the CPU time of the work (positive seconds, at most a day)",
    )
    common.add_argument(
        "--debug", action="store_true", help="run in-process and show tracebacks of internal errors"
    )
    common.add_argument("--version", action="version", version=f"symgrad {__version__}")
    return parser, module


def negative_values(parser: argparse.ArgumentParser, argv: Sequence[str]) -> list[str]:
    """Join ``--answer -sin(x)`` into ``--answer=-sin(x)`` so argparse takes it as the value.

    argparse reads any word that starts with ``-`` as an option, so the
    derivatives students write (``-sin(x)``) and negative numbers in lists
    (``--direction -1,2``) were refused with "expected one argument". A word
    after an option that takes a value is that value, unless it is itself one
    of the parser's options; ``--`` ends the options as usual.

    >>> parser = argparse.ArgumentParser()
    >>> _ = parser.add_argument("--answer")
    >>> _ = parser.add_argument("--reveal", action="store_true")
    >>> negative_values(parser, ["x", "--answer", "-sin(x)", "--reveal"])
    ['x', '--answer=-sin(x)', '--reveal']
    >>> negative_values(parser, ["--answer", "--reveal"])
    ['--answer', '--reveal']
    """
    takes_value: set[str] = set()
    known: set[str] = set()
    for action in parser._actions:  # argparse has no public list of its options
        known.update(action.option_strings)
        if action.nargs is None and action.option_strings:
            takes_value.update(action.option_strings)
    longs = [o for o in known if o.startswith("--")]

    def resolve(word: str) -> str | None:
        """The option ``word`` names, allowing argparse's unambiguous abbreviations."""
        name = word.split("=", 1)[0]
        if name in known:
            return name
        if name.startswith("--") and len(name) > 2:
            matches = [o for o in longs if o.startswith(name)]
            if len(matches) == 1:
                return matches[0]
        return None

    out: list[str] = []
    words = list(argv)
    i = 0
    while i < len(words):
        word = words[i]
        if word == "--":
            out.extend(words[i:])
            break
        option = resolve(word) if word.startswith("-") and "=" not in word else None
        following = words[i + 1] if i + 1 < len(words) else None
        if (
            option in takes_value
            and following is not None
            and following.startswith("-")
            and following != "--"
            and resolve(following) is None
        ):
            out.append(f"{word}={following}")
            i += 2
            continue
        out.append(word)
        i += 1
    return out


def _seconds(text: str) -> float:
    from symgrad.guard import seconds

    try:
        return seconds(text)
    except SymgradError as err:
        raise argparse.ArgumentTypeError(str(err).removeprefix("--timeout ")) from None


def _fail(message: str, code: int, fmt: str, data: dict | None = None) -> int:
    _say(f"symgrad: error: {message}")
    if fmt == "json" and data is not None:
        try:
            out = SafeStream(sys.stdout)
            out.write(to_json(data, ascii=out.ascii) + "\n")
            out.flush()
        except WriteError:
            _silence_stdout()
    return code


def _say(line: str) -> None:
    """One line on stderr, in ASCII if stderr cannot encode it; never an exception."""
    try:
        err = SafeStream(sys.stderr, "standard error")
        err.write(line + "\n")
        err.flush()
    except WriteError:
        pass


@contextlib.contextmanager
def _warnings_in_our_words():
    """numpy's and matplotlib's RuntimeWarnings never reach the user raw: one note says
    what they mean (float64 overflowed, so some values are inf or left out)."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        try:
            yield
        finally:
            seen = {str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)}
            if seen:
                what = "an overflow" if any("overflow" in m for m in seen) else "invalid values"
                _say(
                    f"symgrad: note: float64 arithmetic met {what} ({sorted(seen)[0][:50]}); "
                    "values beyond float64 are shown as inf or left out"
                )


def _silence_stdout() -> None:
    """After a failed write, point the process's stdout at /dev/null, so the interpreter's
    own flush at exit does not fail a second time with a traceback-like message."""
    import os

    if sys.stdout is None or sys.stdout is not sys.__stdout__:
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run symgrad with ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    defer_tensor_module()
    args_list = list(sys.argv[1:] if argv is None else argv)
    name = DEFAULT_COMMAND
    if args_list and args_list[0] in COMMANDS:
        name = args_list.pop(0)
    wants_json = "json" in args_list and "--format" in args_list or "--format=json" in args_list
    fmt = "json" if wants_json else "plain"
    try:
        parser, module = build_parser(name)
        wants_help = any(a in ("-h", "--help") for a in args_list)
        if name == DEFAULT_COMMAND and parser.epilog is None and wants_help:
            parser.epilog = _command_list()  # imports every command: only for --help
        args = parser.parse_args(negative_values(parser, args_list))
    except UsageError as err:
        message = str(err)
        hint = ""
        unrecognized = message.partition("unrecognized arguments: ")[2].split()
        # '-x^2' looks like an option; '--tangent' is just an option symgrad does not have
        looks_negative = any(a.startswith("-") and not a.startswith("--") for a in unrecognized)
        if looks_negative or "expected one argument" in message:
            hint = (
                " (an expression that starts with '-' goes after '--': symgrad --at x=1 -- '-x^2')"
            )
        return _fail(
            f"{message}{hint}; see symgrad {'' if name == DEFAULT_COMMAND else name + ' '}--help",
            EXIT_INPUT,
            fmt,
            {"error": "UsageError", "message": message, "exit_code": EXIT_INPUT},
        )
    except SystemExit as done:  # --help and --version
        return int(done.code or 0)
    if args.standalone and args.format not in ("auto", "latex"):
        return _fail(
            f"--standalone writes a LaTeX document, so it cannot go with --format {args.format}",
            EXIT_INPUT,
            fmt,
        )
    out = Output("latex" if args.standalone else args.format, standalone=args.standalone)
    try:
        with _warnings_in_our_words():
            code = int(module.run(args, out))
        out.flush()
        return code
    except WriteError as err:
        _silence_stdout()
        return _fail(str(err), err.exit_code, "plain")
    except SymgradError as err:
        return _fail(str(err), err.exit_code, out.format, err.to_dict())
    except KeyboardInterrupt:
        return _fail("interrupted", 130, out.format)
    except Exception as err:  # noqa: BLE001 - a bug: say so in one line
        if args.debug:
            details = getattr(err, "details", None)
            if details:
                _say(details)
            raise
        return _fail(
            f"internal error ({err}); this is a bug in symgrad, rerun with --debug for details",
            EXIT_INTERNAL,
            out.format,
            {"error": "InternalError", "message": str(err), "exit_code": EXIT_INTERNAL},
        )


def run() -> None:
    """Console-script entry point."""
    code = main()
    # The process ends here. Its final garbage collection would walk every object SymPy
    # loaded (tens of megabytes) only to free memory the system takes back anyway, at a cost
    # of about a third of the seed's whole answer; frozen objects are left out of it. Exit
    # handlers and stream flushing run as usual.
    import gc

    gc.freeze()
    raise SystemExit(code)
