"""Framework programs: they parse, the NumPy tape runs and agrees, the frameworks agree when present."""

from __future__ import annotations

import ast
import contextlib
import io
import json

import pytest
import sympy as sp

from symgrad import export as ex
from symgrad.backprop import graph
from symgrad.cli import main
from symgrad.errors import InputError
from symgrad.functions import ACTIVATIONS, FUNCTIONS, REGISTRY, SPELLED

CASES = [
    ("w*w + 2", "w=10,v=3"),
    ("w - w + x", "w=2,x=3"),
    ("x*sin(x^2) + cos(x)/x", "x=1.25"),
    ("sigmoid(w1*x1 + w2*x2 + b)", "w1=0.5,w2=-1,x1=2,x2=1,b=0.1"),
    ("relu(x - 1)^2 + softplus(3*x) + abs(x - 5)", "x=2"),
    ("exp(-x^2/2)/sqrt(2*pi) + log(x, 2)", "x=0.3"),
    ("(x + y)*(x + y) - x/(y + 1) + 2^x + x^y", "x=1.5,y=0.25"),
    ("tanh(atan(x)*y) + asinh(x) + acos(x/3) + sec(x) + csc(y) + cot(x)", "x=0.4,y=-2"),
    ("(1/x)^2 + (x^2)^3 + (-x)^2", "x=0.7"),
]


def _run_in_process(code: str) -> dict:
    """Run a generated NumPy program here (it is symgrad's own text) and read what it prints."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        exec(compile(code, "<numpy program>", "exec"), {"__name__": "__main__"})  # noqa: S102
    return ex.read_printed(buffer.getvalue())


@pytest.mark.parametrize("text,at", CASES)
def test_numpy_tape_agrees_with_the_exact_gradient(text, at):
    g = graph(text, at=at)
    program = ex.program_for_graph(g, "numpy")
    printed = _run_in_process(program.code)
    assert printed["value"] == pytest.approx(g.node(g.output).value, rel=1e-12)
    for got, want in zip(printed["gradients"], g.gradients()):
        if want is None:
            assert got is None
        else:
            assert got == pytest.approx(want, rel=1e-10, abs=1e-12)


@pytest.mark.parametrize("text,at", CASES)
def test_every_program_is_valid_python(text, at):
    g = graph(text, at=at, check=False)
    for framework in ex.FRAMEWORKS:
        ast.parse(ex.program_for_graph(g, framework).code)


# -- every registered function, in every framework ---------------------------------------

HEADED = [f for f in REGISTRY if f.head is not None]
#: What each framework's program may call: its own module, the helpers it defines, Python's.
MODULES = {"tf1": ("tf.",), "tf2": ("tf.",), "torch": ("torch.",), "jax": ("jax.", "jnp."),
           "numpy": ("np.", "math.")}  # fmt: skip


def _point(record) -> str:
    """A point inside the record's real domain (acosh needs x >= 1, asin |x| <= 1)."""
    if record.domain is not None and not record.domain(sp.Float(0.5)):
        return "1.5"
    return "0.5"


def _calls(code: str, framework: str) -> tuple[set[str], set[str]]:
    """What a program's function is built of: the dotted names its helpers and the lines
    that compute the function call (every line of the NumPy tape), and the helpers it defines."""
    tree = ast.parse(code)
    defs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
    lines = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Assign) and (framework == "numpy" or ast.unparse(n.targets[0]) == "y")
    ]
    called = {
        ast.unparse(n.func)
        for top in [*defs, *lines]
        for n in ast.walk(top)
        if isinstance(n, ast.Call)
    }
    return called, {n.name for n in defs}


def _one_call(template: str) -> bool:
    """The template is one call of a framework function on the arguments and constants."""
    tree = ast.parse(template.replace("{0}", "x").replace("{1:const}", "a").replace("{1}", "a"))
    call = tree.body[0].value
    return isinstance(call, ast.Call) and all(
        isinstance(a, (ast.Name, ast.Constant))
        for a in [*call.args, *(k.value for k in call.keywords)]
    )


@pytest.mark.parametrize("framework", ["tf1", "tf2", "torch", "jax"])
def test_every_function_agrees_in_the_framework_when_installed(framework):
    if not ex.installed(framework):
        pytest.skip(f"{ex.MODULES[framework]} is not installed")
    cases = [(f"{f.name}(x)", f"x={_point(f)}") for f in HEADED]
    cases += [("leaky_relu(x, a)", "x=-0.5,a=0.2"), ("relu(x)", "x=0"), ("elu(x)", "x=0")]
    if framework != "jax":  # JAX's leaky_relu takes slope 1 at 0 (x >= 0), symgrad a
        cases.append(("leaky_relu(x)", "x=0"))
    for text, at in cases:
        comparison = ex.compare(text, at=at, framework=framework)
        assert comparison.agrees, comparison.plain_text()
    # Heaviside(0, 1/2) = 1/2; its slope at the jump is undefined for symgrad, 0 for a framework
    assert ex.compare("Heaviside(x, 1/2)", at="x=0", framework=framework).value == (0.5, 0.5)


def test_every_record_spells_itself_for_every_framework():
    # A new record without framework names fails here, saying what to add and where.
    missing = [
        f"{f.name} for {framework}"
        for f in HEADED
        for framework in ex.FRAMEWORKS
        if f.spelling(framework) is None
    ]
    assert set(SPELLED) == set(ex.FRAMEWORKS)
    assert not missing, (
        "no framework form for " + ", ".join(missing) + ": give the record in "
        "symgrad/functions.py frameworks={...} (or a numpy name the frameworks share)"
    )


@pytest.mark.parametrize("framework", ex.FRAMEWORKS)
@pytest.mark.parametrize("record", HEADED, ids=[f.name for f in HEADED])
def test_every_function_is_written_in_the_frameworks_names(record, framework):
    code = ex.export(f"{record.name}(x)", at=f"x={_point(record)}", framework=framework).code
    called, defined = _calls(code, framework)
    own = MODULES[framework]
    foreign = {c for c in called if c not in defined and not c.startswith(own)}
    assert not foreign, f"{record.name} in {framework} calls {foreign}"
    form = record.spelling(framework)
    form = form[0] if isinstance(form, tuple) else form
    if isinstance(form, str) and _one_call(form):
        assert form.split("(")[0] + "(" in code  # e.g. torch.nn.functional.gelu(x)
    else:  # a composition of the framework's operations, defined once as a small def
        assert f"def {record.name}(" in code and f"{record.name}(x" in code


# What the records state at the points that matter, which the NumPy program must print.
SEMANTICS = [
    ("relu(x)", "x=0", 0.0),  # relu'(0) = 0, as the frameworks take it
    ("leaky_relu(x)", "x=0", 0.01),  # the left slope at the kink; PyTorch's default slope
    ("leaky_relu(x)", "x=-2", 0.01),
    ("leaky_relu(x, a)", "x=-2,a=0.2", 0.2),
    ("elu(x)", "x=0", 1.0),
    ("softsign(x)", "x=0", 1.0),
    ("abs(x)", "x=0", 0.0),  # the subgradient sign(0) = 0
    ("cbrt(x)", "x=-8", 1 / 12),  # the real cube root
]


def _run_numpy_programs(codes: list[str]) -> list[dict]:
    """Run NumPy programs in one separate Python process, each in a namespace of its own."""
    import subprocess
    import sys

    driver = (
        "import contextlib, io, json, sys\n"
        "out = []\n"
        "for code in json.load(sys.stdin):\n"
        "    buffer = io.StringIO()\n"
        "    with contextlib.redirect_stdout(buffer):\n"
        "        exec(compile(code, '<program>', 'exec'), {'__name__': '__main__'})\n"
        "    out.append(buffer.getvalue())\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", driver],
        input=json.dumps(codes),
        capture_output=True,
        text=True,
        check=True,
    )
    return [ex.read_printed(text) for text in json.loads(done.stdout)]


def test_every_function_runs_in_numpy_and_agrees_with_the_exact_gradient():
    from symgrad import grad

    cases = [(f"{f.name}(x)", f"x={_point(f)}", None) for f in REGISTRY] + SEMANTICS
    cases += [("Heaviside(x, 1/2)", "x=0.5", None), ("leaky_relu(x, a)", "x=0.5,a=0.2", None)]
    programs = [ex.export(text, at=at, framework="numpy") for text, at, _ in cases]
    for (text, at, slope), program, printed in zip(
        cases, programs, _run_numpy_programs([p.code for p in programs])
    ):
        exact = grad(text, at=at)  # symgrad's exact gradient, by the rule engine
        by_name = dict(zip(exact.variables, exact.gradients()))
        want = [by_name[v] for v in program.variables]
        assert printed["gradients"] == pytest.approx(want, rel=1e-12, abs=1e-15), text
        assert printed["value"] == pytest.approx(program.value, rel=1e-12, abs=1e-15), text
        if slope is not None:
            assert printed["gradients"][0] == pytest.approx(slope, rel=1e-12), text


def test_heaviside_at_zero_is_the_value_symgrad_states_in_every_framework():
    # numpy and jax call heaviside(x, h); TensorFlow and PyTorch (whose heaviside has no
    # derivative) build it from sign: each must give 0, h, 1 and the slope 0 of a step.
    record = FUNCTIONS["Heaviside"]
    u, h = sp.symbols("u h")
    for framework in ex.FRAMEWORKS:
        form = record.spelling(framework)
        if callable(form):
            built = form(u, h)
            assert [built.subs(u, p) for p in (-2, 0, 3)] == [0, h, 1], framework
            assert sp.diff(built, u).subs(sp.Derivative(sp.sign(u), u), 0).doit() == 0
        else:
            assert form in ("np.heaviside({0}, {1})", "jnp.heaviside({0}, {1})"), framework
    printed = _run_in_process(ex.export("Heaviside(x, 1/2)", at="x=0", framework="numpy").code)
    assert printed["value"] == 0.5
    assert sp.Heaviside(0, sp.S.Half) == sp.S.Half


@pytest.mark.parametrize("record", HEADED, ids=[f.name for f in HEADED])
def test_compositions_are_the_function(record):
    # Where a framework lacks the function, its record composes it from the framework's
    # operations; the composition must equal the function (its value and its slope).
    u = sp.Symbol("u", real=True)  # the frameworks differentiate on the reals
    x = sp.Symbol("x", real=True)
    for framework in ex.FRAMEWORKS:
        form = record.spelling(framework)
        for f in form if isinstance(form, tuple) else (form,):
            if not callable(f):
                continue
            built = f(u) if record.name != "Heaviside" else f(u, sp.S.Half)
            fn = record.build(x)
            for p in (-1.7, -0.4, 0.3, 0.9, 2.2):
                if record.domain is not None and not record.domain(sp.Float(p)):
                    continue
                got = complex(sp.N(built.subs(u, sp.Float(p, 30)), 20))
                want = complex(sp.N(fn.subs(x, sp.Float(p, 30)), 20))
                assert got == pytest.approx(want, rel=1e-15, abs=1e-15), (framework, p)
                slope = complex(sp.N(sp.diff(built, u).subs(u, sp.Float(p, 30)), 20))
                exact = complex(sp.N(sp.diff(fn, x).subs(x, sp.Float(p, 30)), 20))
                assert slope == pytest.approx(exact, rel=1e-15, abs=1e-15), (framework, p)


def test_framework_semantics_in_the_text():
    def code(text, framework, at="x=0.5"):
        return ex.export(text, at=at, framework=framework).code

    assert "tf.nn.gelu" not in code("gelu(x)", "tf1") and "tf.math.erf(" in code("gelu(x)", "tf1")
    assert "tf.nn.gelu(x, approximate=False)" in code("gelu(x)", "tf2")
    assert "jax.nn.gelu(x, approximate=False)" in code("gelu(x)", "jax")
    assert "torch.nn.functional.gelu(x)" in code("gelu(x)", "torch")  # exact by default
    # symgrad's slope 0.01 written out: tf.nn.leaky_relu's own default is 0.2
    assert "tf.nn.leaky_relu(x, alpha=0.01)" in code("leaky_relu(x)", "tf2")
    assert "torch.nn.functional.leaky_relu(x, 0.01)" in code("leaky_relu(x)", "torch")
    # a slope that is a variable: the frameworks that take only a number there use where
    torch = code("leaky_relu(x, a)", "torch", "x=0.5,a=0.2")
    assert "torch.where(x > 0, x, a * x)" in torch and "leaky_relu(x, a)" in torch
    assert "jax.nn.leaky_relu(x, a)" in code("leaky_relu(x, a)", "jax", "x=0.5,a=0.2")
    assert "torch.sign(x)" in code("cbrt(x)", "torch") and "np.cbrt(x)" in code("cbrt(x)", "numpy")
    assert "torch.log10(x)" in code("log10(x)", "torch") and "np.log2(x)" in code(
        "log2(x)", "numpy"
    )
    assert "tf.math.log(x)" in code("log10(x)", "tf1")
    assert "tf.math.asinh(x)" in code("arsinh(x)", "tf2") and "np.arcsinh(x)" in code(
        "arcsinh(x)", "numpy"
    )
    # sec is a helper, so x/sec(x) keeps its meaning (x⋅cos x), not x/1.0/cos(x)
    assert "sec(x) / x" in code("sec(x)/x", "torch")
    assert "x / sec(x)" in code("x/sec(x)", "jax")


def test_a_function_a_framework_cannot_write_is_one_line(monkeypatch, capsys):
    from symgrad.functions import Function

    spelling = Function.spelling

    def without_tf1_gelu(self, framework):
        return None if (self.name, framework) == ("gelu", "tf1") else spelling(self, framework)

    monkeypatch.setattr(Function, "spelling", without_tf1_gelu)
    assert main(["gelu(x)", "--at", "x=1", "--export", "tf1", "--debug"]) == 2
    err = capsys.readouterr().err
    assert "symgrad cannot write gelu for tf1" in err and "--export tf2" in err
    assert len(err.strip().splitlines()) <= 2


def test_non_finite_numbers_are_read_back():
    printed = ex.read_printed("value: nan\ngradients: [inf, -inf, None, 1.5]\n")
    assert printed["gradients"][1:] == [float("-inf"), None, 1.5]
    assert printed["value"] != printed["value"]


def test_names_that_clash_are_renamed():
    code = ex.export(
        "lambda*np + tf + print", at="lambda=1,np=2,tf=3,print=4", framework="numpy"
    ).code
    assert "lambda_ = np.float64(1.0)" in code and "np_ = np.float64(2.0)" in code
    assert "lambda is called lambda_ here" in code
    printed = _run_in_process(code)
    assert printed["gradients"] == [2.0, 1.0, 1.0, 1.0]


def test_structural_program_keeps_the_connection():
    code = ex.export("w - w + x", at="w=2,x=3", framework="torch").code
    assert "y = w - w + x" in code
    assert "(as typed; SymPy writes it x)" in code


def test_constant_expression_refused():
    with pytest.raises(InputError, match="nothing to differentiate"):
        ex.export("2 + pi", at="x=1", framework="torch")


def test_numpy_program_runs_in_a_subprocess():
    comparison = ex.compare("x*sin(x) + y", at="x=2,y=1,v=0", framework="numpy")
    assert comparison.agrees and comparison.exit_code == 0
    assert comparison.theirs[2] is None
    assert "✓ numpy agrees with symgrad" in comparison.plain_text()


def test_missing_framework_says_what_to_install(monkeypatch):
    monkeypatch.setitem(ex.MODULES, "torch", "symgrad_no_such_module")
    with pytest.raises(InputError, match="pip install torch"):
        ex.compare("x*x", at="x=1", framework="torch")


def test_a_disagreement_is_exit_1():
    c = ex.Comparison("torch", "", ("x",), (1.0,), (1.5,), (2.0, 2.0))
    assert not c.agrees and c.exit_code == 1 and "✗" in c.plain_text()
    jax = ex.Comparison("jax", "", ("x", "v"), (1.0, None), (1.0, 0.0), (2.0, 2.0))
    assert jax.agrees  # JAX has no None: 0.0 where TensorFlow gives None


@pytest.mark.parametrize("framework", ["tf1", "tf2", "torch", "jax"])
def test_framework_agrees_when_installed(framework):
    if not ex.installed(framework):
        pytest.skip(f"{ex.MODULES[framework]} is not installed")
    text = "sigmoid(w*x + b)*relu(x - b) + softplus(w)^2 - log(x, 2) + abs(b) + x/w"
    comparison = ex.compare(text, at="w=0.5,x=2,b=-0.25,v=1", framework=framework)
    assert comparison.agrees, comparison.plain_text()


def test_cli_export_and_compare(capsys):
    assert main(["w*w+2", "--at", "w=10", "--export", "numpy"]) == 0
    code = capsys.readouterr().out
    assert "grad_w = grad_v1 * w + grad_v1 * w" in code
    assert main(["graph", "w*w+2", "--at", "w=10", "--compare", "numpy", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["numpy"] == [20.0] and data["agrees"] is True


@pytest.mark.parametrize(
    "argv,message",
    [
        (["w*w", "--export", "torch"], "needs the point"),
        (["w*w", "--at", "w=1", "--export", "torch", "--hessian"], "does not combine"),
        (["w*w", "--at", "w=1", "--export", "torch", "--compare", "numpy"], "not both"),
        (["w*w", "--at", "w=1", "--export", "keras"], "invalid choice"),
    ],
)
def test_cli_bad_export_is_exit_2(capsys, argv, message):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


NETWORK_FILES = ["critic.json", "classifier.json"]
EXAMPLES = __import__("pathlib").Path(__file__).parent.parent / "examples"


def _network_program(file: str, framework: str):
    from symgrad.network import critic, load_network

    spec = json.loads((EXAMPLES / file).read_text())
    result = critic(spec)
    net, params, states, targets, loss = load_network(spec)
    flat = [g for n in result.network.param_names for g in result.gradients[n].ravel()]
    return ex.network_program(net, params, states, targets, loss, flat, result.loss, framework)


@pytest.mark.parametrize("file", NETWORK_FILES)
def test_numpy_network_program_agrees(file):
    program = _network_program(file, "numpy")
    printed = _run_in_process(program.code)
    assert printed["value"] == pytest.approx(program.value, rel=1e-13)
    assert printed["gradients"] == pytest.approx(list(program.gradients), rel=1e-12, abs=1e-15)
    assert "d1 = (d2 @ W2.T) * (z1 > 0)" in program.code
    for framework in ex.FRAMEWORKS:
        ast.parse(_network_program(file, framework).code)


@pytest.mark.parametrize("framework", ["torch", "tf1", "tf2", "jax"])
def test_network_framework_agrees_when_installed(framework):
    if not ex.installed(framework):
        pytest.skip(f"{ex.MODULES[framework]} is not installed")
    comparison = ex.run_program(_network_program("classifier.json", framework))
    assert comparison.agrees, comparison.plain_text()


def test_cli_critic_compare_numpy(capsys):
    file = str(EXAMPLES / "classifier.json")
    assert main(["critic", file, "--compare", "numpy", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["agrees"] and len(data["numpy"]) == 31
    assert main(["critic", file, "--export", "torch", "--explain"]) == 2
    assert "does not combine with --explain" in capsys.readouterr().err


ACTIVATION_NAMES = sorted(n for n in ACTIVATIONS if n != "linear")


@pytest.mark.parametrize("activation", ACTIVATION_NAMES)
def test_every_activation_in_a_network_program(activation):
    from symgrad.network import critic, load_network

    spec = json.loads((EXAMPLES / "critic.json").read_text())
    spec["layers"][0]["activation"] = activation
    result = critic(spec)
    net, params, states, targets, loss = load_network(spec)
    flat = [g for n in result.network.param_names for g in result.gradients[n].ravel()]
    for framework in ex.FRAMEWORKS:
        program = ex.network_program(
            net, params, states, targets, loss, flat, result.loss, framework
        )
        called, defined = _calls(program.code, "numpy")  # every line of the program
        record = FUNCTIONS[activation]
        form = record.spelling(framework)
        form = form[0] if isinstance(form, tuple) else form
        if isinstance(form, str) and _one_call(form):
            assert form.split("(")[0] in called, (activation, framework)
        else:
            assert record.name in defined, (activation, framework)
        if framework == "numpy":
            printed = _run_in_process(program.code)
            assert printed["gradients"] == pytest.approx(list(program.gradients), rel=1e-12)


def test_unconnected_zero_still_compares_with_none():
    assert main(["x*x", "--at", "x=1,v=2", "--unconnected", "zero", "--compare", "numpy"]) == 0
