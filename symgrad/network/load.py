"""Reading and validating a network file: one-line errors, sizes within the limits."""

from __future__ import annotations

import json

from symgrad.errors import InputError, LimitError
from symgrad.functions import ACTIVATIONS
from symgrad.network.model import LOSSES, Network, describe

__all__ = [
    "MAX_PARAMS",
    "MAX_STATES",
    "MAX_LAYERS",
    "MAX_UNITS",
    "MAX_FILE_BYTES",
    "load_network",
    "read_network",
]

MAX_PARAMS = 20_000
MAX_STATES = 10_000
MAX_LAYERS = 10
MAX_UNITS = 2_000
MAX_FILE_BYTES = 5_000_000


def _fail(message: str, hint: str | None = None):
    raise InputError(message, hint=hint)


def _number(value, where: str) -> float:
    import math

    if isinstance(value, bool) or not isinstance(value, int | float):
        _fail(f"{where} must be a number, got {describe(value)}")
    try:
        value = float(value)
    except OverflowError:  # a whole number with hundreds of digits
        _fail(f"{where} is too large for float64 (at most about 1.8e308), got {describe(value)}")
    if not math.isfinite(value):
        _fail(f"{where} must be finite, got {value}")
    return value


def _matrix(value, shape: tuple[int, ...], where: str):
    """A nested list of numbers with exactly ``shape``, as a float64 array."""
    import numpy as np

    def walk(v, dims, path):
        if not dims:
            return _number(v, f"{where}{path}")
        if not isinstance(v, list):
            _fail(f"{where}{path} must be a list of {dims[0]}, got {describe(v)}")
        if len(v) != dims[0]:
            _fail(
                f"{where}{path} has {len(v)} entries where the network needs {dims[0]}",
                hint=f"{where} has shape {shape}",
            )
        return [walk(x, dims[1:], f"{path}[{i}]") for i, x in enumerate(v)]

    return np.array(walk(value, list(shape), ""), dtype=np.float64).reshape(shape)


def load_network(data, init: int | None = None):
    """Validate a network description (the JSON file's content).

    Returns ``(network, params, states, targets)`` with float64 arrays; every
    problem is an :class:`~symgrad.errors.InputError` with a one-line message,
    every size beyond the limits a :class:`~symgrad.errors.LimitError`.
    """
    import numpy as np

    from symgrad.errors import LimitError

    if not isinstance(data, dict):
        _fail("the network file must hold a JSON object with layers, params, states, targets")
    unknown = sorted(set(data) - {"layers", "params", "states", "targets", "loss"})
    if unknown:
        _fail(
            f"unknown key {unknown[0]!r} in the network file",
            hint="the keys are layers, params, states, targets, loss",
        )
    for key in ("layers", "states", "targets"):
        if key not in data:
            _fail(f"the network file has no {key!r}")
    if init is not None and (isinstance(init, bool) or not isinstance(init, int) or init < 0):
        _fail(f"--init SEED must be a whole number ≥ 0, got {describe(init)}")
    if "params" not in data and init is None:
        _fail(
            "the network file has no 'params'",
            hint="add them, or pass --init SEED for a reproducible start",
        )
    layers = data["layers"]
    if not isinstance(layers, list) or not layers:
        _fail('\'layers\' must be a non-empty list of {"units": N, "activation": NAME}')
    if len(layers) > MAX_LAYERS:
        raise LimitError(f"{len(layers)} layers is more than the limit of {MAX_LAYERS}")
    spec = []
    for i, layer in enumerate(layers):
        if not isinstance(layer, dict) or "units" not in layer:
            _fail(f'layers[{i}] must be an object with "units" (and "activation")')
        extra = sorted(set(layer) - {"units", "activation"})
        if extra:
            _fail(
                f"layers[{i}] has an unknown key {extra[0]!r}",
                hint="a layer has units and activation",
            )
        units = layer["units"]
        if isinstance(units, bool) or not isinstance(units, int) or units < 1:
            _fail(f"layers[{i}].units must be a whole number ≥ 1, got {describe(units)}")
        if units > MAX_UNITS:
            raise LimitError(f"layers[{i}] has {units} units, more than the limit of {MAX_UNITS}")
        act = layer.get("activation", "linear")
        if not isinstance(act, str) or (act not in ACTIVATIONS and act != "softmax"):
            *most, last = [*ACTIVATIONS, "softmax"]
            _fail(
                f"layers[{i}].activation {describe(act)} is not known",
                hint=f"use {', '.join(most)} or {last}",
            )
        spec.append((units, act))
    states, targets = data["states"], data["targets"]
    for key, rows in (("states", states), ("targets", targets)):
        if not isinstance(rows, list) or not rows or not isinstance(rows[0], list) or not rows[0]:
            _fail(f"'{key}' must be a non-empty list of rows of numbers, e.g. [[0.1, 0.2, 0.3]]")
    if len(states) > MAX_STATES:
        raise LimitError(f"{len(states)} states is more than the limit of {MAX_STATES}")
    if len(targets) != len(states):
        _fail(
            f"there are {len(states)} states but {len(targets)} targets",
            hint="one target row per state",
        )
    dim = len(states[0])
    if dim > MAX_UNITS:
        raise LimitError(f"states have {dim} entries, more than the limit of {MAX_UNITS}")
    net = Network.from_layers(dim, spec)
    if net.num_params > MAX_PARAMS:
        raise LimitError(
            f"the network has {net.num_params} parameters, more than the limit of {MAX_PARAMS}"
        )
    s = _matrix(states, (len(states), dim), "states")
    t = _matrix(targets, (len(targets), net.outputs), "targets")
    if "params" in data and init is None:
        given = data["params"]
        if not isinstance(given, dict):
            _fail("'params' must be an object: name -> array")
        names = list(given)
        if len(names) != len(net.param_names):
            _fail(
                f"'params' has {len(names)} arrays where {len(layers)} layers need {len(net.param_names)} "
                "(a weight matrix and a bias per layer, in order)"
            )
        named = net.renamed(names)  # the names are checked before they appear in any message
        params = {}
        for mine, theirs in zip(net.param_names, names):
            params[mine] = _matrix(given[theirs], net.shapes[mine], f"params[{theirs!r}]")
        net = named
        params = dict(zip(names, params.values()))
    else:
        rng = np.random.default_rng(init)
        params = {}
        for name, shape in net.shapes.items():
            if len(shape) == 2:  # glorot_uniform, TensorFlow's default kernel initializer
                limit = (6 / (shape[0] + shape[1])) ** 0.5
                params[name] = np.round(rng.uniform(-limit, limit, size=shape), 4)
            else:
                params[name] = np.zeros(shape)
    loss = data.get("loss", "mean_square")
    if loss not in LOSSES:
        _fail(f"unknown loss {describe(loss)}", hint=f"use {', '.join(LOSSES)}")
    return net, params, s, t, loss


def read_network(path: str):
    """The JSON content of the file: one-line errors for missing, big or malformed files.

    Only a regular file is read (a FIFO or a device is refused at once, never
    waited on), and a key that appears twice in one object is an error.
    """
    import os
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as err:
        raise InputError(f"cannot read {path}: {err.strerror or err}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputError(f"{path} is not a regular file", hint="give the path of a .json file")
        with os.fdopen(fd, "rb") as f:
            fd = -1
            raw = f.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise InputError(f"cannot read {path}: {err.strerror or err}") from None
    finally:
        if fd >= 0:
            os.close(fd)
    if len(raw) > MAX_FILE_BYTES:
        raise LimitError(f"{path} is larger than {MAX_FILE_BYTES // 1_000_000} MB")

    def no_constants(name: str):
        raise InputError(f"{path}: {name} is not a number JSON allows")

    def unique_keys(pairs: list) -> dict:
        seen: dict = {}
        for key, value in pairs:
            if key in seen:
                raise InputError(
                    f"{path}: the key {describe(key)} appears twice in one object",
                    hint="JSON readers disagree on which one counts: keep one",
                )
            seen[key] = value
        return seen

    try:
        return json.loads(
            raw.decode("utf-8"), parse_constant=no_constants, object_pairs_hook=unique_keys
        )
    except UnicodeDecodeError:
        raise InputError(f"{path} is not UTF-8 text") from None
    except json.JSONDecodeError as err:
        raise InputError(
            f"{path} is not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}"
        ) from None
    except RecursionError:
        raise InputError(f"{path} is nested too deeply") from None
    except ValueError as err:  # a whole number with more digits than Python converts
        raise InputError(
            f"{path}: a number has too many digits to read ({str(err)[:60]})"
        ) from None
