"""The grading plugin: isolation, assert_gradient, assert_answer, the marker, the reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from symgrad.testing import (
    GradingFailure,
    GradingTestError,
    Settings,
    Submission,
    assert_answer,
    assert_gradient,
    close_workers,
    draw_variant,
)

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
GRADING = ROOT / "examples" / "grading"

# A student's file: honest functions, wrong ones, and every trick a student could try.
STUDENT = """
import math
import json
import os
import sys
import time

import numpy

ANSWER = "2*x*cos(x^2)"
NOT_TEXT = 42
ANSWERS = ["2*x", {"b": 1.5}, (3, None)]


class Sneaky(str):
    def __eq__(self, other):
        return True


SNEAKY = Sneaky("2*x")


def double(w):
    return 2 * w


def double_plus_one(w):
    return 2 * w + 1


def identity(w):
    return w


def inverse(x):
    return 1 / x


def product_rule(w, b):
    return 2 * w * b, w**2


def product_rule_b_wrong(w, b):
    return 2 * w * b, 2 * w


def poly_grad(a, n, b, w):
    return a * n * w ** (n - 1) + b


def poly_grad_power_kept(a, n, b, w):
    return a * n * w**n + b


def one_gradient(w, b):
    return [2 * w]


def text(w):
    return "twenty"


def matmul(w):
    return w @ w  # a float has no matrix product


def mse(X, y, w):
    return 2 * X.T @ (X @ w - y) / len(y)


def mse_half(X, y, w):
    return X.T @ (X @ w - y) / len(y)


def mse_sum(X, y, w):
    return 2 * X.T @ (X @ w - y)


def mse_sign(X, y, w):
    return -mse(X, y, w)


def mse_zero(X, y, w):
    return numpy.zeros(3)


def twice(m):
    return 2 * m


def twice_transposed(m):
    return 2 * m.T


# -- tricks -----------------------------------------------------------------------------


def steal_from_frames(*args):
    frame = sys._getframe(1)
    while frame is not None:
        for name in ("expected", "derivatives", "reference", "function"):
            value = frame.f_locals.get(name)
            if value is not None and not callable(value):
                try:
                    return float(numpy.ravel(value)[0])
                except Exception:
                    pass
        frame = frame.f_back
    return 0.0


def patch_everything(*args):
    numpy.allclose = lambda *a, **k: True
    numpy.isclose = lambda *a, **k: True
    math.isclose = lambda *a, **k: True
    for name in list(sys.modules):
        if name.startswith(("pytest", "_pytest", "symgrad")):
            sys.modules[name] = None
    return 0.0


def hard_exit(*args):
    os._exit(0)


def polite_exit(*args):
    sys.exit(0)


def spin(*args):
    while True:
        pass


def sleep(*args):
    time.sleep(1000)


class SlowFloat:
    def __float__(self):
        while True:
            pass


class RaisingArray:
    def __array__(self, *args, **kwargs):
        raise RuntimeError("no numbers here")


class HugeMessage:
    def __float__(self):
        raise ValueError("x" * 5_000_000)


def slow_float(*args):
    return SlowFloat()


def raising_array(*args):
    return RaisingArray()


def huge_message(*args):
    return HugeMessage()


def huge_exception(*args):
    raise ValueError("y" * 5_000_000)


def segfault(*args):
    import ctypes

    return ctypes.string_at(0)


def flood(*args):
    fake = b'{"id": 1, "ok": true, "values": [{"shape": [], "data": [0.0]}]}\\n'
    for fd in range(3, 1024):
        try:
            os.write(fd, fake * 1000)
        except OSError:
            pass
    return 0.0


def enormous(*args):
    return numpy.zeros((2000, 2000))  # 4 million numbers where 1 or 2 are expected


def greedy(*args):
    return len(bytearray(10**11))
"""


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    path = tmp_path_factory.mktemp("submission") / "student.py"
    path.write_text(STUDENT)
    yield Submission(path)
    close_workers()


# -- assert_gradient as a function ---------------------------------------------------


def test_scalar_gradient_passes_and_fails(student):
    assert_gradient(student.function("double"), "w*w+2")
    with pytest.raises(GradingFailure) as failure:
        assert_gradient(student.function("double_plus_one"), "w*w+2", points=[10.0])
    message = str(failure.value)
    assert "point: w = 10.0" in message
    assert "gradient for w: expected 20.0, received 21.0" in message
    assert "2⋅w" not in message  # the formula stays hidden


@pytest.mark.parametrize(
    "reveal, shown, hidden",
    [
        ("none", ["wrong: the gradient for w", "diagnosis: every entry is 1/2"], ["3.0", "2⋅w"]),
        ("values", ["point: w = 3.0", "expected 6.0, received 3.0"], ["2⋅w"]),
        ("formula", ["expected 6.0, received 3.0", "reference: ∂f/∂w = 2⋅w"], []),
        (True, ["reference: ∂f/∂w = 2⋅w"], []),
    ],
)
def test_reveal_says_what_a_failure_shows(student, reveal, shown, hidden):
    with pytest.raises(GradingFailure) as failure:
        assert_gradient(student.function("identity"), "w*w+2", points=[3.0], reveal=reveal)
    message = str(failure.value)
    assert all(text in message for text in shown), message
    assert not any(text in message for text in hidden), message


def test_an_unknown_reveal_is_the_tests_error(student):
    with pytest.raises(GradingTestError, match="reveal must be one of none, values, formula"):
        assert_gradient(student.function("double"), "w*w", reveal="all")


def test_ways_to_name_the_students_function(student, tmp_path):
    path = student.target[0][1]
    assert_gradient(f"{path}:double", "w*w")
    assert_gradient("math:cos", "sin(x)")
    assert_gradient(np.cos, "sin(x)")  # a module-level function of an importable module
    with pytest.raises(GradingTestError, match="must be named there"):
        assert_gradient(lambda w: 2 * w, "w*w")
    with pytest.raises(GradingTestError, match="'path/to/file.py:name'"):
        assert_gradient("double", "w*w")


def test_several_arguments_and_which_one_is_wrong(student):
    assert_gradient(student.function("product_rule"), "w^2*b", wrt="w,b")
    with pytest.raises(GradingFailure) as failure:
        assert_gradient(student.function("product_rule_b_wrong"), "w^2*b", wrt="w,b")
    assert "the gradient for b is wrong; the others are right" in str(failure.value)


def test_explicit_points_as_dicts_and_tuples(student):
    fn = student.function("product_rule")
    assert_gradient(fn, "w^2*b", wrt="w,b", points=[{"w": 1, "b": 2}])
    assert_gradient(fn, "w^2*b", wrt="w,b", points=[(1.0, 2.0)])


def test_points_avoid_the_undefined(student):
    assert_gradient(student.function("inverse"), "log(x)", points=6)


def test_points_are_fresh_without_a_seed_and_repeatable_with_one(student):
    def shown(**kwargs):
        with pytest.raises(GradingFailure) as failure:
            assert_gradient(student.function("identity"), "w*w", **kwargs)
        return str(failure.value).splitlines()[1]

    assert shown(seed=5) == shown(seed=5)
    assert len({shown() for _ in range(3)}) == 3
    assert "(seed 5)" in str(
        pytest.raises(GradingFailure, assert_gradient, "math:cos", "w*w", seed=5).value
    )


def _mse(weights: np.ndarray, xs: np.ndarray, ys: np.ndarray):
    """The MSE loss of a linear model, built from symbols the test makes itself."""
    n = len(ys)
    preds = [sum(xs[i, j] * weights[j] for j in range(len(weights))) for i in range(n)]
    return sum((ys[i] - preds[i]) ** 2 for i in range(n)) / n


XS = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0], [2.0, 0.5, -1.0], [1.5, 1.0, 1.0]])
YS = np.array([1.0, -2.0, 0.5, 3.0])
W = np.array([sp.Symbol(f"w_{j}", real=True) for j in range(3)], dtype=object)


@pytest.mark.parametrize(
    "name, diagnosis",
    [
        ("mse_half", "every entry is 1/2 times the expected one"),
        ("mse_sum", "every entry is 4 times the expected one"),
        ("mse_sign", "every entry has the wrong sign"),
        ("mse_zero", "every entry is 0"),
    ],
)
def test_vectorised_mse_gradient_with_fixed_data(student, name, diagnosis):
    loss = _mse(W, XS, YS)
    assert_gradient(student.function("mse", XS, YS), loss, wrt=W)
    with pytest.raises(GradingFailure) as failure:
        assert_gradient(student.function(name, XS, YS), loss, wrt=W)
    assert diagnosis in str(failure.value)


def test_shapes_are_checked(student):
    mat = np.array([[sp.Symbol(f"m_{i}{j}", real=True) for j in range(3)] for i in range(2)])
    f = sum(mat.flat[k] ** 2 for k in range(6))
    assert_gradient(student.function("twice"), f, wrt={"M": mat})
    with pytest.raises(GradingFailure) as failure:
        assert_gradient(student.function("twice_transposed"), f, wrt={"M": mat})
    assert (
        "the gradient for M (shape (2, 3)) has shape (3, 2), expected (2, 3) (transposed?)"
        in str(failure.value)
    )


def test_a_gradient_that_is_not_numbers(student):
    with pytest.raises(GradingFailure, match="is not numbers"):
        assert_gradient(student.function("text"), "w*w+2")
    with pytest.raises(GradingFailure, match="returned 1 gradients, expected 2"):
        assert_gradient(student.function("one_gradient"), "w^2 + b", wrt="w,b")


def test_a_crashing_student_function_names_the_students_line(student):
    with pytest.raises(GradingFailure) as failure:
        assert_gradient(student.function("matmul"), "w*w+2")
    message = str(failure.value)
    line = STUDENT.splitlines().index("    return w @ w  # a float has no matrix product") + 1
    assert message.startswith(
        f"student.py: matmul at point 1 of 5 (student.py, line {line}): TypeError"
    )
    assert "test_testing.py" not in message


# -- what a student's code cannot do -------------------------------------------------------

CPU = dict(cpu_limit=0.5, time_limit=60.0, memory_mb=1024)
WALL = dict(cpu_limit=10.0, time_limit=1.0, memory_mb=1024)


@pytest.mark.parametrize(
    "name, says",
    [
        # no expected value exists in its process; the comparison runs elsewhere
        ("steal_from_frames", ("every entry is 0", "has shape (), expected (2,)")),
        ("patch_everything", ("every entry is 0", "has shape (), expected (2,)")),
        ("hard_exit", "ended with exit status 0"),
        ("polite_exit", "called sys.exit(0)"),
        ("spin", "more than 0.5 s of CPU time"),
        ("sleep", "did not finish within 1 s"),
        ("slow_float", "more than 0.5 s of CPU time"),
        ("raising_array", "not numbers (RuntimeError: no numbers here)"),
        ("huge_message", "not numbers (ValueError: xxx"),
        ("huge_exception", "(student.py, line"),
        ("segfault", "killed by SIGSEGV"),
        # it can forge the reply to its own call, which only says what it could have returned
        ("flood", ("reply out of turn", "every entry is 0", "has shape (), expected (2,)")),
        ("greedy", "more than 1024 MB of memory"),
        ("enormous", "has shape (2000, 2000), expected"),
    ],
)
def test_tricks_fail_with_one_short_line(student, name, says):
    v = np.array([sp.Symbol(f"v_{j}", real=True) for j in range(2)], dtype=object)
    for function, wrt in (("w*w + 1", "w"), (v[0] ** 2 + v[1], v)):
        with pytest.raises(GradingFailure) as failure:
            assert_gradient(
                student.function(name),
                function,
                wrt=wrt,
                points=[1.5] if isinstance(wrt, str) else 2,
                **(WALL if name == "sleep" else CPU),
            )
        message = str(failure.value)
        assert any(text in message for text in ((says,) if isinstance(says, str) else says)), (
            message
        )
        if "diagnosis" not in message:
            assert "\n" not in message and len(message) < 450, message
        else:
            assert len(message) < 2000
    assert_gradient(student.function("double"), "w*w")  # and the next test is served


@pytest.mark.parametrize(
    "source, says",
    [
        ("def double(w):\n    return 2 *\n", "cannot be imported (bad.py, line 2): SyntaxError"),
        (
            "import no_such_module_here\n",
            "cannot be imported (bad.py, line 1): ModuleNotFoundError",
        ),
        ("x = 1\n\n\nraise RuntimeError('setup')\n", "(bad.py, line 4): RuntimeError: setup"),
        ("def double(w, b):\n    return 2 * w\n", "bad.py, line 1: double(w, b) cannot be called"),
        ("def other(w):\n    return 2 * w\n", "bad.py defines no function double"),
        ("import os\nos._exit(3)\n", "ended with exit status 3"),
    ],
)
def test_a_submission_that_cannot_run_fails_with_its_file_and_line(tmp_path, source, says):
    (tmp_path / "bad.py").write_text(source)
    with pytest.raises(GradingFailure) as failure:
        assert_gradient(Submission(tmp_path / "bad.py").function("double"), "w*w")
    assert says in str(failure.value)
    assert "\n" not in str(failure.value)


def test_a_missing_file(tmp_path):
    with pytest.raises(GradingFailure, match="does not exist"):
        assert_gradient(Submission(tmp_path / "nowhere.py").function("double"), "w*w")


@pytest.mark.parametrize(
    "function, wrt, says",
    [
        ("w*w+(", None, "cannot be read: the expression ends too early at column 6"),
        ("w*x", "w", "also depends on x"),
        (42, None, "must be text or a SymPy expression"),
    ],
)
def test_a_bad_formula_is_the_tests_error(student, function, wrt, says):
    with pytest.raises(GradingTestError, match=says.replace("(", "\\(")):
        assert_gradient(student.function("double"), function, wrt=wrt)


def test_assert_answer(student):
    assert_answer("2*x*cos(x^2)", "sin(x^2)")
    assert_answer(student.text("ANSWER"), "sin(x^2)")
    with pytest.raises(GradingFailure, match="likely mistake \\(chain rule\\)"):
        assert_answer("cos(x^2)", "sin(x^2)")
    with pytest.raises(GradingFailure, match="could not be checked"):
        assert_answer("cos(x^2", "sin(x^2)")
    with pytest.raises(GradingFailure, match="NOT_TEXT is not text but int"):
        student.text("NOT_TEXT")
    assert student.value("ANSWERS") == ["2*x", {"b": 1.5}, [3, None]]
    with pytest.raises(GradingFailure, match="SNEAKY is not text but Sneaky"):
        student.text("SNEAKY")  # only built-in types cross over, never the student's objects
    with pytest.raises(GradingFailure, match="defines no MISSING"):
        student.value("MISSING")
    with pytest.raises(GradingTestError, match="column"):
        assert_answer("2*x", "x^^2")


# -- the plugin inside pytest ------------------------------------------------------------

TEACHER_TEST = """
import pytest
from symgrad.testing import assert_gradient, Submission

student = Submission("student.py")

@pytest.mark.symgrad(points=[3.0])
def test_slope():
    assert_gradient(student.function("identity"), "w*w+2")

@pytest.mark.symgrad(points=2, seed=7, rtol=0.5)
def test_loose(symgrad_settings):
    assert symgrad_settings.seed == 7 and symgrad_settings.rtol == 0.5
    assert_gradient(student.function("double"), "w*w+2")

def test_exits():
    assert_gradient(student.function("hard_exit"), "w*w+2")

def test_bad_formula():
    assert_gradient(student.function("double"), "w*w+(")
"""


def _teacher(pytester, ini: str = ""):
    pytester.makepyfile(test_teacher=TEACHER_TEST, student=STUDENT)
    if ini:
        pytester.makeini("[pytest]\n" + ini)


def test_marker_fixture_short_reports_and_errors_of_the_test(pytester):
    _teacher(pytester)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=2, errors=1)
    out = result.stdout.str()
    assert "point: w = 3.0" in out
    assert "gradient for w: expected 6.0, received 3.0" in out
    assert "hard_exit at point 1 of 5: the student's process ended with exit status 0" in out
    assert (
        "error in the test (not the submission): the test's function 'w*w+(' cannot be read" in out
    )
    assert "at column 6" in out
    assert 'assert_gradient(student.function("identity"), "w*w+2")' not in out  # no source
    assert "2⋅w" not in out


def test_reveal_option(pytester):
    _teacher(pytester)
    result = pytester.runpytest("-p", "no:cacheprovider", "--symgrad-reveal", "-k", "slope")
    result.assert_outcomes(failed=1, deselected=3)
    assert "reference: ∂f/∂w = 2⋅w" in result.stdout.str()


def test_ini_options(pytester):
    _teacher(pytester, "symgrad_reveal = none\nsymgrad_seed = 3\nsymgrad_points = 2\n")
    pytester.makepyfile(
        test_ini="""
from symgrad.testing import assert_gradient, current_settings

def test_ini():
    s = current_settings()
    assert (s.reveal, s.seed, s.points) == ("none", 3, 2)
    assert_gradient("student.py:identity", "w*w")
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "test_ini.py")
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "the gradient is wrong at point 1 of 2 (seed 3)" in out
    assert "wrong: the gradient for w" in out and "received" not in out


def test_an_unknown_marker_option_is_the_tests_error(pytester):
    pytester.makepyfile(
        test_typo="""
import pytest
from symgrad.testing import assert_gradient

@pytest.mark.symgrad(point=3)
def test_typo():
    assert_gradient("math:cos", "sin(x)")
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    assert "the symgrad marker has no option point" in result.stdout.str()


def test_marker_is_registered(pytester):
    result = pytester.runpytest("--markers")
    assert "@pytest.mark.symgrad(points=5" in result.stdout.str()


def test_default_settings():
    assert Settings() == Settings(
        points=5,
        seed=None,
        rtol=1e-6,
        atol=1e-9,
        scale=2.0,
        reveal="values",
        cpu_limit=10.0,
        time_limit=60.0,
        memory_mb=2048,
        max_score=None,
        partial=False,
    )


def test_plugin_is_registered_by_entry_point():
    from importlib.metadata import entry_points

    names = {ep.value for ep in entry_points(group="pytest11")}
    assert "symgrad.testing" in names


def test_the_plugin_imports_nothing_heavy():
    code = (
        "import sys, symgrad.testing as t; "
        "print(sorted(m for m in ('numpy', 'rich', 'matplotlib') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


# -- the teacher's example, as a teacher runs it ------------------------------------------


def _grade(submission: str, *options: str) -> subprocess.CompletedProcess:
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
            *options,
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


def test_grading_example_partial_credit(tmp_path):
    results = tmp_path / "results.json"
    proc = _grade("partly.py", "--symgrad-results", str(results))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert (
        "the gradient for b2 (shape (1,)) is 1/5 times the expected one; the others are right"
        in (proc.stdout)
    )  # partly.py averages over the batch of 5 where the sum is right
    data = json.loads(results.read_text())
    scores = {t["name"].rpartition("::")[2]: (t["score"], t["max_score"]) for t in data["tests"]}
    assert scores == {
        "test_critic_gradients": (3.0, 4.0),  # three of the four parameters' gradients
        "test_derivative_of_the_squared_error": (1.0, 1.0),
    }


def test_the_students_module_is_never_imported_by_the_grader():
    code = textwrap.dedent(
        f"""
        import sys
        from symgrad.testing import Submission, assert_gradient
        sub = Submission({str(GRADING / "submissions" / "correct.py")!r})
        sub.text("SQUARED_ERROR_DERIVATIVE")
        print("correct" in sys.modules or "submission" in sys.modules)
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "False"


# -- scores, partial credit, results.json, the gradebook and the attempt log ---------------

SCORED_TEST = """
import pytest
from symgrad.testing import assert_answer, assert_gradient, Submission

student = Submission("student.py")

@pytest.mark.symgrad(max_score=4, partial=True)
def test_two_parameters():
    assert_gradient(student.function("product_rule_b_wrong"), "w^2*b", wrt="w,b")

def test_by_hand():
    assert_answer(student.text("ANSWER"), "sin(x^2)")

def test_wrong_by_hand():
    assert_answer("cos(x^2)", "sin(x^2)")
"""


def test_scores_partial_credit_and_every_output(pytester):
    pytester.makepyfile(test_scored=SCORED_TEST, student=STUDENT)
    pytester.makeini(
        "[pytest]\nsymgrad_scores =\n    test_by_hand = 2\n    test_wrong_by_hand = 3\n"
    )
    options = [
        "-p",
        "no:cacheprovider",
        "--symgrad-student",
        "alice",
        "--symgrad-log",
        "attempts.jsonl",
        "--symgrad-results",
        "results.json",
        "--symgrad-gradebook",
        "grades.csv",
    ]
    pytester.runpytest(*options).assert_outcomes(passed=1, failed=2)
    results = json.loads((pytester.path / "results.json").read_text())
    scores = {t["name"].split("::")[1]: (t["score"], t["max_score"]) for t in results["tests"]}
    assert scores == {
        "test_two_parameters": (2.0, 4.0),  # w right, b wrong: half the points
        "test_by_hand": (2.0, 2.0),
        "test_wrong_by_hand": (0.0, 3.0),
    }
    assert (results["score"], results["max_score"]) == (4.0, 9.0)
    assert "the gradient for b is wrong" in results["tests"][0]["output"]
    pytester.runpytest(*options).assert_outcomes(passed=1, failed=2)  # a second try
    log = [json.loads(line) for line in (pytester.path / "attempts.jsonl").read_text().splitlines()]
    assert len(log) == 6
    assert [r["first_try"] for r in log] == [True] * 3 + [False] * 3
    first = log[0]
    assert (
        first["student"] == "alice" and first["exercise"] == "test_scored.py::test_two_parameters"
    )
    assert first["verdict"] == "incorrect" and first["source"] == "pytest"
    assert json.loads(first["answer"])  # the submission's values at the failing point
    wrong = next(r for r in log if r["exercise"].endswith("test_wrong_by_hand"))
    assert (wrong["answer"], wrong["verdict"], wrong["diagnosis"]) == (
        "cos(x^2)",
        "incorrect",
        "chain",
    )
    from symgrad.attempts import FIELDS

    assert list(first) == list(FIELDS)  # the same fields as a lesson's log, nothing more
    rows = (pytester.path / "grades.csv").read_text().splitlines()
    assert rows[0].startswith("student,test_scored.py::test_two_parameters,")
    assert rows[1:] == ["alice,2,2,0,4,9", "alice,2,2,0,4,9"]


@pytest.mark.parametrize(
    "options, message",
    [
        (["--symgrad-student", "../etc"], "unknown student ID format"),
        (["--symgrad-gradebook", "g.csv"], "needs the student"),
    ],
)
def test_bad_grading_options_are_usage_errors(pytester, options, message):
    pytester.makepyfile(test_one="def test_one():\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider", *options)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()


def test_a_log_that_cannot_be_written_is_one_line_and_exit_2(pytester):
    pytester.makepyfile(test_one=SCORED_TEST, student=STUDENT)
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "-k", "by_hand", "--symgrad-log", "missing/attempts.jsonl"
    )
    assert result.ret == 2
    assert "symgrad: error: cannot open" in result.stdout.str()
    assert "INTERNALERROR" not in result.stdout.str()


# -- per-student variants -----------------------------------------------------------------

VARIANT_TEST = """
import pytest
from symgrad.testing import Submission, assert_gradient, current_settings

student = Submission("student.py")
RANGES = {"a": (2, 9), "n": (0, 5), "b": (-5, 5)}

@pytest.mark.symgrad(variant="student", params=RANGES, template="a*w^n + b*w", max_score=2)
def test_poly(symgrad_variant):
    v = symgrad_variant
    print("VARIANT", v)
    assert v["n"] not in (0, 1) and 0 not in v.values()  # no degenerate draw
    assert_gradient(student.function("poly_grad", v["a"], v["n"], v["b"]), "a*w^n + b*w", wrt="w")

@pytest.mark.symgrad(variant="student", params=RANGES, template="a*w^n + b*w")
def test_poly_wrong(symgrad_variant):
    v = symgrad_variant
    fn = student.function("poly_grad_power_kept", v["a"], v["n"], v["b"])
    assert_gradient(fn, "a*w^n + b*w", wrt="w", reveal="formula")

@pytest.mark.symgrad(variant="student", params={"a": (0, 0)})
def test_no_draw(symgrad_variant):
    pass
"""


def _variant_of(pytester, student_id: str) -> tuple[str, list]:
    result = pytester.runpytest(
        "-p",
        "no:cacheprovider",
        "-s",
        "--symgrad-student",
        student_id,
        "--symgrad-log",
        "log.jsonl",
    )
    result.assert_outcomes(passed=1, failed=1, errors=1)
    line = next(x for x in result.stdout.lines if "VARIANT {" in x)
    return line[line.index("{") :], result.stdout.lines


def test_variants_per_student(pytester):
    pytester.makepyfile(test_variant=VARIANT_TEST, student=STUDENT)
    alice, out = _variant_of(pytester, "alice")
    text = "\n".join(out)
    assert "the parameter ranges (a in (0, 0)) admit no valid draw" in text
    values = json.loads(alice.replace("'", '"'))  # the test printed a dict of ints
    reference = next(x for x in out if "reference: ∂f/∂w = " in x)
    assert not {"a", "b", "n"} & set(reference.split("= ")[1])  # the variant's own numbers
    assert _variant_of(pytester, "alice")[0] == alice  # the same ID, the same variant
    others = {_variant_of(pytester, f"student{i}")[0] for i in range(4)}
    assert len(others | {alice}) >= 3  # students rarely share one
    log = [json.loads(x) for x in (pytester.path / "log.jsonl").read_text().splitlines()]
    mine = [r for r in log if r["student"] == "alice" and r["exercise"].endswith("test_poly")]
    assert mine[0]["variant"] == {k: str(v) for k, v in values.items()}
    assert mine[0]["verdict"] == "correct"
    assert [r["first_try"] for r in mine] == [True, False]


def test_a_variant_needs_the_students_id(pytester):
    pytester.makepyfile(test_variant=VARIANT_TEST, student=STUDENT)
    result = pytester.runpytest("-p", "no:cacheprovider", "-k", "test_poly and not wrong")
    result.assert_outcomes(errors=1)
    assert "variant='student' needs the student's ID" in result.stdout.str()


@pytest.mark.parametrize(
    ("template", "params"),
    [
        ("a*w^n + b*w", {"a": (1, 3), "n": (0, 3), "b": (-2, 2)}),
        ("a*sin(c*w) + b*w^2", {"a": (-2, 2), "b": (-1, 1), "c": (-2, 2)}),
        ("exp(a*w)*w^n + b", {"a": (-1, 2), "n": (0, 2), "b": (-1, 1)}),
    ],
)
def test_an_accepted_draw_keeps_the_shape_of_the_template_and_its_derivative(template, params):
    """The draw differentiates with symgrad's rules; sympy.diff is the oracle of the shape."""
    from symgrad.parse import parse

    expr = parse(template).expr
    (w,) = [s for s in expr.free_symbols if s.name not in params]

    def shape(e):
        d = sp.diff(e, w)
        return len(sp.Add.make_args(sp.expand(e))), len(sp.Add.make_args(sp.expand(d))), d != 0

    wanted = shape(expr)
    for k in range(12):
        values = draw_variant(params, f"s{k}", "shape", template=template)
        subs = {s: sp.nsimplify(values[s.name]) for s in expr.free_symbols if s.name in values}
        assert shape(expr.xreplace(subs)) == wanted, values
