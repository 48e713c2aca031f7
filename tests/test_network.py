"""Dense networks: the symbolic gradient against numeric routes, loading, limits, the Critic."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from symgrad.errors import InputError, LimitError
from symgrad.network import Network, critic, load_network, numeric_loss
from symgrad.network.codegen import compile_program

EXAMPLE = json.loads((Path(__file__).parent.parent / "examples" / "critic.json").read_text())


def random_spec(layers, inputs=3, states=5, seed=0, loss="mean_square"):
    rng = np.random.default_rng(seed)
    net = Network.from_layers(inputs, layers)
    params = {n: (rng.normal(size=s) * 0.5).round(3).tolist() for n, s in net.shapes.items()}
    return {
        "layers": [{"units": u, "activation": a} for u, a in layers],
        "params": params,
        "states": rng.normal(size=(states, inputs)).round(3).tolist(),
        "targets": (rng.uniform(size=(states, net.outputs)).round(3)).tolist(),
        "loss": loss,
    }


@pytest.mark.parametrize(
    ("layers", "loss"),
    [
        ([(4, "relu"), (1, "linear")], "mean_square"),
        ([(3, "tanh"), (2, "sigmoid")], "mean_square"),
        ([(3, "sigmoid"), (2, "tanh"), (2, "linear")], "mean_square"),
        ([(3, "tanh"), (1, "sigmoid")], "binary_crossentropy"),
    ],
)
@pytest.mark.parametrize("exact", [True, False])
def test_gradient_agrees_with_central_differences(layers, loss, exact):
    r = critic(random_spec(layers, loss=loss), optimizer="sgd", lr=0.1, exact=exact)
    assert r.check.ok, r.check.explain()
    # sgd: the new parameters are exactly params - lr * gradient
    for name in r.params:
        assert np.allclose(r.new_params[name], r.params[name] - 0.1 * r.gradients[name])


def test_exact_and_generated_code_agree():
    spec = random_spec([(4, "tanh"), (1, "linear")])
    a, b = critic(spec, exact=True), critic(spec, exact=False)
    assert a.exact and not b.exact
    assert np.isclose(a.loss, b.loss, rtol=1e-13)
    for name in a.gradients:
        assert np.allclose(a.gradients[name], b.gradients[name], rtol=1e-12, atol=1e-15)


def test_mse_gradient_matches_sympy_diff_on_a_tiny_network():
    net = Network.from_layers(1, [(2, "tanh"), (1, "linear")])
    g = net.gradient()
    defs = g.definitions()

    def expand(e):
        for _ in range(10):
            e = e.xreplace(defs)
        return e

    loss = expand(g.loss)
    for p, d in zip(g.params, g.grads):
        assert sp.simplify(expand(d) - sp.diff(loss, p)) == 0


def test_example_file():
    r = critic(EXAMPLE)
    assert r.exact and r.check.ok
    assert r.optimizer.tf_name == "RMSPropOptimizer"
    assert r.td_errors[0, 0] == -0.07  # exact: 1.0 - 1.07, not -0.07000000000000006
    assert r.gradients["critic/hidden/W"].shape == (3, 4)
    data = r.to_dict()
    assert data["loss"] == r.loss and data["check"]["verdict"] == "agrees"


def test_explain_walks_the_chain():
    r = critic(EXAMPLE, explain="critic/hidden/W[0,2]")
    text = "\n".join(t for t, _ in r.explain)
    assert "∂ℓ/∂critic/hidden/z[2]" in text and "∂ℓ/∂critic/out/z[0]" in text
    assert repr(float(r.gradients["critic/hidden/W"][0, 2])) in text


def test_init_is_reproducible():
    spec = {k: v for k, v in EXAMPLE.items() if k != "params"}
    a, b = critic(spec, init=7), critic(spec, init=7)
    assert a.params["hidden/W"].tolist() == b.params["hidden/W"].tolist()
    assert a.params["hidden/b"].tolist() == [0.0] * 4


def broken(change):
    spec = copy.deepcopy(EXAMPLE)
    change(spec)
    return spec


@pytest.mark.parametrize(
    ("spec", "error", "match"),
    [
        ([1, 2], InputError, "JSON object"),
        (broken(lambda s: s.pop("states")), InputError, "no 'states'"),
        (broken(lambda s: s.pop("params")), InputError, "no 'params'"),
        (broken(lambda s: s.update(extra=1)), InputError, "unknown key"),
        (broken(lambda s: s["layers"][0].update(units=0)), InputError, "units"),
        (broken(lambda s: s["layers"][0].update(units=True)), InputError, "units"),
        (
            broken(lambda s: s["layers"][0].update(activation="softmax")),
            InputError,
            "output activation",
        ),
        (broken(lambda s: s["states"][0].append(1.0)), InputError, "entries"),
        (broken(lambda s: s["targets"].pop()), InputError, "targets"),
        (broken(lambda s: s["params"]["critic/out/b"].append(1)), InputError, "entries"),
        (broken(lambda s: s["params"].pop("critic/out/b")), InputError, "arrays"),
        (broken(lambda s: s["states"][0].__setitem__(0, "1")), InputError, "must be a number"),
        (broken(lambda s: s["states"][0].__setitem__(0, None)), InputError, "must be a number"),
        (broken(lambda s: s["states"][0].__setitem__(0, 1e400)), InputError, "finite"),
        (broken(lambda s: s.update(loss="hinge")), InputError, "unknown loss"),
        (broken(lambda s: s.update(loss="binary_crossentropy")), InputError, "sigmoid"),
        (broken(lambda s: s["layers"][0].update(units=5000)), LimitError, "limit"),
        (broken(lambda s: s.update(states=[[0, 0, 0]] * 20_000)), LimitError, "limit"),
        (
            broken(
                lambda s: s.update(
                    params={f"p{i}'); x": v for i, v in enumerate(s["params"].values())}
                )
            ),
            InputError,
            "not allowed",
        ),
    ],
)
def test_wrong_files(spec, error, match):
    with pytest.raises(error, match=match):
        load_network(spec) if error is LimitError else critic(spec)


def test_numeric_loss_is_the_mean_square():
    net, params, s, t, loss = load_network(EXAMPLE)
    prog_net = net.gradient()
    prog = compile_program(
        prog_net.all_outputs(), prog_net.samples, prog_net.params, prog_net.assignments
    )
    flat = np.concatenate([params[n].ravel() for n in net.param_names])
    sums = prog.evaluate(np.hstack([s, t]), flat)
    assert np.isclose(sums[0] / len(s), numeric_loss(net, params, s, t, loss))
