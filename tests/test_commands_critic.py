"""``symgrad critic NETWORK.json``: through main(), with capsys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from symgrad.cli import main

EXAMPLE = str(Path(__file__).parent.parent / "examples" / "critic.json")


def test_example_plain(capsys):
    assert main(["critic", EXAMPLE, "--format", "plain"]) == 0
    out = capsys.readouterr().out
    assert "Critic network 3 → 4 (relu) → 1 (linear): 21 parameters, 4 states" in out
    assert "TD error (target - out)" in out
    assert "check: ✓ all 21 partials agree with central differences" in out
    assert "RMSPropOptimizer(learning_rate=0.001" in out


def test_json_sgd_step(capsys):
    argv = ["critic", EXAMPLE, "--optimizer", "sgd", "--lr", "0.5", "--format", "json"]
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    g = data["gradients"]["critic/out/b"][0]
    assert data["new_params"]["critic/out/b"][0] == pytest.approx(0.2 - 0.5 * g, rel=1e-15)
    assert data["check"]["verdict"] == "agrees"
    assert len(data["td_errors"]) == 4


def test_explain(capsys):
    assert main(["critic", EXAMPLE, "--explain", "critic/out/W[1,0]", "--format", "plain"]) == 0
    out = capsys.readouterr().out
    assert "--explain critic/out/W[1,0]: backpropagation is the chain rule" in out


def test_init(capsys, tmp_path):
    spec = json.loads(Path(EXAMPLE).read_text())
    del spec["params"]
    path = tmp_path / "net.json"
    path.write_text(json.dumps(spec))
    assert main(["critic", str(path), "--init", "1", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["params"]["hidden/b"] == [0.0] * 4


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        ("{", 2, "not valid JSON"),
        ('{"layers": NaN}', 2, "NaN"),
        ("[" * 50_000 + "]" * 50_000, 2, "nested too deeply"),
        ('{"layers": [], "states": [[1]], "targets": [[1]], "params": {}}', 2, "layers"),
        (
            '{"layers": [{"units": 3000}], "states": [[1]], "targets": [[1]], "params": {}}',
            3,
            "limit",
        ),
        (b"\xff\xfe", 2, "UTF-8"),
    ],
)
def test_wrong_files(capsys, tmp_path, content, code, message):
    path = tmp_path / "net.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    assert main(["critic", str(path)]) == code
    err = capsys.readouterr().err
    assert err.startswith("symgrad: error:") and message in err and "Traceback" not in err


def test_missing_file_and_bad_explain(capsys):
    assert main(["critic", "no-such-file.json"]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert main(["critic", EXAMPLE, "--explain", "W[0"]) == 2
    assert "NAME[i,j]" in capsys.readouterr().err
