"""``--export FRAMEWORK`` and ``--compare FRAMEWORK``: the same function in TensorFlow, PyTorch, ...

Shared by ``symgrad EXPR``, ``symgrad graph`` and ``symgrad critic``. The
program is built in the guarded worker; a compared program runs afterwards in
its own Python process (:func:`symgrad.export.run_program`), outside the
worker's memory limit, which a framework's import would exceed.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from symgrad.errors import InputError

FRAMEWORKS = ("tf1", "tf2", "torch", "jax", "numpy")  # symgrad.export.FRAMEWORKS, kept light here
BUILD_TIMEOUT = 10.0
#: Options that ask for something else than the gradient, so they do not mix with --export.
_OTHERS = (
    "steps",
    "order",
    "hessian",
    "jacobian",
    "direction",
    "check",
    "plot",
    "explain",
    "graph",
)


def add_export_arguments(parser: argparse.ArgumentParser, frameworks=FRAMEWORKS) -> None:
    group = parser.add_argument_group("the frameworks side by side")
    group.add_argument(
        "--export",
        choices=frameworks,
        metavar="FRAMEWORK",
        help=f"print a runnable program that computes the same gradients ({', '.join(frameworks)})",
    )
    group.add_argument(
        "--compare",
        choices=frameworks,
        metavar="FRAMEWORK",
        help="run that program (if the framework is installed) and show its numbers beside "
        "symgrad's",
    )


def wants_export(args: argparse.Namespace) -> bool:
    return getattr(args, "export", None) is not None or getattr(args, "compare", None) is not None


def run_export(args: argparse.Namespace, out, build: Callable | None = None) -> int:
    """Build the program in the worker, then print it or run it and print the comparison."""
    from symgrad.guard import run_guarded

    if args.export is not None and args.compare is not None:
        raise InputError("use --export or --compare, not both")
    flag = "--export" if args.export is not None else "--compare"
    for name in _OTHERS:
        value = getattr(args, name, None)
        if value not in (None, False):
            raise InputError(
                f"{flag} does not combine with --{name}",
                hint=f"run {flag} on its own",
            )
    framework = args.export or args.compare
    program = run_guarded(
        build or _gradient_program,
        args,
        framework,
        timeout=args.timeout or BUILD_TIMEOUT,
        in_process=args.debug,
    )
    if args.export is not None:
        out.emit(program)
        return program.exit_code
    from symgrad.export import run_program

    comparison = run_program(program, timeout=args.timeout)
    out.emit(comparison)
    return comparison.exit_code


def _gradient_program(args: argparse.Namespace, framework: str):
    from symgrad.backprop import graph
    from symgrad.export import program_for_graph

    if not args.at:
        raise InputError(
            "a framework program needs the point its variables start at", hint="add --at x=1"
        )
    g = graph(
        args.expression,
        at=",".join(args.at),
        wrt=args.wrt,
        unconnected=getattr(args, "unconnected", "none"),
        check=False,
    )
    return program_for_graph(g, framework)
