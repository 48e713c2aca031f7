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

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

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
        return tuple(n for layer in self.layers for n in (f"{layer.name}/W", f"{layer.name}/b"))

    @cached_property
    def shapes(self) -> dict[str, tuple[int, ...]]:
        shapes: dict[str, tuple[int, ...]] = {}
        fan_in = self.inputs
        for layer in self.layers:
            shapes[f"{layer.name}/W"] = (fan_in, layer.units)
            shapes[f"{layer.name}/b"] = (layer.units,)
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
        for layer in self.layers:
            w_mat, b = syms[f"{layer.name}/W"], syms[f"{layer.name}/b"]
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
            w_mat, b = syms[f"{layer.name}/W"], syms[f"{layer.name}/b"]
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
