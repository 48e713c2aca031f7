"""Shared measuring for the benchmarks: CPU time, medians, ratios, growth, machine load.

Every figure a benchmark prints is a ratio against a baseline measured in the
same run, interleaved with it, so that a busy machine slows both alike; the
load average is printed next to it so a reader can judge the noise. Lines
that state a target end in ``ok`` or ``MISSED``; ``run_all.py`` collects them.
"""

from __future__ import annotations

import math
import os
import statistics
import time
from collections.abc import Callable, Sequence


def load() -> str:
    """The machine's load average and CPU count, e.g. ``load 3.1 2.8 2.6 on 2 CPUs``."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.1f} {five:.1f} {fifteen:.1f} on {os.cpu_count()} CPUs"


def cpu_once(fn: Callable[[], object]) -> float:
    """CPU seconds (user + system, this process and its threads) of one call."""
    start = time.process_time()
    fn()
    return time.process_time() - start


def interleaved(fns: Sequence[Callable[[], object]], runs: int) -> list[float]:
    """Median CPU seconds of each function, run alternately ``runs`` times."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(runs):
        for k, fn in enumerate(fns):
            times[k].append(cpu_once(fn))
    return [statistics.median(t) for t in times]


def exponent(sizes: Sequence[float], times: Sequence[float]) -> float:
    """The least-squares slope of log(time) against log(size): cost grows as size^slope."""
    xs = [math.log(s) for s in sizes]
    ys = [math.log(max(t, 1e-9)) for t in times]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    num = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    den = sum((x - mx) ** 2 for x in xs)
    return num / den


def verdict(value: float, target: float) -> str:
    return "ok" if value <= target else "MISSED"


def target_line(what: str, value: float, target: float, unit: str = "x") -> str:
    """``what: 1.23x (target <= 5x) ok [load ...]`` - the line run_all.py collects."""
    return f"{what}: {value:.2f}{unit} (target <= {target:g}{unit}) {verdict(value, target)}  [{load()}]"


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:9.2f} ms"
