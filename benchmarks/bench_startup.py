"""Start-up cost: `symgrad "w*w+2" --at w=10` against `python -c "import sympy"`.

Importing SymPy is the floor for any answer symgrad gives, so the target is a
ratio to it, measured in the same run with the same interpreter, interleaved
so that machine noise hits both alike. Targets: time <= 1.25x, peak memory
(max RSS of the process tree) <= 1.2x.

    python benchmarks/bench_startup.py [--runs 21]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

TIME_TARGET = 1.25
MEMORY_TARGET = 1.2


def symgrad_command() -> list[str]:
    exe = Path(sys.executable).with_name("symgrad")
    if exe.exists():
        return [str(exe), "w*w+2", "--at", "w=10"]
    return [sys.executable, "-m", "symgrad", "w*w+2", "--at", "w=10"]


def measure(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one run of ``cmd``, output discarded."""
    # Bytecode caching on, as in any normal install: SymPy's files come precompiled from
    # pip, so symgrad's must be cached too for a like-for-like comparison.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["NO_COLOR"] = "1"
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{cmd} failed with exit code {proc.returncode}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    baseline = [sys.executable, "-c", "import sympy"]
    candidate = symgrad_command()
    for cmd in (baseline, candidate):  # warm the file cache
        measure(cmd)
    base_t, base_m, cand_t, cand_m = [], [], [], []
    for _ in range(args.runs):
        t, m = measure(baseline)
        base_t.append(t)
        base_m.append(m)
        t, m = measure(candidate)
        cand_t.append(t)
        cand_m.append(m)
    bt, ct = statistics.median(base_t), statistics.median(cand_t)
    bm, cm = statistics.median(base_m), statistics.median(cand_m)
    time_ratio, memory_ratio = ct / bt, cm / bm
    print(f"runs: {args.runs} interleaved, medians")
    print(f"python -c 'import sympy'        {bt * 1000:7.1f} ms  {bm:6.1f} MiB")
    print(f'symgrad "w*w+2" --at w=10       {ct * 1000:7.1f} ms  {cm:6.1f} MiB')
    ok_t, ok_m = time_ratio <= TIME_TARGET, memory_ratio <= MEMORY_TARGET
    print(f"time ratio   {time_ratio:.3f}  (target <= {TIME_TARGET})  {'ok' if ok_t else 'MISSED'}")
    print(
        f"memory ratio {memory_ratio:.3f}  (target <= {MEMORY_TARGET})  {'ok' if ok_m else 'MISSED'}"
    )
    return 0 if ok_t and ok_m else 1


if __name__ == "__main__":
    raise SystemExit(main())
