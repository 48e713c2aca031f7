"""The same function in the frameworks: runnable programs, and runs compared with symgrad.

:func:`export` writes a Python program that builds the function as typed (the
graph :func:`symgrad.graph` draws) at the same point in float64 and prints its
value and gradients: TensorFlow 1 (a graph, ``compute_gradients``,
``tf.gradients`` and a ``Session``, as in the seed), TensorFlow 2
(``GradientTape``), PyTorch (``torch.autograd.grad``), JAX (``jax.grad``) or
NumPy (the tape run forward and backward by hand, one line per node).

>>> program = export("w*w + 2", at="w=10", framework="torch")
>>> print(program.code.split("\\n\\n")[2])
w = torch.tensor(10.0, dtype=torch.float64, requires_grad=True)
y = w * w + 2.0

The code comes from SymPy through this module's own printer, which writes
every function as its record in :data:`symgrad.functions.REGISTRY` says
(``frameworks``): one call of the framework's own function (``torch.sin(x)``,
``tf.nn.leaky_relu(x, alpha=0.01)``, ``jax.nn.gelu(x, approximate=False)``),
or, where the framework lacks it, a composition of its operations that the
program defines once as a small ``def`` (TensorFlow 1's exact GELU from
``tf.math.erf``, PyTorch's real cube root from ``torch.sign`` and
``torch.abs``). It never prints user text: variables are validated names,
renamed when they would clash with Python, the program's own names or a
function's, and numbers are printed as float literals.

:func:`compare` runs such a program in a separate Python process with a
time limit and sets its numbers beside symgrad's.
"""

from __future__ import annotations

import ast
import builtins
import importlib.util
import keyword
import math
import os
import re
import string
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sympy as sp

from symgrad.errors import EXIT_MATH, EXIT_OK, InputError, LimitError
from symgrad.functions import FUNCTIONS
from symgrad.render import StyledLines

__all__ = [
    "FRAMEWORKS",
    "PACKAGES",
    "Comparison",
    "Program",
    "compare",
    "export",
    "program_for_graph",
    "run_program",
]

FRAMEWORKS = ("tf1", "tf2", "torch", "jax", "numpy")
#: The module each program imports, and the package that provides it.
MODULES = {
    "tf1": "tensorflow",
    "tf2": "tensorflow",
    "torch": "torch",
    "jax": "jax",
    "numpy": "numpy",
}
PACKAGES = {
    "tf1": "tensorflow-cpu",
    "tf2": "tensorflow-cpu",
    "torch": "torch",
    "jax": "jax jaxlib",
    "numpy": "numpy",
}
TITLES = {
    "tf1": "TensorFlow 1 (graph and Session)",
    "tf2": "TensorFlow 2 (GradientTape)",
    "torch": "PyTorch (autograd)",
    "jax": "JAX (jax.grad)",
    "numpy": "NumPy (the tape, forward and backward by hand)",
}
#: Relative difference below which a framework's float64 number agrees with symgrad's.
AGREEMENT = 1e-9
#: CPU seconds a compared program may use (importing TensorFlow takes several).
COMPARE_CPU_SECONDS = 120
COMPARE_WALL_SECONDS = 600.0
#: Rows a comparison shows on screen (JSON has them all).
MAX_ROWS = 24

# -- names --------------------------------------------------------------------------

_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_PROGRAM_NAMES = {
    "tf",
    "torch",
    "np",
    "jnp",
    "jax",
    "math",
    "sess",
    "tape",
    "grads",
    "pairs",
    "opt",
    "point",
    "value",
    "heaviside",
    "functional",
    "grad",
    "var",
}
_PYTHON = set(keyword.kwlist) | set(keyword.softkwlist) | set(dir(builtins))
#: A variable never takes a function's name: the program may define that function as a helper.
_RESERVED = _PYTHON | _PROGRAM_NAMES | set(FUNCTIONS)


class Names:
    """Python identifiers for a program: validated, never a keyword or a name it uses.

    >>> n = Names()
    >>> n.take("w"), n.take("lambda"), n.take("np"), n.take("lambda_")
    ('w', 'lambda_', 'np_', 'lambda__')
    """

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, wanted: str) -> str:
        base = wanted if _IDENTIFIER.match(wanted) else "var"
        name = base
        while name in _RESERVED or name in self.used:
            name += "_"
        self.used.add(name)
        return name


# -- the printer --------------------------------------------------------------------

#: A helper's parameters, in order, when a function's form is written as a small def.
_PARAMETERS = ("x", "a", "b", "c")


def _library(framework: str) -> str:
    return "tf" if framework in ("tf1", "tf2") else framework


def _fill(template: str, texts: Sequence[str]) -> str:
    """``template`` with ``{k}`` (and ``{k:const}``) replaced by ``texts[k]``."""
    out = []
    for literal, field, _spec, _conv in string.Formatter().parse(template):
        out.append(literal)
        if field is not None:
            out.append(texts[int(field)])
    return "".join(out)


def _const_slots(template: str) -> set[int]:
    """The arguments a template's framework takes only as numbers (``{k:const}``)."""
    return {
        int(field)
        for _, field, spec, _ in string.Formatter().parse(template)
        if field is not None and spec == "const"
    }


def _one_call(template: str, arity: int) -> bool:
    """Whether the template is one call of the framework's function on the arguments and
    constants (printed in place, as ``torch.sin(x)``), not a composition (a small def)."""
    marks = [f"_arg{k}_" for k in range(arity)]
    try:
        tree = ast.parse(_fill(template, marks), mode="eval").body
    except SyntaxError:  # pragma: no cover - every record's template is Python
        return False

    def plain(node) -> bool:
        return isinstance(node, ast.Constant) or (isinstance(node, ast.Name) and node.id in marks)

    def dotted(node) -> bool:
        return isinstance(node, ast.Name) or (
            isinstance(node, ast.Attribute) and dotted(node.value)
        )

    return (
        isinstance(tree, ast.Call)
        and dotted(tree.func)
        and all(plain(a) for a in tree.args)
        and all(plain(k.value) for k in tree.keywords)
    )


def refusal(framework: str, name: str) -> str | None:
    """The one line for a function ``framework`` cannot write (None: it can), with where to go.

    >>> refusal("torch", "gelu") is None
    True
    """
    from symgrad.functions import FUNCTIONS

    record = FUNCTIONS.get(name)
    if record is not None and record.spelling(framework) is not None:
        return None
    others = [f for f in FRAMEWORKS if record is not None and record.spelling(f) is not None]
    where = f" (--export {others[0]} can)" if others else ""
    return f"symgrad cannot write {name} for {framework}: {framework} has no form of it{where}"


class CodePrinter:
    """SymPy → Python source for one framework; symbols print as the names given.

    >>> from symgrad.parse import variable
    >>> x = variable("x")
    >>> from symgrad.functions import relu
    >>> p = CodePrinter("jax", {x: "x"})
    >>> p.code(relu(x) ** 2 / 3 - sp.sec(x))
    '-sec(x) + 0.3333333333333333 * jax.nn.relu(x) ** 2'
    >>> print(p.definitions())
    def sec(x):
        return 1.0 / jnp.cos(x)

    Each function is written as its record in :data:`symgrad.functions.REGISTRY` says
    (``frameworks``): one call of the framework's function in place, or a composition as a
    small ``def`` that the program defines before it uses it.
    """

    def __init__(self, framework: str, names: Mapping[sp.Symbol, str]):
        self.framework = framework
        self.names = dict(names)
        #: (function, arity, form) -> (helper name, its def), in the order a program defines them
        self.helpers: dict[tuple, tuple[str, str]] = {}

    def definitions(self) -> str:
        """The helpers' defs, each ready to stand at the top of a program."""
        return "\n\n\n".join(text for _, text in self.helpers.values())

    def uses_math(self) -> bool:
        """Whether the helpers call Python's math module (NumPy's erf is math.erf, vectorised)."""
        return re.search(r"(?<![\w.])math\.", self.definitions()) is not None

    def code(self, e: sp.Expr) -> str:
        return self._print(e)

    def _constant(self, e: sp.Expr) -> str:
        from symgrad.numeric import to_float

        value = to_float(_evaluated(e))
        if value is None or not math.isfinite(value):
            raise InputError(
                f"the constant {sp.sstr(_evaluated(e))} is not a finite float64 number, "
                "so no float64 program can hold it"
            )
        return repr(value)

    def _print(self, e: sp.Expr) -> str:
        if e.is_Symbol:
            if e not in self.names:  # pragma: no cover - every symbol is named by the caller
                raise AssertionError(f"no program name for {e}")
            return self.names[e]
        if not e.free_symbols:
            return self._constant(e)
        if e.is_Add:
            return self._add(e)
        if e.is_Mul:
            return self._mul(e)
        if e.is_Pow:
            return self._pow(e)
        if isinstance(e, sp.Function):
            return self._function(e)
        raise InputError(f"cannot write {type(e).__name__} for {self.framework}")

    def _atom(self, e: sp.Expr) -> str:
        """``e`` printed so that it can be an operand of ``*``, ``/`` or ``**``."""
        text = self._print(e)
        simple = (
            e.is_Symbol or isinstance(e, sp.Function) or (not e.free_symbols and text[0] != "-")
        )
        return text if simple else f"({text})"

    def _factor(self, e: sp.Expr) -> str:
        """``e`` printed as an operand of ``*`` or ``/`` (a power binds tighter)."""
        if e.is_Pow and e.exp != -1 and e.free_symbols:
            return self._print(e)
        return self._atom(e)

    def _add(self, e: sp.Expr) -> str:
        parts = []
        for k, term in enumerate(e.args):
            text = self._print(term)
            if k and text.startswith("-"):
                parts.append(f" - {text[1:]}")
            else:
                parts.append(f" + {text}" if k else text)
        return "".join(parts)

    def _mul(self, e: sp.Expr) -> str:
        sign, top, bottom = "", [], []
        for factor in e.args:
            if factor == -1:
                sign = "" if sign else "-"
            elif factor.is_Pow and factor.exp.is_Number and factor.exp < 0 and factor.free_symbols:
                bottom.append(factor.base if factor.exp == -1 else sp.Pow(factor.base, -factor.exp))
            else:
                top.append(factor)
        text = " * ".join(self._factor(f) for f in top) if top else "1.0"
        for f in bottom:
            text += f" / {self._factor(f)}"
        return sign + text

    def _pow(self, e: sp.Expr) -> str:
        base, exponent = e.args
        from symgrad.functions import FUNCTIONS

        if base is sp.E:
            return self._call(FUNCTIONS["exp"], [exponent])
        if exponent == sp.S.Half:
            return self._call(FUNCTIONS["sqrt"], [base])
        if exponent == -1:
            return f"1.0 / {self._atom(base)}"
        if exponent.is_Integer:
            power = str(int(exponent)) if exponent > 0 else f"({int(exponent)})"
            return f"{self._atom(base)} ** {power}"
        return f"{self._atom(base)} ** {self._atom(exponent)}"

    def _function(self, e: sp.Function) -> str:
        from symgrad.functions import FUNCTIONS, record_of

        if e.func is sp.log and len(e.args) == 2:  # log(x, b) as typed
            base = e.args[1]
            named = FUNCTIONS.get(f"log{base}") if base.is_Integer else None
            if named is not None and named.head is None:  # log10, log2: the framework's own
                return self._call(named, e.args[:1])
            return f"{self._call(FUNCTIONS['log'], e.args[:1])} / {self._atom(sp.log(base))}"
        record = record_of(e)
        if record is None:
            raise InputError(f"symgrad cannot write {type(e).__name__} for {self.framework}")
        return self._call(record, e.args)

    def _call(self, record, args: Sequence[sp.Expr]) -> str:
        """``record``'s function of ``args``, in the framework's names."""
        form = self._form(record, args)
        texts = [self._print(a) for a in args]
        if isinstance(form, str) and _one_call(form, len(args)):
            return _fill(form, texts)
        return f"{self._helper(record, form, len(args))}({', '.join(texts)})"

    def _form(self, record, args: Sequence[sp.Expr]):
        spelling = record.spelling(self.framework)
        forms = spelling if isinstance(spelling, tuple) else (spelling,)
        for form in forms:
            if callable(form):
                return form
            if isinstance(form, str) and not any(
                args[k].free_symbols for k in _const_slots(form) if k < len(args)
            ):
                return form
        line = refusal(self.framework, record.name)
        if line is None:  # it has a form, but only for a number where this one has variables
            line = (
                f"{self.framework} takes only a number as {record.name}'s argument "
                f"{len(args)}, and symgrad has no other {self.framework} form for it"
            )
        raise InputError(line)

    def _helper(self, record, form, arity: int) -> str:
        """The name of a small def for ``form`` (a template or a composition), defined once."""
        key = (record.name, arity, form if isinstance(form, str) else id(form))
        if key in self.helpers:
            return self.helpers[key][0]
        params = list(_PARAMETERS[:arity])
        if isinstance(form, str):
            body = _fill(form, params)
        else:
            symbols = [sp.Symbol(p) for p in params]
            inner = CodePrinter(self.framework, dict(zip(symbols, params)))
            inner.helpers = self.helpers  # what the composition uses is defined first
            body = inner.code(form(*symbols))
        taken = {name for name, _ in self.helpers.values()}
        name = record.name if record.name not in _PYTHON | _PROGRAM_NAMES else f"{record.name}_"
        while name in taken:
            name += "_"
        self.helpers[key] = (name, f"def {name}({', '.join(params)}):\n    return {body}")
        return name


def _evaluated(e: sp.Expr) -> sp.Expr:
    if not e.args:
        return e
    return e.func(*[_evaluated(a) for a in e.args])


# -- programs -----------------------------------------------------------------------


@dataclass(frozen=True)
class Program(StyledLines):
    """A runnable program, and the numbers symgrad expects it to print."""

    framework: str
    code: str
    variables: tuple[str, ...]  # the var list, in the order the program prints gradients
    value: float | None
    gradients: tuple[float | None, ...]  # symgrad's: None where TensorFlow gives None
    exit_code: int = EXIT_OK
    output: str = "y"  # the name of the value: y, f, ... or L for a network's loss

    def lines(self) -> list[tuple[str, str]]:
        return [(line, "") for line in self.code.rstrip("\n").split("\n")]

    def plain_text(self) -> str:
        return self.code

    def __rich_console__(self, console, options):
        from rich.syntax import Syntax

        yield Syntax(self.code, "python", theme="ansi_dark", background_color="default")

    def to_dict(self) -> dict[str, object]:
        return {
            "framework": self.framework,
            "code": self.code,
            "variables": list(self.variables),
            "value": self.value,
            "gradients": list(self.gradients),
        }


def _header(title: str, about: str) -> str:
    return f'"""{title}\n\n{about}\nWritten by symgrad."""\n'


def program_for_graph(g, framework: str) -> Program:
    """The program for a :class:`symgrad.backprop.Graph` (its expression as typed, its point)."""
    from symgrad.backprop import graph_tree
    from symgrad.parse import variable
    from symgrad.printing import inline

    if framework not in FRAMEWORKS:
        raise InputError(f"unknown framework {framework!r}; choose one of {', '.join(FRAMEWORKS)}")
    point = dict(g.gradient.point)
    if not any(n.kind == "variable" and n.connected for n in g.nodes):
        raise InputError(
            "the expression is a constant: a framework has nothing to differentiate",
            hint="use an expression of the variables",
        )
    names = Names()
    output = names.take(g.output)
    ident = {n.name: names.take(n.name) for n in g.nodes if n.kind == "variable"}
    where = ", ".join(f"{k} = {sp.sstr(v)}" for k, v in point.items())
    about = f"{g.output} = {g.typed} at {where}, in float64."
    if g.typed != inline(g.expr):
        about += f"\n(as typed; SymPy writes it {inline(g.expr)})"
    renamed = [f"{k} is called {v} here" for k, v in ident.items() if k != v]
    if renamed:
        about += "\n(" + "; ".join(renamed) + ")"
    if framework == "numpy":
        code = _numpy_program(g, names, ident, output, about)
    else:
        tree = graph_tree(g.typed_source, list(point))[0] if g.typed_source else g.expr
        printer = CodePrinter(framework, {variable(k): v for k, v in ident.items()})
        body = printer.code(tree)
        code = _TEMPLATES[framework](g, ident, output, body, point, about, _defs(printer))
    return Program(
        framework=framework,
        code=code,
        variables=tuple(g.variables),
        value=g.node(g.output).value if g.output in {n.name for n in g.nodes} else None,
        # What the programs print: None for an input y does not reach (TensorFlow's default).
        gradients=tuple(g.node(k).grad if g.node(k).connected else None for k in g.variables),
        output=g.output,
    )


def _literal(value: sp.Expr) -> str:
    return repr(float(value))


def _defs(printer: CodePrinter) -> str:
    """The helpers a program defines after its imports (nothing when it needs none)."""
    return "\n" + printer.definitions() + "\n\n\n" if printer.helpers else ""


def _math_import(printer: CodePrinter) -> str:
    return "import math\n\n" if printer.uses_math() else ""


def _tf1(g, ident, output, body, point, about, defs) -> str:
    vars_ = "".join(
        f'{ident[k]} = tf.Variable({_literal(v)}, dtype=tf.float64, name="{ident[k]}")\n'
        for k, v in point.items()
    )
    var_list = ", ".join(ident[k] for k in g.variables)
    return (
        _header(f"{TITLES['tf1']}: compute_gradients and tf.gradients.", about)
        + "import tensorflow.compat.v1 as tf\n\ntf.disable_eager_execution()\n\n"
        + defs
        + vars_
        + f"{output} = {body}\n\n"
        + "opt = tf.train.GradientDescentOptimizer(learning_rate=0.1)\n"
        + f"pairs = opt.compute_gradients({output}, var_list=[{var_list}])\n"
        + f"grads = tf.gradients({output}, [{var_list}])\n\n"
        + "with tf.Session() as sess:\n"
        + "    sess.run(tf.global_variables_initializer())\n"
        + f'    print("value:", float(sess.run({output})))\n'
        + "    pairs = [(None if grad is None else float(sess.run(grad)), float(sess.run(var))) "
        + "for grad, var in pairs]\n"
        + '    print("compute_gradients:", pairs)\n'
        + '    print("gradients:", [None if grad is None else float(sess.run(grad)) for grad in grads])\n'
    )


def _tf2(g, ident, output, body, point, about, defs) -> str:
    vars_ = "".join(
        f"{ident[k]} = tf.Variable({_literal(v)}, dtype=tf.float64)\n" for k, v in point.items()
    )
    var_list = ", ".join(ident[k] for k in g.variables)
    return (
        _header(f"{TITLES['tf2']}.", about)
        + "import tensorflow as tf\n\n"
        + defs
        + vars_
        + "with tf.GradientTape() as tape:\n"
        + f"    {output} = {body}\n"
        + f"grads = tape.gradient({output}, [{var_list}])\n\n"
        + f'print("value:", float({output}))\n'
        + 'print("gradients:", [None if grad is None else float(grad) for grad in grads])\n'
    )


def _torch(g, ident, output, body, point, about, defs) -> str:
    vars_ = "".join(
        f"{ident[k]} = torch.tensor({_literal(v)}, dtype=torch.float64, requires_grad=True)\n"
        for k, v in point.items()
    )
    var_list = ", ".join(ident[k] for k in g.variables)
    return (
        _header(f"{TITLES['torch']}.", about)
        + "import torch\n\n"
        + defs
        + vars_
        + f"{output} = {body}\n\n"
        + "# allow_unused: a variable the output does not use gets None, as in TensorFlow\n"
        + f"grads = torch.autograd.grad({output}, [{var_list}], allow_unused=True)\n"
        + f'print("value:", float({output}))\n'
        + 'print("gradients:", [None if grad is None else float(grad) for grad in grads])\n'
    )


def _jax(g, ident, output, body, point, about, defs) -> str:
    args = ", ".join(ident[k] for k in point)
    keys = list(point)
    argnums = _tuple(str(keys.index(k)) for k in g.variables)
    values = _tuple(_literal(v) for v in point.values())
    fn = "f" if "f" not in ident.values() else "f_"
    return (
        _header(
            f"{TITLES['jax']}.",
            about + "\nJAX has no None: a variable the output does not use gets 0.0.",
        )
        + 'import jax\n\njax.config.update("jax_enable_x64", True)\n'
        + "import jax.numpy as jnp  # noqa: E402\n\n\n"
        + (defs[1:] if defs else "")
        + f"def {fn}({args}):\n    return {body}\n\n\n"
        + f"point = {values}\n"
        + f"grads = jax.grad({fn}, argnums={argnums})(*point)\n"
        + f'print("value:", float({fn}(*point)))\n'
        + 'print("gradients:", [float(grad) for grad in grads])\n'
    )


def _tuple(items) -> str:
    items = list(items)
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


_TEMPLATES = {"tf1": _tf1, "tf2": _tf2, "torch": _torch, "jax": _jax}


def _numpy_program(g, names: Names, ident, output, about) -> str:
    from symgrad.parse import variable

    node_names = dict(ident)
    for n in g.nodes:
        if n.kind != "variable":
            node_names[n.name] = output if n.name == g.output else names.take(n.name)
    adjoint = {n.name: names.take(f"grad_{node_names[n.name]}") for n in g.nodes if n.connected}
    symbols = {variable(k): v for k, v in node_names.items()}
    printer = CodePrinter("numpy", symbols)
    point = dict(g.gradient.point)
    forward = []
    for n in g.nodes:
        target = node_names[n.name]
        if n.kind == "variable":
            forward.append(f"{target} = np.float64({_literal(point[n.name])})")
        elif n.kind == "constant":
            forward.append(f"{target} = np.float64({printer.code(n.expression)})")
        else:
            forward.append(f"{target} = {printer.code(n.expression)}")
    backward = []
    by_target: dict[str, list] = {}
    for e in g.edges:
        by_target.setdefault(e.source, []).append(e)
    for n in reversed(g.nodes):
        if not n.connected:
            continue
        if n.name == g.output:
            backward.append(f"{adjoint[n.name]} = np.float64(1.0)")
            continue
        terms = []
        for e in by_target.get(n.name, ()):
            if e.target not in adjoint:
                continue
            local = printer.code(e.expression)
            terms.append(f"{adjoint[e.target]} * {_paren(local)}")
        backward.append(f"{adjoint[n.name]} = {' + '.join(terms)}")
    grads = ", ".join(f"float({adjoint[k]})" if k in adjoint else "None" for k in g.variables)
    return (
        _header(
            f"{TITLES['numpy']}.", about + "\nEach line is one node of the graph symgrad draws."
        )
        + _math_import(printer)
        + "import numpy as np\n\n"
        + _defs(printer)
        + "# forward pass: one line per node, in tape order\n"
        + "\n".join(forward)
        + f"\n\n# backward pass: grad_n = d{output}/dn, one term per out-edge of n\n"
        + "\n".join(backward)
        + f'\n\nprint("value:", float({output}))\n'
        + f'print("gradients:", [{grads}])\n'
    )


def _paren(text: str) -> str:
    if re.fullmatch(
        r"[A-Za-z_][A-Za-z0-9_]*|[0-9.e+-]+|[A-Za-z_.]+\([^()]*\)", text
    ) and not text.startswith("-"):
        return text
    return f"({text})"


def export(
    expr: str,
    at: Mapping[str, object] | str,
    framework: str,
    wrt: Sequence[str] | str | None = None,
) -> Program:
    """The program that computes ``expr``'s value and gradients at ``at`` in ``framework``."""
    from symgrad.backprop import graph

    if framework not in FRAMEWORKS:
        raise InputError(f"unknown framework {framework!r}; choose one of {', '.join(FRAMEWORKS)}")
    return program_for_graph(graph(expr, at=at, wrt=wrt, check=False), framework)


# -- running a program --------------------------------------------------------------


@dataclass(frozen=True)
class Comparison(StyledLines):
    """A framework's numbers beside symgrad's, with the differences."""

    framework: str
    version: str
    variables: tuple[str, ...]
    symgrad: tuple[float | None, ...]
    theirs: tuple[float | None, ...]
    value: tuple[float | None, float | None]  # (symgrad's, the framework's)
    output: str = "y"

    @property
    def differences(self) -> tuple[float | None, ...]:
        return tuple(_difference(a, b) for a, b in zip(self.symgrad, self.theirs))

    @property
    def agrees(self) -> bool:
        pairs = [*zip(self.symgrad, self.theirs), self.value]
        return all(_close(a, b, self.framework) for a, b in pairs)

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.agrees else EXIT_MATH

    def to_dict(self) -> dict[str, object]:
        return {
            "framework": self.framework,
            "version": self.version,
            "variables": list(self.variables),
            "symgrad": list(self.symgrad),
            self.framework: list(self.theirs),
            "differences": list(self.differences),
            "value": {"symgrad": self.value[0], self.framework: self.value[1]},
            "agrees": self.agrees,
            "exit_code": self.exit_code,
        }

    def lines(self) -> list[tuple[str, str]]:
        title = TITLES[self.framework]
        rows = [("", "symgrad (exact)", f"{self.framework} {self.version}".strip(), "difference")]
        rows.append(
            (self.output, _show(self.value[0]), _show(self.value[1]), _show_diff(*self.value))
        )
        shown = list(zip(self.variables, self.symgrad, self.theirs))
        for name, a, b in shown[:MAX_ROWS]:
            rows.append((f"∂{self.output}/∂{name}", _show(a), _show(b), _show_diff(a, b)))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        out: list[tuple[str, str]] = [(f"symgrad beside {title}, in float64", "bold")]
        for k, row in enumerate(rows):
            text = "  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths))
            out.append((text.rstrip(), "dim" if k == 0 else ""))
        if len(shown) > MAX_ROWS:
            worst = max((abs(d) for d in self.differences if d is not None), default=0.0)
            out.append(
                (
                    f"  ... {len(shown) - MAX_ROWS} more (all with --format json); "
                    f"largest difference {worst:.3g}",
                    "dim",
                )
            )
        out.append(("", ""))
        if self.agrees:
            out.append(
                (
                    f"✓ {self.framework} agrees with symgrad (relative difference below {AGREEMENT:g})",
                    "green",
                )
            )
        else:
            out.append((f"✗ {self.framework} differs from symgrad", "bold red"))
        if self.framework == "jax" and None in self.symgrad:
            out.append(
                ("note: JAX has no None; it gives 0.0 where TensorFlow gives None", "yellow")
            )
        return out


def _difference(a: float | None, b: float | None) -> float | None:
    if a is None or b is None:
        return None
    return b - a


def _close(a: float | None, b: float | None, framework: str) -> bool:
    if a is None or b is None:
        return a is None and (b is None or (framework == "jax" and b == 0.0))
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= AGREEMENT * max(1.0, abs(a))


def _show(value: float | None) -> str:
    return "None" if value is None else repr(value)


def _show_diff(a: float | None, b: float | None) -> str:
    d = _difference(a, b)
    if d is None:
        return "" if a is None and b is None else "-"
    return "0" if d == 0 else f"{d:+.3g}"


def installed(framework: str) -> bool:
    """Whether the framework's module can be found by this Python."""
    return importlib.util.find_spec(MODULES[framework]) is not None


def _limit_cpu() -> None:  # pragma: no cover - runs in the child process
    import resource

    resource.setrlimit(resource.RLIMIT_CPU, (COMPARE_CPU_SECONDS, COMPARE_CPU_SECONDS + 5))


def run_program(program: Program, timeout: float | None = None) -> Comparison:
    """Run ``program`` with this Python in a fresh process and compare what it prints."""
    framework = program.framework
    if not installed(framework):
        raise InputError(
            f"{MODULES[framework]} is not installed, so --compare {framework} cannot run",
            hint=f"pip install {PACKAGES[framework]}",
        )
    env = dict(os.environ)
    env.update({"TF_CPP_MIN_LOG_LEVEL": "3", "JAX_PLATFORMS": "cpu", "CUDA_VISIBLE_DEVICES": ""})
    version_line = f"import {MODULES[framework]} as _m; print('version:', repr(getattr(_m, '__version__', '')))\n"
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-c", version_line + program.code],
            capture_output=True,
            text=True,
            timeout=timeout or COMPARE_WALL_SECONDS,
            env=env,
            preexec_fn=_limit_cpu if os.name == "posix" else None,
        )
    except subprocess.TimeoutExpired:
        raise LimitError(
            f"the {framework} program did not finish in {timeout or COMPARE_WALL_SECONDS:g} s"
        ) from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1][:300]
        if "ImportError" in last or "ModuleNotFoundError" in last:
            raise InputError(
                f"{MODULES[framework]} fails to import: {last}",
                hint=f"pip install {PACKAGES[framework]}",
            )
        if done.returncode < 0 or "-9" in str(done.returncode):
            raise LimitError(
                f"the {framework} program was stopped (CPU limit {COMPARE_CPU_SECONDS} s)"
            )
        raise InputError(f"the {framework} program failed: {last}")
    printed = read_printed(done.stdout)
    return Comparison(
        framework=framework,
        version=printed.get("version", ""),
        variables=program.variables,
        symgrad=program.gradients,
        theirs=tuple(printed.get("gradients", [None] * len(program.variables))),
        value=(program.value, printed.get("value")),
        output=program.output,
    )


def read_printed(stdout: str) -> dict[str, object]:
    """The ``key: literal`` lines a program printed (read with ast.literal_eval, not eval)."""
    found: dict[str, object] = {}
    for line in stdout.splitlines()[:100]:
        key, sep, rest = line.partition(":")
        if sep and key in ("version", "value", "gradients") and len(rest) < 100_000:
            quoted = re.sub(r"(?<![\w.'])(-?inf|nan)(?![\w'])", r"'\1'", rest.strip())
            try:
                found[key] = _floats(ast.literal_eval(quoted))
            except (ValueError, SyntaxError):
                continue
    return found


def _floats(value):
    """Turn the quoted non-finite numbers back into floats."""
    if isinstance(value, list):
        return [_floats(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_floats(v) for v in value)
    if value in ("nan", "inf", "-inf"):
        return float(value)
    return value


def compare(
    expr: str,
    at: Mapping[str, object] | str,
    framework: str,
    wrt: Sequence[str] | str | None = None,
    timeout: float | None = None,
) -> Comparison:
    """Run the framework's program for ``expr`` at ``at`` and compare its numbers with symgrad's."""
    program = export(expr, at=at, framework=framework, wrt=wrt)
    return run_program(program, timeout=timeout)


# -- networks -------------------------------------------------------------------------

_NET_LOSSES = {
    "numpy": {
        "mean_square": "np.mean((t - {y}) ** 2)",
        "binary_crossentropy": "np.mean(np.logaddexp(0.0, {z}) - t * {z})",
        "categorical_crossentropy": "np.mean(np.sum(t * (np.logaddexp.reduce({z}, axis=1, "
        "keepdims=True) - {z}), axis=1))",
    },
    "torch": {
        "mean_square": "torch.mean((t - {y}) ** 2)",
        "binary_crossentropy": "torch.mean(torch.nn.functional.softplus({z}) - t * {z})",
        "categorical_crossentropy": "torch.mean(torch.sum(t * (torch.logsumexp({z}, dim=1, "
        "keepdim=True) - {z}), dim=1))",
    },
    "tf": {
        "mean_square": "tf.reduce_mean((t - {y}) ** 2)",
        "binary_crossentropy": "tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits("
        "labels=t, logits={z}))",
        "categorical_crossentropy": "tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits("
        "labels=t, logits={z}))",
    },
    "jax": {
        "mean_square": "jnp.mean((t - {y}) ** 2)",
        "binary_crossentropy": "jnp.mean(jax.nn.softplus({z}) - t * {z})",
        "categorical_crossentropy": "jnp.mean(jnp.sum(t * (jax.nn.logsumexp({z}, axis=1, "
        "keepdims=True) - {z}), axis=1))",
    },
}


def _array_literal(a) -> str:
    """A float64 array as a nested list of float literals (the numbers, never text)."""
    return repr(a.tolist()) if a.ndim else repr(float(a))


def _activation(name: str, z: str, printer: CodePrinter) -> str:
    """The layer's activation of ``z``, element-wise, as the function's record writes it."""
    from symgrad.functions import ACTIVATIONS

    symbol = sp.Symbol(z)
    printer.names[symbol] = z
    return printer.code(ACTIVATIONS[name](symbol))


def _net_forward(net, printer: CodePrinter) -> tuple[list[str], str, str]:
    """Lines ``z1 = x @ W1 + b1``, ``a1 = relu(z1)``, ...; the output and the logits names."""
    lines, prev = [], "x"
    z = prev
    for i, layer in enumerate(net.layers, start=1):
        z = f"z{i}"
        lines.append(f"{z} = {prev} @ W{i} + b{i}")
        if layer.activation in ("linear", "softmax"):
            prev = z
        else:
            lines.append(f"a{i} = {_activation(layer.activation, z, printer)}")
            prev = f"a{i}"
    return lines, prev, z


def network_program(
    net, params, states, targets, loss: str, gradients, value, framework: str
) -> Program:
    """A program that builds the network with these parameters and batch, in ``framework``,
    and prints the loss and ``tf.gradients(loss, params)`` flattened in TensorFlow's order."""
    from symgrad.network.model import labels

    if framework not in FRAMEWORKS:
        raise InputError(f"unknown framework {framework!r}; choose one of {', '.join(FRAMEWORKS)}")
    count = len(net.layers)
    names = [f"{w}{i}" for i in range(1, count + 1) for w in ("W", "b")]
    param_list = ", ".join(names)
    shapes = " → ".join([str(net.inputs)] + [f"{la.units} ({la.activation})" for la in net.layers])
    about = (
        f"The network {shapes}, loss {loss}, on a batch of {states.shape[0]} states, in float64."
    )
    about += "\nW1, b1, ... are, in order: " + ", ".join(net.param_names) + "."
    printer = CodePrinter(framework, {})
    forward, out, logits = _net_forward(net, printer)
    loss_line = _NET_LOSSES[_library(framework)][loss].format(y=out, z=logits)
    data = [f"x = {_array_literal(states)}", f"t = {_array_literal(targets)}"]
    values = [_array_literal(params[n]) for n in net.param_names]
    if framework == "numpy":
        code = _numpy_network(
            net, loss, names, values, data, forward, out, logits, loss_line, about, printer
        )
    elif framework == "torch":
        code = (
            _header(f"{TITLES['torch']}: a dense network's loss and gradients.", about)
            + "import torch\n\n"
            + _defs(printer)
            + "".join(
                f"{d.split(' = ')[0]} = torch.tensor({d.split(' = ', 1)[1]}, dtype=torch.float64)\n"
                for d in data
            )
            + "".join(
                f"{n} = torch.tensor({v}, dtype=torch.float64, requires_grad=True)\n"
                for n, v in zip(names, values)
            )
            + "\n"
            + "\n".join(forward)
            + f"\nloss = {loss_line}\n\n"
            + f"grads = torch.autograd.grad(loss, [{param_list}])\n"
            + 'print("value:", float(loss))\n'
            + 'print("gradients:", [float(v) for grad in grads for v in grad.reshape(-1)])\n'
        )
    elif framework == "tf2":
        code = (
            _header(f"{TITLES['tf2']}: a dense network's loss and gradients.", about)
            + "import tensorflow as tf\n\n"
            + _defs(printer)
            + "".join(
                f"{d.split(' = ')[0]} = tf.constant({d.split(' = ', 1)[1]}, dtype=tf.float64)\n"
                for d in data
            )
            + "".join(f"{n} = tf.Variable({v}, dtype=tf.float64)\n" for n, v in zip(names, values))
            + "with tf.GradientTape() as tape:\n"
            + "".join(f"    {line}\n" for line in forward)
            + f"    loss = {loss_line}\n"
            + f"grads = tape.gradient(loss, [{param_list}])\n\n"
            + 'print("value:", float(loss))\n'
            + 'print("gradients:", [float(v) for grad in grads for v in tf.reshape(grad, [-1]).numpy()])\n'
        )
    elif framework == "tf1":
        code = (
            _header(
                f"{TITLES['tf1']}: critic_gradients = tf.gradients(loss, network_params).", about
            )
            + "import tensorflow.compat.v1 as tf\n\ntf.disable_eager_execution()\n\n"
            + _defs(printer)
            + "".join(
                f"{d.split(' = ')[0]} = tf.constant({d.split(' = ', 1)[1]}, dtype=tf.float64)\n"
                for d in data
            )
            + "".join(
                f'{n} = tf.Variable({v}, dtype=tf.float64, name="{n}")\n'
                for n, v in zip(names, values)
            )
            + "\n"
            + "\n".join(forward)
            + f"\nloss = {loss_line}\n\n"
            + f"network_params = [{param_list}]\n"
            + "critic_gradients = tf.gradients(loss, network_params)\n\n"
            + "with tf.Session() as sess:\n"
            + "    sess.run(tf.global_variables_initializer())\n"
            + '    print("value:", float(sess.run(loss)))\n'
            + "    grads = sess.run(critic_gradients)\n"
            + '    print("gradients:", [float(v) for grad in grads for v in grad.reshape(-1)])\n'
        )
    else:  # jax
        code = (
            _header(f"{TITLES['jax']}: a dense network's loss and gradients.", about)
            + 'import jax\n\njax.config.update("jax_enable_x64", True)\n'
            + "import jax.numpy as jnp  # noqa: E402\n\n"
            + _defs(printer)
            + "".join(
                f"{d.split(' = ')[0]} = jnp.array({d.split(' = ', 1)[1]}, dtype=jnp.float64)\n"
                for d in data
            )
            + f"\n\ndef loss_fn({param_list}):\n"
            + "".join(f"    {line}\n" for line in forward)
            + f"    return {loss_line}\n\n\n"
            + "params = ["
            + ", ".join(f"jnp.array({v}, dtype=jnp.float64)" for v in values)
            + "]\n"
            + f"grads = jax.grad(loss_fn, argnums={_tuple(str(k) for k in range(len(names)))})(*params)\n"
            + 'print("value:", float(loss_fn(*params)))\n'
            + 'print("gradients:", [float(v) for grad in grads for v in jnp.ravel(grad)])\n'
        )
    return Program(
        framework=framework,
        code=code,
        variables=tuple(labels(net)),
        value=float(value),
        gradients=tuple(float(g) for g in gradients),
        output="L",
    )


def _numpy_network(
    net, loss, names, values, data, forward, out, logits, loss_line, about, printer
) -> str:
    """The forward pass and the backward recurrences in matrix form, by hand."""
    count = len(net.layers)
    n_k = "x.shape[0]" if net.outputs == 1 else "x.shape[0] * t.shape[1]"
    if loss == "mean_square":
        first = f"(({out} - t) * 2.0 / ({n_k}))"
        if net.layers[-1].activation not in ("linear",):
            first += f" * {_numpy_slope(net.layers[-1].activation, f'z{count}', out, printer)}"
    elif loss == "binary_crossentropy":
        first = f"(a{count} - t) / ({n_k})"
    else:
        first = f"(softmax(z{count}) * t.sum(axis=1, keepdims=True) - t) / x.shape[0]  # p - t"
    back = [f"d{count} = {first}"]
    for i in range(count, 0, -1):
        prev = (
            "x"
            if i == 1
            else (f"a{i - 1}" if net.layers[i - 2].activation != "linear" else f"z{i - 1}")
        )
        back.append(f"grad_W{i} = {prev}.T @ d{i}")
        back.append(f"grad_b{i} = d{i}.sum(axis=0)")
        if i > 1:
            below = net.layers[i - 2]
            slope = _numpy_slope(below.activation, f"z{i - 1}", prev, printer)
            back.append(
                f"d{i - 1} = (d{i} @ W{i}.T) * {slope}"
                if slope != "1.0"
                else f"d{i - 1} = d{i} @ W{i}.T"
            )
    blocks = [printer.definitions()] if printer.helpers else []
    if loss == "categorical_crossentropy":
        blocks.append(
            "def softmax(z):\n    e = np.exp(z - z.max(axis=1, keepdims=True))\n"
            "    return e / e.sum(axis=1, keepdims=True)"
        )
    helpers = "\n\n" + "\n\n\n".join(blocks) + "\n\n\n" if blocks else "\n"
    order = ", ".join(f"grad_{n}" for n in names)
    return (
        _header(f"{TITLES['numpy']}: backpropagation in matrix form.", about)
        + _math_import(printer)
        + "import numpy as np\n"
        + helpers
        + "".join(f"{d.split(' = ')[0]} = np.array({d.split(' = ', 1)[1]})\n" for d in data)
        + "".join(f"{n} = np.array({v})\n" for n, v in zip(names, values))
        + "\n# forward pass\n"
        + "\n".join(forward)
        + f"\nloss = {loss_line}\n"
        + "\n# backward pass: d_l = dL/dz_l, dL/dW_l = a_(l-1)^T d_l, d_(l-1) = (d_l W_l^T) * act'(z_(l-1))\n"
        + "\n".join(back)
        + '\n\nprint("value:", float(loss))\n'
        + f'print("gradients:", [float(v) for grad in ({order}) for v in grad.reshape(-1)])\n'
    )


def _numpy_slope(activation: str, z: str, a: str, printer: CodePrinter) -> str:
    """act'(z) element-wise: from the output a where a course writes it so, else the record's
    derivative of the activation, printed as NumPy."""
    from symgrad.functions import ACTIVATIONS, record_of

    known = {
        "relu": f"({z} > 0)",  # 0 at the kink, as relu'(0) in the frameworks
        "tanh": f"(1.0 - {a} ** 2)",
        "sigmoid": f"({a} * (1.0 - {a}))",
        "linear": "1.0",
    }
    if activation in known:
        return known[activation]
    symbol = sp.Symbol(z)
    printer.names[symbol] = z
    built = ACTIVATIONS[activation](symbol)
    return f"({printer.code(record_of(built).derivative(*built.args))})"
