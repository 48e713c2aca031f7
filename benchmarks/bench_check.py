"""The checker's cost: checking every partial of a gradient against evaluating the gradient once.

The function is a sum over n variables coupled in a ring (every partial
involves four terms). The baseline is one float evaluation of the exact
gradient: all n partial-derivative formulas turned into float functions by
symgrad's evaluator and evaluated at the point (what it costs to get the
gradient's floats from its formulas). The check evaluates the *function* at
15 perturbed points per variable and extrapolates. Both are measured as CPU
time, interleaved in the same run, at 1, 3, 5, 10, 100, 300 and 1,000
variables. A second family, the product of n factors ``1 + x_i²/10`` (no sum
to split; float64 rounding at every factor makes the first step's bound loose,
so the step shrinks), is measured at 5, 50 and 300 variables. Target: the
check costs at most 5x the baseline at every size, and grows no faster than it.

    python benchmarks/bench_check.py [--runs 7] [--sizes 1,3,5,10,100,300,1000]
"""

from __future__ import annotations

import argparse

import sympy as sp
from common import exponent, interleaved, load, ms, target_line

from symgrad.check import check_gradient
from symgrad.derive import partial_derivatives
from symgrad.numeric import compile_expr
from symgrad.parse import variable

TARGET = 5.0
SIZES = (1, 3, 5, 10, 100, 300, 1000)
PRODUCT_SIZES = (5, 50, 300)


def problem(n: int, family: str = "ring"):
    xs = [variable(f"x{i}") for i in range(n)]
    if family == "product":
        f = sp.Mul(*[1 + s**2 / 10 for s in xs])
    else:
        f = sp.Add(
            *[
                sp.sin(xs[i]) * xs[(i + 1) % n] + sp.log(1 + xs[i] ** 2) * sp.tanh(xs[(i + 2) % n])
                for i in range(n)
            ]
        )
    point = {s: sp.Rational(i % 7 + 1, 10) for i, s in enumerate(xs)}
    grads = partial_derivatives(f, xs)  # equal to sympy.diff of each, in linear time
    return f, xs, point, grads


def evaluate_gradient(grads, xs, floats):
    values = list(floats.values())
    backend = "numpy" if len(xs) >= 6 else "math"
    return [compile_expr(g, xs, backend=backend)(*values) for g in grads]


def measure(n: int, runs: int, family: str = "ring") -> tuple[float, float, float]:
    f, xs, point, grads = problem(n, family)
    floats = {s: float(v) for s, v in point.items()}
    exact = [float(v) for v in evaluate_gradient(grads, xs, floats)]
    checks = check_gradient(f, xs, floats, exact)  # warm up (imports numpy)
    assert all(c.verdict == "agrees" for c in checks), [c.explain() for c in checks]
    worst = max(c.relative_error for c in checks)
    base, check = interleaved(
        [
            lambda: evaluate_gradient(grads, xs, floats),
            lambda: check_gradient(f, xs, floats, exact),
        ],
        runs,
    )
    return base, check, worst


def run(family: str, sizes: list[int], runs: int) -> bool:
    label = "a ring sum" if family == "ring" else "a product of factors"
    of = "" if family == "ring" else " of a product"
    print(f"checking every partial of {label}; CPU time, medians of {runs}; {load()}")
    print(
        f"{'variables':>9}  {'one gradient evaluation':>23}  {'checking all partials':>21}  ratio"
    )
    bases, checks, ok = [], [], True
    for n in sizes:
        base, check, worst = measure(n, runs, family)
        bases.append(base)
        checks.append(check)
        print(
            f"{n:>9}  {ms(base):>23}  {ms(check):>21}  {check / base:5.2f}x  (worst error {worst:.0e})"
        )
    for n, base, check in zip(sizes, bases, checks):
        ok &= check / base <= TARGET
        print(
            target_line(
                f"check of all {n} partials{of} / one gradient evaluation", check / base, TARGET
            )
        )
    grown = [k for k, n in enumerate(sizes) if n >= min(10, sizes[-1])]
    if len(grown) > 1:
        big = [sizes[k] for k in grown]
        print(
            f"growth from {big[0]} to {big[-1]} variables: "
            f"check n^{exponent(big, [checks[k] for k in grown]):.2f},"
            f" gradient evaluation n^{exponent(big, [bases[k] for k in grown]):.2f}"
        )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--product-sizes", default=",".join(map(str, PRODUCT_SIZES)))
    args = parser.parse_args()
    ok = run("ring", [int(s) for s in args.sizes.split(",")], args.runs)
    if args.product_sizes:
        ok &= run("product", [int(s) for s in args.product_sizes.split(",")], args.runs)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
