"""Backpropagation in matrix form and the layer graph: checked against the exact gradient."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from symgrad.cli import main
from symgrad.errors import InputError
from symgrad.network import critic, load_network
from symgrad.network.matrix import draw_layers, layer_graph, matrix_view

ROOT = Path(__file__).parent.parent / "examples"
CRITIC = str(ROOT / "critic.json")
CLASSIFIER = str(ROOT / "classifier.json")


def _spec(layers, loss="mean_square", seed=3, states=5):
    rng = np.random.default_rng(seed)
    d = 3
    outputs = layers[-1][0]
    if loss == "binary_crossentropy":
        targets = rng.integers(0, 2, size=(states, outputs)).tolist()
    else:
        targets = rng.normal(size=(states, outputs)).round(3).tolist()
    return {
        "layers": [{"units": u, "activation": a} for u, a in layers],
        "loss": loss,
        "states": rng.normal(size=(states, d)).round(3).tolist(),
        "targets": targets,
    }


NETWORKS = [
    json.loads(Path(CRITIC).read_text()),
    json.loads(Path(CLASSIFIER).read_text()),
    _spec([(4, "tanh"), (3, "sigmoid"), (2, "linear")]),
    _spec([(3, "relu"), (2, "sigmoid")]),
    _spec([(2, "sigmoid"), (1, "sigmoid")], loss="binary_crossentropy"),
    # every other activation's slope comes from its record's derivative
    _spec([(3, "gelu"), (3, "elu"), (2, "leaky_relu"), (2, "linear")]),
    _spec([(3, "silu"), (3, "softsign"), (2, "softplus"), (1, "linear")]),
]


@pytest.mark.parametrize("spec", NETWORKS)
def test_every_matrix_equals_the_exact_gradient(spec):
    init = None if "params" in spec else 7
    result = critic(spec, init=init, explain="matrix")
    assert result.matrix_ok and result.exit_code == 0
    text = "\n".join(t for t, _ in result.explain)
    assert text.count("✓ equals the entry-wise exact gradient") == 2 * len(spec["layers"])
    # The same recurrences, recomputed independently of symgrad: from central differences.
    net, params, states, targets, loss = load_network(spec, init)
    lines, ok = matrix_view(net, params, states, targets, loss, result.gradients)
    assert ok


def test_a_wrong_gradient_is_caught():
    spec = NETWORKS[0]
    result = critic(spec)
    net, params, states, targets, loss = load_network(spec)
    wrong = dict(result.gradients)
    wrong[net.param_names[0]] = wrong[net.param_names[0]] + 1e-3
    lines, ok = matrix_view(net, params, states, targets, loss, wrong)
    assert not ok
    assert any("✗ differs from" in t for t, _ in lines)


def test_layer_graph_shapes():
    spec = NETWORKS[2]
    net, params, states, targets, loss = load_network(spec, 1)
    text = "\n".join(t for t, _ in layer_graph(net, states.shape[0], loss))
    assert "x: 5×3" in text
    assert "→ z₂ = a₁ W₂ + b₂: 5×3" in text and "W₂: 4×3, b₂: 3" in text
    assert "→ ŷ = z₃: 5×2" in text


def test_layer_picture(tmp_path):
    net, _, states, _, loss = load_network(NETWORKS[1])
    path = draw_layers(net, 4, loss, tmp_path / "layers.svg")
    assert "<svg" in Path(path).read_text()
    with pytest.raises(InputError, match=r"\.png or \.svg"):
        draw_layers(net, 4, loss, tmp_path / "layers.jpg")


def test_cli_explain_and_graph(capsys, tmp_path):
    picture = tmp_path / "layers.png"
    assert main(["critic", CLASSIFIER, "--explain", "--graph", str(picture)]) == 0
    out = capsys.readouterr().out
    assert "= p_k - t_k                 every target row sums to 1" in out
    assert "δ₁ = (δ₂ W₂ᵀ) ⊙ relu'(z₁): 4×4" in out
    assert "→ p = softmax(z₂): 4×3" in out
    assert picture.read_bytes()[:4] == b"\x89PNG"
    assert main(["critic", CRITIC, "--graph", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["layer_graph"][1] == "  x: 4×3"
