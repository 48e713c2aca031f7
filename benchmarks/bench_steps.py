"""Derivation speed: ``--steps`` against ``sympy.diff`` + ``sympy.pretty``, from 50 to 5,000 nodes.

Two families of expressions, each at about 50, 200, 1,000 and 5,000 nodes:

* sums of nested compositions: ``sin(cos(x/1 + 1)) + exp(tanh(x²/2)) + ...``;
* products of nested compositions: ``(Σ nested) ⋅ (Σ nested) ⋅ ...``, four factors
  that each grow, and a plain product of many nested compositions at the smaller sizes.

"symgrad" is what ``symgrad EXPR --steps`` does after parsing: derive every step,
tidy the answer (under its CPU budget) and render the outline as plain text and as
rich text. The baseline, measured in the same run, interleaved, is what any answer
costs anyway: ``sympy.diff`` of the same expression plus ``sympy.pretty`` of the
result. Times are CPU seconds (``time.process_time``), medians.

Targets: symgrad at most 1.2x the baseline at every size, growing no faster than N^1.2
(the exponent between consecutive sizes is printed), and the medium expression
``exp(sin(x^2))^3*log(1+x^4)/(1+tanh(x))`` in under 1 s.

Between consecutive sizes the table prints three growth exponents: symgrad's time,
the baseline's time and the length of symgrad's plain-text outline (characters). A
product of ``k`` factors has a derivative of ``k`` terms of ``k`` factors, Θ(N²) to
write out, so no printer of it grows like N^1.2 there; the last column, symgrad's CPU
time per thousand characters of output, shows whether its cost is linear in what it
writes.

    python benchmarks/bench_steps.py [--runs 3] [--sizes 50,200,1000,5000]
"""

from __future__ import annotations

import argparse
import io
import math
import statistics
import sys
import time

import sympy as sp
from common import load, target_line
from rich.console import Console

from symgrad.derivation import steps
from symgrad.parse import Parsed, variable

X = variable("x")
OUTERS = (sp.sin, sp.cos, sp.exp, sp.tanh, sp.atan, sp.sinh, sp.log)
MEDIUM = "exp(sin(x^2))^3*log(1+x^4)/(1+tanh(x))"


def nested(i: int) -> sp.Expr:
    """A small nested composition, different for each ``i``: ``sin(cos(x/3 + 1))``."""
    f, g = OUTERS[i % len(OUTERS)], OUTERS[(i // len(OUTERS) + 1 + i) % len(OUTERS)]
    inner = X ** (1 + i % 3) / (i + 1) + 1
    if g is sp.log:
        inner = inner**2 + 1
    return f(g(inner))


def nodes(expr: sp.Basic) -> int:
    return sum(1 for _ in sp.preorder_traversal(expr))


def grow(make, target: int) -> sp.Expr:
    """The smallest ``make(k)`` with at least ``target`` nodes."""
    k = 1
    while nodes(make(k)) < target:
        k = max(k + 1, int(k * 1.3))
    lo, hi = max(k // 2, 1), k
    while lo < hi:
        mid = (lo + hi) // 2
        if nodes(make(mid)) < target:
            lo = mid + 1
        else:
            hi = mid
    return make(lo)


def sum_of(k: int) -> sp.Expr:
    return sp.Add(*(nested(i) for i in range(k)))


def product_of_sums(k: int) -> sp.Expr:
    per = max(k // 4, 1)
    return sp.Mul(*(sp.Add(*(nested(4 * i + j) for i in range(per))) for j in range(4)))


def product_of(k: int) -> sp.Expr:
    return sp.Mul(*(nested(i) for i in range(k)))


#: family -> (make, sizes, whether the answer's length is linear in N, so N^1.2 is a target)
FAMILIES = {
    "sum of nested compositions": (sum_of, (50, 200, 1000, 5000), True),
    "product of 4 sums of nested compositions": (product_of_sums, (50, 200, 1000, 5000), True),
    "product of nested compositions": (product_of, (50, 200, 1000), False),
}


def cpu(fn) -> float:
    sp.core.cache.clear_cache()
    start = time.process_time()
    fn()
    return time.process_time() - start


def with_symgrad(expr: sp.Expr | str) -> int:
    """What ``--steps`` does after parsing; returns the length of the plain-text outline."""
    if not isinstance(expr, str):  # already symgrad's variables: start where sympy.diff does
        expr = Parsed(expr, ("x",), "")
    d = steps(expr, wrt="x")
    text = d.plain_text(120)
    Console(file=io.StringIO(), width=120, color_system="truecolor").print(d)
    return len(text)


def baseline(expr: sp.Expr) -> None:
    sp.pretty(sp.diff(expr, X))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default=None, help="comma-separated node counts")
    args = parser.parse_args()
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    print(f"bench_steps: CPU time, median of {args.runs}; {load()}")
    worst = 0.0
    summary = []
    for family, (make, sizes, linear) in FAMILIES.items():
        if args.sizes:
            sizes = tuple(int(s) for s in args.sizes.split(","))
        print(f"\n{family}")
        print(
            f"{'nodes':>7} {'symgrad s':>10} {'baseline s':>11} {'ratio':>6} {'chars':>9}"
            f"  {'growth: symgrad':>15} {'baseline':>8} {'chars':>6}  {'ms/1k chars':>11}"
        )
        previous = None
        steepest = per_char = 0.0
        for target in sizes:
            expr = grow(make, target)
            n = nodes(expr)
            chars = with_symgrad(expr)
            ours, base = [], []
            for _ in range(args.runs):
                ours.append(cpu(lambda e=expr: with_symgrad(e)))
                base.append(cpu(lambda e=expr: baseline(e)))
            t, b = statistics.median(ours), statistics.median(base)
            growth = ("", "", "")
            if previous is not None:
                n0, t0, b0, c0 = previous
                growth = tuple(
                    f"N^{math.log(now / then) / math.log(n / n0):.2f}"
                    for now, then in ((t, t0), (b, b0), (chars, c0))
                )
            print(
                f"{n:>7} {t:>10.3f} {b:>11.3f} {t / b:>5.2f}x {chars:>9}"
                f"  {growth[0]:>15} {growth[1]:>8} {growth[2]:>6}  {1e6 * t / chars:>11.2f}"
            )
            worst = max(worst, t / b)
            if previous is not None:
                n0, t0, _, c0 = previous
                steepest = max(steepest, math.log(t / t0) / math.log(n / n0))
                per_char = max(per_char, math.log((t / chars) / (t0 / c0)) / math.log(n / n0))
            previous = (n, t, b, chars)
        if linear:
            summary.append(target_line(f"growth of symgrad, {family}", steepest, 1.2, ""))
        summary.append(target_line(f"growth of time per character, {family}", per_char, 0.2, ""))
    medium = statistics.median(cpu(lambda: with_symgrad(MEDIUM)) for _ in range(args.runs))
    print()
    print(*summary, sep="\n")
    print(target_line("worst ratio to baseline", worst, 1.2))
    print(target_line(f"{MEDIUM}: steps", medium, 1.0, " s"))


if __name__ == "__main__":
    main()
