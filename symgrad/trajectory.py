"""Running a TensorFlow 1 optimizer on a function: the exact trajectory of ``apply_gradients``.

The optimizers themselves (their rules, slots and defaults) live in
:mod:`symgrad.optimizers`; this module applies one to a function, step after
step, with exact gradients and exact update arithmetic, and renders the result.

>>> optimize("w*w+2", at="w=10", optimizer="sgd", lr=0.1, iterations=3).path("w")
[10.0, 8.0, 6.4, 5.12]
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from symgrad.errors import InputError, LimitError, MathError
from symgrad.exact import settle, to_float
from symgrad.exact import sqrt as exact_sqrt
from symgrad.optimizers import MAX_ITERATIONS, Optimizer
from symgrad.optimizers import optimizer as make_optimizer
from symgrad.render import StyledLines

if TYPE_CHECKING:  # pragma: no cover
    from symgrad.result import GradientResult

__all__ = ["optimize", "Trajectory", "Iterate"]


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

        from symgrad.printing import pretty
        from symgrad.render import Formula, Hanging, message, typed_order

        opt = self.optimizer
        o = self.output
        out: list[tuple[str, str]] = [
            (Formula(o, self.expr, terms=typed_order(self.expr, self.first.text)), "bold"),
            ("", ""),
        ]
        for p in self.first.partials:
            suffix = ""
            if not p.connected:
                suffix = "   (not connected: the gradient is None, apply_gradients skips it)"
            out.append((Formula(pretty(p.label(o)), p.derivative, suffix), "cyan"))
        out += [
            ("", ""),
            (Hanging(f"{opt.tf_call()}.apply_gradients:", len(opt.tf_name) + 1), "bold"),
        ]
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
            column = None
            if check is not None:
                text += "   "
                column = len(text)
                text += f"{'✓' if check.ok else '✗'} {check.explain()}"
                style = "green" if check.ok else "bold red"
            out.append((Hanging(text, (column or 0) + 2, column), style))
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
        out += [(message(f"note: {n}"), "yellow") for n in self.notes]
        out += [(message(f"problem: {p}"), "bold red") for p in self.first.problems]
        return out

    def to_latex(self, standalone: bool = False) -> str:
        """The function, its gradient, the update rule and the first step, as ``align*``."""
        from symgrad import latex

        return latex.document(latex.align(latex_trajectory(self)), standalone)

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

    opt = optimizer if isinstance(optimizer, Optimizer) else make_optimizer(optimizer, lr, **hyper)
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


def latex_trajectory(t: Trajectory) -> list[str]:
    """The rows of :meth:`Trajectory.to_latex`."""
    from symgrad import latex

    several = latex.several(t.expr, t.names)
    o = t.output
    rows = [r"%s &= %s" % (latex.symbol(o), latex.expr(t.expr))]
    for p in t.first.partials:
        label = latex.derivative(o, [p.variable], several)
        rows.append(r"%s &= %s" % (label, latex.expr(p.derivative)))
    rows.append("&" + latex.text(f"{t.optimizer.tf_call()}.apply_gradients:"))
    for line in t.optimizer.rule_text():
        rows.append(r"&\quad " + latex.text(line))
    start = t.iterates[0]
    rows.append("&" + latex.text("step 1, from ") + latex.point(zip(t.names, start.values)))
    for name, value in zip(t.names, start.gradients):
        if value is not None:
            label = latex.at(latex.derivative(o, [name], several), zip(t.names, start.values))
            rows.append(r"%s &= %s" % (label, latex.number(value)))
    last = t.iterates[-1]
    steps = len(t.iterates) - 1
    rows.append(
        "&"
        + latex.text(f"after {steps} step{'s' if steps != 1 else ''}: ")
        + latex.point(zip(t.names, last.values))
        + (
            r",\quad %s = %s" % (latex.symbol(o), latex.number(last.loss))
            if last.loss is not None
            else ""
        )
    )
    return rows
