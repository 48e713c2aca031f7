"""``symgrad check``: verdicts and exit codes through ``main``, JSON, and one real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from symgrad.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_correct_answer_exits_0(capsys):
    code, out, err = run(
        capsys, "check", "x*sin(x^2)", "--answer", "sin(x^2) + 2*x^2*cos(x^2)", "--format", "plain"
    )
    assert code == 0, err
    assert out.splitlines() == [
        "✓ correct: your answer is the derivative of x⋅sin(x²) with respect to x",
        "  SymPy simplifies the difference to 0; the two agree at 8 random points (seed 0)",
    ]


def test_wrong_answer_exits_1_with_a_hint_that_hides_the_answer(capsys):
    code, out, _ = run(
        capsys, "check", "x*sin(x^2)", "--answer", "sin(x^2) + x*cos(x^2)", "--format", "plain"
    )
    assert code == 1
    assert "✗ incorrect" in out
    assert "at x = 2.07: the derivative is -4.46294, yours gives -1.7682" in out
    assert "likely mistake (chain rule)" in out
    assert "2⋅x²⋅cos(x²)" not in out


def test_reveal_shows_the_derivative(capsys):
    code, out, _ = run(
        capsys, "check", "x*sin(x^2)", "--answer", "x*cos(x^2)", "--reveal", "--format", "plain"
    )
    assert code == 1
    assert "the derivative: 2⋅x²⋅cos(x²) + sin(x²)" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "x*y", "--answer", "y"],  # which variable?
        ["check", "x^2", "--answer", "2*x)"],  # unbalanced
        ["check", "x^2", "--answer", "2*z"],  # unknown variable
        ["check", "x^2"],  # no --answer
        ["check", "x^2", "--answer", "2*x", "--order", "0"],
        ["check", "x^2", "--answer", "2*x", "--points", "0"],
    ],
)
def test_invalid_input_exits_2(capsys, argv):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert err.startswith("symgrad: error: ")


def test_wrt_and_order(capsys):
    assert run(capsys, "check", "x^2*y", "--wrt", "y", "--answer", "x^2")[0] == 0
    assert run(capsys, "check", "x^3", "--order", "2", "--answer", "6*x")[0] == 0
    assert run(capsys, "check", "x^2*y^3", "--wrt", "x,y", "--answer", "6*x*y^2")[0] == 0
    assert run(capsys, "check", "x^2*y", "--wrt", "x", "--answer", "x^2")[0] == 1


def test_json(capsys):
    code, out, _ = run(
        capsys, "check", "cos(x)", "--answer", "sin(x)", "--format", "json", "--seed", "3"
    )
    data = json.loads(out)
    assert code == 1 and data["exit_code"] == 1
    assert data["verdict"] == "incorrect" and data["seed"] == 3
    assert set(data["counterexample"]) == {"point", "expected", "received"}
    assert data["diagnosis"]["mistake"] == "trig_sign"
    assert "derivative" not in data


def test_json_error(capsys):
    code, out, _ = run(capsys, "check", "x^2", "--answer", "2*x +", "--format", "json")
    assert code == 2
    assert json.loads(out)["error"] == "ParseError"


def test_a_slow_simplification_hits_the_time_limit(capsys):
    code, _, err = run(capsys, "check", "x^x^x^x^x^x^x^x^x^x", "--answer", "x", "--timeout", "0.05")
    assert code == 3
    assert "symgrad: error:" in err


def test_listed_in_help(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "check" in out


def test_real_process():
    proc = subprocess.run(
        [sys.executable, "-m", "symgrad", "check", "x^2+7", "--answer", "2*x+7"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert proc.returncode == 1
    assert "likely mistake (constant rule)" in proc.stdout


# -- answers as students type them: values that start with '-' ---------------------------


@pytest.mark.parametrize(
    "argv, code",
    [
        (["check", "cos(x)", "--answer", "-sin(x)"], 0),
        (["check", "cos(x)", "--answer", "-cos(x)"], 1),
        (["check", "1/x", "--answer", "-x^(-2)", "--wrt", "x"], 0),
        (["x*y", "--at", "x=1,y=2", "--direction", "-1,2"], 0),
        (["grad", "x^2", "--at", "x=-1"], 0),
        (["step", "w*w+2", "--at", "w=-3", "--lr", "0.1"], 0),
    ],
)
def test_values_that_start_with_a_minus(capsys, argv, code):
    got, out, err = run(capsys, *argv, "--format", "plain")
    assert got == code, err


def test_a_minus_value_is_still_the_value_when_abbreviated_or_joined(capsys):
    assert run(capsys, "check", "cos(x)", "--ans", "-sin(x)")[0] == 0
    assert run(capsys, "check", "cos(x)", "--answer=-sin(x)")[0] == 0


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["check", "cos(x)", "--answer", "-sin(x)", "--tangent"],
            "unrecognized arguments: --tangent",
        ),
        (["check", "cos(x)", "--answer", "--reveal"], "argument --answer: expected one argument"),
        (["x^2", "--at", "x=1", "--tangent"], "unrecognized arguments: --tangent"),
    ],
)
def test_unknown_flags_and_missing_values_are_still_usage_errors(capsys, argv, message):
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert message in err


def test_a_value_answer_at_a_kink(capsys):
    code, out, _ = run(
        capsys, "check", "relu(x)", "--answer", "0", "--at", "x=0", "--format", "plain"
    )
    assert code == 0
    assert out.splitlines()[0] == (
        "✓ correct: your answer is the value of the derivative of relu(x) with respect to x at x = 0"
    )
    assert "the derivative with respect to x does not exist there" in out
    assert "TensorFlow and PyTorch return the subgradient 0.0" in out
    code, out, _ = run(
        capsys, "check", "relu(x)", "--answer", "1", "--at", "x=0", "--format", "json"
    )
    assert code == 1 and json.loads(out)["at"] == {"x": 0.0}


def test_a_value_answer_with_a_negative_point(capsys):
    code, out, _ = run(capsys, "check", "x^3", "--answer", "3", "--at", "x=-1", "--format", "plain")
    assert code == 0, out
