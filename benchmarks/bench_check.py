"""The checker's cost: checking a gradient of 100 variables against evaluating it once.

The function is a sum over 100 variables coupled in a ring (every partial
involves three terms). The baseline is one float evaluation of the exact
gradient: all 100 partial-derivative formulas turned into float functions by
symgrad's evaluator and evaluated at the point. The checker evaluates the
*function* at all 8 x 100 perturbed points in one vectorised call and
extrapolates. Both are measured in the same run, interleaved. Target: the
check costs at most 5x the baseline. For scale it also prints the exact
(rational, 30-digit) evaluation of the gradient, which is what ``grad`` does.

    python benchmarks/bench_check.py [--runs 15] [--n 100]
"""

from __future__ import annotations

import argparse
import statistics
import time

import sympy as sp

from symgrad.check import check_gradient
from symgrad.derive import to_float
from symgrad.numeric import compile_expr
from symgrad.parse import variable

TARGET = 5.0


def problem(n: int):
    xs = [variable(f"x{i}") for i in range(n)]
    f = sp.Add(
        *[
            sp.sin(xs[i]) * xs[(i + 1) % n] + sp.log(1 + xs[i] ** 2) * sp.tanh(xs[(i + 2) % n])
            for i in range(n)
        ]
    )
    point = {s: sp.Rational(i % 7 + 1, 10) for i, s in enumerate(xs)}
    grads = [sp.diff(f, s) for s in xs]
    return f, xs, point, grads


def evaluate_gradient(grads, xs, floats):
    values = list(floats.values())
    return [compile_expr(g, xs, backend="numpy")(*values) for g in grads]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--n", type=int, default=100)
    args = parser.parse_args()
    f, xs, point, grads = problem(args.n)
    floats = {s: float(v) for s, v in point.items()}
    exact = [float(v) for v in evaluate_gradient(grads, xs, floats)]
    checks = check_gradient(f, xs, floats, exact)  # warm up (imports numpy)
    assert all(c.verdict == "agrees" for c in checks), [c.explain() for c in checks]
    worst = max(c.relative_error for c in checks)
    base, check = [], []
    for _ in range(args.runs):
        t = time.perf_counter()
        evaluate_gradient(grads, xs, floats)
        base.append(time.perf_counter() - t)
        t = time.perf_counter()
        check_gradient(f, xs, floats, exact)
        check.append(time.perf_counter() - t)
    t = time.perf_counter()
    [to_float(g.xreplace(point)) for g in grads]
    exact_time = time.perf_counter() - t
    b, c = statistics.median(base), statistics.median(check)
    ratio = c / b
    print(f"variables: {args.n}, worst relative error of the check: {worst:.1e}")
    print(f"one float evaluation of the exact gradient: {b * 1e3:8.2f} ms")
    print(f"checking all {args.n} partials (15 points each): {c * 1e3:7.2f} ms")
    print(f"exact (rational) evaluation, as grad does:  {exact_time * 1e3:8.2f} ms")
    status = "OK" if ratio <= TARGET else "OVER TARGET"
    print(f"ratio check/gradient: {ratio:.2f}x (target <= {TARGET}x) {status}")


if __name__ == "__main__":
    main()
