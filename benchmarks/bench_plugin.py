"""What the grading plugin costs every pytest run: a one-test project with and without it.

symgrad's pytest plugin (``symgrad.testing``, entry point ``pytest11``) is
loaded by every pytest run wherever symgrad is installed, even in projects
that never grade a gradient. This measures ``pytest`` on a one-test project
with the plugin against the same run with ``-p no:symgrad``, interleaved in
the same run. Target: <= 1.5x (the plugin itself imports nothing heavy; what
it costs is ``import symgrad``, which imports SymPy).

    python benchmarks/bench_plugin.py [--runs 11]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 1.5


def measure(cmd: list[str], cwd: str) -> float:
    env = {**os.environ, "NO_COLOR": "1"}
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{cmd} failed:\n{proc.stdout.decode()}{proc.stderr.decode()}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as project:
        Path(project, "test_one.py").write_text("def test_one():\n    assert True\n")
        pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        baseline, candidate = [*pytest, "-p", "no:symgrad"], pytest
        for cmd in (baseline, candidate):  # warm the file cache
            measure(cmd, project)
        base, cand = [], []
        for _ in range(args.runs):
            base.append(measure(baseline, project))
            cand.append(measure(candidate, project))
    b, c = statistics.median(base), statistics.median(cand)
    ratio = c / b
    print(f"pytest without the plugin: {b * 1000:.0f} ms (median of {args.runs})")
    print(f"pytest with the plugin:    {c * 1000:.0f} ms")
    verdict = "ok" if ratio <= TARGET else "over target"
    print(f"ratio {ratio:.2f}x (target <= {TARGET}x): {verdict}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
