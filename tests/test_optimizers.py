"""Optimizers: TensorFlow 1's update rules, defaults and the exact trajectory."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symgrad.errors import InputError, LimitError, MathError
from symgrad.optimizers import optimizer
from symgrad.trajectory import optimize


def tf1_reference(name, w, grad, lr, steps, **hp):
    """TensorFlow 1's formulas, written out independently in float64 (one variable)."""
    ws = [w]
    ms, mom, accum, m, v = 1.0, 0.0, 0.0, 0.0, 0.0
    for t in range(1, steps + 1):
        g = grad(w)
        if name == "sgd":
            w = w - lr * g
        elif name == "momentum":
            accum = hp.get("momentum", 0.9) * accum + g
            if hp.get("use_nesterov"):
                w = w - lr * g - lr * hp.get("momentum", 0.9) * accum
            else:
                w = w - lr * accum
        elif name == "rmsprop":
            ms = ms + (g * g - ms) * (1 - 0.9)
            mom = 0.0 * mom + lr * g / math.sqrt(ms + 1e-10)
            w = w - mom
        elif name == "adam":
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g * g
            lr_t = lr * math.sqrt(1 - 0.999**t) / (1 - 0.9**t)
            w = w - lr_t * m / (math.sqrt(v) + 1e-8)
        ws.append(w)
    return ws


def test_seed_sgd_trajectory():
    t = optimize("w*w+2", at="w=10", optimizer="sgd", lr=0.1, iterations=3)
    assert t.path("w") == [10.0, 8.0, 6.4, 5.12]  # exact arithmetic: no 6.3999999999999995
    assert t.losses() == [102.0, 66.0, 42.96, 28.2144]
    assert t.first_step == (("w", ("w ← 10.0 - 0.1⋅20.0 = 8.0",)),)


def test_rmsprop_notes_numbers():
    t = optimize("w*w+2", at="w=10", optimizer="rmsprop", lr=1e-3)
    lines = dict(t.first_step)["w"]
    assert lines[0].endswith("= 40.9")  # ms started at 1.0, not 0
    assert round(t.path("w")[1], 7) == 9.9968727


@pytest.mark.parametrize(
    ("name", "lr", "hp"),
    [
        ("sgd", 0.1, {}),
        ("momentum", 0.05, {}),
        ("momentum", 0.05, {"use_nesterov": True}),
        ("rmsprop", 0.01, {}),
        ("adam", 0.3, {}),
    ],
)
def test_exact_trajectory_matches_float64_formulas(name, lr, hp):
    t = optimize("w^4/4 - w", at="w=2", optimizer=name, lr=lr, iterations=8, **hp)
    ref = tf1_reference(name, 2.0, lambda w: w**3 - 1, lr, 8, **hp)
    assert np.allclose(t.path("w"), ref, rtol=1e-12, atol=1e-13)


def test_numpy_arrays_follow_the_same_rule():
    opt = optimizer("adam", lr=0.1)
    w = np.array([1.0, -2.0])
    slots = opt.slots(w)
    new, slots = opt.apply(w, 2 * w, slots, 1)
    ref = [tf1_reference("adam", x, lambda x: 2 * x, 0.1, 1)[1] for x in (1.0, -2.0)]
    assert np.allclose(new, ref) and set(slots) == {"m", "v"}


def test_unconnected_variable_is_skipped():
    t = optimize("w*w", at="w=1,v=5", optimizer="adam", lr=0.1, iterations=2)
    assert t.path("v") == [5.0, 5.0, 5.0]
    assert t.iterates[0].gradients == (2.0, None)
    assert "apply_gradients leaves it unchanged" in t.notes[0]


def test_no_gradients_for_any_variable():
    with pytest.raises(InputError, match="No gradients provided for any variable"):
        optimize("w*w", at="w=1,v=5", wrt="v", lr=0.1)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"optimizer": "adagrad", "lr": 0.1}, InputError, "unknown optimizer"),
        ({"optimizer": "sgd"}, InputError, "needs a learning rate"),
        ({"optimizer": "sgd", "lr": -1}, InputError, "positive"),
        ({"optimizer": "sgd", "lr": 0.1, "decay": 0.5}, InputError, "no hyperparameter"),
        ({"optimizer": "rmsprop", "lr": 0.1, "decay": 1.5}, InputError, "decay must be"),
        ({"optimizer": "sgd", "lr": 0.1, "iterations": 0}, InputError, "iterations"),
        ({"optimizer": "sgd", "lr": 0.1, "iterations": 10**6}, LimitError, "limit"),
    ],
)
def test_bad_settings(kwargs, error, match):
    with pytest.raises(error, match=match):
        optimize("w*w", at="w=1", **kwargs)


def test_leaving_the_domain_is_a_math_error():
    with pytest.raises(MathError, match="after step 1"):
        optimize("log(x)", at="x=1", lr=2, iterations=2)


def test_divergence_is_noted():
    t = optimize("x^4", at="x=10", lr=1, iterations=30)
    assert "diverged" in t.notes[-1]
    assert math.isinf(t.iterates[-1].loss)


def test_rendering(render):
    t = optimize("w*w+2", at="w=10", lr=0.1, iterations=2)
    text = render(t, width=200)
    assert "GradientDescentOptimizer(learning_rate=0.1).apply_gradients:" in text
    assert text == t.plain_text()
    data = t.to_dict()
    assert data["final"] == {"w": 6.4} and data["rule"] == ["w ← w - lr⋅g"]


def test_plot(tmp_path):
    for expr, at in [("w*w", "w=1"), ("x*x + 3*y*y", "x=1,y=1"), ("x+y*y+z*z", "x=1,y=1,z=1")]:
        path = tmp_path / "p.png"
        optimize(expr, at=at, lr=0.1, iterations=3).plot(str(path))
        assert path.read_bytes()[:4] == b"\x89PNG"


@settings(max_examples=15, deadline=None)
@given(
    w=st.floats(-50, 50).map(lambda x: round(x, 3)),
    lr=st.sampled_from([0.001, 0.01, 0.1, 0.3]),
    name=st.sampled_from(["sgd", "momentum", "rmsprop", "adam"]),
)
def test_one_step_matches_reference(w, lr, name):
    t = optimize("w*w", at={"w": w}, optimizer=name, lr=lr)
    ref = tf1_reference(name, w, lambda x: 2 * x, lr, 1)
    assert math.isclose(t.path("w")[1], ref[1], rel_tol=1e-12, abs_tol=1e-12)


@pytest.mark.parametrize(
    ("name", "hyper"),
    [
        ("sgd", {}),
        ("momentum", {}),
        ("momentum", {"use_nesterov": True}),
        ("rmsprop", {}),
        ("rmsprop", {"centered": True, "momentum": 0.5}),
        ("adam", {}),
    ],
)
def test_the_rule_text_computes_what_the_arithmetic_does(name, hyper):
    """Each shown line, its numbers read back with symgrad's parser, equals the value the
    update computed: the text and the arithmetic of every optimizer cannot drift apart."""
    import re

    from symgrad.parse import parse

    run = optimize("w*w + 3*w", at="w=1.5", optimizer=name, lr=0.1, iterations=2, **hyper)
    for _, lines in run.first_step:
        for line in lines:
            text, value = line.split(" ← ", 1)[1].rsplit(" = ", 1)
            text = re.sub(r"√(\d[\d.e+-]*)", r"sqrt(\1)", text.replace("⋅", "*"))
            text = text.replace("√(", "sqrt(").replace("²", "^2")
            assert float(parse(text).expr) == pytest.approx(float(value), rel=1e-12), line
