"""Run every benchmark, print their reports, keep the latest output, update the README.

Each benchmark prints its targets as ratios against baselines measured in the
same run, with the machine's load next to them (lines ending in ``ok`` or
``MISSED`` and a ``[load ...]``). This script runs them one after another as
separate processes, with arguments chosen so that the whole run stays under
10 minutes on a busy 2-core machine, writes everything they printed to
``benchmarks/latest.txt`` and rewrites the README's performance section from
it (``update_readme.py``).

    python benchmarks/run_all.py [--no-readme]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
LATEST = HERE / "latest.txt"

#: (script, arguments, seconds allowed)
BENCHMARKS = [
    ("bench_startup.py", ["--runs", "11"], 180),
    ("bench_check.py", ["--runs", "5"], 120),
    ("bench_grad.py", ["--runs", "1"], 300),
    ("bench_shell.py", ["--runs", "11"], 120),
    ("bench_critic.py", ["--runs", "5"], 300),
    ("bench_steps.py", ["--runs", "2"], 300),
    ("bench_plugin.py", [], 120),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-readme", action="store_true", help="do not rewrite README.md")
    args = parser.parse_args()
    report, failed = [], 0
    started = time.monotonic()
    for script, argv, allowed in BENCHMARKS:
        if not (HERE / script).exists():
            continue
        print(f"== {script} {' '.join(argv)}", flush=True)
        report.append(f"== {script} {' '.join(argv)}")
        try:
            proc = subprocess.run(
                [sys.executable, str(HERE / script), *argv],
                cwd=HERE,
                capture_output=True,
                text=True,
                timeout=allowed,
                env={**os.environ, "NO_COLOR": "1"},
            )
            output = proc.stdout.rstrip("\n")
            if proc.returncode not in (0, 1):
                output += (
                    f"\n{script} failed (exit {proc.returncode}): {proc.stderr.strip()[-300:]}"
                )
            failed += proc.returncode != 0
        except subprocess.TimeoutExpired:
            output = f"{script}: stopped after {allowed} s (MISSED: too slow to finish)"
            failed += 1
        print(output, flush=True)
        report.append(output)
    minutes = (time.monotonic() - started) / 60
    report.append(f"== all benchmarks: {minutes:.1f} minutes")
    print(report[-1])
    tmp = LATEST.with_suffix(".tmp")
    tmp.write_text("\n".join(report) + "\n", encoding="utf-8")
    os.replace(tmp, LATEST)
    if not args.no_readme:
        from update_readme import update

        update(LATEST)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
