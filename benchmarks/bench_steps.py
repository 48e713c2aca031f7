"""Derivation speed: ``--steps`` on an expression of about 200 nodes.

Target: parsing, deriving every step, simplifying and rendering the outline
(plain, rich and LaTeX) takes well under a second (< 0.5 s). The baseline,
measured in the same run and interleaved, is what any answer costs anyway:
SymPy's ``diff`` of the same expression plus pretty-printing its result.

    python benchmarks/bench_steps.py [--runs 7]
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

import sympy as sp
from rich.console import Console

from symgrad.derivation import steps
from symgrad.parse import parse, variable

TARGET_SECONDS = 0.5

# A sum of products of nested functions, the kind of thing a teacher types, grown to ~200 nodes.
TERMS = [
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
    "(x^2 - 1)/(x^2 + 1)^2",
    "exp(sin(x))*cos(exp(x/5))",
    "x^(2/3)*acos(x/9)",
    "tan(x)^2 + cot(x + 2)",
    "sigmoid(x)^2*(1 - sigmoid(x))",
    "sqrt(1 + sqrt(1 + x^2))",
    "atanh(x/10)*csc(x + 3)",
    "(3x^4 - 2x^2 + 7)^3",
]
TEXT = " + ".join(TERMS)


def nodes(expr: sp.Basic) -> int:
    return sum(1 for _ in sp.preorder_traversal(expr))


def with_symgrad() -> float:
    sp.core.cache.clear_cache()
    start = time.perf_counter()
    d = steps(TEXT, wrt="x")
    d.plain_text()
    d.to_latex()
    Console(file=io.StringIO(), width=120, color_system="truecolor").print(d)
    return time.perf_counter() - start


def baseline() -> float:
    sp.core.cache.clear_cache()
    start = time.perf_counter()
    expr = parse(TEXT).expr
    sp.pretty(sp.diff(expr, variable("x")))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    expr = parse(TEXT).expr
    d = steps(TEXT, wrt="x")
    print(f"expression: {nodes(expr)} nodes, {sum(1 for _ in d.steps())} steps")
    with_symgrad(), baseline()  # warm caches alike
    ours, base = [], []
    for _ in range(runs):
        ours.append(with_symgrad())
        base.append(baseline())
    t, b = statistics.median(ours), statistics.median(base)
    print(f"derivation + rendering:  {t * 1000:7.1f} ms (median of {runs})")
    print(f"sympy.diff + pretty:     {b * 1000:7.1f} ms")
    print(f"ratio to baseline:       {t / b:7.2f}x")
    verdict = "OK" if t < TARGET_SECONDS else "OVER TARGET"
    print(f"target < {TARGET_SECONDS} s:          {verdict}")


if __name__ == "__main__":
    main()
