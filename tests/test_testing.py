"""The grading plugin: assert_gradient, assert_answer, the marker, the fixture, the reports."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from symgrad.testing import GradingFailure, Settings, assert_answer, assert_gradient

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
GRADING = ROOT / "examples" / "grading"


# -- assert_gradient as a function ---------------------------------------------------


def test_scalar_gradient_passes_and_fails():
    assert_gradient(lambda w: 2 * w, "w*w+2")
    with pytest.raises(GradingFailure) as failure:
        assert_gradient(lambda w: 2 * w + 1, "w*w+2", points=[10.0])
    message = str(failure.value)
    assert "point: w = 10.0" in message
    assert "gradient for w: expected 20.0, received 21.0" in message
    assert "2⋅w" not in message  # the formula stays hidden


def test_reveal_shows_the_reference():
    with pytest.raises(GradingFailure) as failure:
        assert_gradient(lambda w: w, "w*w+2", reveal=True)
    assert "reference: ∂f/∂w = 2⋅w" in str(failure.value)


def test_several_arguments_and_which_one_is_wrong():
    assert_gradient(lambda w, b: (2 * w * b, w**2), "w^2*b", wrt="w,b")
    with pytest.raises(GradingFailure) as failure:
        assert_gradient(lambda w, b: (2 * w * b, 2 * w), "w^2*b", wrt="w,b")
    assert "the gradient for b is wrong; the others are right" in str(failure.value)


def test_explicit_points_as_dicts_and_tuples():
    assert_gradient(lambda w, b: (2 * w * b, w**2), "w^2*b", wrt="w,b", points=[{"w": 1, "b": 2}])
    assert_gradient(lambda w, b: (2 * w * b, w**2), "w^2*b", wrt="w,b", points=[(1.0, 2.0)])


def test_points_avoid_the_undefined():
    assert_gradient(lambda x: 1 / x, "log(x)", points=6)


def _mse(weights: np.ndarray, xs: np.ndarray, ys: np.ndarray):
    """The MSE loss of a linear model, built from symbols the test makes itself."""
    n = len(ys)
    preds = [sum(xs[i, j] * weights[j] for j in range(len(weights))) for i in range(n)]
    return sum((ys[i] - preds[i]) ** 2 for i in range(n)) / n


XS = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0], [2.0, 0.5, -1.0], [1.5, 1.0, 1.0]])
YS = np.array([1.0, -2.0, 0.5, 3.0])
W = np.array([sp.Symbol(f"w_{j}", real=True) for j in range(3)], dtype=object)


def _good_grad(w):
    return 2 * XS.T @ (XS @ w - YS) / len(YS)


@pytest.mark.parametrize(
    "student, diagnosis",
    [
        (lambda w: XS.T @ (XS @ w - YS) / len(YS), "every entry is 1/2 times the expected one"),
        (lambda w: 2 * XS.T @ (XS @ w - YS), "every entry is 4 times the expected one"),
        (lambda w: -_good_grad(w), "every entry has the wrong sign"),
        (lambda w: np.zeros(3), "every entry is 0"),
    ],
)
def test_vectorised_mse_gradient(student, diagnosis):
    loss = _mse(W, XS, YS)
    assert_gradient(_good_grad, loss, wrt=W)
    with pytest.raises(GradingFailure) as failure:
        assert_gradient(student, loss, wrt=W)
    assert diagnosis in str(failure.value)


def test_shapes_are_checked():
    mat = np.array([[sp.Symbol(f"m_{i}{j}", real=True) for j in range(3)] for i in range(2)])
    f = sum(mat.flat[k] ** 2 for k in range(6))
    assert_gradient(lambda m: 2 * m, f, wrt={"M": mat})
    with pytest.raises(GradingFailure) as failure:
        assert_gradient(lambda m: 2 * m.T, f, wrt={"M": mat})
    assert (
        "the gradient for M (shape (2, 3)) has shape (3, 2), expected (2, 3) (transposed?)"
        in str(failure.value)
    )


def test_a_missing_variable_is_the_teachers_error():
    with pytest.raises(ValueError, match="also depends on x"):
        assert_gradient(lambda w: w, "w*x", wrt="w")


def test_assert_answer():
    assert_answer("2*x*cos(x^2)", "sin(x^2)")
    with pytest.raises(GradingFailure, match="likely mistake \\(chain rule\\)"):
        assert_answer("cos(x^2)", "sin(x^2)")
    with pytest.raises(GradingFailure, match="could not be checked"):
        assert_answer("cos(x^2", "sin(x^2)")


# -- the plugin inside pytest ------------------------------------------------------------

TEACHER_TEST = """
import pytest
from symgrad.testing import assert_gradient

@pytest.mark.symgrad(points=[3.0])
def test_slope():
    assert_gradient(lambda w: w, "w*w+2")

@pytest.mark.symgrad(points=2, seed=7, rtol=0.5)
def test_loose(symgrad_settings):
    assert symgrad_settings.seed == 7 and symgrad_settings.rtol == 0.5
    assert_gradient(lambda w: 2.2 * w, "w*w+2")
"""


def test_marker_fixture_and_short_report(pytester):
    pytester.makepyfile(test_teacher=TEACHER_TEST)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    out = result.stdout.str()
    assert "point: w = 3.0" in out
    assert "gradient for w: expected 6.0, received 3.0" in out
    assert 'assert_gradient(lambda w: w, "w*w+2")' not in out  # no traceback: no source
    assert "2⋅w" not in out


def test_reveal_option(pytester):
    pytester.makepyfile(test_teacher=TEACHER_TEST)
    result = pytester.runpytest("-p", "no:cacheprovider", "--symgrad-reveal")
    result.assert_outcomes(passed=1, failed=1)
    assert "reference: ∂f/∂w = 2⋅w" in result.stdout.str()


def test_marker_is_registered(pytester):
    result = pytester.runpytest("--markers")
    assert "@pytest.mark.symgrad(points=5" in result.stdout.str()


def test_default_settings():
    assert Settings() == Settings(points=5, seed=0, rtol=1e-6, atol=1e-9, scale=2.0, reveal=False)


def test_plugin_is_registered_by_entry_point():
    from importlib.metadata import entry_points

    names = {ep.value for ep in entry_points(group="pytest11")}
    assert "symgrad.testing" in names


# -- the teacher's example, as a teacher runs it ------------------------------------------


def _grade(submission: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(GRADING),
            "-p",
            "no:cacheprovider",
            "--submission",
            str(GRADING / "submissions" / submission),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=GRADING,
        env={**os.environ, "NO_COLOR": "1"},
    )


def test_grading_example_correct_submission():
    proc = _grade("correct.py")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 passed" in proc.stdout


def test_grading_example_wrong_submission():
    proc = _grade("wrong.py")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = proc.stdout
    assert "2 failed" in out
    assert "gradient for W1 (shape (3, 4)):" in out
    assert "diagnosis: every entry is 1/2 times the expected one" in out
    assert "likely mistake (chain rule)" in out
    assert "relu" not in out  # the reference formula stays hidden


def test_a_crashing_student_function_is_reported_without_the_test_source():
    def student(w):
        return w @ w  # a float has no matrix product

    with pytest.raises(GradingFailure) as failure:
        assert_gradient(student, "w*w+2")
    message = str(failure.value)
    assert message.startswith("the gradient function raised TypeError at point 1 of 5")
    assert "test_testing.py, line" in message  # the student's line, not the teacher's


def test_a_gradient_that_is_not_numbers():
    with pytest.raises(GradingFailure, match="is not numbers"):
        assert_gradient(lambda w: "twenty", "w*w+2")
    with pytest.raises(GradingFailure, match="returned 1 gradients, expected 2"):
        assert_gradient(lambda w, b: [2 * w], "w^2 + b", wrt="w,b")
