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

A second family is one deep composition, ``sin(...sin(sin(x0 + x1) + x2)... + xn)``
at 10, 20 and 40 levels (the parser allows 50): every partial is a product of the
chain rule's factors, shared between the partials.

    python benchmarks/bench_grad.py [--runs 3] [--sizes 30,100,300,600] [--depths 10,20,40]
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
DEPTHS = (10, 20, 40)


def nested(n: int):
    from symgrad.parse import variable

    xs = [variable(f"x{i}") for i in range(n)]
    f = xs[0]
    for s in xs[1:]:
        f = sp.sin(f + s)
    point = {s: sp.Rational(i % 7 + 1, 10) for i, s in enumerate(xs)}
    return f, xs, point, None


def sympy_route(f, xs, values):
    derivatives = [sp.diff(f, s) for s in xs]
    return sp.lambdify(xs, derivatives)(*values)


def measure(n: int, runs: int, family=problem) -> tuple[float, float]:
    f, xs, point, _ = family(n)
    at = {s.name: v for s, v in point.items()}
    values = [float(v) for v in point.values()]
    result = symgrad.grad(f, at=at)
    assert not result.problems, result.problems
    # (a deep composition's slope in its innermost variables is below float64's resolution)
    assert all(p.check.verdict in ("agrees", "skipped") for p in result.partials)
    assert any(p.check.verdict == "agrees" for p in result.partials)
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
    parser.add_argument("--depths", default=",".join(map(str, DEPTHS)))
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
    ok = all(o / b <= TARGET for o, b in zip(ours, bases))
    depths = [int(s) for s in args.depths.split(",")] if args.depths else []
    if depths:
        print(f"symgrad.grad of one deep composition, checked; CPU time, medians of {args.runs}")
        print(f"{'levels':>9}  {'symgrad.grad':>12}  {'sympy.diff + lambdify':>21}  ratio")
        deep, deep_bases = [], []
        for n in depths:
            o, b = measure(n, args.runs, nested)
            deep.append(o)
            deep_bases.append(b)
            print(f"{n:>9}  {ms(o):>12}  {ms(b):>21}  {o / b:5.2f}x")
        for n, o, b in zip(depths, deep, deep_bases):
            ok &= o / b <= TARGET
            line = f"grad of a composition {n} levels deep / sympy.diff + lambdify"
            print(target_line(line, o / b, TARGET))
        if len(depths) > 1:
            print(
                f"growth: symgrad.grad n^{exponent(depths, deep):.2f}, "
                f"sympy route n^{exponent(depths, deep_bases):.2f}"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
