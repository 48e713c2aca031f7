"""The whole ``symgrad.grad(...)`` of a function of many variables against SymPy's own route.

The function is the ring sum of ``bench_check.py`` (a SymPy expression: text
is limited to 2,000 characters). symgrad's answer: parse, every exact
partial, exact values at the point, kinks, the numeric check of every partial.
The baseline: ``sympy.diff`` of the whole expression for every partial, then
``lambdify`` of the gradient and one evaluation - the least a SymPy user
would run. SymPy's cache is cleared before each, both are CPU time, and they
alternate. Target: at most 2x at every size, up to 600 variables (more than
a typed list of names may hold: the names of an expression built in Python
are not limited); the growth of both is printed.

    python benchmarks/bench_grad.py [--runs 3] [--sizes 30,100,300,600]
"""

from __future__ import annotations

import argparse
import statistics

import sympy as sp
from bench_check import problem
from common import cpu_once, exponent, load, ms, target_line
from sympy.core.cache import clear_cache

import symgrad

TARGET = 2.0
SIZES = (30, 100, 300, 600)


def sympy_route(f, xs, values):
    derivatives = [sp.diff(f, s) for s in xs]
    return sp.lambdify(xs, derivatives)(*values)


def measure(n: int, runs: int) -> tuple[float, float]:
    f, xs, point, _ = problem(n)
    at = {s.name: v for s, v in point.items()}
    values = [float(v) for v in point.values()]
    result = symgrad.grad(f, at=at)
    assert not result.problems, result.problems
    assert all(p.check.verdict == "agrees" for p in result.partials)
    ours, base = [], []
    for _ in range(runs):
        clear_cache()
        base.append(cpu_once(lambda: sympy_route(f, xs, values)))
        clear_cache()
        ours.append(cpu_once(lambda: symgrad.grad(f, at=at)))
    return statistics.median(ours), statistics.median(base)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"symgrad.grad of a ring sum, checked; CPU time, medians of {args.runs}; {load()}")
    print(f"{'variables':>9}  {'symgrad.grad':>12}  {'sympy.diff + lambdify':>21}  ratio")
    ours, bases = [], []
    for n in sizes:
        o, b = measure(n, args.runs)
        ours.append(o)
        bases.append(b)
        print(f"{n:>9}  {ms(o):>12}  {ms(b):>21}  {o / b:5.2f}x")
    for n, o, b in zip(sizes, ours, bases):
        print(target_line(f"grad of {n} variables / sympy.diff + lambdify", o / b, TARGET))
    if len(sizes) > 1:
        print(
            f"growth: symgrad.grad n^{exponent(sizes, ours):.2f}, sympy route n^{exponent(sizes, bases):.2f}"
        )
    return 0 if all(o / b <= TARGET for o, b in zip(ours, bases)) else 1


if __name__ == "__main__":
    raise SystemExit(main())
