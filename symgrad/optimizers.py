"""TensorFlow 1 optimizers: the exact update rules of ``apply_gradients``.

Each optimizer knows its TensorFlow 1 name, its defaults, its slots (the
per-variable state TensorFlow keeps, such as RMSProp's mean square) and its
update rule. The rule is written once and works on any number type with
``+ - * /`` and a square root: exact SymPy numbers for the ``symgrad step``
trajectory, numpy float64 arrays for the parameters of a network.

>>> opt = optimizer("sgd", lr=0.1)
>>> opt.apply(10.0, 20.0, opt.slots(10.0), 1)
(8.0, {})

RMSProp starts its mean-square slot at 1.0, as TensorFlow 1 does:

>>> rms = optimizer("rmsprop", lr=1e-3)
>>> w, slots = rms.apply(10.0, 20.0, rms.slots(10.0), 1)
>>> round(slots["ms"], 10), round(w, 7)
(40.9, 9.9968727)

Running an optimizer on a function, step after step, is
:func:`symgrad.trajectory.optimize`. This module stays free of SymPy, numpy and
the renderer, so ``symgrad step --help`` answers without loading them.
"""

from __future__ import annotations

import math

from symgrad.errors import InputError

# Names for annotations only: ``typing`` alone costs more than the rest of building the
# ``step`` parser, and this module must stay light enough for ``symgrad step --help``.
TYPE_CHECKING = False
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable, Mapping
    from typing import Any, ClassVar

__all__ = [
    "Optimizer",
    "GradientDescent",
    "Momentum",
    "RMSProp",
    "Adam",
    "optimizer",
    "OPTIMIZERS",
    "MAX_ITERATIONS",
]

MAX_ITERATIONS = 10_000


def _default_sqrt(x: Any) -> Any:
    if isinstance(x, float):  # also numpy float64
        return math.sqrt(x) if x >= 0 else math.nan
    import numpy as np

    return np.sqrt(x)


# An update rule as text: (what is assigned, template). In a template ``{name}`` is the
# value before the step and ``{new_name}`` the value just assigned; ``{w}`` is the variable.
Rule = tuple[tuple[str, str], ...]


class Optimizer:
    """One TensorFlow 1 optimizer with its hyperparameters.

    Each optimizer is a subclass that keeps together its TensorFlow name and
    defaults, its slots, its update rule as text (:meth:`rule`) and the same
    rule as arithmetic (:meth:`update`), line for line, so the two cannot drift.

    >>> optimizer("momentum", lr=0.1).tf_call()
    'MomentumOptimizer(learning_rate=0.1, momentum=0.9, use_nesterov=False)'
    """

    __slots__ = ("lr", "hyper")

    name: ClassVar[str]
    tf_name: ClassVar[str]
    default_lr: ClassVar[float | None] = None
    defaults: ClassVar[tuple[tuple[str, Any], ...]] = ()
    note: ClassVar[str] = ""

    # A plain immutable value class rather than a dataclass: importing dataclasses costs
    # more than the rest of ``symgrad step --help`` together.
    def __init__(self, lr: Any, hyper: tuple[tuple[str, Any], ...] = ()) -> None:
        object.__setattr__(self, "lr", lr)
        object.__setattr__(self, "hyper", tuple(hyper))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; make a new optimizer")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return (self.lr, self.hyper) == (other.lr, other.hyper)  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), self.lr, self.hyper))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.lr!r}, hyper={self.hyper!r})"

    def __reduce__(self):
        return (type(self), (self.lr, self.hyper))

    def get(self, key: str) -> Any:
        return dict(self.hyper)[key]

    def tf_call(self) -> str:
        """The TensorFlow 1 constructor call with every hyperparameter spelled out."""
        args = [f"learning_rate={_show(self.lr)}"] + [f"{k}={_show(v)}" for k, v in self.hyper]
        return f"{self.tf_name}({', '.join(args)})"

    @property
    def rule(self) -> Rule:
        """The update rule as ``(assigned, template)`` lines."""
        raise NotImplementedError

    def rule_text(self, var: str = "w") -> list[str]:
        """The update rule for variable ``var``, with names in place of numbers.

        >>> optimizer("sgd", lr=0.1).rule_text("w")
        ['w ← w - lr⋅g']
        """
        names = {k: k for k, _ in self.hyper} | {"lr": "lr", "g": "g", "t": "t"}
        names |= {slot: slot for slot in self.slots(0)} | {"lr_t": "lr_t", "w": var}
        names |= {f"new_{k}": v for k, v in names.items()}
        return [f"{names[lhs]} ← {tpl.format(**names)}" for lhs, tpl in self.rule]

    def slots(self, value: Any) -> dict[str, Any]:
        """The initial slots for a variable whose value is ``value`` (same shape)."""
        return {}

    def update(
        self, var: Any, g: Any, slots: Mapping[str, Any], t: int, sqrt: Callable | None = None
    ) -> dict[str, Any]:
        """Every quantity one step assigns, in rule order (the new ``w`` last)."""
        raise NotImplementedError

    def apply(
        self, var: Any, g: Any, slots: Mapping[str, Any], t: int, sqrt: Callable | None = None
    ) -> tuple[Any, dict[str, Any]]:
        """One step of ``apply_gradients`` for one variable: ``(new value, new slots)``.

        ``t`` counts steps from 1 (Adam's bias correction uses it).
        """
        new = self.update(var, g, slots, t, sqrt or _default_sqrt)
        return new["w"], {k: new[k] for k in slots}

    def exact(self) -> Optimizer:
        """The same optimizer with hyperparameters as exact rationals (``0.1`` is 1/10)."""
        from symgrad.exact import rational

        return type(self)(
            rational(self.lr),
            tuple((k, v if isinstance(v, bool) else rational(v)) for k, v in self.hyper),
        )


class GradientDescent(Optimizer):
    name = "sgd"
    tf_name = "GradientDescentOptimizer"

    @property
    def rule(self) -> Rule:
        return (("w", "{w} - {lr}⋅{g}"),)

    def update(self, var, g, slots, t, sqrt=None):
        return {"w": var - self.lr * g}


class Momentum(Optimizer):
    name = "momentum"
    tf_name = "MomentumOptimizer"
    defaults = (("momentum", 0.9), ("use_nesterov", False))
    note = "accum starts at 0; TensorFlow 1 requires a momentum (symgrad's default is 0.9)"

    @property
    def rule(self) -> Rule:
        if self.get("use_nesterov"):
            return (
                ("accum", "{momentum}⋅{accum} + {g}"),
                ("w", "{w} - {lr}⋅{g} - {lr}⋅{momentum}⋅{new_accum}"),
            )
        return (
            ("accum", "{momentum}⋅{accum} + {g}"),
            ("w", "{w} - {lr}⋅{new_accum}"),
        )

    def slots(self, value):
        return {"accum": value * 0}

    def update(self, var, g, slots, t, sqrt=None):
        lr, mu = self.lr, self.get("momentum")
        accum = slots["accum"] * mu + g
        if self.get("use_nesterov"):
            return {"accum": accum, "w": var - (g * lr + accum * mu * lr)}
        return {"accum": accum, "w": var - accum * lr}


class RMSProp(Optimizer):
    name = "rmsprop"
    tf_name = "RMSPropOptimizer"
    defaults = (("decay", 0.9), ("momentum", 0.0), ("epsilon", 1e-10), ("centered", False))
    note = "TensorFlow 1 starts ms at 1.0 (Keras and PyTorch start it at 0); mom starts at 0"

    @property
    def rule(self) -> Rule:
        if self.get("centered"):
            return (
                ("ms", "{ms} + ({g}² - {ms})⋅(1 - {decay})"),
                ("mg", "{mg} + ({g} - {mg})⋅(1 - {decay})"),
                ("mom", "{momentum}⋅{mom} + {lr}⋅{g}/√({new_ms} - {new_mg}² + {epsilon})"),
                ("w", "{w} - {new_mom}"),
            )
        return (
            ("ms", "{ms} + ({g}² - {ms})⋅(1 - {decay})"),
            ("mom", "{momentum}⋅{mom} + {lr}⋅{g}/√({new_ms} + {epsilon})"),
            ("w", "{w} - {new_mom}"),
        )

    def slots(self, value):
        zero = value * 0
        slots = {"ms": zero + 1}  # TensorFlow 1: ones_initializer
        if self.get("centered"):
            slots["mg"] = zero
        return slots | {"mom": zero}

    def update(self, var, g, slots, t, sqrt=None):
        sqrt = sqrt or _default_sqrt
        decay, mu, eps = self.get("decay"), self.get("momentum"), self.get("epsilon")
        new = {"ms": slots["ms"] + (g * g - slots["ms"]) * (1 - decay)}
        denom = new["ms"] + eps
        if self.get("centered"):
            new["mg"] = mg = slots["mg"] + (g - slots["mg"]) * (1 - decay)
            denom = new["ms"] - mg * mg + eps
        new["mom"] = slots["mom"] * mu + g * self.lr / sqrt(denom)
        new["w"] = var - new["mom"]
        return new


class Adam(Optimizer):
    name = "adam"
    tf_name = "AdamOptimizer"
    default_lr = 0.001
    defaults = (("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-08))
    note = "m and v start at 0; epsilon is added to √v, and the bias correction goes into lr_t"

    @property
    def rule(self) -> Rule:
        return (
            ("m", "{beta1}⋅{m} + (1 - {beta1})⋅{g}"),
            ("v", "{beta2}⋅{v} + (1 - {beta2})⋅{g}²"),
            ("lr_t", "{lr}⋅√(1 - {beta2}^{t})/(1 - {beta1}^{t})"),
            ("w", "{w} - {new_lr_t}⋅{new_m}/(√{new_v} + {epsilon})"),
        )

    def slots(self, value):
        zero = value * 0
        return {"m": zero, "v": zero}

    def update(self, var, g, slots, t, sqrt=None):
        sqrt = sqrt or _default_sqrt
        b1, b2, eps = self.get("beta1"), self.get("beta2"), self.get("epsilon")
        m = slots["m"] * b1 + g * (1 - b1)
        v = slots["v"] * b2 + g * g * (1 - b2)
        lr_t = self.lr * sqrt(1 - b2**t) / (1 - b1**t)
        return {"m": m, "v": v, "lr_t": lr_t, "w": var - m * lr_t / (sqrt(v) + eps)}


OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (GradientDescent, Momentum, RMSProp, Adam)
}


def _show(value: Any) -> str:
    return repr(value) if isinstance(value, bool) else repr(float(value))


def optimizer(name: str, lr: float | None = None, **hyper: Any) -> Optimizer:
    """A TensorFlow 1 optimizer by short name: ``sgd``, ``momentum``, ``rmsprop``, ``adam``.

    Unset hyperparameters take TensorFlow 1's defaults.

    >>> optimizer("rmsprop", lr=0.01).tf_call()
    'RMSPropOptimizer(learning_rate=0.01, decay=0.9, momentum=0.0, epsilon=1e-10, centered=False)'
    >>> optimizer("adam").lr
    0.001
    """
    key = str(name).lower()
    if key not in OPTIMIZERS:
        raise InputError(
            f"unknown optimizer {name!r}", hint="choose sgd, momentum, rmsprop or adam"
        )
    spec = OPTIMIZERS[key]
    if lr is None:
        if spec.default_lr is None:
            raise InputError(
                f"{spec.tf_name} needs a learning rate",
                hint="pass lr=0.1 (on the command line: --lr 0.1)",
            )
        lr = spec.default_lr
    defaults = dict(spec.defaults)
    known = dict(defaults)
    for k, v in hyper.items():
        if k not in known:
            raise InputError(
                f"{spec.tf_name} has no hyperparameter {k!r}",
                hint="it has " + (", ".join(known) if known else "only the learning rate"),
            )
        if v is not None:
            known[k] = v
    for k, v in known.items():
        if isinstance(defaults[k], bool):
            known[k] = bool(v)
        elif not _is_number(v):
            raise InputError(f"{k} must be a finite number, got {v!r}")
        elif not 0 <= v < (1 if k in ("decay", "beta1", "beta2") else math.inf):
            bound = "from 0 up to (not including) 1" if k in ("decay", "beta1", "beta2") else "≥ 0"
            raise InputError(f"{k} must be {bound}, got {v!r}")
    if not _is_number(lr) or lr <= 0:
        raise InputError(f"the learning rate must be a positive number, got {lr!r}")
    return spec(float(lr), tuple(known.items()))


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
