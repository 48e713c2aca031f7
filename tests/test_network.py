"""Dense networks: the symbolic gradient against numeric routes, loading, limits, the Critic."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symgrad.errors import InputError, LimitError
from symgrad.functions import ACTIVATIONS
from symgrad.network import Network, check_gradient, critic, load_network, numeric_loss
from symgrad.network.codegen import compile_program
from symgrad.network.model import NAME, has_kink

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


def _inlined(g):
    """Every backward symbol replaced by its definition: the loss and grads of the parameters."""
    values: dict = {}
    for s, e in g.assignments:
        values[s] = e.xreplace(values)
    return g.loss.xreplace(values), [d.xreplace(values) for d in g.grads]


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_every_activations_slope_in_the_gradient_is_sympy_diffs(activation):
    """The network's local derivatives (the loss by the outputs, act'(z) at every layer, made
    by symgrad's rules) give sympy.diff's gradient of the whole loss, at a random point."""
    net = Network.from_layers(1, [(1, activation), (2, activation)])
    loss, grads = _inlined(net.gradient())
    rng = np.random.default_rng(1)
    point = {
        s: sp.Rational(int(v), 100)
        for s, v in zip(sorted(loss.free_symbols, key=str), rng.integers(-150, 150, size=99))
    }
    for p, d in zip(net.flat_symbols(), grads):
        want = sp.diff(loss, p).xreplace(point).evalf(15)
        assert abs(d.xreplace(point).evalf(15) - want) < 1e-10, (activation, p)


def test_the_cross_entropy_slope_from_the_logits_is_sympy_diffs():
    net = Network.from_layers(1, [(1, "tanh"), (2, "sigmoid")])
    g = net.gradient("binary_crossentropy")
    loss, grads = _inlined(g)
    point = {s: sp.Rational(k + 3, 7 + k) for k, s in enumerate(sorted(loss.free_symbols, key=str))}
    for p, d in zip(net.flat_symbols(), grads):
        want = sp.diff(loss, p).xreplace(point).evalf(15)
        assert abs(d.xreplace(point).evalf(15) - want) < 1e-10, p


def test_which_activations_have_a_kink_agrees_with_sympy_diff():
    z = sp.Symbol("z", real=True)
    for name, act in ACTIVATIONS.items():
        slope = sp.diff(act(z), z)
        want = slope.has(sp.Heaviside, sp.Piecewise, sp.sign, sp.DiracDelta)
        assert has_kink(name) is want, name
    assert has_kink("relu") and has_kink("leaky_relu") and not has_kink("tanh")


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
        (broken(lambda s: s["layers"][0].update(activation=["relu"])), InputError, "not known"),
        (broken(lambda s: s["layers"][0].update(activation={"a": 1})), InputError, "not known"),
        (
            broken(lambda s: s["params"]["critic/out/b"].__setitem__(0, int("9" * 400))),
            InputError,
            "too large for float64",
        ),
        (
            broken(
                lambda s: s.update(
                    params=dict(zip(["a/W", "a/b", "a/W2", "a/b2"], s["params"].values()))
                )
            ),
            InputError,
            "layers 0 and 1 are both named 'a' \\(from a/W and a/W2\\)",
        ),
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


BASE = critic(EXAMPLE)


def renamed(names):
    spec = copy.deepcopy(EXAMPLE)
    spec["params"] = dict(zip(names, EXAMPLE["params"].values()))
    return spec


def assert_same_as_example(result, names):
    assert result.loss == BASE.loss == 0.4020515
    assert result.check.ok
    for new, old in zip(names, EXAMPLE["params"]):
        assert result.gradients[new].tolist() == BASE.gradients[old].tolist()
        assert result.new_params[new].tolist() == BASE.new_params[old].tolist()


@pytest.mark.parametrize(
    "names",
    [
        ["x", "t", "out/W", "out/b"],  # the names of the inputs and targets
        ["a/W", "a/b", "hidden/a", "hidden/z"],  # a layer's own quantities
        ["hidden/a", "hidden/z", "x", "t"],
        ["W", "b", "out/z", "out/a"],
    ],
)
def test_parameter_names_never_collide_with_the_networks_own_quantities(names):
    assert_same_as_example(critic(renamed(names)), names)


NAME_TEXT = st.from_regex(NAME, fullmatch=True)


@settings(max_examples=30, deadline=None)
@given(st.lists(NAME_TEXT, min_size=4, max_size=4, unique=True))
def test_any_legal_names_give_the_same_loss_gradients_and_step(names):
    layers = [n.rsplit("/", 1)[0] if "/" in n else n for n in (names[0], names[2])]
    if layers[0] == layers[1]:
        with pytest.raises(InputError, match="are both named"):
            critic(renamed(names))
    else:
        assert_same_as_example(critic(renamed(names)), names)


def test_states_within_a_step_of_a_relu_kink_are_left_out_of_the_check_honestly():
    # z = x·W[:, 0] + b[0] is -6e-06 for the second state: a step of h ≈ 6e-06 in W[1, 0]
    # crosses the kink, so a central difference there averages relu's two slopes.
    spec = {
        "layers": [{"units": 2, "activation": "relu"}, {"units": 1, "activation": "linear"}],
        "params": {
            "h/W": [[0.5, -0.3], [1.0, 0.2], [0.25, 0.7]],
            "h/b": [0.1, -0.2],
            "o/W": [[1.5], [-0.8]],
            "o/b": [0.05],
        },
        "states": [[1.0, 2.0, 3.0], [0.0, 2.0, -8.4000240]],
        "targets": [[1.0], [-1.0]],
    }
    result = critic(spec, exact=False)
    net, params, states, targets, _ = load_network(spec)
    z = states[1] @ params["h/W"][:, 0] + params["h/b"][0]
    assert abs(z) < 1e-5
    assert result.check.ok and result.check.near_kinks == 1
    flat = np.concatenate([result.gradients[n].ravel() for n in net.param_names])
    naive = check_gradient(net, params, states, targets, "mean_square", flat)
    assert not naive.ok and "h/W[1,0]" in naive.disagree  # what the check said before
    assert "1 state within the step of a relu kink" in result.check.explain()
    # The exact gradient itself, by an independent route: SymPy differentiates the loss
    # written out with Max(z, 0).
    w = sp.symbols("w0:3")
    total = 0
    for x, (t,) in zip(spec["states"], spec["targets"]):
        w10 = [sp.Rational(str(v)) for v in (0.5, 1.0, 0.25)]
        z0 = sum(sp.Rational(str(xi)) * (w[i] if i == 1 else w10[i]) for i, xi in enumerate(x))
        z0 += sp.Rational("0.1")
        z1 = sum(sp.Rational(str(xi)) * sp.Rational(str(c)) for xi, c in zip(x, (-0.3, 0.2, 0.7)))
        z1 += sp.Rational("-0.2")
        out = sp.Rational("1.5") * sp.Max(z0, 0) - sp.Rational("0.8") * sp.Max(z1, 0)
        total += (sp.Rational(str(t)) - out - sp.Rational("0.05")) ** 2
    slope = sp.diff(total / 2, w[1]).subs(w[1], 1)
    assert float(slope) == pytest.approx(result.gradients["h/W"][1, 0], rel=1e-12)


def test_a_loss_beyond_float64_is_not_checked_and_says_why():
    spec = broken(lambda s: s["params"]["critic/hidden/W"][0].__setitem__(0, 1e300))
    result = critic(spec)
    assert not result.check.ok and result.exit_code == 1
    assert "not checked" in result.check.explain() and "float64" in result.check.explain()


def test_explain_says_which_x_is_meant_when_a_parameter_prints_like_an_input():
    result = critic(renamed(["x", "t", "out/W", "out/b"]), explain="x[0,2]")
    text = "\n".join(t for t, _ in result.explain)
    assert "not the parameter of that name" in text
    assert repr(float(result.gradients["x"][0, 2])) in text
    assert result.gradients["x"].tolist() == BASE.gradients["critic/hidden/W"].tolist()


def test_a_check_beyond_its_budget_checks_a_random_sample_and_says_so(monkeypatch):
    from symgrad.network import gradcheck

    monkeypatch.setattr(gradcheck, "FULL_CHECK", 10)
    result = critic(random_spec([(8, "tanh"), (1, "linear")]), exact=False)
    assert result.check.ok and result.check.checked == 5 and result.check.directions == 3
    assert "3 random directional derivatives and 5 of the 41 partials" in result.check.explain()
    assert result.check.to_dict()["parameters"] == 41
