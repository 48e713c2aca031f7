"""``symgrad check EXPR --answer ANSWER``: is the answer the derivative, and if not, why not."""

from __future__ import annotations

import argparse

from symgrad.guard import DEFAULT_TIMEOUT, run_guarded
from symgrad.output import Output

HELP = "check a derivative you worked out: right or wrong, where it differs, the likely mistake"
EPILOG = """\
examples:
  symgrad check "x*sin(x^2)" --answer "sin(x^2) + x*cos(x^2)"
  symgrad check "x^2*y" --wrt y --answer "x^2"
  symgrad check "x^3" --order 2 --answer "6*x" --reveal
  symgrad check "cos(x)" --answer "-sin(x)"
  symgrad check "relu(x)" --answer 0 --at x=0

exit codes: 0 correct, 1 incorrect, 2 invalid input, 3 a time or size limit was hit"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("expression", help='the function, e.g. "x*sin(x^2)"')
    parser.add_argument(
        "--answer", required=True, metavar="TEXT", help="your derivative, e.g. '2*x*cos(x^2)'"
    )
    parser.add_argument(
        "--wrt",
        metavar="NAMES",
        help="the variable to differentiate by (needed with several variables); "
        "x,y for the mixed partial by x then y",
    )
    parser.add_argument(
        "--order", type=int, default=1, metavar="N", help="the order of the derivative (default 1)"
    )
    parser.add_argument(
        "--at",
        metavar="POINT",
        help="check a value: the answer is the derivative's value at this point, e.g. x=0",
    )
    parser.add_argument("--reveal", action="store_true", help="also show the correct derivative")
    parser.add_argument(
        "--points", type=int, default=8, metavar="N", help="random points to compare at (default 8)"
    )
    parser.add_argument(
        "--seed", type=int, default=0, metavar="N", help="seed of the random points (default 0)"
    )


def compute(args: argparse.Namespace):
    """Everything that touches user text happens here, inside the guarded worker."""
    from symgrad.answers import check_answer
    from symgrad.errors import InputError

    if not 1 <= args.points <= 1000:
        raise InputError("--points must be between 1 and 1000")
    if not 1 <= args.order <= 20:
        raise InputError("--order must be between 1 and 20")
    return check_answer(
        args.expression,
        args.answer,
        wrt=args.wrt,
        order=args.order,
        points=args.points,
        seed=args.seed,
        reveal=args.reveal,
        at=args.at,
    )


def run(args: argparse.Namespace, out: Output) -> int:
    result = run_guarded(
        compute, args, timeout=args.timeout or DEFAULT_TIMEOUT, in_process=args.debug
    )
    out.emit(result)
    return result.exit_code
