"""What the grading plugin costs: every pytest run, and each grading test.

1. symgrad's pytest plugin (``symgrad.testing``, entry point ``pytest11``) is
   loaded by every pytest run wherever symgrad is installed, even in projects
   that never grade a gradient. This measures ``pytest`` on a one-test project
   with the plugin against the same run with ``-p no:symgrad``, interleaved.
   Target: <= 1.1x. The plugin imports nothing heavy itself and loads
   symgrad's engine only when a test uses it; what remains is whatever
   ``import symgrad`` (the package the plugin lives in) costs.
2. A grading test runs the student's function in a worker process. This
   measures one ``assert_gradient`` at 5 points through the worker (started
   once per test module and student, then reused) against the same work done
   in-process (the exact gradient at 5 points and a direct call), and the
   worker's start-up (a fresh interpreter that imports the student's numpy).

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

TARGET = 1.1


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
    grading(args.runs)
    return 0 if ratio <= TARGET else 1


def grading(runs: int) -> None:
    """Per-test cost of running the student's code in a worker, against doing it in-process."""
    from symgrad import grad
    from symgrad.testing import Submission, assert_gradient, close_workers

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "student.py")
        path.write_text("import numpy\n\n\ndef slope(w):\n    return 2 * w\n")
        student = Submission(path).function("slope")
        starts, isolated, direct = [], [], []
        for _ in range(runs):
            close_workers()
            start = time.perf_counter()
            assert_gradient(student, "w*w + 2", points=5, seed=1)  # starts the worker
            starts.append(time.perf_counter() - start)
            start = time.perf_counter()
            assert_gradient(student, "w*w + 2", points=5, seed=2)  # reuses it
            isolated.append(time.perf_counter() - start)
            start = time.perf_counter()
            for w in (0.5, -1.25, 1.5, 0.75, -0.5):
                (expected,) = grad("w*w + 2", at={"w": w}).gradients()
                assert abs(2 * w - expected) <= 1e-9
            direct.append(time.perf_counter() - start)
        close_workers()
    s, i, d = (statistics.median(v) for v in (starts, isolated, direct))
    print(f"a grading test, student in a worker: {i * 1000:.0f} ms (median of {runs})")
    print(f"the same test in-process:           {d * 1000:.0f} ms (ratio {i / d:.2f}x)")
    print(f"the worker's start, once per test module: {s * 1000:.0f} ms")


if __name__ == "__main__":
    raise SystemExit(main())
