"""Softmax outputs with categorical cross-entropy: exact gradient, p - t, stability, pairing."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from symgrad.errors import InputError
from symgrad.network import critic
from symgrad.network.softmax import classifier_loss, cross_entropy_numpy, softmax_numpy
from symgrad.parse import variable

EXAMPLE = json.loads((Path(__file__).parent.parent / "examples" / "classifier.json").read_text())


def _loss(spec: dict, flat: np.ndarray) -> float:
    """The mean cross-entropy, written out here independently of symgrad's model."""
    shapes = [np.array(v).shape for v in spec["params"].values()]
    arrays, k = [], 0
    for shape in shapes:
        n = int(np.prod(shape))
        arrays.append(flat[k : k + n].reshape(shape))
        k += n
    a = np.array(spec["states"], dtype=float)
    for i in range(0, len(arrays), 2):
        z = a @ arrays[i] + arrays[i + 1]
        a = np.maximum(z, 0.0) if i + 2 < len(arrays) else z
    t = np.array(spec["targets"], dtype=float)
    log_p = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return float(np.mean(-np.sum(t * log_p, axis=1)))


def test_classifier_gradient_against_central_differences():
    result = critic(EXAMPLE)
    assert result.exit_code == 0 and result.check.ok
    flat = np.concatenate([np.ravel(v) for v in EXAMPLE["params"].values()])
    exact = np.concatenate([result.gradients[n].ravel() for n in result.network.param_names])
    assert result.loss == pytest.approx(_loss(EXAMPLE, flat), rel=1e-13)
    h = 1e-6
    for i in range(flat.size):
        up, down = flat.copy(), flat.copy()
        up[i] += h
        down[i] -= h
        slope = (_loss(EXAMPLE, up) - _loss(EXAMPLE, down)) / (2 * h)
        assert exact[i] == pytest.approx(slope, abs=1e-8)
    assert result.outputs.sum(axis=1) == pytest.approx(np.ones(4))  # out is p = softmax(z)


def test_exact_and_float64_paths_agree():
    exact = critic(EXAMPLE, exact=True)
    fast = critic(EXAMPLE, exact=False)
    for name in exact.gradients:
        assert fast.gradients[name] == pytest.approx(exact.gradients[name], rel=1e-12, abs=1e-15)
    assert fast.loss == pytest.approx(exact.loss, rel=1e-14)


def test_p_minus_t_is_sympy_diff_of_the_loss():
    t = [variable(f"t{k}") for k in range(3)]
    z = [variable(f"z{k}") for k in range(3)]
    ell, probs, rules, defs = classifier_loss("out", t, z)
    raw = -sum(tk * sp.log(sp.exp(zk) / sum(map(sp.exp, z))) for tk, zk in zip(t, z))
    point = {t[0]: 1, t[1]: 0, t[2]: 0, z[0]: sp.Rational(1, 3), z[1]: -2, z[2]: sp.Rational(5, 2)}
    env = dict(point)
    for sym, expr in defs:
        env[sym] = expr.xreplace(env)
    for k in range(3):
        oracle = sp.diff(raw, z[k]).xreplace(point)
        assert float(rules[k].xreplace(env)) == pytest.approx(float(oracle), rel=1e-14)
        assert float(rules[k].xreplace(env)) == pytest.approx(float(env[probs[k]] - point[t[k]]))
    assert float(ell.xreplace(env)) == pytest.approx(float(raw.xreplace(point)), rel=1e-14)


def test_huge_logits_stay_finite():
    spec = copy.deepcopy(EXAMPLE)
    spec["params"]["classifier/out/W"] = [[800.0, -800.0, 0.0]] * 4
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no overflow, no nan
        result = critic(spec, exact=False)
    assert np.isfinite(result.loss) and result.loss > 100
    assert all(np.all(np.isfinite(g)) for g in result.gradients.values())
    assert result.check.ok
    z = np.array([[1000.0, -1000.0, 0.0]])
    assert cross_entropy_numpy(z, np.array([[0.0, 1.0, 0.0]])) == pytest.approx(2000.0)
    assert softmax_numpy(z).tolist() == [[1.0, 0.0, 0.0]]


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda s: s.update(loss="mean_square"), "goes with the categorical_crossentropy"),
        (lambda s: s["layers"][1].update(activation="linear"), "goes with the categorical"),
        (lambda s: s["layers"][0].update(activation="softmax"), "output activation"),
    ],
)
def test_softmax_goes_with_cross_entropy(change, message):
    spec = copy.deepcopy(EXAMPLE)
    change(spec)
    with pytest.raises(InputError, match=message):
        critic(spec)
