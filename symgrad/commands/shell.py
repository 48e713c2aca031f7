"""``symgrad shell``: one warm process for a class or a homework session."""

from __future__ import annotations

import argparse
import sys

from symgrad.output import Output

HELP = "a warm session: type symgrad command lines, each answered in milliseconds"
EPILOG = """\
Type what you would type after `symgrad` on the command line:

  symgrad> w*w+2 --at w=10
  symgrad> check cos(x) --answer -sin(x)
  symgrad> step w*w+2 --at w=10 --lr 0.1

SymPy is loaded once, when the session starts; each line then runs in a fresh
worker with the command line's time and memory limits, so an input that is too
expensive ends that line (exit 3) and the session carries on. Arrow keys edit
the line and recall earlier ones (history is kept for the session only, never
written to a file). `exit`, `quit` or Ctrl-D leaves; Ctrl-C abandons the line
or the computation being typed or run. Lines read from a pipe are answered
one after another, without a prompt.
"""

PROMPT = "symgrad> "
HINT = "type a command line such as: w*w+2 --at w=10   (help: --help, leave: exit)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--prompt", default=PROMPT, help=f"the prompt on a terminal (default: {PROMPT!r})"
    )


def _read(prompt: str, interactive: bool) -> str | None:
    """One line from stdin, or None at end of input."""
    if interactive:
        return input(prompt)
    line = sys.stdin.readline()
    return None if line == "" else line


def run(args: argparse.Namespace, out: Output) -> int:
    interactive = sys.stdin.isatty()
    if interactive:
        try:
            import readline  # noqa: F401 - line editing and history for input()
        except ImportError:  # pragma: no cover - not on every platform
            pass
        print("symgrad shell: loading SymPy...", end="", file=sys.stderr, flush=True)
    from symgrad.session import Session

    session = Session()
    if interactive:
        print(f"\r{HINT}", file=sys.stderr, flush=True)
    last = 0
    while True:
        try:
            line = _read(args.prompt, interactive)
        except EOFError:
            line = None
        except KeyboardInterrupt:
            print("", file=sys.stderr)
            continue
        if line is None:
            if interactive:
                print("", file=sys.stderr)
            return last
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line in ("exit", "quit"):
            return last
        if line.split()[0] == "shell":
            print("symgrad: error: already in a symgrad shell", file=sys.stderr)
            last = 2
            continue
        if line == "help":
            line = "--help"
        try:
            last = session.run(line)
        except KeyboardInterrupt:
            print("symgrad: interrupted", file=sys.stderr)
            last = 130
        sys.stdout.flush()
        sys.stderr.flush()
