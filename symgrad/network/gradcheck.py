"""The independent check of the Critic's gradient: central differences of the loss."""

from __future__ import annotations

from dataclasses import dataclass

from symgrad.network.model import Network, labels, numeric_loss, unflatten

__all__ = ["GradientCheck", "check_gradient"]


#: Up to this many parameters every partial is checked; above, a sample and random directions.
FULL_CHECK = 64
DIRECTIONS = 3  # random unit directions u: each checks g·u, which every component of g enters
SAMPLE = 5  # partials checked one by one, chosen at random (seeded: the same run, the same check)


@dataclass(frozen=True)
class GradientCheck:
    """Central differences of the loss against the exact gradient.

    Small networks: every partial. Larger ones: ``directions`` random
    directional derivatives (``g·u`` for a unit vector ``u``; a wrong
    component of ``g`` changes it unless its error is below the bound) and
    the partials named in ``sampled``, each with its own bound; so the cost
    does not grow with parameters × states.
    """

    step: float
    worst: str  # e.g. "hidden/W[0,1]"
    error: float
    bound: float
    checked: int  # partials checked one by one
    disagree: tuple[str, ...]
    directions: int = 0
    sampled: tuple[str, ...] = ()
    parameters: int = 0

    @property
    def ok(self) -> bool:
        return not self.disagree

    def _what(self) -> str:
        if not self.directions:
            return f"all {self.checked} partials"
        return (
            f"{self.directions} random directional derivatives and {self.checked} of the "
            f"{self.parameters:,} partials ({', '.join(self.sampled)})"
        )

    def explain(self) -> str:
        if self.ok:
            return (
                f"✓ {self._what()} agree with central differences of the loss "
                f"(largest error {self.error:.1e} at {self.worst}, within its bound {self.bound:.1e})"
            )
        return (
            f"✗ {len(self.disagree)} of the checks of {self._what()} DISAGREE with central "
            f"differences of the loss, first {self.disagree[0]} "
            f"(error {self.error:.1e} > bound {self.bound:.1e})"
        )

    def to_dict(self) -> dict[str, object]:
        method = "central difference of the loss (numpy forward pass), per parameter"
        if self.directions:
            method = (
                "central differences of the loss (numpy forward pass) along random unit "
                "directions and for a random sample of parameters"
            )
        return {
            "method": method,
            "step": self.step,
            "worst": self.worst,
            "error": self.error,
            "bound": self.bound,
            "checked": self.checked,
            "directions": self.directions,
            "sampled": list(self.sampled),
            "parameters": self.parameters,
            "disagree": list(self.disagree),
            "verdict": "agrees" if self.ok else "disagrees",
        }


def check_gradient(
    net: Network, params: dict, states, targets, loss: str, grads, seed: int = 0
) -> GradientCheck:
    """Compare the exact gradient with central differences of the loss (an independent route).

    Each check perturbs the parameters along a vector ``v`` (a unit vector of
    one parameter, or a random unit direction) at steps ``h`` and ``2h``, with
    ``h = ε^(1/3)·max(1, |p|)``: the difference of the two estimates bounds
    the truncation error, and the bound adds the round-off of the loss and of
    the exact ``g·v``.
    """
    import numpy as np

    flat = np.concatenate([params[n].ravel() for n in net.param_names])
    grads = np.asarray(grads, dtype=float)
    n = flat.size
    names = labels(net)
    eps = np.finfo(float).eps
    if n <= FULL_CHECK:
        partials = np.arange(n)
        directions = np.zeros((0, n))
    else:
        rng = np.random.default_rng(seed)
        partials = np.sort(rng.choice(n, size=SAMPLE, replace=False))
        directions = rng.standard_normal((DIRECTIONS, n))
        directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    rows = len(partials) + len(directions)
    vectors = np.zeros((rows, n))
    vectors[np.arange(len(partials)), partials] = 1.0
    vectors[len(partials) :] = directions
    scale_p = np.abs(vectors) @ np.abs(flat) if rows else np.zeros(0)
    h = eps ** (1 / 3) * np.maximum(1.0, scale_p)
    exact = vectors @ grads
    block = max(1, 4_000_000 // max(1, states.shape[0] * max(layer.units for layer in net.layers)))
    base = float(numeric_loss(net, params, states, targets, loss))
    from symgrad.guard import report

    # Every perturbed point (h and 2h, both sides) of a block of checks in one forward pass.
    steps = np.array([1.0, -1.0, 2.0, -2.0])
    block = max(1, block // len(steps))
    estimates = {1.0: np.empty(rows), 2.0: np.empty(rows)}
    for start in range(0, rows, block):
        idx = np.arange(start, min(rows, start + block))
        offsets = (steps[:, None] * h[idx][None, :])[..., None] * vectors[idx][None, :, :]
        stack = (flat + offsets).reshape(-1, n)
        values = numeric_loss(net, unflatten(net, stack), states, targets, loss)
        values = np.asarray(values).reshape(len(steps), idx.size)
        estimates[1.0][idx] = (values[0] - values[1]) / (2 * h[idx])
        estimates[2.0][idx] = (values[2] - values[3]) / (4 * h[idx])
        report("checking the gradient with central differences", (start + idx.size) / rows)
    error = np.abs(estimates[1.0] - exact)
    rounding_of_exact = n * eps * (np.abs(vectors) @ np.abs(grads))
    bound = (
        2 * np.abs(estimates[1.0] - estimates[2.0])
        + 64 * eps * max(abs(base), 1e-300) / h
        + rounding_of_exact
        + 1e-12 * np.maximum(1.0, np.abs(exact))
    )
    what = [names[i] for i in partials] + [
        f"random direction {k + 1}" for k in range(len(directions))
    ]
    bad = tuple(what[i] for i in np.flatnonzero(~(error <= bound)))
    worst = int(np.argmax(error / bound)) if not bad else what.index(bad[0])
    return GradientCheck(
        float(h.min()),
        what[worst],
        float(error[worst]),
        float(bound[worst]),
        len(partials),
        bad,
        directions=len(directions),
        sampled=tuple(names[i] for i in partials) if len(directions) else (),
        parameters=n,
    )
