"""``symgrad step``: through main(), with capsys."""

from __future__ import annotations

import json

from symgrad.cli import main


def test_seed_step(capsys):
    code = main(["step", "w*w+2", "--at", "w=10", "--lr", "0.1", "--format", "plain"])
    out = capsys.readouterr().out
    assert code == 0
    assert "w ← 10.0 - 0.1⋅20.0 = 8.0" in out
    assert "y: 102.0 → 66.0" in out


def test_iterations_json(capsys):
    argv = ["step", "w*w+2", "--at", "w=10", "--lr", "0.1", "--iterations", "3"]
    assert main([*argv, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [it["values"]["w"] for it in data["iterates"]] == [10.0, 8.0, 6.4, 5.12]


def test_rmsprop_and_plot(capsys, tmp_path):
    png = tmp_path / "path.png"
    argv = ["step", "x^2+10*y^2", "--at", "x=3,y=1", "--optimizer", "rmsprop", "--lr", "0.1"]
    assert main([*argv, "--iterations", "5", "--plot", str(png), "--format", "plain"]) == 0
    out = capsys.readouterr().out
    assert "ms ← 1.0 + (6.0² - 1.0)⋅(1 - 0.9) = 4.5" in out
    assert png.exists()


def test_errors_are_one_line(capsys):
    cases = [
        (["step", "w*w", "--at", "w=1,v=2", "--wrt", "v", "--lr", "1"], 2, "No gradients"),
        (
            ["step", "w*w", "--at", "w=1", "--optimizer", "sgd", "--beta1", "0.5", "--lr", "1"],
            2,
            "does not apply",
        ),
        (["step", "w*w", "--at", "w=1"], 2, "needs a learning rate"),
        (["step", "w*w", "--at", "w=1", "--lr", "1", "--iterations", "100000"], 3, "limit"),
        (["step", "log(x)", "--at", "x=1", "--lr", "2", "--iterations", "2"], 1, "no real value"),
        (["step", "__import__('os')", "--at", "x=1", "--lr", "2"], 2, ""),
    ]
    for argv, code, message in cases:
        assert main(argv) == code
        err = capsys.readouterr().err
        assert err.startswith("symgrad: error:") and message in err
        assert "Traceback" not in err
