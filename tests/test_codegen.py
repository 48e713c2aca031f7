"""codegen: cse'd programs, generated names only, chunked float64 evaluation, exact evaluation."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from symgrad.functions import relu, sigmoid, softplus
from symgrad.network.codegen import Program, compile_program
from symgrad.numeric import compile_expr
from symgrad.parse import variable

x, y, w, v = (variable(n) for n in ("x", "y", "w", "v"))


@pytest.mark.parametrize(
    "expr",
    [
        (w * x - y) ** 2,
        sp.tanh(w * x + v) * sp.tanh(w * x + v) + sigmoid(v * y),
        relu(w * x - v) + softplus(x * v),  # relu's slope is Heaviside(., 0)
        sp.exp(-w * x) * sp.sin(v * y) / (1 + x**2),
        w * v,  # no sample in it: the sum is n times the value
    ],
)
def test_sums_match_an_independent_evaluator(expr):
    rng = np.random.default_rng(1)
    data = rng.normal(size=(1000, 2))
    params = np.array([0.7, -0.3])
    prog = compile_program([expr, sp.diff(expr, w)], samples=[x, y], params=[w, v])
    got = prog.evaluate(data, params, chunk=128)  # several chunks, one partial
    for k, e in enumerate([expr, sp.diff(expr, w)]):
        f = compile_expr(e, [x, y, w, v], backend="numpy")
        want = np.sum(np.broadcast_to(f(data[:, 0], data[:, 1], *params), (1000,)))
        assert np.isclose(got[k], want, rtol=1e-12, atol=1e-12)


def test_generated_code_uses_only_generated_names():
    hostile = sp.Symbol("__import__('os').system('x')", real=True)
    prog = compile_program([hostile * x], samples=[x], params=[hostile])
    assert "import" not in prog.source and "system" not in prog.source
    assert prog.evaluate(np.array([[2.0], [3.0]]), [4.0]).tolist() == [20.0]


def test_common_subexpressions_are_computed_once():
    inner = sp.tanh(w * x + v)
    prog = compile_program([inner**2, inner * x, inner + 1], samples=[x], params=[w, v])
    assert prog.source.count("tanh") == 1


def test_exact_and_pickle():
    import pickle

    prog = compile_program([(w * x - 1) ** 2], samples=[x], params=[w])
    rows = prog.exact([[sp.Integer(1)], [sp.Rational(1, 2)]], [sp.Integer(3)])
    assert rows == [[4], [sp.Rational(1, 4)]]
    again = pickle.loads(pickle.dumps(prog))
    assert isinstance(again, Program)
    assert again.evaluate(np.array([[1.0]]), [3.0]).tolist() == [4.0]


def test_shared_subexpressions_are_named_once_and_sums_of_products_left_as_they_are():
    # sin(w*x) is shared by two outputs: computed once. The sums of products of names
    # (the shape of a layer's z and of every weight's gradient) skip cse, and still
    # evaluate to the same numbers.
    outputs = [sp.sin(w * x) ** 2 + v, sp.sin(w * x) * v, w * x + v * x + 2 * w, w * v]
    prog = compile_program(outputs, samples=[x], params=[w, v])
    assert prog.source.count("sin(") == 1
    xs = np.array([0.3, -1.2, 2.0])
    got = prog.evaluate(xs[:, None], np.array([0.7, -0.4]))  # a batch of 3 samples
    want = [
        (compile_expr(e, [x, w, v], backend="numpy")(xs, 0.7, -0.4) * np.ones(3)).sum()
        for e in outputs
    ]
    assert np.allclose(got, want, rtol=1e-13)


def test_a_wide_layer_is_not_unpacked_into_row_names_nobody_uses():
    import re

    from symgrad.network import Network

    g = Network.from_layers(3, [(300, "tanh"), (1, "linear")]).gradient()
    prog = compile_program(g.all_outputs(), g.samples, g.params, g.assignments)
    lines = prog.source.splitlines()
    for k, line in enumerate(lines):
        unpacked = re.match(r"    ((?:\w+, )+)= \w+$", line)
        if unpacked:
            rest = "\n".join(lines[:k] + lines[k + 1 :])
            names = [n for n in unpacked.group(1).split(", ") if n]
            assert any(re.search(rf"\b{n}\b", rest) for n in names), line[:80]
    assert max(len(line) for line in lines[1:]) < 2000  # no line names 300 rows
