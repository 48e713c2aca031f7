"""What the lessons say about other frameworks, checked without those frameworks.

Each claim is compared with a transcription of the framework's documented
rule or signature, recorded here with its source, so a lesson that drifts
from the documentation fails the build.
"""

from __future__ import annotations

import inspect
import re

import pytest
import sympy as sp

from symgrad.lessons import execute, load_lesson

# -- PyTorch: torch.autograd.gradcheck compares with torch.allclose -------------------
#
# torch/autograd/gradcheck.py checks each analytical Jacobian entry `a` against
# the numerical one `n` with `torch.allclose(a, n, rtol, atol)` (defaults
# eps=1e-6, atol=1e-5, rtol=1e-3). torch.allclose(input, other, rtol, atol)
# documents its test as |input - other| <= atol + rtol * |other|: the relative
# slack scales with the *second* argument, the numerical value.

GRADCHECK_DEFAULTS = {"eps": 1e-6, "atol": 1e-5, "rtol": 1e-3}


def torch_allclose(input: float, other: float, rtol: float, atol: float) -> bool:
    """torch.allclose for scalars, transcribed from its documentation."""
    return abs(input - other) <= atol + rtol * abs(other)


def torch_gradcheck_accepts(analytical: float, numerical: float, atol: float, rtol: float):
    return torch_allclose(analytical, numerical, rtol=rtol, atol=atol)


@pytest.fixture(scope="module")
def numeric_lesson(tmp_path_factory):
    import os

    os.environ.setdefault("SYMGRAD_FIGURES", str(tmp_path_factory.mktemp("figures")))
    return execute(load_lesson(7))


def test_the_lesson_gradcheck_has_pytorchs_defaults(numeric_lesson):
    signature = inspect.signature(numeric_lesson.namespace["gradcheck"])
    defaults = {k: v.default for k, v in signature.parameters.items() if k in GRADCHECK_DEFAULTS}
    assert defaults == GRADCHECK_DEFAULTS


@pytest.mark.parametrize(
    ("analytical", "numerical"),
    [
        (2.502, 2.5),  # passes either way
        (1.0, 1.0 + 2e-3),  # fails either way
        # the cases where the argument order matters: |a| and |n| differ enough
        (100.0, 99.9),  # |a - n| = 0.1: above 1e-5 + 1e-3*99.9, below 1e-5 + 1e-3*100
        (99.9, 100.0),
        (0.0, 1e-5),
        (-3.0, -2.997),
    ],
)
def test_the_lesson_gradcheck_is_allclose_with_the_numerical_value_as_other(
    numeric_lesson, analytical, numerical
):
    lesson_gradcheck = numeric_lesson.namespace["gradcheck"]
    # a linear f makes the lesson's central difference equal the numerical value we choose
    ok, estimate = lesson_gradcheck(lambda t: numerical * t, lambda t: analytical, 0.0)
    assert estimate == pytest.approx(numerical, abs=1e-9)
    assert ok == torch_gradcheck_accepts(analytical, estimate, atol=1e-5, rtol=1e-3)


def test_the_argument_order_case_really_differs():
    """The table above holds a case where allclose(a, n) and allclose(n, a) disagree."""
    assert torch_allclose(99.9, 100.0, rtol=1e-3, atol=1e-5)
    assert not torch_allclose(100.0, 99.9, rtol=1e-3, atol=1e-5)


def test_the_lessons_gradcheck_exercise_uses_the_numerical_value(numeric_lesson):
    (exercise,) = [ex for ex in numeric_lesson.exercises if "gradcheck" in ex.question]
    n = sp.Rational("2.5")
    assert exercise.expected_expr() == sp.Rational("1e-5") + sp.Rational("1e-3") * n
    assert "n = 2.5" in exercise.question and "a = 2.502" in exercise.question


def _flat(text: str) -> str:
    """A lesson's text with its comment lines joined, so sentences read across lines."""
    return re.sub(r"\s*\n#?\s*", " ", text)


def test_the_lesson_states_allclose_s_bound_and_not_the_old_one():
    text = _flat(load_lesson(7).path.read_text(encoding="utf-8"))
    assert "|a − n| ≤ atol + rtol·|n|" in text
    assert "rtol·|a|" not in text.replace("rtol·|a| = ", "")


# -- symgrad's own check: the lesson and the README give the same floor -----------------


def test_the_check_floor_is_stated_as_it_is():
    from pathlib import Path

    from symgrad.check import RELATIVE_FLOOR

    lesson = _flat(load_lesson(7).path.read_text(encoding="utf-8"))
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    readme = re.sub(r"\s+", " ", readme)
    floor = f"{RELATIVE_FLOOR:.0e}"
    assert floor == "1e-10"
    assert f"never tighter than {floor} of the exact value" in lesson
    assert f"never less than {floor} of the exact value" in readme
    assert "no magic tolerance" not in lesson


# -- TensorFlow 1: which call takes unconnected_gradients --------------------------------
#
# From the TensorFlow 1.15 API documentation:
TF_GRADIENTS = (
    "tf.gradients(ys, xs, grad_ys=None, name='gradients', colocate_gradients_with_ops=False, "
    "gate_gradients=False, aggregation_method=None, stop_gradients=None, "
    "unconnected_gradients=UnconnectedGradients.NONE)"
)
COMPUTE_GRADIENTS = (
    "Optimizer.compute_gradients(loss, var_list=None, gate_gradients=GATE_OP, "
    "aggregation_method=None, colocate_gradients_with_ops=False, grad_loss=None)"
)
RMSPROP = (
    "RMSPropOptimizer(learning_rate, decay=0.9, momentum=0.0, epsilon=1e-10, "
    "use_locking=False, centered=False, name='RMSProp')"
)


def _arguments(signature: str) -> dict[str, str | None]:
    inside = signature[signature.index("(") + 1 : signature.rindex(")")]
    out: dict[str, str | None] = {}
    for part in inside.split(", "):
        name, _, default = part.partition("=")
        out[name] = default or None
    return out


def test_only_tf_gradients_takes_unconnected_gradients():
    assert "unconnected_gradients" in _arguments(TF_GRADIENTS)
    assert "unconnected_gradients" not in _arguments(COMPUTE_GRADIENTS)


def _lesson_texts():
    for number in range(1, 17):
        lesson = load_lesson(number)
        yield number, lesson.path.read_text(encoding="utf-8")


def test_no_lesson_gives_compute_gradients_an_unconnected_argument():
    for number, text in _lesson_texts():
        flat = _flat(text)
        for sentence in re.split(r"(?<=[.?!])\s", flat):
            if "unconnected_gradients" in sentence and "compute_gradients" in sentence:
                assert "has no such argument" in sentence or "tf.gradients" in sentence, (
                    number,
                    sentence,
                )


def test_the_gradient_lesson_quotes_the_documented_signatures():
    text = _flat(load_lesson(6).path.read_text(encoding="utf-8"))
    quoted = re.search(r"`(Optimizer\.compute_gradients\([^`]*\))`", text).group(1)
    assert _arguments(quoted) == _arguments(COMPUTE_GRADIENTS)
    (tf_quoted,) = [
        q for q in re.findall(r"`(tf\.gradients\([^`]*\))`", text) if "unconnected" in q
    ]
    arguments = _arguments(tf_quoted.replace(", ...", ""))
    documented = _arguments(TF_GRADIENTS)
    assert arguments["unconnected_gradients"] == "tf." + documented["unconnected_gradients"]
    assert all(documented[k] == v for k, v in arguments.items() if k != "unconnected_gradients")


def test_the_unconnected_exercise_asks_about_tf_gradients():
    run = execute(load_lesson(6))
    (exercise,) = [ex for ex in run.exercises if "unconnected_gradients" in ex.question]
    assert exercise.question.count("tf.gradients(") == 1
    assert "compute_gradients" not in exercise.question


def test_the_rmsprop_defaults_the_lessons_use_are_tensorflow_1s():
    from symgrad.optimizers import optimizer

    documented = _arguments(RMSPROP)
    hyper = dict(optimizer("rmsprop", lr=0.001).hyper)
    for name in ("decay", "momentum", "epsilon"):
        assert float(documented[name]) == float(hyper[name])
    text = load_lesson(8).path.read_text(encoding="utf-8")
    assert "decay 0.9, ms starting at 1.0" in text
