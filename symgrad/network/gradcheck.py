"""The independent check of the Critic's gradient: central differences of the loss."""

from __future__ import annotations

from dataclasses import dataclass

from symgrad.network.model import Network, labels, numeric_loss, unflatten

__all__ = ["GradientCheck", "check_gradient"]


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
    from symgrad.guard import report

    estimates = {}
    for scale in (1.0, 2.0):
        est = np.empty(n)
        for start in range(0, n, block):
            idx = np.arange(start, min(n, start + block))
            sides = []
            for sign in (1.0, -1.0):
                stack = np.repeat(flat[None, :], idx.size, axis=0)
                stack[np.arange(idx.size), idx] += sign * scale * h[idx]
                sides.append(numeric_loss(net, unflatten(net, stack), states, targets, loss))
            est[idx] = (sides[0] - sides[1]) / (2 * scale * h[idx])
            done = (scale - 1.0) / 2 + (start + idx.size) / n / 2
            report("checking every partial with central differences", done)
        estimates[scale] = est
    error = np.abs(estimates[1.0] - grads)
    bound = (
        2 * np.abs(estimates[1.0] - estimates[2.0])
        + 64 * np.finfo(float).eps * max(abs(base), 1e-300) / h
        + 1e-12 * np.maximum(1.0, np.abs(grads))
    )
    names = labels(net)
    bad = tuple(names[i] for i in np.flatnonzero(~(error <= bound)))
    worst = int(np.argmax(error / bound)) if not bad else names.index(bad[0])
    return GradientCheck(
        float(h.min()), names[worst], float(error[worst]), float(bound[worst]), n, bad
    )
