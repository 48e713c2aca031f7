"""How long ``check_answer`` takes on antiderivative-style pairs, and whether its verdicts are right.

The corpus is generated here: textbook antiderivative families with
symbolic parameters ``a`` and ``b`` (powers of tan, sec, sin and cos of
``a + b*x``, products of their powers written the way a table of integrals
writes the integrand, nested radicals, exponentials and logarithms), each
checked as ``check_answer(integral, f, wrt="x")`` with ``f`` written differently from
what ``sympy.diff(integral)`` gives. Every correct pair is paired with perturbed
ones (an exponent off by one, a factor, a sign, the chain-rule factor ``b``
dropped, sin for cos), whose verdict must be "incorrect".

Prints the median, 95th percentile and maximum CPU time per check (the
process's own CPU plus the guarded workers it waited for), the share of
checks within the targets (median < 0.3 s, every check < 2 s), how many
verdicts were wrong (must be 0) and how many checks used more CPU time than
the command line's default limit (must be 0).

    python benchmarks/bench_answers.py [--limit N] [--verbose]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

MEDIAN_TARGET = 0.3
MAX_TARGET = 2.0


def corpus() -> list[tuple[str, str, bool, str]]:
    """``(integral, f, correct, family)``: is ``f`` the derivative of ``integral`` with respect to x?"""
    pairs: list[tuple[str, str, bool, str]] = []
    u = "(a + b*x)"

    def add(family: str, integral: str, right: str, wrongs: list[str]) -> None:
        pairs.append((integral, right, True, family))
        pairs.extend((integral, w, False, family) for w in wrongs)

    for n in range(2, 10):
        # tan^n/(n b): tan^(n-1) sec^2, and as sin^(n-1) sec^(n+1) (the example at n = 6)
        integral = f"tan{u}^{n}/({n}*b)"
        add(
            "tan^n",
            integral,
            f"sin{u}^{n - 1}*sec{u}^{n + 1}",
            [f"sin{u}^{n}*sec{u}^{n + 1}", f"b*sin{u}^{n - 1}*sec{u}^{n + 1}"],
        )
        add("tan^n", integral, f"tan{u}^{n - 1}*(1 + tan{u}^2)", [f"tan{u}^{n - 1}*(1 - tan{u}^2)"])
        # sec^n/(n b): sec^n tan
        integral = f"sec{u}^{n}/({n}*b)"
        add(
            "sec^n",
            integral,
            f"sin{u}/cos{u}^{n + 1}",
            [f"sin{u}/cos{u}^{n}", f"-sin{u}/cos{u}^{n + 1}"],
        )
        # sin^n/(n b) and -cos^n/(n b)
        integral = f"sin{u}^{n}/({n}*b)"
        add(
            "sin^n",
            integral,
            f"sin{u}^{n - 1}*cos{u}",
            [f"cos{u}^{n}*sin{u}", f"sin{u}^{n}*cos{u}"],
        )
        integral = f"-cos{u}^{n}/({n}*b)"
        add("cos^n", integral, f"cos{u}^{n - 1}*sin{u}", [f"-cos{u}^{n - 1}*sin{u}"])
        # cot^n: -cot^(n-1) csc^2, written with cos and sin
        integral = f"-cot{u}^{n}/({n}*b)"
        add("cot^n", integral, f"cos{u}^{n - 1}/sin{u}^{n + 1}", [f"cos{u}^{n - 1}/sin{u}^{n}"])
        # tan^n sec^2 as tan^n + tan^(n+2)
        integral = f"tan{u}^{n + 1}/({n + 1}*b)"
        add(
            "tan^n sec^2",
            integral,
            f"tan{u}^{n} + tan{u}^{n + 2}",
            [f"tan{u}^{n} + tan{u}^{n + 1}"],
        )
    for m in range(1, 5):
        for n in range(1, 4):
            # sin^m cos^(2n+1): ∫ = Σ over the expansion of (1 - sin²)^n; check the product form
            import sympy as sp

            s, a, b, x = sp.symbols("s a b x")
            poly = sp.expand(s**m * (1 - s**2) ** n)
            anti = sp.integrate(poly, s)
            integral = str(anti.subs(s, sp.sin(a + b * x)) / b).replace("**", "^")
            right = f"sin{u}^{m}*cos{u}^{2 * n + 1}"
            add("sin^m cos^odd", integral, right, [f"sin{u}^{m}*cos{u}^{2 * n}", f"2*{right}"])
    for k in range(1, 6):
        # nested radicals
        add(
            "nested radical",
            f"sqrt(a + sqrt(b + {k}*x))",
            f"{k}/(4*sqrt(b + {k}*x)*sqrt(a + sqrt(b + {k}*x)))",
            [f"{k}/(2*sqrt(b + {k}*x)*sqrt(a + sqrt(b + {k}*x)))"],
        )
        add(
            "nested radical",
            f"(a + sqrt(b + x))^{k + 1}/({k + 1})",
            f"(a + sqrt(b + x))^{k}/(2*sqrt(b + x))",
            [f"(a + sqrt(b + x))^{k}/sqrt(b + x)", f"(a + sqrt(b + x))^{k + 1}/(2*sqrt(b + x))"],
        )
        add(
            "radical",
            f"2*(a + b*x)^({2 * k + 1}/2)/({2 * k + 1}*b)",
            f"sqrt(a + b*x)^{2 * k - 1}",
            [f"sqrt(a + b*x)^{2 * k + 1}", f"b*sqrt(a + b*x)^{2 * k - 1}"],
        )
        add(
            "radical",
            f"-sqrt(a^2 - x^2)^{2 * k + 1}/({2 * k + 1})",
            f"x*(a^2 - x^2)^({2 * k - 1}/2)",
            [f"-x*(a^2 - x^2)^({2 * k - 1}/2)"],
        )
        # exponential times powers (integration by parts)
        add(
            "x^k e^(ax)",
            f"exp(a*x)*(x/a - 1/a^2)*{k}",
            f"{k}*x*exp(a*x)",
            [f"{k}*x*exp(a*x)/a", f"{k}*exp(a*x)"],
        )
        add(
            "log",
            f"log(tan{u})/b",
            f"2/sin(2*{u})",
            [f"1/sin(2*{u})", f"2/(b*sin(2*{u}))"],
        )
        add(
            "log",
            f"log(sec{u} + tan{u})/b",
            f"sec{u}",
            [f"tan{u}", f"b*sec{u}"],
        )
        add(
            "atan",
            f"atan(sqrt(x + {k}))",
            f"1/(2*sqrt(x + {k})*(x + {k + 1}))",
            [f"1/(sqrt(x + {k})*(x + {k + 1}))"],
        )
        add(
            "tan^k x power",
            f"tan(x)^{k}*x",
            f"tan(x)^{k} + {k}*x*tan(x)^{k - 1}/cos(x)^2",
            [f"tan(x)^{k} + {k}*x*tan(x)^{k - 1}/cos(x)"],
        )
        add(
            "e^(ax) sin(kx)",
            f"exp(a*x)*(a*sin({k}*x) - {k}*cos({k}*x))/(a^2 + {k * k})",
            f"exp(a*x)*sin({k}*x)",
            [f"exp(a*x)*cos({k}*x)", f"a*exp(a*x)*sin({k}*x)"],
        )
        add(
            "trig identity",
            f"sin({k}*x)^2 - cos({k}*x)^2",
            f"4*{k}*sin({k}*x)*cos({k}*x)",
            [f"2*{k}*sin({k}*x)*cos({k}*x)"],
        )
    return pairs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="check only the first N pairs")
    parser.add_argument("--verbose", action="store_true", help="one line per pair")
    args = parser.parse_args()
    from symgrad.answers import check_answer
    from symgrad.guard import DEFAULT_TIMEOUT

    pairs = corpus()[: args.limit]
    times: list[float] = []
    wrong_verdicts, limits = [], []
    families: dict[str, list[float]] = {}
    check_answer("x^2", "2*x")  # warm up imports
    for integral, f, correct, family in pairs:
        before = os.times()
        # In-process, so that CPU time is what is measured: check_answer bounds its own
        # symbolic work, and a check over the CLI's default limit is counted below.
        verdict = check_answer(integral, f, "x").correct
        after = os.times()
        cpu = (after.user - before.user) + (after.system - before.system)
        cpu += (after.children_user - before.children_user) + (
            after.children_system - before.children_system
        )
        times.append(cpu)
        if cpu > DEFAULT_TIMEOUT:
            limits.append((integral, f))
        families.setdefault(family, []).append(cpu)
        if verdict is not None and verdict != correct:
            wrong_verdicts.append((integral, f, correct))
        if args.verbose:
            print(f"{cpu:6.3f} s  {'ok ' if verdict == correct else 'BAD'}  {integral}  vs  {f}")
    times.sort()
    median = statistics.median(times)
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    worst = times[-1]
    right = sum(1 for *_, c, _ in pairs if c)
    print(f"{len(pairs)} pairs ({right} correct, {len(pairs) - right} perturbed)")
    print(f"CPU per check: median {median:.3f} s, p95 {p95:.3f} s, max {worst:.3f} s")
    for family, ts in sorted(families.items()):
        print(f"  {family:<16} {len(ts):>3} pairs  median {statistics.median(ts):.3f} s")
    print(f"wrong verdicts: {len(wrong_verdicts)}; time limit hit: {len(limits)}")
    for integral, f, c in wrong_verdicts[:10]:
        print(f"  WRONG: {integral}  vs  {f} (should be {'correct' if c else 'incorrect'})")
    for integral, f in limits[:10]:
        print(f"  LIMIT: {integral}  vs  {f}")
    ok = median < MEDIAN_TARGET and worst < MAX_TARGET and not wrong_verdicts and not limits
    print(
        f"targets: median < {MEDIAN_TARGET} s, max < {MAX_TARGET} s, no wrong verdict,"
        f" no time limit: {'ok' if ok else 'not met'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    start = time.perf_counter()
    code = main()
    print(f"(wall {time.perf_counter() - start:.0f} s)", file=sys.stderr)
    raise SystemExit(code)
