"""``symgrad critic NETWORK.json``: the seed's Critic network, its exact gradient and one step."""

from __future__ import annotations

import argparse

from symgrad.commands._frameworks import add_export_arguments, run_export, wants_export
from symgrad.guard import run_guarded
from symgrad.output import Output

HELP = "the seed's Critic: a dense network's loss, exact gradient, check and one optimizer step"
EPILOG = """the file (TensorFlow's dense layout: each W has shape (inputs, units), out = act(x @ W + b)):
  {"layers": [{"units": 4, "activation": "relu"}, {"units": 1, "activation": "linear"}],
   "params": {"hidden/W": [[...], ...], "hidden/b": [...], "out/W": [[...]], "out/b": [...]},
   "states": [[...], ...], "targets": [[...], ...]}
activations: relu, tanh, sigmoid, linear, and softmax for the output layer;
optional "loss": "mean_square", "binary_crossentropy" (sigmoid output) or
"categorical_crossentropy" (softmax output, stable log-sum-exp)

examples:
  symgrad critic examples/critic.json
  symgrad critic examples/critic.json --explain "critic/hidden/W[0,2]"
  symgrad critic examples/critic.json --optimizer adam --lr 0.01 --format json
  symgrad critic examples/classifier.json --graph --explain
  symgrad critic examples/critic.json --compare torch"""

TIMEOUT = 60.0  # seconds of CPU time: the largest network within the limits builds in ~10


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from symgrad.optimizers import OPTIMIZERS

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
        "--explain",
        metavar="PARAM[i,j]",
        nargs="?",
        const="matrix",
        help="the chain rule for one weight or bias; alone (or 'matrix'): the backward pass "
        "in matrix form, each matrix checked against the exact gradient",
    )
    parser.add_argument(
        "--graph",
        metavar="FILE",
        nargs="?",
        const="",
        help="the layer graph with shapes; with FILE.png or FILE.svg also drawn",
    )
    add_export_arguments(parser)


def compute(args: argparse.Namespace):
    from symgrad.network import critic, read_network

    data = read_network(args.network)
    return critic(
        data,
        optimizer=args.optimizer,
        lr=args.lr,
        explain=args.explain,
        init=args.init,
        graph=args.graph is not None,
        picture=args.graph or None,
    )


def network_program(args: argparse.Namespace, framework: str):
    """The framework program of the network in the file (built in the worker)."""
    import numpy as np

    from symgrad.export import network_program as program
    from symgrad.network import critic, load_network, read_network

    data = read_network(args.network)
    net, params, states, targets, loss = load_network(data, args.init)
    result = critic(data, init=args.init)
    flat = np.concatenate([result.gradients[n].ravel() for n in result.network.param_names])
    return program(net, params, states, targets, loss, flat, result.loss, framework)


def run(args: argparse.Namespace, out: Output) -> int:
    if wants_export(args):
        return run_export(args, out, network_program)
    result = run_guarded(compute, args, timeout=args.timeout or TIMEOUT, in_process=args.debug)
    out.emit(result)
    return result.exit_code
