"""Start-up cost of the command line, against bare Python and against ``import sympy``.

Two families, each a ratio to a baseline measured in the same run, interleaved
so that machine noise hits both alike, as CPU time (user + system) of the
process:

- answers that need no mathematics (``--version``, ``--help``, ``CMD --help``,
  a usage error) against ``python -c pass``: at most 1.5x;
- the default path ``symgrad "w*w+2" --at w=10`` against
  ``python -c "import sympy"``, the floor for any answer symgrad computes: at
  most 1.15x in time and 1.2x in peak memory (max RSS of the process tree). For
  information, the same against ``import sympy`` with symgrad's exit (no final
  collection over SymPy's objects): the cost of the work itself.

    python benchmarks/bench_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

from common import load, target_line

LIGHT_TARGET = 1.5
TIME_TARGET = 1.15
MEMORY_TARGET = 1.2


def symgrad(*argv: str) -> list[str]:
    exe = Path(sys.executable).with_name("symgrad")
    if exe.exists():
        return [str(exe), *argv]
    return [sys.executable, "-m", "symgrad", *argv]


LIGHT = {
    "symgrad --version": (symgrad("--version"), 0),
    "symgrad --help": (symgrad("--help"), 0),
    "symgrad step --help": (symgrad("step", "--help"), 0),
    "symgrad check --help": (symgrad("check", "--help"), 0),
    "symgrad --bogus (usage error)": (symgrad("--bogus"), 2),
}


def measure(cmd: list[str], expect: int = 0) -> tuple[float, float]:
    """CPU seconds and peak RSS (MiB) of one run of ``cmd`` (and its children), output discarded."""
    # Bytecode caching on, as in any normal install: SymPy's files come precompiled from
    # pip, so symgrad's must be cached too for a like-for-like comparison.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["NO_COLOR"] = "1"
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != expect:
        raise SystemExit(f"{cmd} exited with {code}, expected {expect}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def compare(baseline: list[str], candidate: list[str], runs: int, expect: int = 0):
    for cmd, code in ((baseline, 0), (candidate, expect)):  # warm the file cache
        measure(cmd, code)
    base_t, base_m, cand_t, cand_m = [], [], [], []
    for _ in range(runs):
        t, m = measure(baseline)
        base_t.append(t)
        base_m.append(m)
        t, m = measure(candidate, expect)
        cand_t.append(t)
        cand_m.append(m)
    return (
        statistics.median(base_t),
        statistics.median(cand_t),
        statistics.median(base_m),
        statistics.median(cand_m),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    print(f"CPU time per process, medians of {args.runs} interleaved runs; {load()}")
    ok = True
    bare = [sys.executable, "-c", "pass"]
    for label, (cmd, code) in LIGHT.items():
        bt, ct, _, _ = compare(bare, cmd, args.runs, code)
        print(f"  {label:<32} {ct * 1e3:7.1f} ms   python -c pass {bt * 1e3:7.1f} ms")
        ok &= ct / bt <= LIGHT_TARGET
        print(target_line(f"{label} / python -c pass", ct / bt, LIGHT_TARGET))
    bt, ct, bm, cm = compare(
        [sys.executable, "-c", "import sympy"], symgrad("w*w+2", "--at", "w=10"), args.runs
    )
    print(f"  python -c 'import sympy'         {bt * 1e3:7.1f} ms  {bm:6.1f} MiB")
    print(f'  symgrad "w*w+2" --at w=10        {ct * 1e3:7.1f} ms  {cm:6.1f} MiB')
    ok &= ct / bt <= TIME_TARGET and cm / bm <= MEMORY_TARGET
    print(target_line('symgrad "w*w+2" --at w=10 / import sympy, time', ct / bt, TIME_TARGET))
    print(target_line('symgrad "w*w+2" --at w=10 / import sympy, memory', cm / bm, MEMORY_TARGET))
    # symgrad's command line skips the exit-time collection over SymPy's objects (see
    # symgrad.cli.run); against a baseline that skips it too, the ratio is the cost of the
    # work itself: parsing, deriving, checking, the worker and the output.
    same_exit = [sys.executable, "-c", "import sympy, gc; gc.freeze()"]
    bt, ct, _, _ = compare(same_exit, symgrad("w*w+2", "--at", "w=10"), args.runs)
    print(f"  import sympy, the same exit        {bt * 1e3:7.1f} ms")
    print(
        f'symgrad "w*w+2" --at w=10 / import sympy with the same exit: {ct / bt:.2f}x'
        f" (information, no target)  [{load()}]"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
