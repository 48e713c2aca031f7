"""The engine's derivative against SymPy's: ``symgrad.rules.differentiate`` vs ``sympy.diff``.

Target: at most 1.5x ``sympy.diff`` on typical expressions, and linear in the
number of terms for sums (the time per term stays flat as the sum grows).
Both run on the same expressions, interleaved, with SymPy's cache cleared
before every run so neither profits from the other's work.

    python benchmarks/bench_differentiate.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import time

import sympy as sp

from symgrad.parse import parse, variable
from symgrad.rules import differentiate

TARGET = 1.5

TYPICAL = [
    "x^3*sin(2x + 1)",
    "exp(-x^2/2)/(1 + x^2)",
    "log(1 + x^4)*cos(x)^2",
    "sqrt(x^2 + 1)*atan(3x)",
    "sigmoid(2x - 1)*tanh(x/2)",
    "relu(x - 1)^2 + softplus(x)",
    "(x + 1)^5/(x^2 + 3)",
    "sin(cos(tan(x/4)))",
    "x^x + 2^(x^2)",
    "abs(x - 2)*asinh(x)",
    "cosh(x)^3 - sinh(2x)/x",
    "log(x^2 + 1, 10)*sec(x/3)",
    "(3x^4 - 2x^2 + 7)^3",
    "x*y^2 + exp(x*y) - y/x",
]


def _time(fn, exprs, var) -> float:
    sp.core.cache.clear_cache()
    start = time.process_time()
    for e in exprs:
        fn(e, var)
    return time.process_time() - start


def compare(exprs, var, runs: int) -> tuple[float, float]:
    ours, base = [], []
    _time(differentiate, exprs, var), _time(sp.diff, exprs, var)  # warm up alike
    for _ in range(runs):
        ours.append(_time(differentiate, exprs, var))
        base.append(_time(sp.diff, exprs, var))
    return statistics.median(ours), statistics.median(base)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    x = variable("x")
    typical = [parse(t).expr for t in TYPICAL]
    for e in typical:
        assert sp.simplify(differentiate(e, x) - sp.diff(e, x)) == 0
    t, b = compare(typical, x, runs)
    ratio = t / b
    print(f"typical expressions ({len(TYPICAL)}): engine {t * 1000:7.1f} ms, ", end="")
    print(f"sympy.diff {b * 1000:7.1f} ms, ratio {ratio:.2f}x", end="")
    print(f"  (target <= {TARGET}x: {'OK' if ratio <= TARGET else 'OVER TARGET'})")
    per_term = []
    for n in (100, 400, 1600):
        ws = [variable(f"w{i}") for i in range(n)]
        total = sp.Add(*((w - i) ** 2 * sp.sin(w) for i, w in enumerate(ws)), x**2)
        t, b = compare([total], ws[n // 2], max(3, runs // 2))
        per_term.append(t / n)
        print(
            f"sum of {n:5d} terms: engine {t * 1000:7.1f} ms ({t / n * 1e6:6.1f} µs/term), ", end=""
        )
        print(f"sympy.diff {b * 1000:7.1f} ms, ratio {t / b:.2f}x")
    growth = per_term[-1] / per_term[0]
    print(f"time per term, 1600 terms against 100: {growth:.2f}x (linear: about 1x)")


if __name__ == "__main__":
    main()
