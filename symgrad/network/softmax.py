"""Softmax outputs and categorical cross-entropy, evaluated stably.

A classifier's last layer gives logits ``z``; softmax turns them into
probabilities ``p_k = e^(z_k) / Σ_j e^(z_j)`` and categorical cross-entropy
compares them with the targets ``t`` (one-hot, or any probabilities):

    ℓ = -Σ_k t_k log p_k = Σ_k t_k (L - z_k),   L = log Σ_j e^(z_j)

Its derivative with respect to a logit is ``∂ℓ/∂z_k = (Σ_j t_j) p_k - t_k``,
which is ``p_k - t_k`` when the targets sum to 1: the famous simplification.
``L`` is built from :class:`logaddexp`, ``log(e^a + e^b)``, so the float64
evaluation never overflows (it is NumPy's ``logaddexp``) and the exact one
is SymPy's.

>>> import sympy as sp
>>> logaddexp(sp.Integer(0), sp.Integer(0))
log(2)
>>> import numpy as np
>>> softmax_numpy(np.array([[1000.0, 1000.0]])).tolist()
[[0.5, 0.5]]
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

__all__ = [
    "ACTIVATION",
    "LOSS",
    "logaddexp",
    "log_sum_exp",
    "cross_entropy",
    "cross_entropy_numpy",
    "cross_entropy_states",
    "softmax_numpy",
    "check_pairing",
    "classifier_loss",
]

ACTIVATION = "softmax"
LOSS = "categorical_crossentropy"


class logaddexp(sp.Function):  # noqa: N801 - the name NumPy gives it
    """``log(e^a + e^b)``; its partial derivatives are sigmoids of the difference."""

    nargs = 2

    @classmethod
    def eval(cls, a, b):
        if a.is_number and b.is_number:
            return sp.log(sp.exp(a) + sp.exp(b))
        return None

    def fdiff(self, argindex=1):
        a, b = self.args
        mine, other = (a, b) if argindex == 1 else (b, a)
        return sp.exp(mine - self)

    def _eval_rewrite_as_log(self, a, b, **kwargs):
        return sp.log(sp.exp(a) + sp.exp(b))

    def _eval_is_extended_real(self):
        a, b = self.args
        return True if a.is_extended_real and b.is_extended_real else None


def log_sum_exp(zs: Sequence[sp.Expr]) -> sp.Expr:
    """``log Σ e^(z_k)`` as nested :class:`logaddexp` (stable in float64).

    >>> from symgrad.parse import variable
    >>> z = [variable(f"z{k}") for k in range(3)]
    >>> log_sum_exp(z)
    logaddexp(logaddexp(z0, z1), z2)
    >>> slope = sp.diff(log_sum_exp(z), z[0]).rewrite(sp.log)  # the softmax p_0
    >>> sp.simplify(slope - sp.exp(z[0]) / sum(map(sp.exp, z)))
    0
    """
    total = zs[0]
    for z in zs[1:]:
        total = logaddexp(total, z)
    return total if len(zs) > 1 else zs[0]


def cross_entropy(targets: Sequence[sp.Expr], lse: sp.Expr, zs: Sequence[sp.Expr]) -> sp.Expr:
    """``Σ_k t_k (L - z_k)`` for one sample: ``-Σ t log softmax(z)``."""
    return sp.Add(*[t * (lse - z) for t, z in zip(targets, zs)])


def softmax_numpy(z):
    """Softmax over the last axis in float64, shifted by the maximum so it never overflows."""
    import numpy as np

    shifted = z - np.max(z, axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=-1, keepdims=True)


def cross_entropy_states(z, targets):
    """``Σ_k t_k (logsumexp(z) - z_k)`` of each sample (the last axis), stably (float64)."""
    import numpy as np

    lse = np.logaddexp.reduce(z, axis=-1, keepdims=True)
    return np.sum(targets * (lse - z), axis=-1)


def cross_entropy_numpy(z, targets):
    """The mean over samples of :func:`cross_entropy_states`."""
    import numpy as np

    return np.mean(cross_entropy_states(z, targets), axis=-1)


def check_pairing(net, loss: str) -> None:
    """Softmax is an output layer that goes with categorical cross-entropy, and only with it."""
    from symgrad.errors import InputError

    *hidden, last = net.layers
    for layer in hidden:
        if layer.activation == ACTIVATION:
            raise InputError(
                f"softmax is an output activation, but layer {layer.name!r} is hidden",
                hint="use relu, tanh, sigmoid or linear for hidden layers",
            )
    if (last.activation == ACTIVATION) != (loss == LOSS):
        raise InputError(
            "a softmax output layer goes with the categorical_crossentropy loss",
            hint='set "loss": "categorical_crossentropy" and the last "activation": "softmax"',
        )


def classifier_loss(name: str, targets: Sequence[sp.Symbol], zs: Sequence[sp.Symbol]):
    """The per-sample loss of a softmax classifier from its logits, and ∂ℓ/∂z.

    Returns ``(ℓ, p, rules, assignments)``: ``L = log Σ e^z`` and ``p_k = e^(z_k - L)``
    are named symbols defined by ``assignments``; ``rules[k] = (Σ t)⋅p_k - t_k`` is the
    derivative of ``ℓ = Σ t_k (L - z_k)`` with respect to ``z_k``.

    >>> from symgrad.parse import variable
    >>> t, z = [variable("t0"), variable("t1")], [variable("z0"), variable("z1")]
    >>> ell, p, rules, defs = classifier_loss("out", t, z)
    >>> rules[0]
    out/p[0]*(t0 + t1) - t0
    """
    from symgrad.network.model import node  # the network's own namespace

    lse = node(f"{name}/L")
    probs = [node(f"{name}/p[{k}]") for k in range(len(zs))]
    assignments = [(lse, log_sum_exp(list(zs)))]
    assignments += [(p, sp.exp(z - lse)) for p, z in zip(probs, zs)]
    total = sp.Add(*targets)
    rules = [total * p - t for p, t in zip(probs, targets)]
    return cross_entropy(targets, lse, zs), probs, rules, assignments
