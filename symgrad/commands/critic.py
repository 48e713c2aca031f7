"""``symgrad critic NETWORK.json``: the seed's Critic network, its exact gradient and one step."""

from __future__ import annotations

import argparse

from symgrad.guard import run_guarded
from symgrad.optimizers import OPTIMIZERS
from symgrad.output import Output

HELP = "the seed's Critic: a dense network's loss, exact gradient, check and one optimizer step"
EPILOG = """the file (TensorFlow's dense layout: each W has shape (inputs, units), out = act(x @ W + b)):
  {"layers": [{"units": 4, "activation": "relu"}, {"units": 1, "activation": "linear"}],
   "params": {"hidden/W": [[...], ...], "hidden/b": [...], "out/W": [[...]], "out/b": [...]},
   "states": [[...], ...], "targets": [[...], ...]}
activations: relu, tanh, sigmoid, linear; optional "loss": "mean_square" or "binary_crossentropy"

examples:
  symgrad critic examples/critic.json
  symgrad critic examples/critic.json --explain "critic/hidden/W[0,2]"
  symgrad critic examples/critic.json --optimizer adam --lr 0.01 --format json"""

TIMEOUT = 60.0  # seconds of CPU time: the largest network within the limits builds in ~10


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "network", metavar="NETWORK.json", help="the network, its parameters and a batch"
    )
    parser.add_argument(
        "--optimizer",
        choices=tuple(OPTIMIZERS),
        default="rmsprop",
        help="default: rmsprop, as in the seed",
    )
    parser.add_argument("--lr", type=float, default=None, help="learning rate (default 0.001)")
    parser.add_argument(
        "--init",
        type=int,
        default=None,
        metavar="SEED",
        help="ignore params: glorot-uniform weights, zero biases",
    )
    parser.add_argument(
        "--explain", metavar="PARAM[i,j]", help="the chain rule for one weight or bias"
    )


def compute(args: argparse.Namespace):
    from symgrad.network import critic, read_network

    data = read_network(args.network)
    return critic(data, optimizer=args.optimizer, lr=args.lr, explain=args.explain, init=args.init)


def run(args: argparse.Namespace, out: Output) -> int:
    result = run_guarded(compute, args, timeout=args.timeout or TIMEOUT, in_process=args.debug)
    out.emit(result)
    return result.exit_code
