"""The Critic's independent check: every partial when small, directions and a sample when large."""

import numpy as np
import pytest

from symgrad.network import Network, numeric_loss
from symgrad.network.gradcheck import DIRECTIONS, FULL_CHECK, SAMPLE, check_gradient
from symgrad.network.model import unflatten


def _problem(hidden, states=6, seed=0):
    net = Network.from_layers(2, [(hidden, "tanh"), (1, "linear")])
    rng = np.random.default_rng(seed)
    params = {n: rng.normal(size=s) * 0.5 for n, s in net.shapes.items()}
    x, t = rng.normal(size=(states, 2)), rng.normal(size=(states, 1))
    flat = np.concatenate([params[n].ravel() for n in net.param_names])
    # The exact gradient's stand-in: a sixth-order central stencil of the loss (error ~1e-12).
    h = 1e-3
    grads = np.empty(flat.size)
    for i in range(flat.size):
        vals = []
        for k in (-3, -2, -1, 1, 2, 3):
            p = flat.copy()
            p[i] += k * h
            vals.append(float(numeric_loss(net, unflatten(net, p), x, t, "mean_square")))
        grads[i] = (
            -vals[0] + 9 * vals[1] - 45 * vals[2] + 45 * vals[3] - 9 * vals[4] + vals[5]
        ) / (60 * h)
    return net, params, x, t, grads


def test_a_small_network_has_every_partial_checked():
    net, params, x, t, grads = _problem(hidden=4)  # 17 parameters
    c = check_gradient(net, params, x, t, "mean_square", grads)
    assert c.ok, c.explain()
    assert c.checked == net.num_params <= FULL_CHECK and c.directions == 0
    assert c.explain().startswith(f"✓ all {net.num_params} partials agree")


def test_a_large_network_gets_directions_and_a_sample_and_says_which():
    net, params, x, t, grads = _problem(hidden=24)  # 97 parameters
    c = check_gradient(net, params, x, t, "mean_square", grads)
    assert c.ok, c.explain()
    assert (c.directions, c.checked, c.parameters) == (DIRECTIONS, SAMPLE, 97)
    assert all(name in c.explain() for name in c.sampled)
    assert c.to_dict()["sampled"] == list(c.sampled)
    again = check_gradient(net, params, x, t, "mean_square", grads)
    assert again.sampled == c.sampled  # seeded: the same run gives the same check


@pytest.mark.parametrize("index", [0, 40, 96])
def test_one_wrong_partial_anywhere_is_caught_by_the_directions(index):
    net, params, x, t, grads = _problem(hidden=24)
    wrong = grads.copy()
    wrong[index] += 1e-3 * max(1.0, np.linalg.norm(grads))
    c = check_gradient(net, params, x, t, "mean_square", wrong)
    assert not c.ok and "DISAGREE" in c.explain()
