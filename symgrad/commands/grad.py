"""``symgrad EXPR``: the exact gradient, its values at a point, the check, TensorFlow's answers."""

from __future__ import annotations

import argparse

from symgrad.commands._evidence import (
    add_evidence_arguments,
    evidence,
    evidence_timeout,
    wants_evidence,
)
from symgrad.commands._frameworks import add_export_arguments, run_export, wants_export
from symgrad.guard import run_guarded
from symgrad.output import Output

HELP = "differentiate an expression exactly, check it numerically, print TensorFlow's answers"
EPILOG = None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("expression", help='the function, e.g. "w*w+2" or "x*sin(x^2)"')
    parser.add_argument(
        "--at",
        action="append",
        metavar="NAME=VALUE,...",
        help="the point, e.g. --at w=10 or --at x=1,y=pi/4 (repeatable)",
    )
    parser.add_argument(
        "--wrt",
        metavar="NAMES",
        help="the variables and their order, like var_list (default: the order of --at)",
    )
    parser.add_argument(
        "--unconnected",
        choices=("none", "zero"),
        default="none",
        help="gradient of a variable y does not use: None as in TensorFlow, or 0.0 "
        "(UnconnectedGradients.ZERO)",
    )
    parser.add_argument("--no-check", action="store_true", help="skip the numeric check")
    parser.add_argument(
        "--steps",
        action="store_true",
        help="show the derivation step by step, every rule named (one per variable)",
    )
    add_evidence_arguments(parser)
    add_export_arguments(parser)


def compute(args: argparse.Namespace):
    """Everything that touches user text happens here, inside the guarded worker."""
    from symgrad.derive import grad

    at = ",".join(args.at) if args.at else None
    if getattr(args, "steps", False):
        from symgrad.derivation import Derivations, steps

        derived = steps(
            args.expression,
            wrt=args.wrt,
            at=at,
            unconnected=args.unconnected,
            check=not args.no_check,
        )
        return derived if isinstance(derived, Derivations) else Derivations((derived,))

    def gradient():
        return grad(
            args.expression,
            at=at,
            wrt=args.wrt,
            unconnected=args.unconnected,
            check=not args.no_check,
        )

    if wants_evidence(args):
        return evidence(args, at, gradient)
    return gradient()


def run(args: argparse.Namespace, out: Output) -> int:
    if wants_export(args):
        return run_export(args, out)
    import symgrad.derive  # noqa: F401 - SymPy loads here, outside the worker's time limit

    result = run_guarded(
        compute, args, timeout=args.timeout or evidence_timeout(args), in_process=args.debug
    )
    out.emit(result)
    return result.exit_code
