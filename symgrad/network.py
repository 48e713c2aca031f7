"""Dense networks of SymPy symbols, their losses, and the exact gradient of the loss.

A network is a list of dense layers in TensorFlow's layout: each weight
matrix ``W`` has shape (inputs, units) and ``out = act(x @ W + b)``. Every
weight and bias is a SymPy symbol. The gradient is built by reverse mode
(backpropagation *is* the chain rule): each layer's backward quantities are
named symbols defined by SymPy derivatives of the layer's own formula, so
the program stays linear in the network's size instead of growing like N²,
and :mod:`symgrad.codegen` turns it into a fast evaluator.

>>> net = Network.from_layers(2, [(3, "tanh"), (1, "linear")])
>>> net.param_names, net.num_params
(('hidden/W', 'hidden/b', 'out/W', 'out/b'), 13)
>>> net.shapes["hidden/W"]
(2, 3)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import sympy as sp

from symgrad.errors import InputError
from symgrad.functions import relu, sigmoid, softplus
from symgrad.parse import variable

__all__ = ["Network", "Layer", "Gradient", "ACTIVATIONS", "LOSSES", "mean_square"]

ACTIVATIONS = {
    "relu": relu,
    "tanh": sp.tanh,
    "sigmoid": sigmoid,
    "linear": None,
}
LOSSES = ("mean_square", "binary_crossentropy")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_/.:-]{0,59}")


def mean_square(target: Sequence[sp.Expr], out: Sequence[sp.Expr]) -> sp.Expr:
    """tflearn's ``mean_square``: the mean of the squared differences, over every element.

    >>> t, o = variable("t"), variable("o")
    >>> mean_square([t], [o])
    (-o + t)**2
    """
    return sp.Add(*[(a - b) ** 2 for a, b in zip(target, out)]) / len(out)


@dataclass(frozen=True)
class Layer:
    """One dense layer: ``units`` outputs and an activation."""

    name: str
    units: int
    activation: str


@dataclass(frozen=True)
class Gradient:
    """The per-sample loss and its gradient as one straight-line program.

    ``assignments`` define, in order, the forward values (``z``, ``a``) and
    the backward ones (``∂ℓ/∂z``, ``∂ℓ/∂a``); ``outputs`` are the loss, the
    network outputs and then one derivative per parameter (``num_params``),
    all per sample. Summed over a batch and divided by its size they give the
    mean loss and ``tf.gradients(loss, params)``.
    """

    inputs: tuple[sp.Symbol, ...]
    targets: tuple[sp.Symbol, ...]
    params: tuple[sp.Symbol, ...]
    assignments: tuple[tuple[sp.Symbol, sp.Expr], ...]
    loss: sp.Expr
    outputs: tuple[sp.Expr, ...]
    grads: tuple[sp.Expr, ...]

    @property
    def samples(self) -> tuple[sp.Symbol, ...]:
        return self.inputs + self.targets

    def all_outputs(self) -> list[sp.Expr]:
        return [self.loss, *self.outputs, *self.grads]

    def definitions(self) -> dict[sp.Symbol, sp.Expr]:
        return dict(self.assignments)


@dataclass(frozen=True)
class Network:
    """A dense network whose parameters are SymPy symbols."""

    inputs: int
    layers: tuple[Layer, ...]
    names: tuple[str, ...] | None = None  # parameter names, a (W, b) pair per layer

    @classmethod
    def from_layers(cls, inputs: int, layers: Sequence[tuple[int, str]]) -> Network:
        """Layers named ``hidden``, ``hidden2``, ... and ``out`` for the last."""
        named = []
        for i, (units, act) in enumerate(layers):
            name = "out" if i == len(layers) - 1 else ("hidden" if i == 0 else f"hidden{i + 1}")
            named.append(Layer(name, units, act))
        return cls(inputs, tuple(named))

    @cached_property
    def param_names(self) -> tuple[str, ...]:
        if self.names is not None:
            return self.names
        return tuple(n for layer in self.layers for n in (f"{layer.name}/W", f"{layer.name}/b"))

    def renamed(self, names: Sequence[str]) -> Network:
        """The same network with the parameter names of a file (``critic/fc1/W`` ...).

        Each layer takes the name of its weight matrix without the last part.
        """
        names = tuple(names)
        for name in names:
            if not isinstance(name, str) or not _NAME.fullmatch(name):
                raise InputError(
                    f"parameter name {_describe(name)} is not allowed",
                    hint="use letters, digits and _ / . : - (at most 60 characters)",
                )
        if len(set(names)) != len(names):
            raise InputError("two parameters have the same name")
        layers = tuple(
            Layer(
                names[2 * i].rsplit("/", 1)[0] if "/" in names[2 * i] else names[2 * i],
                layer.units,
                layer.activation,
            )
            for i, layer in enumerate(self.layers)
        )
        return Network(self.inputs, layers, names)

    @cached_property
    def shapes(self) -> dict[str, tuple[int, ...]]:
        shapes: dict[str, tuple[int, ...]] = {}
        fan_in = self.inputs
        for i, layer in enumerate(self.layers):
            shapes[self.param_names[2 * i]] = (fan_in, layer.units)
            shapes[self.param_names[2 * i + 1]] = (layer.units,)
            fan_in = layer.units
        return shapes

    @property
    def num_params(self) -> int:
        return sum(_size(s) for s in self.shapes.values())

    @property
    def outputs(self) -> int:
        return self.layers[-1].units

    def symbols(self) -> dict[str, list]:
        """The parameter symbols by name: ``W`` as a list of rows, ``b`` as a list."""
        out: dict[str, list] = {}
        for name, shape in self.shapes.items():
            if len(shape) == 2:
                out[name] = [
                    [variable(f"{name}[{i},{j}]") for j in range(shape[1])] for i in range(shape[0])
                ]
            else:
                out[name] = [variable(f"{name}[{j}]") for j in range(shape[0])]
        return out

    def flat_symbols(self) -> list[sp.Symbol]:
        """Every parameter symbol, in TensorFlow's order (row-major within each array)."""
        flat: list[sp.Symbol] = []
        for value in self.symbols().values():
            for item in value:
                flat.extend(item if isinstance(item, list) else [item])
        return flat

    def gradient(self, loss: str = "mean_square") -> Gradient:
        """The per-sample loss and its exact gradient with respect to every parameter.

        >>> net = Network.from_layers(1, [(1, "linear")])
        >>> g = net.gradient()
        >>> g.loss, g.grads
        ((-out/a[0] + t[0])**2, (x[0]*∂ℓ/∂out/z[0], ∂ℓ/∂out/z[0]))
        >>> g.definitions()[g.grads[1]]
        2*out/a[0] - 2*t[0]
        """
        if loss not in LOSSES:
            raise InputError(
                f"unknown loss {loss!r}", hint="choose mean_square or binary_crossentropy"
            )
        xs = tuple(variable(f"x[{i}]") for i in range(self.inputs))
        ts = tuple(variable(f"t[{k}]") for k in range(self.outputs))
        syms = self.symbols()
        assignments: list[tuple[sp.Symbol, sp.Expr]] = []
        acts: list[list[sp.Expr]] = [list(xs)]
        zs: list[list[sp.Symbol]] = []
        for index, layer in enumerate(self.layers):
            w_mat, b = syms[self.param_names[2 * index]], syms[self.param_names[2 * index + 1]]
            prev = acts[-1]
            z_layer, a_layer = [], []
            for j in range(layer.units):
                z = variable(f"{layer.name}/z[{j}]")
                assignments.append(
                    (z, sp.Add(*[prev[i] * w_mat[i][j] for i in range(len(prev))]) + b[j])
                )
                z_layer.append(z)
                if ACTIVATIONS[layer.activation] is None:
                    a_layer.append(z)
                else:
                    a = variable(f"{layer.name}/a[{j}]")
                    assignments.append((a, ACTIVATIONS[layer.activation](z)))
                    a_layer.append(a)
            zs.append(z_layer)
            acts.append(a_layer)
        last = self.layers[-1]
        out = acts[-1]
        if loss == "mean_square":
            if last.activation == "linear":  # name the output a[k] = z[k] so the loss reads well
                out = [variable(f"{last.name}/a[{k}]") for k in range(last.units)]
                assignments += list(zip(out, zs[-1]))
            ell = mean_square(ts, out)
            g_a = [sp.diff(ell, o) for o in out]
        else:
            if last.activation != "sigmoid":
                raise InputError(
                    "binary cross-entropy needs a sigmoid output layer",
                    hint='set the last layer\'s "activation" to "sigmoid"',
                )
            # From the logits, as tf.nn.sigmoid_cross_entropy_with_logits: stable at any z.
            ell = sp.Add(*[softplus(z) - t * z for t, z in zip(ts, zs[-1])]) / len(ts)
            g_a = None
        grads: dict[sp.Symbol, sp.Expr] = {}
        for index in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[index]
            w_mat, b = syms[self.param_names[2 * index]], syms[self.param_names[2 * index + 1]]
            prev = acts[index]
            g_z = []
            for j, z in enumerate(zs[index]):
                dz = variable(f"∂ℓ/∂{layer.name}/z[{j}]")
                if g_a is None:  # binary cross-entropy: ∂ℓ/∂z straight from the logits
                    rule = sp.diff(ell, z)
                else:
                    act = ACTIVATIONS[layer.activation]
                    slope = sp.Integer(1) if act is None else sp.diff(act(z), z)
                    if act is not None:
                        slope = slope.xreplace({act(z): acts[index + 1][j]})
                    rule = g_a[j] * slope
                assignments.append((dz, rule))
                g_z.append(dz)
            for i in range(len(prev)):
                for j in range(layer.units):
                    grads[w_mat[i][j]] = prev[i] * g_z[j]
            for j in range(layer.units):
                grads[b[j]] = g_z[j]
            if index > 0:
                g_a = []
                for i in range(len(prev)):
                    da = variable(f"∂ℓ/∂{self.layers[index - 1].name}/a[{i}]")
                    assignments.append(
                        (da, sp.Add(*[w_mat[i][j] * g_z[j] for j in range(layer.units)]))
                    )
                    g_a.append(da)
        params = self.flat_symbols()
        return Gradient(
            xs,
            ts,
            tuple(params),
            tuple(assignments),
            ell,
            tuple(out),
            tuple(grads[p] for p in params),
        )


def _size(shape: tuple[int, ...]) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


# -- the seed's Critic: loss, gradient, check and one optimizer step ------------------

MAX_PARAMS = 20_000
MAX_STATES = 10_000
MAX_LAYERS = 10
MAX_UNITS = 2_000
MAX_FILE_BYTES = 5_000_000
EXACT_BUDGET = 4_000  # (program length) x (states) evaluated exactly with SymPy; beyond: float64
SHOWN_STATES = 10


def _fail(message: str, hint: str | None = None):
    raise InputError(message, hint=hint)


def _number(value, where: str) -> float:
    import math

    if isinstance(value, bool) or not isinstance(value, int | float):
        _fail(f"{where} must be a number, got {_describe(value)}")
    value = float(value)
    if not math.isfinite(value):
        _fail(f"{where} must be finite, got {value}")
    return value


def _describe(value) -> str:
    text = repr(value) if not isinstance(value, dict | list) else type(value).__name__
    return text if len(text) <= 30 else text[:27] + "..."


def _matrix(value, shape: tuple[int, ...], where: str):
    """A nested list of numbers with exactly ``shape``, as a float64 array."""
    import numpy as np

    def walk(v, dims, path):
        if not dims:
            return _number(v, f"{where}{path}")
        if not isinstance(v, list):
            _fail(f"{where}{path} must be a list of {dims[0]}, got {_describe(v)}")
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
            _fail(f"layers[{i}].units must be a whole number ≥ 1, got {_describe(units)}")
        if units > MAX_UNITS:
            raise LimitError(f"layers[{i}] has {units} units, more than the limit of {MAX_UNITS}")
        act = layer.get("activation", "linear")
        if act not in ACTIVATIONS:
            _fail(
                f"layers[{i}].activation {_describe(act)} is not known",
                hint="use relu, tanh, sigmoid or linear",
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
        _fail(f"unknown loss {_describe(loss)}", hint="use mean_square or binary_crossentropy")
    return net, params, s, t, loss


def forward(net: Network, params: dict, states):
    """The network's outputs in float64 with numpy matrix products (no symbols at all).

    Parameters may carry a leading axis of perturbations: ``W`` of shape (P, inputs, units).
    """
    import numpy as np

    a = states
    for i, layer in enumerate(net.layers):
        w, b = params[net.param_names[2 * i]], params[net.param_names[2 * i + 1]]
        z = np.matmul(a, w) + (b[..., None, :] if b.ndim == 2 else b)
        if layer.activation == "relu":
            a = np.maximum(z, 0.0)
        elif layer.activation == "tanh":
            a = np.tanh(z)
        elif layer.activation == "sigmoid":
            a = 0.5 + 0.5 * np.tanh(0.5 * z)
        else:
            a = z
        if i == len(net.layers) - 1:
            return a, z
    raise AssertionError("unreachable")  # pragma: no cover


def numeric_loss(net: Network, params: dict, states, targets, loss: str):
    """The mean loss from :func:`forward` (float64; a leading perturbation axis is kept)."""
    import numpy as np

    out, z = forward(net, params, states)
    if loss == "mean_square":
        return np.mean((targets - out) ** 2, axis=(-2, -1))
    return np.mean(np.logaddexp(0.0, z) - targets * z, axis=(-2, -1))


@dataclass(frozen=True)
class GradientCheck:
    """Central differences of the loss against the exact gradient, for every parameter."""

    step: float
    worst: str  # e.g. "hidden/W[0,1]"
    error: float
    bound: float
    checked: int
    disagree: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.disagree

    def explain(self) -> str:
        if self.ok:
            return (
                f"✓ all {self.checked} partials agree with central differences of the loss "
                f"(largest error {self.error:.1e} at {self.worst}, within its bound {self.bound:.1e})"
            )
        return (
            f"✗ {len(self.disagree)} of {self.checked} partials DISAGREE with central differences "
            f"of the loss, first {self.disagree[0]} (error {self.error:.1e} > bound {self.bound:.1e})"
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "method": "central difference of the loss (numpy forward pass), per parameter",
            "step": self.step,
            "worst": self.worst,
            "error": self.error,
            "bound": self.bound,
            "checked": self.checked,
            "disagree": list(self.disagree),
            "verdict": "agrees" if self.ok else "disagrees",
        }


def _labels(net: Network) -> list[str]:
    labels = []
    for name, shape in net.shapes.items():
        if len(shape) == 2:
            labels += [f"{name}[{i},{j}]" for i in range(shape[0]) for j in range(shape[1])]
        else:
            labels += [f"{name}[{j}]" for j in range(shape[0])]
    return labels


def check_gradient(net: Network, params: dict, states, targets, loss: str, grads) -> GradientCheck:
    """Compare every partial with a central difference of the loss (an independent route).

    The step is ε^(1/3)·max(1, |p|); a second difference at 2h estimates the
    truncation error, and the bound adds the round-off of the loss.
    """
    import numpy as np

    flat = np.concatenate([params[n].ravel() for n in net.param_names])
    n = flat.size
    h = np.finfo(float).eps ** (1 / 3) * np.maximum(1.0, np.abs(flat))
    block = max(
        1, min(n, 4_000_000 // max(1, states.shape[0] * max(layer.units for layer in net.layers)))
    )
    base = float(numeric_loss(net, params, states, targets, loss))
    estimates = {}
    for scale in (1.0, 2.0):
        est = np.empty(n)
        for start in range(0, n, block):
            idx = np.arange(start, min(n, start + block))
            sides = []
            for sign in (1.0, -1.0):
                stack = np.repeat(flat[None, :], idx.size, axis=0)
                stack[np.arange(idx.size), idx] += sign * scale * h[idx]
                sides.append(numeric_loss(net, _unflatten(net, stack), states, targets, loss))
            est[idx] = (sides[0] - sides[1]) / (2 * scale * h[idx])
        estimates[scale] = est
    error = np.abs(estimates[1.0] - grads)
    bound = (
        2 * np.abs(estimates[1.0] - estimates[2.0])
        + 64 * np.finfo(float).eps * max(abs(base), 1e-300) / h
        + 1e-12 * np.maximum(1.0, np.abs(grads))
    )
    labels = _labels(net)
    bad = tuple(labels[i] for i in np.flatnonzero(~(error <= bound)))
    worst = int(np.argmax(error / bound)) if not bad else labels.index(bad[0])
    return GradientCheck(
        float(h.min()), labels[worst], float(error[worst]), float(bound[worst]), n, bad
    )


def _unflatten(net: Network, flat) -> dict:
    out, k = {}, 0
    for name, shape in net.shapes.items():
        size = _size(shape)
        out[name] = flat[..., k : k + size].reshape(flat.shape[:-1] + shape)
        k += size
    return out


@dataclass(frozen=True)
class CriticResult:
    """What the seed's Critic computes: loss, TD errors, ``critic_gradients``, one ``optimize`` step."""

    network: Network
    loss_name: str
    loss: float
    outputs: Any  # (states, outputs) float64
    targets: Any
    gradients: dict  # name -> float64 array, the shapes of the parameters
    params: dict
    new_params: dict
    check: GradientCheck
    optimizer: Any
    exact: bool
    td_errors: Any = None  # target - out, (states, outputs) float64
    explain: tuple[tuple[str, str], ...] = ()

    @property
    def exit_code(self) -> int:
        return 0 if self.check.ok else 1

    def describe(self) -> str:
        parts = [str(self.network.inputs)]
        parts += [f"{layer.units} ({layer.activation})" for layer in self.network.layers]
        return " → ".join(parts)

    def to_dict(self) -> dict[str, object]:
        return {
            "network": {
                "inputs": self.network.inputs,
                "layers": [
                    {"units": la.units, "activation": la.activation} for la in self.network.layers
                ],
                "parameters": self.network.num_params,
            },
            "loss_function": self.loss_name,
            "loss": self.loss,
            "exact": self.exact,
            "outputs": self.outputs.tolist(),
            "targets": self.targets.tolist(),
            "td_errors": self.td_errors.tolist(),
            "gradients": {k: v.tolist() for k, v in self.gradients.items()},
            "check": self.check.to_dict(),
            "optimizer": self.optimizer.tf_call(),
            "params": {k: v.tolist() for k, v in self.params.items()},
            "new_params": {k: v.tolist() for k, v in self.new_params.items()},
            "explain": [{"step": a, "value": b} for a, b in self.explain],
            "exit_code": self.exit_code,
        }

    def lines(self) -> list[tuple[str, str]]:
        n_states = self.outputs.shape[0]
        how = (
            "exact (SymPy, then rounded to float64)"
            if self.exact
            else "float64, from the exact gradient's generated code"
        )
        loss_text = (
            "mean_square(target, out) = mean((target - out)²)"
            if self.loss_name == "mean_square"
            else "binary_crossentropy = mean(softplus(z) - target⋅z), z the output logits"
        )
        out: list[tuple[str, str]] = [
            (
                f"Critic network {self.describe()}: {self.network.num_params} parameters, "
                f"{n_states} state{'s' if n_states != 1 else ''}",
                "bold",
            ),
            ("", ""),
            (f"loss = {loss_text} = {self.loss!r}", "bold"),
            ("", ""),
        ]
        rows = [["state", "out", "target", "TD error (target - out)"]]
        for b in range(min(n_states, SHOWN_STATES)):
            rows.append(
                [
                    str(b),
                    _vec(self.outputs[b]),
                    _vec(self.targets[b]),
                    _vec(self.td_errors[b]),
                ]
            )
        widths = [max(len(r[k]) for r in rows) for k in range(4)]
        out += [
            ("  " + "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip(), "") for r in rows
        ]
        if n_states > SHOWN_STATES:
            out.append(
                (f"  ... {n_states - SHOWN_STATES} more (all of them with --format json)", "dim")
            )
        out += [("", ""), (f"tf.gradients(loss, network_params), {how}:", "bold")]
        for name, g in self.gradients.items():
            out.append((f"  {name} {g.shape}: {_array(g)}", "cyan"))
        out.append((f"check: {self.check.explain()}", "green" if self.check.ok else "bold red"))
        if self.explain:
            out += [("", "")]
            out += [(text, style) for text, style in self.explain]
        out += [("", ""), (f"{self.optimizer.tf_call()}.apply_gradients, one step:", "bold")]
        out += [(f"  {line}", "dim") for line in self.optimizer.rule_text("param")]
        for name, p in self.new_params.items():
            out.append((f"  {name}: {_array(p)}", ""))
        return out

    def plain_text(self) -> str:
        return "\n".join(text for text, _ in self.lines()) + "\n"

    def __str__(self) -> str:
        return self.plain_text()

    def __rich_console__(self, console, options):
        from rich.text import Text

        for text, style in self.lines():
            yield Text(text, style=style)


def _vec(v) -> str:
    values = [float(x) for x in v]
    return repr(values[0]) if len(values) == 1 else repr(values)


def _array(a) -> str:
    return repr(a.tolist()) if a.ndim == 1 else repr([[float(x) for x in row] for row in a])


def critic(
    network: Any,
    optimizer: str = "rmsprop",
    lr: float | None = None,
    explain: str | None = None,
    init: int | None = None,
    exact: bool | None = None,
) -> CriticResult:
    """The seed's Critic on a network description (a dict, as in the JSON file).

    The loss, the outputs and TD errors, the exact gradient of the loss with
    respect to every parameter (checked against central differences), and the
    parameters after one ``apply_gradients`` step (RMSProp, lr 0.001, by default).

    >>> spec = {"layers": [{"units": 1, "activation": "linear"}],
    ...         "params": {"out/W": [[2.0]], "out/b": [0.0]},
    ...         "states": [[1.0], [2.0]], "targets": [[1.0], [1.0]]}
    >>> r = critic(spec, optimizer="sgd", lr=0.1)
    >>> r.loss, r.gradients["out/W"].tolist(), r.new_params["out/W"].tolist()
    (5.0, [[7.0]], [[1.3]])
    """
    import numpy as np

    from symgrad.codegen import compile_program
    from symgrad.optimizers import _rational, _settle, _sqrt
    from symgrad.optimizers import optimizer as make_optimizer

    net, params, states, targets, loss_name = load_network(network, init)
    opt = make_optimizer(optimizer, 0.001 if lr is None else lr)
    target = _parse_param(net, explain) if explain else None
    grad = net.gradient(loss_name)
    n_states = states.shape[0]
    flat_params = np.concatenate([params[n].ravel() for n in net.param_names])
    if exact is None:
        exact = (len(grad.assignments) + net.num_params) * n_states <= EXACT_BUDGET
    if exact:
        import sympy as sp

        prog_params = [_rational(v) for v in flat_params]
        rows = [[_rational(v) for v in row] for row in np.hstack([states, targets])]
        from symgrad.codegen import Program

        program = Program(
            grad.samples, grad.params, grad.assignments, tuple(grad.all_outputs()), ""
        )
        values = program.exact(rows, prog_params)
        k = net.outputs
        sums = [sp.Add(*col) / n_states for col in zip(*values)]
        loss_exact = _settle(sums[0])
        grads_exact = [_settle(v) for v in sums[1 + k :]]
        outputs = np.array([[float(r[1 + i]) for i in range(k)] for r in values])
        d = net.inputs
        td = np.array(
            [[float(row[d + i] - r[1 + i]) for i in range(k)] for row, r in zip(rows, values)]
        )
        loss = float(loss_exact)
        flat_grads = np.array([float(g) for g in grads_exact])
        # One optimizer step in exact arithmetic, as the trajectory of symgrad step.
        eopt = opt.exact()
        sqrt = _sqrt
        new_flat = []
        for p, g in zip(prog_params, grads_exact):
            new_flat.append(float(_settle(eopt.apply(p, g, eopt.slots(sp.Integer(0)), 1, sqrt)[0])))
        new_flat = np.array(new_flat)
    else:
        program = compile_program(grad.all_outputs(), grad.samples, grad.params, grad.assignments)
        sums = program.evaluate(np.hstack([states, targets]), flat_params) / n_states
        loss = float(sums[0])
        flat_grads = sums[1 + net.outputs :]
        outputs = forward(net, params, states)[0]
        td = targets - outputs
        new_flat, _ = opt.apply(flat_params, flat_grads, opt.slots(flat_params), 1)
    gradients = _unflatten(net, flat_grads)
    check = check_gradient(net, params, states, targets, loss_name, flat_grads)
    lines: tuple[tuple[str, str], ...] = ()
    if target is not None:
        lines = _explain(net, grad, target, params, states, targets, flat_grads)
    return CriticResult(
        net,
        loss_name,
        loss,
        outputs,
        targets,
        gradients,
        params,
        _unflatten(net, new_flat),
        check,
        opt,
        exact,
        td,
        lines,
    )


def _parse_param(net: Network, text: str) -> int:
    """The flat index of ``NAME[i,j]`` (or ``NAME[j]`` for a bias)."""
    m = re.fullmatch(r"\s*([^\[\]\s]+)\s*\[\s*(\d+)\s*(?:,\s*(\d+)\s*)?\]\s*", str(text))
    names = ", ".join(net.param_names)
    if not m:
        _fail(
            f"--explain wants NAME[i,j] or NAME[j], got {_describe(text)}",
            hint=f"the parameters are {names}",
        )
    name, i, j = m.group(1), int(m.group(2)), m.group(3)
    if name not in net.shapes:
        _fail(f"there is no parameter {_describe(name)}", hint=f"the parameters are {names}")
    shape = net.shapes[name]
    index = (i,) if j is None else (i, int(j))
    if len(index) != len(shape) or any(a >= s for a, s in zip(index, shape)):
        _fail(f"{name}{list(index)} is outside {name}, whose shape is {shape}")
    offset = 0
    for other in net.param_names:
        if other == name:
            break
        offset += _size(net.shapes[other])
    return offset + (index[0] if len(shape) == 1 else index[0] * shape[1] + index[1])


MAX_EXPLAIN_LINES = 14


def _explain(net, grad: Gradient, p: int, params, states, targets, flat_grads):
    """The chain rule for one parameter, from the loss back to it, with the values at state 0."""
    import sympy as sp

    from symgrad.optimizers import _rational, _settle
    from symgrad.printing import pretty

    defs = grad.definitions()
    flat = [v for n in net.param_names for v in params[n].ravel()]
    env = {s: _rational(v) for s, v in zip(grad.params, flat)}
    row = list(states[0]) + list(targets[0])
    env |= {s: _rational(v) for s, v in zip(grad.samples, row)}
    for sym, expr in grad.assignments:
        env[sym] = _settle(expr.xreplace(env))

    def value(e) -> str:
        return repr(float(_settle(e.xreplace(env))))

    param = grad.params[p]
    name = param.name
    lines = [
        (
            f"--explain {name}: backpropagation is the chain rule, from the loss back to {name}",
            "bold",
        ),
        (f"  ∂L/∂{name} = mean over the states of ∂ℓ/∂{name} = {float(flat_grads[p])!r}", ""),
        ("  per state (values at state 0):", "dim"),
        (f"    ℓ = {pretty(grad.loss)} = {value(grad.loss)}", ""),
    ]
    here = sp.Symbol(f"∂ℓ/∂{name}")
    chain = [(here, grad.grads[p])]
    seen: set = set()
    queue = [s for s in grad.grads[p].free_symbols if s.name.startswith("∂ℓ/∂")]
    while queue and len(chain) < MAX_EXPLAIN_LINES:
        sym = sorted(queue, key=lambda s: s.name)[0]
        queue.remove(sym)
        if sym in seen:
            continue
        seen.add(sym)
        chain.append((sym, defs[sym]))
        queue += [s for s in defs[sym].free_symbols if s.name.startswith("∂ℓ/∂") and s not in seen]
    for sym, expr in chain:
        lines.append((f"    {pretty(sp.Eq(sym, expr, evaluate=False))} = {value(expr)}", "cyan"))
    if queue:
        lines.append(
            (
                f"    ... {len(set(queue) - seen)} more factors (a wider network has more paths)",
                "dim",
            )
        )
    forward_syms = sorted(
        {
            s
            for _, e in chain
            for s in e.free_symbols
            if s in defs and not s.name.startswith("∂ℓ/∂")
        },
        key=lambda s: s.name,
    )
    for sym in forward_syms[:MAX_EXPLAIN_LINES]:
        lines.append((f"    {pretty(sp.Eq(sym, defs[sym], evaluate=False))} = {value(sym)}", "dim"))
    if any(e.has(sp.Heaviside) for _, e in chain):
        lines.append(
            ("    θ is the Heaviside step, relu's slope: 0 at the kink, as in TensorFlow", "dim")
        )
    return tuple(lines)
