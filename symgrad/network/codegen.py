"""Fast numeric evaluators for big gradients that symgrad itself built.

A gradient of a network with thousands of parameters is one straight-line
program: assignments (``t3 = tanh(t2)``) followed by outputs. :func:`compile_program`
runs SymPy's common-subexpression elimination over it, renames every symbol
to a name symgrad generated (``s0`` for a per-sample input, ``p0`` for a
parameter, ``t0`` for a temporary), prints numpy code for the result and
compiles it. No text a user typed reaches the generated code: only these
names and numbers SymPy printed.

The evaluator runs over a batch in chunks (so memory stays bounded however
big the batch) and sums each output over the batch. :meth:`Program.exact`
evaluates the same program exactly with SymPy, one sample at a time, for
small batches.

>>> from symgrad.parse import variable
>>> x, w = variable("x"), variable("w")
>>> prog = compile_program([(w * x - 1) ** 2, 2 * x * (w * x - 1)], samples=[x], params=[w])
>>> import numpy as np
>>> prog.evaluate(np.array([[1.0], [2.0]]), np.array([3.0])).tolist()
[29.0, 24.0]
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import sympy as sp

__all__ = ["Program", "compile_program", "activation_function", "NUMPY_FORMS", "CHUNK"]

CHUNK = 2048  # samples per chunk: a few hundred kB per temporary, so they stay in cache


# How generated code prints the functions NumPy lacks (``{0}`` is the argument): the one
# place where symgrad's own functions, and so every network activation, become numpy code.
NUMPY_FORMS: dict[str, str] = {
    "relu": "numpy.maximum({0}, 0.0)",
    "sigmoid": "(0.5 + 0.5*numpy.tanh(0.5*{0}))",
    "softplus": "numpy.logaddexp(0.0, {0})",
    # Heaviside(z, 0): 0 at the kink, as relu's derivative is in TensorFlow.
    "Heaviside": "numpy.greater({0}, 0.0)",
    "logaddexp": "numpy.logaddexp({0}, {1})",  # softmax's log Σ e^z, stable
}


def _printer():
    from sympy.printing.numpy import NumPyPrinter

    def form(template: str):
        def print_function(self, e):
            return template.format(*(self.parenthesize(a, 100) for a in e.args))

        return print_function

    methods = {f"_print_{name}": form(t) for name, t in NUMPY_FORMS.items()}
    printer_class = type("_Printer", (NumPyPrinter,), methods)
    return printer_class({"fully_qualified_modules": True, "allow_unknown_functions": False})


@functools.cache
def activation_function(name: str) -> Callable[[Any], Any]:
    """The network activation ``name`` as a numpy function, printed from its SymPy form.

    >>> import numpy as np
    >>> activation_function("relu")(np.array([-1.0, 2.0])).tolist()
    [0.0, 2.0]
    """
    from symgrad.functions import ACTIVATIONS

    z = sp.Symbol("z", real=True)
    source = f"def _activation(z):\n    return {_printer().doprint(ACTIVATIONS[name](z))}\n"
    import numpy

    namespace: dict[str, Any] = {"numpy": numpy}
    exec(compile(source, "<symgrad generated>", "exec"), namespace)  # noqa: S102
    return namespace["_activation"]


class Program:
    """A compiled straight-line program: per-sample inputs, parameters, outputs summed over a batch."""

    def __init__(
        self,
        samples: tuple[sp.Symbol, ...],
        params: tuple[sp.Symbol, ...],
        assignments: tuple[tuple[sp.Symbol, sp.Expr], ...],
        outputs: tuple[sp.Expr, ...],
        source: str,
    ):
        self.samples = samples
        self.params = params
        self.assignments = assignments
        self.outputs = outputs
        self.source = source
        self._fn = None

    def __reduce__(self):  # the compiled function is rebuilt on the other side of a pipe
        return (Program, (self.samples, self.params, self.assignments, self.outputs, self.source))

    @property
    def function(self):
        if self._fn is None:
            import numpy

            namespace: dict[str, Any] = {"numpy": numpy}
            exec(compile(self.source, "<symgrad generated>", "exec"), namespace)  # noqa: S102
            self._fn = namespace["_program"]
        return self._fn

    def evaluate(self, samples: Any, params: Any, chunk: int = CHUNK) -> Any:
        """Each output summed over the batch: ``samples`` has shape (batch, inputs).

        Float64 throughout; the batch is processed ``chunk`` samples at a time.
        """
        import numpy as np

        data = np.ascontiguousarray(np.asarray(samples, dtype=np.float64).T)
        p = [float(v) for v in np.asarray(params, dtype=np.float64).ravel()]
        total = np.zeros(len(self.outputs))
        fn = self.function
        n = data.shape[1]
        with np.errstate(all="ignore"):
            for start in range(0, n, chunk):
                block = data[:, start : start + chunk]
                total += fn(block, p, block.shape[1])
        return total

    def exact(self, samples: Sequence[Sequence[sp.Expr]], params: Sequence[sp.Expr]):
        """Each output exactly, per sample: a list (one per sample) of lists of SymPy numbers.

        Irrational intermediate values are carried with 40 significant digits.
        """
        from symgrad.exact import settle

        base = dict(zip(self.params, params))
        rows = []
        for row in samples:
            env = base | dict(zip(self.samples, row))
            for sym, expr in self.assignments:
                env[sym] = settle(expr.xreplace(env))
            rows.append([settle(out.xreplace(env)) for out in self.outputs])
        return rows


def compile_program(
    outputs: Sequence[sp.Expr],
    samples: Sequence[sp.Symbol],
    params: Sequence[sp.Symbol],
    assignments: Sequence[tuple[sp.Symbol, sp.Expr]] = (),
) -> Program:
    """Common subexpressions out, symgrad's own names in, numpy code compiled.

    ``assignments`` are earlier definitions (in order) the outputs may use.
    """
    samples, params = tuple(samples), tuple(params)
    defined = [s for s, _ in assignments]
    temps = sp.numbered_symbols("_cse")
    replaced, reduced = sp.cse(
        [e for _, e in assignments] + list(outputs), symbols=temps, order="none"
    )
    # cse's temporaries and the given assignments may refer to each other: order them so
    # that every name is assigned before it is used.
    k = len(assignments)
    body = _in_dependency_order(list(replaced) + list(zip(defined, reduced[:k])))
    outs = reduced[k:]
    names: dict[sp.Symbol, sp.Symbol] = {}
    for i, s in enumerate(samples):
        names[s] = sp.Symbol(f"s{i}", real=True)
    for i, s in enumerate(params):
        names[s] = sp.Symbol(f"p{i}", real=True)
    for i, (s, _) in enumerate(body):
        names[s] = sp.Symbol(f"t{i}", real=True)
    printer = _printer()
    lines = ["def _program(S, P, n):"]
    lines += [f"    s{i} = S[{i}]" for i in range(len(samples))]
    if params:
        lines.append(
            f"    {', '.join(f'p{i}' for i in range(len(params)))}{',' if len(params) == 1 else ''} = P"
        )
    sample_dependent = set(samples)
    for s, e in body:
        if e.free_symbols & sample_dependent:
            sample_dependent.add(s)
    lines += _assignments(body, names, printer, sample_dependent)
    lines += _reductions(outs, names, printer, sample_dependent)
    source = "\n".join(lines) + "\n"
    return Program(samples, params, tuple(body), tuple(outs), source)


def _in_dependency_order(items: list[tuple[sp.Symbol, sp.Expr]]) -> list[tuple[sp.Symbol, sp.Expr]]:
    """Kahn's topological sort, stable: keeps the given order where it is already valid."""
    import heapq

    position = {s: i for i, (s, _) in enumerate(items)}
    users: dict[int, list[int]] = {}
    waiting = []
    for i, (_, e) in enumerate(items):
        deps = {position[d] for d in e.free_symbols if d in position}
        waiting.append(len(deps))
        for d in deps:
            users.setdefault(d, []).append(i)
    ready = [i for i, n in enumerate(waiting) if n == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        i = heapq.heappop(ready)
        order.append(items[i])
        for u in users.get(i, ()):
            waiting[u] -= 1
            if waiting[u] == 0:
                heapq.heappush(ready, u)
    if len(order) != len(items):  # pragma: no cover - symgrad never builds a cycle
        raise ValueError("the program's assignments refer to each other in a cycle")
    return order


MIN_BLOCK = 16  # linear combinations (rows x inputs) worth one matrix product


def _linear(e: sp.Expr, varying: set) -> tuple[dict, sp.Expr] | None:
    """``e`` as ``Σ coefficient⋅symbol + constant`` over sample-dependent symbols, if it is one."""
    coefs: dict[sp.Symbol, sp.Expr] = {}
    const = []
    for term in e.args if e.is_Add else (e,):
        dep = [a for a in (term.args if term.is_Mul else (term,)) if a.free_symbols & varying]
        if not dep:
            const.append(term)
        elif len(dep) == 1 and dep[0].is_Symbol:
            coefs[dep[0]] = coefs.get(dep[0], sp.S.Zero) + term / dep[0]
        else:
            return None
    return (coefs, sp.Add(*const)) if len(coefs) > 1 else None


def _assignments(body, names, printer, varying) -> list[str]:
    """One line per assignment; runs of linear combinations of the same inputs become one
    matrix product (``numpy.dot``), emitted where the first of them stood."""
    groups: dict[frozenset, list] = {}
    linear = {}
    for s, e in body:
        if s in varying:
            form = _linear(e, varying)
            if form is not None:
                linear[s] = form
                groups.setdefault(frozenset(form[0]), []).append(s)
    blocks = {}
    for key, members in groups.items():
        if len(members) * len(key) >= MIN_BLOCK and len(members) > 1:
            blocks[members[0]] = (sorted(key, key=lambda x: names[x].name), members)
    grouped = {m for _, members in blocks.values() for m in members}
    lines = []
    doprint = lambda e: printer.doprint(e.xreplace(names))  # noqa: E731
    for s, e in body:
        if s in blocks:
            sources, members = blocks[s]
            rows = ", ".join(
                "[" + ", ".join(doprint(linear[m][0].get(src, sp.S.Zero)) for src in sources) + "]"
                for m in members
            )
            inputs = ", ".join(str(names[src]) for src in sources)
            lines.append(f"    _z = numpy.dot(numpy.array([{rows}]), numpy.stack(({inputs},)))")
            consts = [linear[m][1] for m in members]
            if any(c != 0 for c in consts):
                column = ", ".join(f"[{doprint(c)}]" for c in consts)
                lines.append(f"    _z += numpy.array([{column}])")
            lines.append(f"    {', '.join(str(names[m]) for m in members)}, = _z")
        elif s not in grouped:
            lines.append(f"    {names[s]} = {doprint(e)}")
    return lines


def _reductions(outs, names, printer, varying) -> list[str]:
    """The sums over the chunk; sums of products ``u⋅v`` for a grid of ``u`` and ``v`` (the
    weight gradients of a layer) become one matrix product."""
    pairs = {}
    for k, e in enumerate(outs):
        if e.is_Mul:
            dep = [a for a in e.args if a.free_symbols & varying]
            if len(dep) == 2 and all(a.is_Symbol for a in dep):
                const = sp.Mul(*[a for a in e.args if a not in dep])
                u, v = sorted(dep, key=lambda x: names[x].name)
                pairs[k] = (u, v, const)
    partners: dict = {}
    for u, v, _ in pairs.values():
        partners.setdefault(u, set()).add(v)
    grids: dict[frozenset, list] = {}
    for u, vs in partners.items():
        grids.setdefault(frozenset(vs), []).append(u)
    lines, where = [], {}
    for g, (vs, us) in enumerate(grids.items()):
        if len(vs) * len(us) < MIN_BLOCK:
            continue
        vlist = sorted(vs, key=lambda x: names[x].name)
        ustack = ", ".join(str(names[u]) for u in us)
        vstack = ", ".join(str(names[v]) for v in vlist)
        lines.append(f"    _g{g} = numpy.dot(numpy.stack(({ustack},)), numpy.stack(({vstack},)).T)")
        for i, u in enumerate(us):
            for j, v in enumerate(vlist):
                where[(u, v)] = f"_g{g}[{i}, {j}]"
    results = []
    for k, e in enumerate(outs):
        if k in pairs and (pairs[k][0], pairs[k][1]) in where:
            u, v, const = pairs[k]
            cell = where[(u, v)]
            results.append(
                cell if const == 1 else f"({printer.doprint(const.xreplace(names))})*{cell}"
            )
        else:
            results.append(_reduction(e, names, printer, varying))
    lines.append(f"    return ({', '.join(results)}{',' if len(results) == 1 else ''})")
    return lines


def _reduction(e: sp.Expr, names, printer, sample_dependent) -> str:
    """numpy code for the sum of ``e`` over the chunk (``n`` samples)."""
    if not (e.free_symbols & sample_dependent):
        return f"n*({printer.doprint(e.xreplace(names))})"
    if e.is_Mul:
        varying = [a for a in e.args if a.free_symbols & sample_dependent]
        const = [a for a in e.args if not (a.free_symbols & sample_dependent)]
        if len(varying) == 2 and all(a.is_Symbol for a in varying):
            a, b = (printer.doprint(v.xreplace(names)) for v in varying)
            dot = f"numpy.dot({a}, {b})"
            if const:
                return f"({printer.doprint(sp.Mul(*const).xreplace(names))})*{dot}"
            return dot
    if e.is_Symbol:
        return f"numpy.sum({names[e]})"
    return f"numpy.sum({printer.doprint(e.xreplace(names))})"
