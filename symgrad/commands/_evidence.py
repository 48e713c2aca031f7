"""The numeric-evidence options of ``symgrad EXPR``: higher derivatives, random checks, pictures.

Kept apart from :mod:`symgrad.commands.grad` so the default path stays small:
the modules behind these options are imported only when an option is used.
"""

from __future__ import annotations

import argparse

from symgrad.errors import InputError
from symgrad.guard import DEFAULT_TIMEOUT

#: Drawing a picture imports matplotlib (about a second); random checks evaluate many points.
SLOW_TIMEOUT = 60.0


def add_evidence_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("higher derivatives and numeric evidence")
    group.add_argument(
        "--order", type=int, metavar="N", help="the N-th derivative (each variable), e.g. 2"
    )
    group.add_argument(
        "--hessian", action="store_true", help="the matrix of second partials, and its values"
    )
    group.add_argument(
        "--jacobian",
        action="store_true",
        help='the Jacobian of comma-separated expressions, e.g. "x*y, x+y"',
    )
    group.add_argument(
        "--direction",
        metavar="V1,V2,...",
        help="the directional derivative along V/|V| (one number per variable)",
    )
    group.add_argument(
        "--check",
        type=int,
        metavar="N",
        help="check the gradient at N random points where the function is defined",
    )
    group.add_argument(
        "--seed", type=int, default=0, help="the seed for --check's random points (default 0)"
    )
    group.add_argument(
        "--plot",
        metavar="FILE.png",
        help="draw the function with its tangent (one variable) or contours and gradient (two)",
    )


def _chosen(args: argparse.Namespace) -> list[str]:
    names = []
    if getattr(args, "order", None) is not None:
        names.append("--order")
    for flag in ("hessian", "jacobian"):
        if getattr(args, flag, False):
            names.append(f"--{flag}")
    if getattr(args, "direction", None) is not None:
        names.append("--direction")
    if getattr(args, "check", None) is not None:
        names.append("--check")
    return names


def wants_evidence(args: argparse.Namespace) -> bool:
    return bool(_chosen(args)) or getattr(args, "plot", None) is not None


def evidence_timeout(args: argparse.Namespace) -> float:
    if getattr(args, "plot", None) is not None or getattr(args, "check", None) is not None:
        return SLOW_TIMEOUT
    return DEFAULT_TIMEOUT


def evidence(args: argparse.Namespace, at: str | None, default):
    """Compute what the options ask for; ``default()`` gives the plain gradient result."""
    chosen = _chosen(args)
    if len(chosen) > 1:
        raise InputError(f"use one of {', '.join(chosen)} at a time")
    option = chosen[0] if chosen else None
    if option == "--order":
        from symgrad.higher import nth_derivative

        result = nth_derivative(args.expression, order=args.order, at=at, wrt=args.wrt)
    elif option == "--hessian":
        from symgrad.higher import hessian

        result = hessian(args.expression, at=at, wrt=args.wrt)
    elif option == "--jacobian":
        from symgrad.higher import jacobian

        result = jacobian(args.expression, at=at, wrt=args.wrt)
    elif option == "--direction":
        from symgrad.higher import directional

        result = directional(args.expression, args.direction, at=at, wrt=args.wrt)
    elif option == "--check":
        if at is not None:
            raise InputError(
                "--check N draws its own random points, so it takes no --at",
                hint="drop --at, or drop --check to check at your point",
            )
        from symgrad.spotcheck import spot_check

        result = spot_check(args.expression, n=args.check, seed=args.seed, wrt=args.wrt)
    else:
        result = default()
    if getattr(args, "plot", None) is not None:
        result = _with_plot(result, args, at)
    return result


def _with_plot(result, args: argparse.Namespace, at: str | None):
    from symgrad.pictures import plot

    if at is None:
        raise InputError("--plot needs a point to mark", hint="add --at x=1")
    picture = plot(args.expression, at=at, path=args.plot, wrt=args.wrt)
    note = f"picture written to {picture.path}: {picture.description}"
    if hasattr(result, "_replace"):  # GradientResult
        return result._replace(notes=(*result.notes, note))
    import dataclasses

    if dataclasses.is_dataclass(result) and hasattr(result, "notes"):
        return dataclasses.replace(result, notes=(*result.notes, note))
    return result
