"""The Critic at scale: building, evaluating and checking a dense network's exact gradient.

Network 3 → H → H → 1 (relu, tanh, linear), mean-square loss. Every figure is
a ratio to a baseline measured in the same run (CPU time, medians,
interleaved), with the machine's load next to it:

- evaluation of the gradient against ``torch.autograd`` (float64, one thread
  for both: BLAS threads are pinned with threadpoolctl, torch with
  ``set_num_threads``) at 8, 1,000 and 100,000 states, at about 2,000 and
  20,000 parameters: at most 1.5x;
- the independent check (random directions and a random sample of partials,
  central differences of the loss) against one evaluation, 1,000 states: at
  most 20x;
- building the gradient and its evaluator: at most 10 s of CPU time at about
  20,000 parameters, with the growth exponent over four sizes;
- peak memory of one evaluation over 100,000 states at about 20,000
  parameters against torch's, each in a fresh process: at most 1.5x;
- other shapes at the same targets (build, evaluation at 8 and 1,000 states,
  check at 1,000 states): deep and narrow 3-16x8-1, wide 3-2000-1 (a layer at
  the 2,000-unit limit) and 10 layers 3-40x9-1, all tanh.

torch is a benchmark-only dependency (``pip install torch==2.13.0``); without
it the comparisons with torch are skipped.

    python benchmarks/bench_critic.py [--runs 7] [--quick]
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import json
import math
import subprocess
import sys

from common import cpu_once, exponent, interleaved, load, ms, target_line

BUILD_TARGET = 10.0
TIME_TARGET = 1.5
CHECK_TARGET = 20.0
MEMORY_TARGET = 1.5
HIDDEN = (20, 42, 80, 138)  # 521, 2,017, 6,961 and 19,873 parameters
COMPARED = (42, 138)
STATES = (8, 1_000, 100_000)
SHAPES = {  # name: hidden layers (all tanh), then one linear output
    "3-16x8-1": [16] * 8,
    "3-2000-1": [2000],
    "3-40x9-1": [40] * 9,
}
SHAPE_STATES = (8, 1_000)
MEMORY_STATES = 100_000


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
    """CPU seconds to build the symbolic gradient and compile its evaluator."""
    from symgrad.network import Network
    from symgrad.network.codegen import compile_program

    holder = {}

    def work():
        net = Network.from_layers(3, layers(hidden))
        g = net.gradient()
        program = compile_program(g.all_outputs(), g.samples, g.params, g.assignments)
        program.function  # noqa: B018 - compile the generated code too
        holder["program"] = program

    return cpu_once(work), holder["program"]


def runners(hidden: int, batch: int, program):
    """The two gradient evaluations on the same numbers, and their largest difference."""
    import numpy as np

    net, params, states, targets = data(hidden, batch)
    flat = np.concatenate([params[n].ravel() for n in net.param_names])
    samples = np.hstack([states, targets])

    def ours():
        return program.evaluate(samples, flat)[2:] / batch

    theirs = None
    if importlib.util.find_spec("torch") is not None:
        import torch

        torch.set_num_threads(1)
        ps = [torch.tensor(params[n], requires_grad=True) for n in net.param_names]
        x, t = torch.tensor(states), torch.tensor(targets)

        def theirs():
            h1 = torch.relu(x @ ps[0] + ps[1])
            h2 = torch.tanh(h1 @ ps[2] + ps[3])
            out = h2 @ ps[4] + ps[5]
            loss = ((t - out) ** 2).mean()
            return torch.cat([g.reshape(-1) for g in torch.autograd.grad(loss, ps)]).numpy()

    return net, params, states, targets, ours, theirs


def shape_layers(hidden: list[int]) -> list[tuple[int, str]]:
    return [(h, "tanh") for h in hidden] + [(1, "linear")]


def shapes(runs: int, has_torch: bool) -> bool:
    """Build, evaluation against torch.autograd and the check for networks of other shapes."""
    import numpy as np

    from symgrad.network import Network, check_gradient
    from symgrad.network.codegen import compile_program

    ok = True
    for name, hidden in SHAPES.items():
        layers_ = shape_layers(hidden)
        holder = {}

        def work(layers_=layers_, holder=holder):
            net = Network.from_layers(3, layers_)
            g = net.gradient()
            holder["program"] = compile_program(g.all_outputs(), g.samples, g.params, g.assignments)
            holder["program"].function  # noqa: B018 - compile the generated code too
            holder["net"] = net

        seconds = cpu_once(work)
        net, program = holder["net"], holder["program"]
        ok &= seconds <= BUILD_TARGET
        print(
            target_line(
                f"build of {name}, {net.num_params:,} parameters", seconds, BUILD_TARGET, " s"
            )
        )
        rng = np.random.default_rng(0)
        params = {n: rng.normal(size=s) * 0.3 for n, s in net.shapes.items()}
        flat = np.concatenate([params[n].ravel() for n in net.param_names])
        for batch in SHAPE_STATES:
            states, targets = rng.normal(size=(batch, 3)), rng.normal(size=(batch, 1))
            samples = np.hstack([states, targets])

            def ours(samples=samples, batch=batch, program=program, flat=flat):
                return program.evaluate(samples, flat)[2:] / batch

            if batch == 1_000:
                grads = ours()
                check = functools.partial(
                    check_gradient, net, params, states, targets, "mean_square", grads
                )
                assert check().ok, check().explain()
                evaluation, checking = interleaved([ours, check], runs)
                ok &= checking / evaluation <= CHECK_TARGET
                print(
                    target_line(
                        f"check of {name}, {batch:,} states / one evaluation",
                        checking / evaluation,
                        CHECK_TARGET,
                    )
                )
            if not has_torch:
                continue
            import torch

            ps = [torch.tensor(params[n], requires_grad=True) for n in net.param_names]
            x, t = torch.tensor(states), torch.tensor(targets)

            def theirs(ps=ps, x=x, t=t, hidden=hidden):
                h = x
                for k in range(len(hidden)):
                    h = torch.tanh(h @ ps[2 * k] + ps[2 * k + 1])
                out = h @ ps[-2] + ps[-1]
                loss = ((t - out) ** 2).mean()
                return torch.cat([g.reshape(-1) for g in torch.autograd.grad(loss, ps)]).numpy()

            diff = max(abs(a - b) / max(1.0, abs(b)) for a, b in zip(ours(), theirs()))
            mine, torch_time = interleaved([ours, theirs], runs)
            ok &= mine / torch_time <= TIME_TARGET and diff < 1e-9
            print(
                target_line(
                    f"evaluation of {name}, {batch:,} states / torch.autograd",
                    mine / torch_time,
                    TIME_TARGET,
                )
            )
    return ok


# -- peak memory over 100,000 states, each in a fresh process ----------------------------


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
    from threadpoolctl import threadpool_limits

    hidden = COMPARED[-1]
    program = build(hidden)[1] if kind == "symgrad" else None
    *_, ours, theirs = runners(hidden, MEMORY_STATES, program)
    run = ours if kind == "symgrad" else theirs
    with threadpool_limits(1):
        run()  # warm up
        peaks = []
        for _ in range(2):
            before = _status("VmRSS")
            _reset_peak()
            run()
            peaks.append(_status("VmHWM") - before)
    print(json.dumps({"memory": max(peaks)}))


def in_child(kind: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="skip 100,000 states and memory")
    parser.add_argument("--child", choices=("symgrad", "torch"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return 0
    from threadpoolctl import threadpool_limits

    from symgrad.network import Network, check_gradient

    ok = True
    print(f"the Critic's gradient, network 3-H-H-1; CPU time, medians; {load()}")
    sizes, builds, programs = [], [], {}
    for hidden in HIDDEN:
        seconds, programs[hidden] = build(hidden)
        sizes.append(Network.from_layers(3, layers(hidden)).num_params)
        builds.append(seconds)
        print(f"  build, {sizes[-1]:>6,} parameters: {seconds:6.2f} s")
    ok &= builds[-1] <= BUILD_TARGET
    print(target_line(f"build at {sizes[-1]:,} parameters", builds[-1], BUILD_TARGET, " s"))
    print(
        f"growth of the build time, {sizes[0]:,} to {sizes[-1]:,} parameters: N^{exponent(sizes, builds):.2f}"
    )
    has_torch = importlib.util.find_spec("torch") is not None
    if not has_torch:
        print("torch is not installed: the comparisons with torch.autograd are skipped")
    with threadpool_limits(1):
        for hidden in COMPARED:
            n = sizes[HIDDEN.index(hidden)]
            for batch in STATES:
                if args.quick and batch > 10_000:
                    continue
                net, params, states, targets, ours, theirs = runners(
                    hidden, batch, programs[hidden]
                )
                runs = max(3, args.runs // 2) if batch > 10_000 else args.runs
                if batch == 1_000:
                    grads = ours()
                    check = check_gradient(net, params, states, targets, "mean_square", grads)
                    assert check.ok, check.explain()
                    evaluation, checking = interleaved(
                        [
                            ours,
                            functools.partial(
                                check_gradient, net, params, states, targets, "mean_square", grads
                            ),
                        ],
                        runs,
                    )
                    ok &= checking / evaluation <= CHECK_TARGET
                    print(
                        target_line(
                            f"check of {n:,} parameters, {batch:,} states / one evaluation",
                            checking / evaluation,
                            CHECK_TARGET,
                        )
                    )
                if theirs is None:
                    continue
                diff = max(abs(a - b) / max(1.0, abs(b)) for a, b in zip(ours(), theirs()))
                mine, torch_time = interleaved([ours, theirs], runs)
                print(
                    f"  {n:>6,} parameters, {batch:>7,} states: symgrad {ms(mine)}, "
                    f"torch.autograd {ms(torch_time)} (gradients differ by {diff:.0e})"
                )
                ok &= mine / torch_time <= TIME_TARGET and diff < 1e-9
                print(
                    target_line(
                        f"evaluation, {n:,} parameters, {batch:,} states / torch.autograd",
                        mine / torch_time,
                        TIME_TARGET,
                    )
                )
    with threadpool_limits(1):
        if has_torch:
            import torch

            torch.set_num_threads(1)
        ok &= shapes(args.runs, has_torch)
    if has_torch and not args.quick:
        ours_m, theirs_m = in_child("symgrad")["memory"], in_child("torch")["memory"]
        print(
            f"  peak memory, {MEMORY_STATES:,} states: symgrad +{ours_m:.0f} MiB, torch +{theirs_m:.0f} MiB"
        )
        ok &= ours_m / theirs_m <= MEMORY_TARGET
        print(
            target_line(
                f"memory at {sizes[-1]:,} parameters / torch", ours_m / theirs_m, MEMORY_TARGET
            )
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
