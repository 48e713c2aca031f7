"""``symgrad graph EXPR --at ...``: the computation graph, forward values, adjoints, picture."""

from __future__ import annotations

import argparse

from symgrad.commands._frameworks import add_export_arguments, run_export, wants_export
from symgrad.errors import InputError
from symgrad.guard import run_guarded
from symgrad.output import Output

HELP = "the computation graph a framework builds: forward values, local derivatives, adjoints"
EPILOG = """the tape lists one node per operation in the order a framework runs them; the backward
pass gives each node's adjoint grad(n) = dy/dn as a sum over its out-edges, and the
inputs' adjoints are checked against the exact gradient.

exit codes: 0 ok, 1 the gradient does not exist at the point or the check failed,
2 bad input (also --hessian/--jacobian, which the graph does not show),
3 a size or time limit (also a graph too big to draw: more than 40 nodes)

examples:
  symgrad graph "w*w + 2" --at w=10
  symgrad graph "x*sin(x^2)" --at x=1 --plot graph.png
  symgrad graph "w - w + x" --at w=2,x=3,v=1 --format json"""

TIMEOUT = 10.0
PLOT_TIMEOUT = 60.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("expression", help='the function, e.g. "w*w+2" or "x*sin(x^2)"')
    parser.add_argument(
        "--at",
        action="append",
        metavar="NAME=VALUE,...",
        help="the point the graph runs at, e.g. --at w=10 (repeatable)",
    )
    parser.add_argument(
        "--wrt", metavar="NAMES", help="the variables and their order, like var_list"
    )
    parser.add_argument(
        "--unconnected",
        choices=("none", "zero"),
        default="none",
        help="the gradient of an input y does not reach: None as in TensorFlow, or 0.0",
    )
    parser.add_argument("--no-check", action="store_true", help="skip grad's numeric check")
    parser.add_argument(
        "--plot", metavar="FILE.png", help="draw the graph into a .png or .svg file (≤ 40 nodes)"
    )
    parser.add_argument(
        "--hessian",
        action="store_true",
        help=argparse.SUPPRESS,  # refused with an explanation: see compute()
    )
    parser.add_argument("--jacobian", action="store_true", help=argparse.SUPPRESS)
    add_export_arguments(parser)


REFUSED = {
    "hessian": (
        "the graph shows first derivatives only: one backward pass gives one adjoint per node, "
        "and a Hessian needs the graph of the gradient itself (what tf.hessians builds)",
        "use symgrad EXPR --at ... --hessian for the second partials",
    ),
    "jacobian": (
        "the graph has one output: one backward pass per output gives one row of a Jacobian",
        "draw each output with its own symgrad graph, or use symgrad 'f1, f2' --jacobian",
    ),
}


def compute(args: argparse.Namespace):
    for flag, (message, hint) in REFUSED.items():
        if getattr(args, flag):
            raise InputError(message, hint=hint)
    from symgrad.backprop import graph

    if not args.at:
        raise InputError("the graph needs a point to run forward", hint="add --at x=1")
    result = graph(
        args.expression,
        at=",".join(args.at),
        wrt=args.wrt,
        unconnected=args.unconnected,
        check=not args.no_check,
    )
    if args.plot is not None:
        result = result.with_picture(args.plot)
    return result


def run(args: argparse.Namespace, out: Output) -> int:
    if wants_export(args):
        return run_export(args, out)
    timeout = args.timeout or (PLOT_TIMEOUT if args.plot else TIMEOUT)
    result = run_guarded(compute, args, timeout=timeout, in_process=args.debug)
    out.emit(result)
    return result.exit_code
