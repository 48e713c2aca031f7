"""``symgrad step EXPR``: what ``apply_gradients`` does, one step or a whole trajectory."""

from __future__ import annotations

import argparse

from symgrad.guard import DEFAULT_TIMEOUT, run_guarded
from symgrad.output import Output

HELP = "apply a TensorFlow 1 optimizer to an expression: the update rule with its numbers"
EPILOG = """examples:
  symgrad step "w*w+2" --at w=10 --optimizer sgd --lr 0.1
  symgrad step "x^2 + 10*y^2" --at x=3,y=1 --optimizer adam --lr 0.5 --iterations 20 --plot path.png

optimizers (TensorFlow 1 defaults):
  sgd       GradientDescentOptimizer: w ← w - lr⋅g
  momentum  MomentumOptimizer (--momentum, default 0.9; --nesterov)
  rmsprop   RMSPropOptimizer: decay 0.9, momentum 0, epsilon 1e-10, ms starts at 1.0
  adam      AdamOptimizer: lr 0.001, beta1 0.9, beta2 0.999, epsilon 1e-08"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from symgrad.optimizers import MAX_ITERATIONS, OPTIMIZERS

    parser.add_argument("expression", help='the function to minimise, e.g. "w*w+2"')
    parser.add_argument(
        "--at", action="append", required=True, metavar="NAME=VALUE,...", help="the start point"
    )
    parser.add_argument("--wrt", metavar="NAMES", help="the variables to update (default: --at)")
    parser.add_argument(
        "--optimizer", choices=tuple(OPTIMIZERS), default="sgd", help="default: sgd"
    )
    parser.add_argument(
        "--lr", type=float, default=None, help="learning rate (needed except for adam: 0.001)"
    )
    parser.add_argument(
        "--iterations",
        type=int,
        default=1,
        metavar="N",
        help=f"number of steps, shown as a table (default 1, at most {MAX_ITERATIONS})",
    )
    hyper = parser.add_argument_group("hyperparameters (default: TensorFlow 1's)")
    hyper.add_argument("--momentum", type=float, default=None, help="momentum, rmsprop")
    hyper.add_argument("--nesterov", action="store_true", help="momentum: use_nesterov=True")
    hyper.add_argument("--decay", type=float, default=None, help="rmsprop (0.9)")
    hyper.add_argument("--epsilon", type=float, default=None, help="rmsprop (1e-10), adam (1e-08)")
    hyper.add_argument("--centered", action="store_true", help="rmsprop: centered=True")
    hyper.add_argument("--beta1", type=float, default=None, help="adam (0.9)")
    hyper.add_argument("--beta2", type=float, default=None, help="adam (0.999)")
    parser.add_argument("--plot", metavar="FILE.png", help="save the loss and the path as an image")


def _hyper(args: argparse.Namespace) -> dict:
    from symgrad.errors import InputError
    from symgrad.optimizers import OPTIMIZERS

    given = {
        "momentum": args.momentum,
        "use_nesterov": args.nesterov or None,
        "decay": args.decay,
        "epsilon": args.epsilon,
        "centered": args.centered or None,
        "beta1": args.beta1,
        "beta2": args.beta2,
    }
    given = {k: v for k, v in given.items() if v is not None}
    known = dict(OPTIMIZERS[args.optimizer].defaults)
    for k in given:
        if k not in known:
            flag = "--nesterov" if k == "use_nesterov" else "--" + k
            raise InputError(
                f"{flag} does not apply to --optimizer {args.optimizer}",
                hint="see symgrad step --help",
            )
    return given


def compute(args: argparse.Namespace):
    """Everything that touches user text happens here, inside the guarded worker."""
    from symgrad.trajectory import optimize

    return optimize(
        args.expression,
        at=",".join(args.at),
        optimizer=args.optimizer,
        lr=args.lr,
        iterations=args.iterations,
        wrt=args.wrt,
        **_hyper(args),
    )


def run(args: argparse.Namespace, out: Output) -> int:
    from symgrad.optimizers import MAX_ITERATIONS

    if args.plot:
        from symgrad.files import check_target

        check_target(args.plot)  # before the work: a bad name costs nothing
    if not 1 <= args.iterations <= MAX_ITERATIONS:  # before the time limit is scaled by it
        from symgrad.errors import InputError, LimitError

        if args.iterations < 1:
            raise InputError(f"--iterations must be at least 1, got {args.iterations}")
        raise LimitError(
            f"--iterations {str(args.iterations)[:25]} is more than the limit of {MAX_ITERATIONS}"
        )
    timeout = args.timeout or DEFAULT_TIMEOUT * (1 + args.iterations // 100)
    result = run_guarded(compute, args, timeout=timeout, in_process=args.debug)
    if args.plot:
        result.plot(args.plot)
    out.emit(result)
    return result.exit_code
