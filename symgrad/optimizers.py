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

:func:`optimize` runs the optimizer on a function, exactly:

>>> optimize("w*w+2", at="w=10", optimizer="sgd", lr=0.1, iterations=3).path("w")
[10.0, 8.0, 6.4, 5.12]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from symgrad.errors import InputError, LimitError, MathError
from symgrad.exact import rational, settle, to_float
from symgrad.exact import sqrt as exact_sqrt
from symgrad.render import StyledLines

if TYPE_CHECKING:  # pragma: no cover
    from symgrad.result import GradientResult

__all__ = [
    "Optimizer",
    "GradientDescent",
    "Momentum",
    "RMSProp",
    "Adam",
    "optimizer",
    "optimize",
    "Trajectory",
    "Iterate",
    "OPTIMIZERS",
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


@dataclass(frozen=True)
class Optimizer:
    """One TensorFlow 1 optimizer with its hyperparameters.

    Each optimizer is a subclass that keeps together its TensorFlow name and
    defaults, its slots, its update rule as text (:meth:`rule`) and the same
    rule as arithmetic (:meth:`update`), line for line, so the two cannot drift.

    >>> optimizer("momentum", lr=0.1).tf_call()
    'MomentumOptimizer(learning_rate=0.1, momentum=0.9, use_nesterov=False)'
    """

    lr: Any
    hyper: tuple[tuple[str, Any], ...] = ()

    name: ClassVar[str]
    tf_name: ClassVar[str]
    default_lr: ClassVar[float | None] = None
    defaults: ClassVar[tuple[tuple[str, Any], ...]] = ()
    note: ClassVar[str] = ""

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


# -- running an optimizer on a function, exactly ------------------------------------


class Iterate(NamedTuple):
    """One point of the trajectory: the variables, the function, the gradients there."""

    t: int
    values: tuple[float, ...]
    loss: float | None
    gradients: tuple[float | None, ...]  # None: the variable is skipped (not connected)


@dataclass(frozen=True)
class Trajectory(StyledLines):
    """What ``apply_gradients`` does, step after step, computed exactly."""

    expr: Any
    names: tuple[str, ...]
    connected: tuple[bool, ...]
    derivatives: tuple[Any, ...]
    optimizer: Optimizer
    first: GradientResult
    first_step: tuple[tuple[str, tuple[str, ...]], ...]  # per variable: substituted rule lines
    iterates: tuple[Iterate, ...]
    notes: tuple[str, ...] = ()

    @property
    def exit_code(self) -> int:
        return self.first.exit_code

    @property
    def output(self) -> str:
        """The name of the function's value: ``y`` unless ``y`` is a variable."""
        return getattr(self.first, "output", "y")

    def path(self, name: str) -> list[float]:
        """The values of one variable, from the start to the last iterate."""
        i = self.names.index(name)
        return [it.values[i] for it in self.iterates]

    def losses(self) -> list[float | None]:
        """The function's value at each iterate."""
        return [it.loss for it in self.iterates]

    def final(self) -> dict[str, float]:
        """The variables after the last step."""
        return dict(zip(self.names, self.iterates[-1].values))

    def to_dict(self) -> dict[str, object]:
        return {
            "expression": str(self.expr),
            "variables": list(self.names),
            "optimizer": {
                "name": self.optimizer.name,
                "tf": self.optimizer.tf_call(),
                "learning_rate": float(self.optimizer.lr),
                **{k: v if isinstance(v, bool) else float(v) for k, v in self.optimizer.hyper},
            },
            "rule": self.optimizer.rule_text(),
            "derivatives": {
                n: str(d) for n, d, c in zip(self.names, self.derivatives, self.connected) if c
            },
            "skipped": [n for n, c in zip(self.names, self.connected) if not c],
            "check": {
                p.variable: p.check.to_dict() for p in self.first.partials if p.check is not None
            },
            "first_step": {name: list(lines) for name, lines in self.first_step},
            "iterates": [
                {
                    "t": it.t,
                    "values": dict(zip(self.names, it.values)),
                    "loss": it.loss,
                    "gradients": dict(zip(self.names, it.gradients)),
                }
                for it in self.iterates
            ],
            "final": self.final(),
            "notes": list(self.notes),
            "problems": list(self.first.problems),
            "exit_code": self.exit_code,
        }

    def lines(self) -> list[tuple[str, str]]:
        """The layout as ``(text, style)`` lines."""
        import sympy as sp

        from symgrad.printing import pretty

        opt = self.optimizer
        o = self.output
        out: list[tuple[str, str]] = [
            (pretty(sp.Eq(sp.Symbol(o), self.expr, evaluate=False)), "bold"),
            ("", ""),
        ]
        for p in self.first.partials:
            line = pretty(sp.Eq(p.label(o), p.derivative, evaluate=False))
            if not p.connected:
                line += "   (not connected: the gradient is None, apply_gradients skips it)"
            out.append((line, "cyan"))
        out += [("", ""), (f"{opt.tf_call()}.apply_gradients:", "bold")]
        out += [(f"  {line}", "") for line in opt.rule_text()]
        out.append((f"  where g = ∂{o}/∂w" + (f"; {opt.note}" if opt.note else ""), "dim"))
        start = self.iterates[0]
        where = ", ".join(f"{n} = {v!r}" for n, v in zip(self.names, start.values))
        out += [("", ""), (f"Step 1, from {where}:", "bold")]
        checks = {p.variable: p.check for p in self.first.partials}
        for name, lines in self.first_step:
            i = self.names.index(name)
            g = start.gradients[i]
            text = f"  g = ∂{o}/∂{name} = {g!r}"
            check = checks.get(name)
            style = ""
            if check is not None:
                text += f"   {'✓' if check.ok else '✗'} {check.explain()}"
                style = "green" if check.ok else "bold red"
            out.append((text, style))
            out += [(f"    {line}", "") for line in lines]
        for name, c in zip(self.names, self.connected):
            if not c:
                out.append((f"  {name} is skipped: its gradient is None", "yellow"))
        if len(self.iterates) > 1:
            out.append((f"  {o}: {start.loss!r} → {self.iterates[1].loss!r}", ""))
        if len(self.iterates) > 2:
            out += [("", ""), (f"Trajectory ({len(self.iterates) - 1} steps):", "bold")]
            out += [(f"  {row}", "") for row in self._table()]
        if self.notes or self.first.problems:
            out.append(("", ""))
        out += [(f"note: {n}", "yellow") for n in self.notes]
        out += [(f"problem: {p}", "bold red") for p in self.first.problems]
        return out

    def _table(self) -> list[str]:
        active = [i for i, c in enumerate(self.connected) if c]
        o = self.output
        header = ["t", *self.names, o, *(f"∂{o}/∂{self.names[i]}" for i in active)]
        rows = [
            [
                str(it.t),
                *(repr(v) for v in it.values),
                repr(it.loss),
                *(repr(it.gradients[i]) for i in active),
            ]
            for it in self.iterates
        ]
        widths = [max(len(r[k]) for r in [header, *rows]) for k in range(len(header))]
        return [
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
            for row in [header, *rows]
        ]

    def plot(self, filename: str) -> None:
        """Save the loss per step and the path (on the curve, or on the contour plot) as PNG."""
        from symgrad.files import check_target, drawing, save_figure

        check_target(filename)
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import numpy as np

        from symgrad.numeric import compile_expr
        from symgrad.parse import variable

        with drawing():
            n = len(self.names)
            fig, axes = plt.subplots(1, 2 if n <= 2 else 1, figsize=(11 if n <= 2 else 6, 4.2))
            axes = np.atleast_1d(axes)
            ts = [it.t for it in self.iterates]
            losses = [np.nan if it.loss is None else it.loss for it in self.iterates]
            from symgrad.printing import inline

            o = self.output
            axes[0].plot(ts, losses, marker="o", ms=3)
            axes[0].set_xlabel("step")
            axes[0].set_ylabel(f"{o} (the loss)")
            axes[0].set_title(f"{o} = {inline(self.expr)} per step ({self.optimizer.tf_name})")
            if n <= 2:
                f = compile_expr(self.expr, [variable(m) for m in self.names], backend="numpy")
                paths = [np.array(self.path(m)) for m in self.names]
                ax = axes[1]
                lows = [p.min() for p in paths]
                highs = [p.max() for p in paths]
                spans = [max(h - lo, 1e-3) for lo, h in zip(lows, highs)]
                grids = [
                    np.linspace(lo - 0.2 * s, h + 0.2 * s, 200)
                    for lo, h, s in zip(lows, highs, spans)
                ]
                with np.errstate(all="ignore"):
                    if n == 1:
                        ys = np.broadcast_to(f(grids[0]), grids[0].shape)
                        ax.plot(grids[0], ys, color="0.5")
                        ax.plot(paths[0], losses, marker="o", ms=3, color="C1")
                        ax.set_xlabel(self.names[0])
                        ax.set_ylabel(o)
                    else:
                        gx, gy = np.meshgrid(*grids)
                        z = np.broadcast_to(f(gx, gy), gx.shape)
                        ax.contour(gx, gy, z, levels=25, cmap="viridis")
                        ax.plot(paths[0], paths[1], marker="o", ms=3, color="C1")
                        ax.set_xlabel(self.names[0])
                        ax.set_ylabel(self.names[1])
                where = "on the curve" if n == 1 else "on the contour lines"
                ax.set_title(f"the path of {', '.join(self.names)} {where}")
            fig.tight_layout()
        try:
            save_figure(fig, filename, dpi=110)
        finally:
            plt.close(fig)


def optimize(
    expr: Any,
    at: Mapping[str, Any] | str,
    optimizer: str | Optimizer = "sgd",
    lr: float | None = None,
    iterations: int = 1,
    wrt: Any = None,
    **hyper: Any,
) -> Trajectory:
    """Apply a TensorFlow 1 optimizer to ``expr`` from the point ``at``, ``iterations`` times.

    The gradient at every iterate is exact (SymPy), and so is the update
    arithmetic (hyperparameters as the decimals typed: ``0.1`` is 1/10); an
    irrational value (a square root in RMSProp or Adam, ``sin`` of an iterate)
    is carried with 40 significant digits, so each printed float is the
    exact trajectory's value, correctly rounded. A variable the function
    does not use is skipped, as ``apply_gradients`` skips a ``None`` gradient.

    >>> t = optimize("w*w+2", at={"w": 10}, optimizer="rmsprop", lr=1e-3)
    >>> t.path("w")
    [10.0, 9.996872708664]
    >>> optimize("x*x + y*y", at="x=1,y=2", optimizer="adam", lr=0.1).final()
    {'x': 0.9000000158113858, 'y': 1.9000000079056936}
    """
    import sympy as sp

    from symgrad.derive import grad
    from symgrad.parse import variable

    opt = (
        optimizer
        if isinstance(optimizer, Optimizer)
        else globals()["optimizer"](optimizer, lr, **hyper)
    )
    if isinstance(iterations, bool) or not isinstance(iterations, int) or iterations < 1:
        raise InputError(f"iterations must be a whole number ≥ 1, got {iterations!r}")
    if iterations > MAX_ITERATIONS:
        raise LimitError(
            f"{iterations} iterations is more than the limit of {MAX_ITERATIONS}",
            hint="ask for fewer steps",
        )
    first = grad(expr, at=at, wrt=wrt)
    names = first.variables
    connected = tuple(p.connected for p in first.partials)
    if not any(connected):
        raise InputError(
            "No gradients provided for any variable (TensorFlow's ValueError from "
            f"apply_gradients): the function does not depend on {', '.join(names)}",
            hint="the gradient of every variable is None",
        )
    if first.problems:
        raise MathError(first.problems[0])
    symbols = [variable(n) for n in names]
    derivatives = tuple(p.derivative for p in first.partials)
    exact_opt = opt.exact()
    values = [settle(v) for _, v in first.point]
    point_names = [n for n, _ in first.point]
    values = [values[point_names.index(n)] for n in names]
    others = {variable(n): v for n, v in first.point if n not in names}
    slots = [exact_opt.slots(sp.Integer(0)) for _ in names]
    sqrt = exact_sqrt

    def evaluate(vals):
        subs = dict(zip(symbols, vals)) | others
        loss = to_float(settle(first.expr.xreplace(subs)))
        gs = []
        for d, c in zip(derivatives, connected):
            gs.append(settle(d.xreplace(subs)) if c else None)
        return loss, gs

    iterates: list[Iterate] = []
    first_step: list[tuple[str, tuple[str, ...]]] = []
    notes: list[str] = []
    loss, gs = evaluate(values)
    for t in range(1, iterations + 2):
        iterates.append(
            Iterate(
                t - 1,
                tuple(to_float(v) for v in values),
                loss,
                tuple(None if g is None else to_float(g) for g in gs),
            )
        )
        if t == iterations + 1:
            break
        for i, (v, g) in enumerate(zip(values, gs)):
            if g is None:
                continue  # apply_gradients skips a None gradient: no slots, no update
            new = exact_opt.update(v, g, slots[i], t, sqrt)
            new = {k: settle(x) for k, x in new.items()}
            if t == 1:
                first_step.append((names[i], _substituted(opt, names[i], v, g, slots[i], new, t)))
            values[i] = new["w"]
            slots[i] = {k: new[k] for k in slots[i]}
        try:
            loss, gs = evaluate(values)
        except MathError as err:
            raise MathError(
                f"after step {t} ({_where(names, values)}) the function or its gradient "
                f"has no real value: {err}"
            ) from None
        if any(math.isinf(to_float(v)) for v in values) or math.isinf(loss):
            notes.append(f"the iterates diverged: past float64's range after step {t}")
            iterates.append(Iterate(t, tuple(to_float(v) for v in values), loss, (None,) * len(gs)))
            break
    skipped = [n for n, c in zip(names, connected) if not c]
    if skipped:
        notes.insert(
            0,
            f"{first.output} does not depend on {', '.join(skipped)}: its gradient is None and "
            "apply_gradients leaves it unchanged",
        )
    return Trajectory(
        first.expr,
        tuple(names),
        connected,
        derivatives,
        opt,
        first,
        tuple(first_step),
        tuple(iterates),
        tuple(notes),
    )


def _where(names, values) -> str:
    return ", ".join(f"{n} = {to_float(v)!r}" for n, v in zip(names, values))


def _substituted(opt: Optimizer, name: str, var, g, slots, new, t) -> tuple[str, ...]:
    """The update rule with the numbers of this step in place of the names."""

    def num(x) -> str:
        if isinstance(x, bool):
            return repr(x)
        s = repr(to_float(x))
        return f"({s})" if s.startswith("-") else s

    values = {k: num(v) for k, v in opt.hyper} | {"lr": num(opt.lr), "g": num(g), "t": str(t)}
    values |= {k: num(v) for k, v in slots.items()} | {"w": num(var)}
    values |= {f"new_{k}": num(v) for k, v in new.items()}
    lines = []
    for lhs, tpl in opt.rule:
        target = name if lhs == "w" else lhs
        lines.append(f"{target} ← {tpl.format(**values)} = {to_float(new[lhs])!r}")
    return tuple(lines)
