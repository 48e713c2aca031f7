"""TensorFlow 1 optimizers: the exact update rules of ``apply_gradients``.

Each optimizer is a small object that knows its TensorFlow 1 name, its
defaults, its slots (the per-variable state TensorFlow keeps, such as
RMSProp's mean square) and its update rule. The rule is written once and
works on any number type with ``+ - * /`` and a square root: exact SymPy
numbers for the ``symgrad step`` trajectory, numpy float64 arrays for the
parameters of a network.

>>> opt = optimizer("sgd", lr=0.1)
>>> opt.apply(10.0, 20.0, opt.slots(10.0), 1)
(8.0, {})

RMSProp starts its mean-square slot at 1.0, as TensorFlow 1 does:

>>> rms = optimizer("rmsprop", lr=1e-3)
>>> w, slots = rms.apply(10.0, 20.0, rms.slots(10.0), 1)
>>> round(slots["ms"], 10), round(w, 7)
(40.9, 9.9968727)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from symgrad.errors import InputError

__all__ = ["Optimizer", "optimizer", "OPTIMIZERS"]


def _default_sqrt(x: Any) -> Any:
    if isinstance(x, float):
        return math.sqrt(x)
    sqrt = getattr(x, "sqrt", None)  # numpy arrays have no .sqrt; SymPy numbers neither
    if sqrt is not None:
        return sqrt()
    try:
        import numpy as np

        if isinstance(x, np.ndarray | np.floating):
            return np.sqrt(x)
    except ImportError:  # pragma: no cover
        pass
    import sympy as sp

    return sp.sqrt(x)


@dataclass(frozen=True)
class Optimizer:
    """One TensorFlow 1 optimizer with its hyperparameters.

    >>> optimizer("momentum", lr=0.1, momentum=0.9).tf_call()
    'MomentumOptimizer(learning_rate=0.1, momentum=0.9, use_nesterov=False)'
    """

    name: str
    lr: float
    hyper: tuple[tuple[str, Any], ...] = ()
    tf_name: str = ""
    rule: tuple[str, ...] = field(default=(), compare=False)
    note: str = field(default="", compare=False)

    def get(self, key: str) -> Any:
        return dict(self.hyper)[key]

    def tf_call(self) -> str:
        """The TensorFlow 1 constructor call with every hyperparameter spelled out."""
        args = [f"learning_rate={self.lr!r}"] + [f"{k}={v!r}" for k, v in self.hyper]
        return f"{self.tf_name}({', '.join(args)})"

    def slots(self, value: Any) -> dict[str, Any]:
        """The initial slots for a variable whose value is ``value`` (same shape)."""
        zero = value * 0
        if self.name == "sgd":
            return {}
        if self.name == "momentum":
            return {"accum": zero}
        if self.name == "rmsprop":
            slots = {"ms": zero + 1, "mom": zero}  # TF1: ones_initializer for ms
            if self.get("centered"):
                slots["mg"] = zero
            return slots
        if self.name == "adam":
            return {"m": zero, "v": zero}
        raise InputError(f"unknown optimizer {self.name!r}")  # pragma: no cover

    def apply(
        self,
        var: Any,
        g: Any,
        slots: dict[str, Any],
        t: int,
        sqrt: Callable[[Any], Any] | None = None,
    ) -> tuple[Any, dict[str, Any]]:
        """One step of ``apply_gradients`` for one variable: ``(new value, new slots)``.

        ``t`` counts steps from 1 (Adam's bias correction uses it). The
        hyperparameters are used as given: pass SymPy rationals for an exact
        trajectory.
        """
        sqrt = sqrt or _default_sqrt
        lr = self.lr
        if self.name == "sgd":
            return var - lr * g, {}
        if self.name == "momentum":
            mu = self.get("momentum")
            accum = slots["accum"] * mu + g
            if self.get("use_nesterov"):
                return var - (g * lr + accum * mu * lr), {"accum": accum}
            return var - accum * lr, {"accum": accum}
        if self.name == "rmsprop":
            decay, mu, eps = self.get("decay"), self.get("momentum"), self.get("epsilon")
            ms = slots["ms"] + (g * g - slots["ms"]) * (1 - decay)
            new = {"ms": ms}
            denom = ms + eps
            if self.get("centered"):
                mg = slots["mg"] + (g - slots["mg"]) * (1 - decay)
                new["mg"] = mg
                denom = ms - mg * mg + eps
            mom = slots["mom"] * mu + g * lr / sqrt(denom)
            new["mom"] = mom
            return var - mom, dict(sorted(new.items(), key=lambda kv: "ms mg mom".find(kv[0])))
        if self.name == "adam":
            b1, b2, eps = self.get("beta1"), self.get("beta2"), self.get("epsilon")
            lr_t = lr * sqrt(1 - b2**t) / (1 - b1**t)
            m = slots["m"] * b1 + g * (1 - b1)
            v = slots["v"] * b2 + g * g * (1 - b2)
            return var - m * lr_t / (sqrt(v) + eps), {"m": m, "v": v}
        raise InputError(f"unknown optimizer {self.name!r}")  # pragma: no cover

    def with_numbers(self, convert: Callable[[Any], Any]) -> Optimizer:
        """The same optimizer with every numeric hyperparameter passed through ``convert``."""
        hyper = tuple((k, v if isinstance(v, bool) else convert(v)) for k, v in self.hyper)
        return Optimizer(self.name, convert(self.lr), hyper, self.tf_name, self.rule, self.note)


# name -> (TensorFlow class, default learning rate or None, defaults, update rule, note)
OPTIMIZERS: dict[
    str, tuple[str, float | None, tuple[tuple[str, Any], ...], tuple[str, ...], str]
] = {
    "sgd": (
        "GradientDescentOptimizer",
        None,
        (),
        ("w ← w - lr⋅g",),
        "",
    ),
    "momentum": (
        "MomentumOptimizer",
        None,
        (("momentum", 0.9), ("use_nesterov", False)),
        ("accum ← momentum⋅accum + g", "w ← w - lr⋅accum"),
        "accum starts at 0; TensorFlow 1 has no default momentum (symgrad uses 0.9)",
    ),
    "rmsprop": (
        "RMSPropOptimizer",
        None,
        (("decay", 0.9), ("momentum", 0.0), ("epsilon", 1e-10), ("centered", False)),
        (
            "ms ← ms + (g² - ms)⋅(1 - decay)",
            "mom ← momentum⋅mom + lr⋅g/√(ms + epsilon)",
            "w ← w - mom",
        ),
        "TensorFlow 1 starts ms at 1.0 (Keras and PyTorch start it at 0)",
    ),
    "adam": (
        "AdamOptimizer",
        0.001,
        (("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-08)),
        (
            "m ← beta1⋅m + (1 - beta1)⋅g",
            "v ← beta2⋅v + (1 - beta2)⋅g²",
            "lr_t = lr⋅√(1 - beta2^t)/(1 - beta1^t)",
            "w ← w - lr_t⋅m/(√v + epsilon)",
        ),
        "m and v start at 0; epsilon is added to √v before the bias correction of lr_t",
    ),
}

NESTEROV_RULE = ("accum ← momentum⋅accum + g", "w ← w - lr⋅g - lr⋅momentum⋅accum")


def optimizer(name: str, lr: float | None = None, **hyper: Any) -> Optimizer:
    """A TensorFlow 1 optimizer by short name: ``sgd``, ``momentum``, ``rmsprop``, ``adam``.

    Unset hyperparameters take TensorFlow 1's defaults.

    >>> optimizer("rmsprop", lr=0.01).tf_call()
    'RMSPropOptimizer(learning_rate=0.01, decay=0.9, momentum=0.0, epsilon=1e-10, centered=False)'
    >>> optimizer("adam").lr
    0.001
    """
    key = name.lower()
    if key == "nesterov":
        key, hyper = "momentum", {**hyper, "use_nesterov": True}
    if key not in OPTIMIZERS:
        raise InputError(
            f"unknown optimizer {name!r}", hint="choose sgd, momentum, rmsprop or adam"
        )
    tf_name, default_lr, defaults, rule, note = OPTIMIZERS[key]
    if lr is None:
        if default_lr is None:
            raise InputError(
                f"{tf_name} needs a learning rate",
                hint="pass lr=0.1 (on the command line: --lr 0.1)",
            )
        lr = default_lr
    known = dict(defaults)
    for k, v in hyper.items():
        if k not in known:
            raise InputError(
                f"{tf_name} has no hyperparameter {k!r}",
                hint="it has " + (", ".join(known) if known else "only the learning rate"),
            )
        if v is not None:
            known[k] = v
    for k, v in known.items():
        if isinstance(v, bool) or isinstance(dict(defaults)[k], bool):
            continue
        if not isinstance(v, int | float) or not math.isfinite(v):
            raise InputError(f"{k} must be a finite number, got {v!r}")
    if not isinstance(lr, int | float) or isinstance(lr, bool) or not math.isfinite(lr) or lr <= 0:
        raise InputError(f"the learning rate must be a positive number, got {lr!r}")
    if key == "momentum" and known["use_nesterov"]:
        rule = NESTEROV_RULE
    return Optimizer(key, lr, tuple(known.items()), tf_name, rule, note)
