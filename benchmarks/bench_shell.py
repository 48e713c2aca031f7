"""The warm session against the cold command: the seed's example answered again and again.

Cold: ``symgrad "w*w+2" --at w=10`` as a new process (CPU time of the process
from ``wait4``). Warm: the same line answered by a :class:`symgrad.session.Session`
in this process, each answer in a freshly forked, limited worker, as ``symgrad
shell`` does (CPU time of this process plus its workers, from ``getrusage``;
wall-clock time printed for reference). Targets: a warm answer costs at most
50 ms, and at least 10x less than the cold command. Two more lines are answered
warm at the same 50 ms: a checked answer (``check cos(x) --answer "-sin(x)"``,
whose SymPy confirmation runs in a worker of its own) and a step of Adam.

    python benchmarks/bench_shell.py [--runs 21]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import resource
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import load, target_line

LIMIT_MS = 50.0
SPEED_UP = 10.0
LINE = ["w*w+2", "--at", "w=10"]
OTHER_LINES = {  # line: what its answer must contain
    ("check", "cos(x)", "--answer", "-sin(x)"): "correct",
    ("step", "w*w+2", "--at", "w=10", "--optimizer", "adam"): "AdamOptimizer",
}


def cold() -> float:
    exe = Path(sys.executable).with_name("symgrad")
    cmd = [str(exe), *LINE] if exe.exists() else [sys.executable, "-m", "symgrad", *LINE]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(p.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    return usage.ru_utime + usage.ru_stime


def cpu_now() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def warm_answer(session, line=LINE, expect="[(20.0, 10.0)]") -> tuple[float, float]:
    buffer = io.StringIO()
    start, wall = cpu_now(), time.perf_counter()
    with contextlib.redirect_stdout(buffer):
        code = session.run(list(line))
    cpu, wall = cpu_now() - start, time.perf_counter() - wall
    assert code == 0 and expect in buffer.getvalue(), buffer.getvalue()
    return cpu, wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    from symgrad.session import Session

    start = cpu_now()
    session = Session()
    startup = cpu_now() - start
    warm_answer(session)
    colds, warms, walls = [], [], []
    for _ in range(args.runs):
        colds.append(cold())
        cpu, wall = warm_answer(session)
        warms.append(cpu)
        walls.append(wall)
    c, w, wall = statistics.median(colds), statistics.median(warms), statistics.median(walls)
    print(f'symgrad "w*w+2" --at w=10: CPU time, medians of {args.runs} interleaved runs; {load()}')
    print(f"  cold command              {c * 1e3:8.1f} ms")
    print(f"  warm session answer       {w * 1e3:8.1f} ms   (wall {wall * 1e3:.1f} ms)")
    print(f"  starting the session      {startup * 1e3:8.1f} ms, once")
    print(target_line("warm answer, CPU", w * 1e3, LIMIT_MS, " ms"))
    print(target_line("warm answer / cold command", w / c, 1 / SPEED_UP))
    ok = w * 1e3 <= LIMIT_MS and c / w >= SPEED_UP
    for line, expect in OTHER_LINES.items():
        warm_answer(session, line, expect)
        cpu = statistics.median(warm_answer(session, line, expect)[0] for _ in range(args.runs))
        ok &= cpu * 1e3 <= LIMIT_MS
        print(target_line(f"warm answer of {shlex.join(line)}, CPU", cpu * 1e3, LIMIT_MS, " ms"))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
