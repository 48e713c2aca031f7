"""The Critic at scale: the exact gradient of a dense network's MSE loss, built, evaluated, checked.

Network 3 → H → H → 1 (relu, tanh, linear), batch of 8 for the check, 100,000
states for the evaluation. Targets (ratios measured in this run):

- building the gradient and its evaluator (symbolic reverse mode + cse +
  generated code) at about 2,000 parameters: at most 10 s;
- its cost grows no faster than N^2.1 from about 500 to about 2,000 parameters;
- evaluating the gradient over 100,000 states: at most 1.5x the time of
  ``torch.autograd`` (float64, one thread) on the same numbers, and at most
  1.5x its peak memory (each measured in a fresh process).

Without torch the comparison is skipped (torch is a benchmark-only dependency:
``pip install torch==2.13.0``). ``--naive`` also times ``sympy.diff`` plus
``lambdify`` of the whole loss on a 41-parameter network, the route this replaces.

    python benchmarks/bench_critic.py [--runs 3] [--naive]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import statistics
import subprocess
import sys
import time

BUILD_TARGET = 10.0
GROWTH_TARGET = 2.1
TIME_TARGET = 1.5
MEMORY_TARGET = 1.5
SMALL, LARGE = 20, 42  # hidden units: 521 and 2,017 parameters
NAIVE = 4  # 41 parameters: the naive route already takes seconds (minutes at 113)
BATCH = 100_000


def layers(hidden: int) -> list[tuple[int, str]]:
    return [(hidden, "relu"), (hidden, "tanh"), (1, "linear")]


def data(hidden: int, batch: int, seed: int = 0):
    import numpy as np

    from symgrad.network import Network

    rng = np.random.default_rng(seed)
    net = Network.from_layers(3, layers(hidden))
    params = {n: rng.normal(size=s) * 0.3 for n, s in net.shapes.items()}
    states = rng.normal(size=(batch, 3))
    targets = rng.normal(size=(batch, 1))
    return net, params, states, targets


def build(hidden: int) -> tuple[float, object]:
    """Seconds to build the symbolic gradient and compile its evaluator."""
    from symgrad.network import Network
    from symgrad.network.codegen import compile_program

    start = time.perf_counter()
    net = Network.from_layers(3, layers(hidden))
    g = net.gradient()
    program = compile_program(g.all_outputs(), g.samples, g.params, g.assignments)
    program.function  # noqa: B018 - compile the generated code too
    return time.perf_counter() - start, program


def check_small_batch(hidden: int) -> tuple[float, bool, int]:
    """Evaluate on a batch of 8 and check every partial by central differences."""
    import numpy as np

    from symgrad.network import check_gradient

    _, program = build(hidden)
    net, params, states, targets = data(hidden, 8)
    flat = np.concatenate([params[n].ravel() for n in net.param_names])
    start = time.perf_counter()
    sums = program.evaluate(np.hstack([states, targets]), flat) / 8
    check = check_gradient(net, params, states, targets, "mean_square", sums[2:])
    return time.perf_counter() - start, check.ok, net.num_params


# -- evaluation over 100,000 states, each in a fresh process -----------------------------


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as f:  # resets VmHWM (Linux)
        f.write("5")


def _status(key: str) -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return math.nan


def child(kind: str) -> None:
    import numpy as np

    net, params, states, targets = data(LARGE, BATCH)
    flat = np.concatenate([params[n].ravel() for n in net.param_names])
    if kind == "symgrad":
        _, program = build(LARGE)
        samples = np.hstack([states, targets])

        def run():
            return program.evaluate(samples, flat)[2:] / BATCH
    else:
        import torch

        torch.set_num_threads(1)
        ps = [torch.tensor(params[n], requires_grad=True) for n in net.param_names]
        x, t = torch.tensor(states), torch.tensor(targets)

        def run():
            h1 = torch.relu(x @ ps[0] + ps[1])
            h2 = torch.tanh(h1 @ ps[2] + ps[3])
            out = h2 @ ps[4] + ps[5]
            loss = ((t - out) ** 2).mean()
            return torch.cat([g.reshape(-1) for g in torch.autograd.grad(loss, ps)]).numpy()

    run()  # warm up
    times, peaks = [], []
    for _ in range(3):
        before = _status("VmRSS")
        _reset_peak()
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
        peaks.append(_status("VmHWM") - before)
    print(json.dumps({"time": min(times), "memory": max(peaks), "grad": list(map(float, result))}))


def in_child(kind: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def naive(hidden: int) -> float:
    """sympy.diff of the expanded loss for every parameter, then lambdify: the slow route."""
    import sympy as sp

    from symgrad.network import Network

    net = Network.from_layers(3, layers(hidden))
    g = net.gradient()
    defs = g.definitions()
    start = time.perf_counter()
    loss = g.loss
    for sym, expr in reversed(g.assignments):  # the loss as one expression of the parameters
        if not sym.name.startswith("∂"):
            loss = loss.xreplace({sym: expr})
    grads = [sp.diff(loss, p) for p in g.params]
    sp.lambdify(list(g.samples) + list(g.params), grads, "numpy")
    del defs
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--naive", action="store_true", help="also time sympy.diff + lambdify")
    parser.add_argument("--child", choices=("symgrad", "torch"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return 0
    ok = True
    small, large = [], []
    for _ in range(args.runs):  # interleaved
        small.append(build(SMALL)[0])
        large.append(build(LARGE)[0])
    t_small, t_large = statistics.median(small), statistics.median(large)
    from symgrad.network import Network

    n_small = Network.from_layers(3, layers(SMALL)).num_params
    n_large = Network.from_layers(3, layers(LARGE)).num_params
    growth = math.log(t_large / t_small) / math.log(n_large / n_small)
    print(f"build gradient + evaluator, {n_small} params: {t_small:.2f} s")
    print(
        f"build gradient + evaluator, {n_large} params: {t_large:.2f} s "
        f"(target ≤ {BUILD_TARGET:.0f} s) {'ok' if t_large <= BUILD_TARGET else 'MISSED'}"
    )
    print(
        f"growth exponent {n_small} → {n_large}: N^{growth:.2f} "
        f"(target ≤ N^{GROWTH_TARGET}) {'ok' if growth <= GROWTH_TARGET else 'MISSED'}"
    )
    ok &= t_large <= BUILD_TARGET and growth <= GROWTH_TARGET
    seconds, checked, n = check_small_batch(LARGE)
    print(
        f"evaluate + central-difference check of all {n} partials, batch 8: {seconds:.2f} s, {'agrees' if checked else 'DISAGREES'}"
    )
    ok &= checked
    if args.naive:
        tiny = Network.from_layers(3, layers(NAIVE)).num_params
        slow, fast = naive(NAIVE), build(NAIVE)[0]
        print(
            f"naive sympy.diff + lambdify, {tiny} params: {slow:.2f} s, "
            f"symgrad {fast:.2f} s ({slow / fast:.0f}x faster)"
        )
    ours = in_child("symgrad")
    print(f"symgrad, {BATCH:,} states: {ours['time']:.3f} s, peak +{ours['memory']:.0f} MiB")
    if importlib.util.find_spec("torch") is None:
        print("torch is not installed: the torch.autograd comparison was skipped")
        return 0 if ok else 1
    theirs = in_child("torch")
    print(
        f"torch.autograd (float64, 1 thread): {theirs['time']:.3f} s, peak +{theirs['memory']:.0f} MiB"
    )
    same = max(abs(a - b) / max(1.0, abs(b)) for a, b in zip(ours["grad"], theirs["grad"]))
    print(f"largest difference between the two gradients: {same:.1e}")
    time_ratio = ours["time"] / theirs["time"]
    memory_ratio = ours["memory"] / max(theirs["memory"], 1e-9)
    print(
        f"time ratio {time_ratio:.2f}x (target ≤ {TIME_TARGET}x) "
        f"{'ok' if time_ratio <= TIME_TARGET else 'MISSED'}"
    )
    print(
        f"memory ratio {memory_ratio:.2f}x (target ≤ {MEMORY_TARGET}x) "
        f"{'ok' if memory_ratio <= MEMORY_TARGET else 'MISSED'}"
    )
    ok &= time_ratio <= TIME_TARGET and memory_ratio <= MEMORY_TARGET and same < 1e-9
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
