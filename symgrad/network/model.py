"""The symbolic model: dense networks of SymPy symbols, their losses and exact gradient.

A network is a list of dense layers in TensorFlow's layout: each weight
matrix ``W`` has shape (inputs, units) and ``out = act(x @ W + b)``. Every
weight and bias is a SymPy symbol. The gradient is built by reverse mode
(backpropagation *is* the chain rule): each layer's backward quantities are
named symbols defined by SymPy derivatives of the layer's own formula, so
the program stays linear in the network's size instead of growing like N²,
and :mod:`symgrad.network.codegen` turns it into a fast evaluator.

>>> net = Network.from_layers(2, [(3, "tanh"), (1, "linear")])
>>> net.param_names, net.num_params
(('hidden/W', 'hidden/b', 'out/W', 'out/b'), 13)
>>> net.shapes["hidden/W"]
(2, 3)
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import sympy as sp

from symgrad.errors import InputError
from symgrad.functions import ACTIVATIONS, softplus
from symgrad.parse import variable

__all__ = [
    "Network",
    "Layer",
    "Gradient",
    "LOSSES",
    "NAME",
    "mean_square",
    "forward",
    "numeric_loss",
    "state_losses",
    "has_kink",
    "size",
    "unflatten",
    "labels",
    "describe",
    "Node",
    "node",
]

LOSSES = ("mean_square", "binary_crossentropy", "categorical_crossentropy")
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_/.:-]{0,59}")


class Node(sp.Symbol):
    """A quantity of the network itself: an input ``x[i]``, a target ``t[k]``, a layer's
    ``z`` and ``a``, a backward value ``∂ℓ/∂...``.

    Nodes are a namespace of their own: a parameter is a plain symbol, so a
    parameter named ``x`` (entries ``x[0]``, ...) or ``hidden/a`` never
    collides with the input ``x[0]`` or the layer value ``hidden/a[0]``, even
    though they print alike.

    >>> node("x[0]") == variable("x[0]")
    False
    """

    @classmethod
    def class_key(cls):  # print and sort among symbols exactly as a Symbol would
        return sp.Symbol.class_key()


def node(name: str) -> Node:
    """A real :class:`Node` named ``name``."""
    return Node(name, real=True)


@functools.cache
def _slope(activation: str) -> tuple[Node, Node, sp.Expr]:
    """``(u, a, ∂act(u)/∂u written with a = act(u))``, differentiated once per activation.

    Every unit of a layer has the same slope with its own ``z`` and ``a``
    substituted: differentiating ``act(z)`` afresh for each of 2,000 units
    cost seconds (SymPy's assumptions are asked again for every new symbol).
    """
    from symgrad.derive import differentiate

    u, value = node("u"), node("act(u)")
    act = ACTIVATIONS[activation]
    return u, value, differentiate(act(u), u).xreplace({act(u): value})


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
            if not isinstance(name, str) or not NAME.fullmatch(name):
                raise InputError(
                    f"parameter name {describe(name)} is not allowed",
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
        first: dict[str, int] = {}
        for i, layer in enumerate(layers):
            if layer.name in first:
                j = first[layer.name]
                raise InputError(
                    f"layers {j} and {i} are both named {layer.name!r} "
                    f"(from {names[2 * j]} and {names[2 * i]})",
                    hint="a layer is named by its weight matrix without the last part: "
                    "give each layer its own, e.g. fc1/W and fc2/W",
                )
            first[layer.name] = i
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
        return sum(size(s) for s in self.shapes.values())

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
            raise InputError(f"unknown loss {loss!r}", hint=f"choose {', '.join(LOSSES)}")
        from symgrad.derive import differentiate
        from symgrad.network import softmax as sm

        sm.check_pairing(self, loss)
        xs = tuple(node(f"x[{i}]") for i in range(self.inputs))
        ts = tuple(node(f"t[{k}]") for k in range(self.outputs))
        syms = self.symbols()
        assignments: list[tuple[sp.Symbol, sp.Expr]] = []
        acts: list[list[sp.Expr]] = [list(xs)]
        zs: list[list[sp.Symbol]] = []
        for index, layer in enumerate(self.layers):
            w_mat, b = syms[self.param_names[2 * index]], syms[self.param_names[2 * index + 1]]
            prev = acts[-1]
            z_layer, a_layer = [], []
            for j in range(layer.units):
                z = node(f"{layer.name}/z[{j}]")
                assignments.append(
                    (z, sp.Add(*[prev[i] * w_mat[i][j] for i in range(len(prev))]) + b[j])
                )
                z_layer.append(z)
                if layer.activation == sm.ACTIVATION:  # logits: softmax is taken with the loss
                    a_layer.append(z)
                    continue
                value = ACTIVATIONS[layer.activation](z)
                if value == z:  # linear: a is z itself
                    a_layer.append(z)
                else:
                    a = node(f"{layer.name}/a[{j}]")
                    assignments.append((a, value))
                    a_layer.append(a)
            zs.append(z_layer)
            acts.append(a_layer)
        last = self.layers[-1]
        out = acts[-1]
        if loss == "mean_square":
            if last.activation == "linear":  # name the output a[k] = z[k] so the loss reads well
                out = [node(f"{last.name}/a[{k}]") for k in range(last.units)]
                assignments += list(zip(out, zs[-1]))
            ell = mean_square(ts, out)
            g_a = [differentiate(ell, o) for o in out]
        elif loss == sm.LOSS:
            ell, out, logit_rules, defined = sm.classifier_loss(last.name, ts, zs[-1])
            assignments += defined
            g_a = None
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
                dz = node(f"∂ℓ/∂{layer.name}/z[{j}]")
                if g_a is None and loss == sm.LOSS:  # ∂ℓ/∂z = (Σt)⋅p - t: see softmax
                    rule = logit_rules[j]
                elif g_a is None:  # binary cross-entropy: ∂ℓ/∂z straight from the logits
                    rule = differentiate(ell, z)
                else:
                    u, value, slope = _slope(layer.activation)
                    rule = g_a[j] * slope.xreplace({u: z, value: acts[index + 1][j]})
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
                    da = node(f"∂ℓ/∂{self.layers[index - 1].name}/a[{i}]")
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


def size(shape: tuple[int, ...]) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def forward(net: Network, params: dict, states, kinks: list | None = None):
    """The network's outputs and last ``z`` in float64 with numpy matrix products (no
    symbols at all).

    Parameters may carry a leading axis of perturbations: ``W`` of shape (P, inputs, units).
    ``kinks``, if given, receives ``z > 0`` of every layer whose activation has a kink at 0.
    """
    import numpy as np

    from symgrad.network.codegen import activation_function

    a = states
    with np.errstate(all="ignore"):  # overflow gives inf, which the callers explain
        for i, layer in enumerate(net.layers):
            w, b = params[net.param_names[2 * i]], params[net.param_names[2 * i + 1]]
            z = np.matmul(a, w) + (b[..., None, :] if b.ndim == 2 else b)
            if layer.activation == "softmax":  # an output layer: see symgrad.network.softmax
                from symgrad.network.softmax import softmax_numpy

                a = softmax_numpy(z)
            else:
                if kinks is not None and has_kink(layer.activation):
                    kinks.append(z > 0)
                a = activation_function(layer.activation)(z)
            if i == len(net.layers) - 1:
                return a, z
    raise AssertionError("unreachable")  # pragma: no cover


@functools.cache
def has_kink(activation: str) -> bool:
    """Whether the activation's slope jumps at 0 (relu's does).

    >>> has_kink("relu"), has_kink("tanh")
    (True, False)
    """
    from symgrad.derive import differentiate

    z = sp.Symbol("z", real=True)
    slope = differentiate(ACTIVATIONS[activation](z), z)
    return slope.has(sp.Heaviside, sp.Piecewise, sp.sign, sp.DiracDelta)


def state_losses(net: Network, params: dict, states, targets, loss: str, kinks=None):
    """The loss of each state (float64, shape (..., states)); see :func:`forward`."""
    import numpy as np

    out, z = forward(net, params, states, kinks)
    with np.errstate(all="ignore"):
        if loss == "mean_square":
            return np.mean((targets - out) ** 2, axis=-1)
        if loss == "categorical_crossentropy":
            from symgrad.network.softmax import cross_entropy_states

            return cross_entropy_states(z, targets)
        return np.mean(np.logaddexp(0.0, z) - targets * z, axis=-1)


def numeric_loss(net: Network, params: dict, states, targets, loss: str):
    """The mean loss from :func:`forward` (float64; a leading perturbation axis is kept)."""
    import numpy as np

    return np.mean(state_losses(net, params, states, targets, loss), axis=-1)


def unflatten(net: Network, flat) -> dict:
    """Split flat parameter vectors (a leading axis is kept) into the network's named arrays."""
    out, k = {}, 0
    for name, shape in net.shapes.items():
        n = size(shape)
        out[name] = flat[..., k : k + n].reshape(flat.shape[:-1] + shape)
        k += n
    return out


def labels(net: Network) -> list[str]:
    """``NAME[i,j]`` for every parameter entry, in TensorFlow's (flat) order."""
    out = []
    for name, shape in net.shapes.items():
        if len(shape) == 2:
            out += [f"{name}[{i},{j}]" for i in range(shape[0]) for j in range(shape[1])]
        else:
            out += [f"{name}[{j}]" for j in range(shape[0])]
    return out


def describe(value) -> str:
    """A short quotation of a value from the file, for a one-line message."""
    text = repr(value) if not isinstance(value, dict | list) else type(value).__name__
    return text if len(text) <= 30 else text[:27] + "..."
