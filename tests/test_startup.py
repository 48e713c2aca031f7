import subprocess
import sys

PROGRAM = """
import sys
from symgrad.startup import defer_tensor_module
defer_tensor_module()
import sympy as sp
x = sp.Symbol("x")
assert str(x*x + 2*x + 1) == "x**2 + 2*x + 1"
assert "sympy.combinatorics" not in sys.modules, "the stand-in did not defer the import"
from sympy.tensor.tensor import TensorIndexType, tensor_indices, TensorHead
L = TensorIndexType("L")
i, j = tensor_indices("i j", L)
A = TensorHead("A", [L])
expr = A(i) + A(i)
assert type(expr).__name__ == "TensMul", type(expr)
assert str(2 + x) == "x + 2"
print("ok")
"""


def test_deferred_tensor_module_is_exact_and_loads_on_demand():
    # A fresh interpreter: the stand-in must be installed before SymPy's first Add.
    proc = subprocess.run(
        [sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


LEAN = """
import io, sys
from symgrad.cli import main
sys.stdout = io.StringIO()
code = main(["w*w+2", "--at", "w=10", "--format", "plain"])
out = sys.stdout.getvalue()
sys.stdout = sys.__stdout__
assert code == 0 and "compute_gradients: [(20.0, 10.0)]" in out, out
heavy = [m for m in ("numpy", "matplotlib", "rich", "sympy.combinatorics", "sympy.physics.units", "dataclasses") if m in sys.modules]
print(",".join(heavy) or "lean")
"""


def test_the_default_path_loads_nothing_it_does_not_need():
    # Start-up time is part of the product (benchmarks/bench_startup.py measures it);
    # this pins the cause: the seed's answer needs SymPy, and not these.
    proc = subprocess.run([sys.executable, "-c", LEAN], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "lean"


NO_MATH = """
import io, sys, contextlib
from symgrad.cli import main
codes = []
for argv in {argvs!r}:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        codes.append(main(argv))
heavy = [m for m in ("sympy", "numpy", "matplotlib", "rich", "dataclasses", "fractions") if m in sys.modules]
print(codes, ",".join(heavy) or "lean")
"""

LIGHT_ANSWERS = [
    (["--version"], 0),
    (["--help"], 0),
    (["grad", "--help"], 0),
    (["check", "--help"], 0),
    (["step", "--help"], 0),
    (["critic", "--help"], 0),
    (["lesson", "--help"], 0),
    (["graph", "--help"], 0),
    (["report", "--help"], 0),
    (["shell", "--help"], 0),
    (["--bogus"], 2),
    (["step", "x^2"], 2),  # --at is required: a usage error
]


def test_answers_that_need_no_mathematics_import_none():
    argvs = [a for a, _ in LIGHT_ANSWERS]
    program = NO_MATH.format(argvs=argvs)
    proc = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"{[c for _, c in LIGHT_ANSWERS]} lean"


LAZY = """
import sys
import symgrad
assert "sympy" not in sys.modules, "import symgrad loaded SymPy"
assert symgrad.__version__ == "0.1.0"
assert "grad" in dir(symgrad) and "parse" in symgrad.__all__
print(symgrad.parse("2x^2").expr)                     # the function, although a submodule shares its name
import symgrad.parse                                  # the submodule is importable...
from symgrad.parse import parse, Parsed               # ...and names import from it
assert callable(symgrad.parse) and symgrad.parse is parse
import symgrad.session                                # the same for session
assert symgrad.session.__name__ == "session" and not isinstance(symgrad.session, type(sys))
from symgrad.session import Session
assert symgrad.Session is Session and callable(symgrad.session)
print(symgrad.grad("w*w+2", at={"w": 10}).compute_gradients())
from symgrad import InputError, steps
print(type(symgrad.InputError("x")).__name__, steps("x^2").rules()[0])
try:
    symgrad.nonexistent
except AttributeError as err:
    print(err)
"""


def test_import_symgrad_is_lazy_and_parse_is_the_function():
    proc = subprocess.run([sys.executable, "-c", LAZY], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "2*x**2",
        "[(20.0, 10.0)]",
        "InputError Power rule",
        "module 'symgrad' has no attribute 'nonexistent'",
    ]


ENGINE_ONLY = """
import sys
import symgrad.rules as rules
from symgrad.parse import variable
x = variable("x")
import sympy as sp
assert rules.differentiate(x * sp.sin(x**2), x) == 2 * x**2 * sp.cos(x**2) + sp.sin(x**2)
print(",".join(m for m in ("dataclasses", "symgrad.step_rules") if m in sys.modules) or "lean")
"""


def test_the_rule_engine_builds_no_step_classes():
    # Every answer differentiates with the engine; the steps' classes are for --steps only.
    proc = subprocess.run(
        [sys.executable, "-c", ENGINE_ONLY], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "lean"
