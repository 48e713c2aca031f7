"""The independent check of the Critic's gradient: central differences of the loss."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from symgrad.network.model import Network, labels, numeric_loss, state_losses, unflatten

__all__ = ["GradientCheck", "check_gradient", "CHECK_WORK"]

# The check costs (partials checked) x (states) x (parameters) multiply-adds, four times
# over; beyond CHECK_WORK (about 15 s of CPU time here) a random sample of partials is checked.
CHECK_WORK = 1e10
MIN_CHECKED = 50


@dataclass(frozen=True)
class GradientCheck:
    """Central differences of the loss against the exact gradient, for every parameter.

    ``near_kinks`` counts the states left out of the check of at least one
    partial because a step of ``h`` moves a ``z`` across an activation's kink
    (there the loss has no derivative a central difference could see: it
    would average the two one-sided slopes). ``problem`` says why nothing
    could be checked (a loss beyond float64's range).
    """

    step: float
    worst: str  # e.g. "hidden/W[0,1]"
    error: float
    bound: float
    checked: int
    disagree: tuple[str, ...]
    near_kinks: int = 0
    problem: str = ""
    partials: int = 0  # how many the network has (0: all of them were checked)

    @property
    def ok(self) -> bool:
        return not self.disagree and not self.problem

    def explain(self) -> str:
        if self.problem:
            return f"✗ not checked: {self.problem}"
        if self.ok:
            text = (
                f"✓ {self._how_many()} partials agree with central differences of the loss "
                f"(largest error {self.error:.1e} at {self.worst}, within its bound {self.bound:.1e})"
            )
        else:
            text = (
                f"✗ {len(self.disagree)} of {self.checked} partials DISAGREE with central "
                f"differences of the loss, first {self.disagree[0]} "
                f"(error {self.error:.1e} > bound {self.bound:.1e})"
            )
        if self.near_kinks:
            n = self.near_kinks
            text += (
                f"; {n} state{'s' if n != 1 else ''} within the step of a relu kink "
                "left out of the check there (a central difference across a kink averages "
                "the two slopes)"
            )
        return text

    def _how_many(self) -> str:
        if self.partials > self.checked:
            return (
                f"{self.checked} of {self.partials:,} (chosen at random, seed 0: the check's "
                "cost is capped)"
            )
        return f"all {self.checked}"

    def to_dict(self) -> dict[str, object]:
        return {
            "method": "central difference of the loss (numpy forward pass), per parameter",
            "partials": max(self.partials, self.checked),
            "step": self.step,
            "worst": self.worst,
            "error": self.error,
            "bound": self.bound,
            "checked": self.checked,
            "disagree": list(self.disagree),
            "near_kinks": self.near_kinks,
            "problem": self.problem or None,
            "verdict": "not checked" if self.problem else "agrees" if self.ok else "disagrees",
        }


def check_gradient(
    net: Network,
    params: dict,
    states,
    targets,
    loss: str,
    grads,
    state_gradients: Callable[[Any], Any] | None = None,
) -> GradientCheck:
    """Compare every partial with a central difference of the loss (an independent route).

    The step is ε^(1/3)·max(1, |p|); a second difference at 2h estimates the
    truncation error, and the bound adds the round-off of the loss.

    Where a step moves some state's ``z`` across a kink (relu at 0), that state
    is left out of that partial's check on both sides: out of the central
    difference, and its own exact gradient (``state_gradients(indices)``, one
    row per state) out of the exact one. Without ``state_gradients`` nothing
    is left out.
    """
    import numpy as np

    from symgrad.guard import report

    flat = np.concatenate([params[n].ravel() for n in net.param_names])
    n = flat.size
    n_states = states.shape[0]
    chosen = np.arange(n)
    if n * n_states * n > CHECK_WORK:  # each partial costs a forward pass over every state
        k = min(n, max(MIN_CHECKED, int(CHECK_WORK // (n_states * n))))
        chosen = np.sort(np.random.default_rng(0).choice(n, size=k, replace=False))
    h = np.finfo(float).eps ** (1 / 3) * np.maximum(1.0, np.abs(flat))
    block = max(1, min(n, 1_000_000 // max(1, n_states * max(la.units for la in net.layers))))
    base_kinks: list = []
    base = float(numeric_loss(net, params, states, targets, loss))
    state_losses(net, params, states, targets, loss, base_kinks)
    if not (math.isfinite(base) and np.all(np.isfinite(grads))):
        what = "the loss" if not math.isfinite(base) else "the gradient"
        return GradientCheck(
            float(h.min()), "", math.nan, math.nan, n, (), 0,
            f"{what} is beyond float64's range with these parameters (an overflow); "
            "scale the weights or the states down",
        )  # fmt: skip
    estimates = {1.0: np.empty(n), 2.0: np.empty(n)}
    left_out: dict[int, Any] = {}  # parameter -> the states left out of its check
    for start in range(0, chosen.size, block):
        idx = chosen[start : start + block]
        sides = {}
        crossed = np.zeros((idx.size, n_states), dtype=bool)
        for scale in (1.0, 2.0):
            for sign in (1.0, -1.0):
                stack = np.repeat(flat[None, :], idx.size, axis=0)
                stack[np.arange(idx.size), idx] += sign * scale * h[idx]
                kinks: list = []
                sides[scale, sign] = state_losses(
                    net, unflatten(net, stack), states, targets, loss, kinks
                )
                if state_gradients is not None:
                    for moved, fixed in zip(kinks, base_kinks):
                        crossed |= np.any(moved != fixed, axis=-1)
        keep = ~crossed
        with np.errstate(all="ignore"):
            for scale in (1.0, 2.0):
                up, down = (np.where(keep, sides[scale, s], 0.0).mean(axis=-1) for s in (1, -1))
                estimates[scale][idx] = (up - down) / (2 * scale * h[idx])
        for row in np.flatnonzero(crossed.any(axis=-1)):
            left_out[int(idx[row])] = np.flatnonzero(crossed[row])
        report("checking every partial with central differences", (start + idx.size) / chosen.size)
    grads = np.array(grads, dtype=float)
    states_out = sorted({int(s) for rows in left_out.values() for s in rows})
    if states_out:
        per_state = np.asarray(state_gradients(states_out), dtype=float)
        where = {s: i for i, s in enumerate(states_out)}
        for p, rows in left_out.items():
            grads[p] -= per_state[[where[int(s)] for s in rows], p].sum() / n_states
    grads, h = grads[chosen], h[chosen]
    estimates = {scale: est[chosen] for scale, est in estimates.items()}
    error = np.abs(estimates[1.0] - grads)
    bound = (
        2 * np.abs(estimates[1.0] - estimates[2.0])
        + 64 * np.finfo(float).eps * max(abs(base), 1e-300) / h
        + 1e-12 * np.maximum(1.0, np.abs(grads))
    )
    all_names = labels(net)
    names = [all_names[i] for i in chosen]
    bad = tuple(names[i] for i in np.flatnonzero(~(error <= bound)))
    worst = int(np.argmax(error / bound)) if not bad else names.index(bad[0])
    return GradientCheck(
        float(h.min()),
        names[worst],
        float(error[worst]),
        float(bound[worst]),
        int(chosen.size),
        bad,
        len(states_out),
        "",
        n if chosen.size < n else 0,
    )
