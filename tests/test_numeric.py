import math

import numpy as np
import pytest
import sympy as sp

from symgrad.functions import relu, sigmoid, softplus
from symgrad.numeric import compile_expr
from symgrad.parse import variable

x, y = variable("x"), variable("y")

CASES = [
    sp.sin(x) * sp.exp(y),
    sp.log(x**2 + 1) / (y + 3),
    sp.sqrt(x**2 + y**2),
    sp.atan(x) - sp.tanh(y) + sp.Abs(x - y),
    sigmoid(x) + softplus(y) + relu(x - 1),
    sp.sec(x) + sp.csc(y) + sp.cot(x + 2),
    sp.asinh(x) + sp.acosh(y + 3) + sp.atanh(x / 3),
    x**y,
    (x + 1) ** sp.Rational(1, 3),
    sp.Heaviside(x, 0) * y,
]


@pytest.mark.parametrize("expr", CASES, ids=str)
@pytest.mark.parametrize("point", [(0.3, 0.7), (1.5, 2.0), (2.5, 0.25)])
def test_math_backend_matches_sympy_evalf(expr, point):
    f = compile_expr(expr, [x, y])
    expected = expr.subs({x: point[0], y: point[1]}).evalf(30)
    assert f(*point) == pytest.approx(float(expected), rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("expr", CASES, ids=str)
def test_numpy_backend_matches_math_backend(expr):
    xs = np.array([0.3, 1.5, 2.5])
    ys = np.array([0.7, 2.0, 0.25])
    vector = compile_expr(expr, [x, y], backend="numpy")(xs, ys)
    scalar = [compile_expr(expr, [x, y])(a, b) for a, b in zip(xs, ys)]
    np.testing.assert_allclose(vector, scalar, rtol=1e-13)


def test_stable_sigmoid_and_softplus_far_out():
    assert compile_expr(sigmoid(x), [x])(-1000.0) == 0.0
    assert compile_expr(sigmoid(x), [x])(1000.0) == 1.0
    assert compile_expr(softplus(x), [x])(1000.0) == 1000.0
    assert compile_expr(softplus(x), [x])(-1000.0) == 0.0


def test_domain_errors_are_nan_and_overflow_is_inf():
    assert math.isnan(compile_expr(sp.log(x), [x])(-1.0))
    assert math.isnan(compile_expr(sp.sqrt(x), [x])(-4.0))
    assert compile_expr(sp.exp(x), [x])(1000.0) == math.inf
    assert compile_expr(1 / x, [x])(0.0) == math.inf
    assert compile_expr(-1 / x**2, [x])(0.0) == -math.inf


def test_unknown_variable_is_an_input_error():
    from symgrad.errors import InputError

    with pytest.raises(InputError):
        compile_expr(x + y, [x])
