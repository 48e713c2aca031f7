"""``symgrad critic NETWORK.json``: the seed's Critic network, its exact gradient and one step."""

from __future__ import annotations

import argparse
import json

from symgrad.errors import InputError, LimitError
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

TIMEOUT = 30.0


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


def read_network(path: str):
    """The JSON content of the file: one-line errors for missing, big or malformed files."""
    from symgrad.network import MAX_FILE_BYTES

    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise InputError(f"cannot read {path}: {err.strerror or err}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise LimitError(f"{path} is larger than {MAX_FILE_BYTES // 1_000_000} MB")

    def no_constants(name: str):
        raise InputError(f"{path}: {name} is not a number JSON allows")

    try:
        return json.loads(raw.decode("utf-8"), parse_constant=no_constants)
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text") from None
    except json.JSONDecodeError as err:
        raise InputError(
            f"{path} is not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}"
        ) from None
    except RecursionError:
        raise InputError(f"{path} is nested too deeply") from None


def compute(args: argparse.Namespace):
    from symgrad.network import critic

    data = read_network(args.network)
    return critic(data, optimizer=args.optimizer, lr=args.lr, explain=args.explain, init=args.init)


def run(args: argparse.Namespace, out: Output) -> int:
    result = run_guarded(compute, args, timeout=args.timeout or TIMEOUT, in_process=args.debug)
    out.emit(result)
    return result.exit_code
