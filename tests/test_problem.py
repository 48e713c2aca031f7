import ast
import pathlib

import pytest
import sympy as sp

from symgrad.errors import InputError
from symgrad.parse import variable
from symgrad.problem import Problem, problem, require_values, variable_list

x, y, w = (variable(n) for n in "xyw")


@pytest.mark.parametrize(
    "expr,at,wrt,names",
    [
        ("y*x", None, None, ("x", "y")),
        ("y*x", "y=1,x=2", None, ("y", "x")),
        ("y*x", "y=1,x=2", "x,y", ("x", "y")),
        ("w - w + x", None, None, ("w", "x")),  # a name that cancels is still a variable
        ("x^2", {"x": 1, "v": 2}, None, ("x", "v")),
    ],
)
def test_variable_order(expr, at, wrt, names):
    assert problem(expr, at, wrt).names == names


def test_point_is_exact_and_views_agree():
    p = problem("w*w + 2", at={"w": 0.1})
    assert p.point == {"w": sp.Rational(1, 10)}
    assert p.symbols == (w,)
    assert p.subs == {w: sp.Rational(1, 10)}
    assert p.floats == {w: 0.1}
    assert p.used == {"w"} and p.expr == w**2 + 2


@pytest.mark.parametrize(
    "expr,at,wrt,message",
    [
        ("x*y", "x=1", None, "no value for y"),
        ("x", "x=1", "x,v", "no value for v (it is in --wrt)"),
        ("2 + 3", None, None, "the expression has no variables"),
        ("x", None, "", "an empty name in the variable list"),
    ],
)
def test_refuses_incomplete_requests(expr, at, wrt, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        problem(expr, at, wrt)


def test_sympy_input_gets_real_symbols():
    p = problem(sp.Symbol("x") ** 2, at={"x": 3})
    assert p.expr == x**2 and p.expr.free_symbols == {x}


def test_a_problem_passes_through_unchanged():
    p = problem("x*y")
    assert problem(p) is p and isinstance(p, Problem)


def test_helpers():
    assert variable_list(["b", "a"], None, None) == ["a", "b"]
    assert variable_list(["b", "a"], None, "b") == ["b"]
    require_values(["x"], ["x"], {"x": 1})
    with pytest.raises(InputError, match="no value for x"):
        require_values(["x"], [], {})


def test_no_module_imports_private_names_of_another():
    root = pathlib.Path(__file__).parent.parent / "symgrad"
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("symgrad")
            ):
                offenders += [
                    f"{path.name}: {node.module}.{a.name}"
                    for a in node.names
                    if a.name.startswith("_") and not a.name.startswith("__")
                ]
    # Each setup goes through symgrad.problem now; nothing imports derive's privates.
    assert not [o for o in offenders if "symgrad.derive." in o]


def test_an_expression_built_in_python_may_have_more_variables_than_typed_text_allows():
    # 600 names joined with commas are longer than the 2,000 characters a typed list may be;
    # the names of a SymPy expression and of a wrt list are checked one by one instead.
    xs = sp.symbols("x0:600")
    e = sp.Add(*[a * b for a, b in zip(xs, xs[1:])])
    p = problem(e, at={s.name: 1 for s in xs}, wrt=[s.name for s in reversed(xs)])
    assert p.names[0] == "x599" and len(p.names) == 600
    assert set(p.parsed.names) == {s.name for s in xs}
    with pytest.raises(InputError, match="twice"):
        problem(e, wrt=["x1", "x2", "x1"])
    with pytest.raises(InputError):
        problem(e, wrt=["x1,x2"])
