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
import re
from collections.abc import Callable, Sequence
from typing import Any

import sympy as sp

__all__ = [
    "Program",
    "compile_program",
    "activation_function",
    "blas_threads",
    "CHUNK",
]

CHUNK = 2048  # samples per chunk: a few hundred kB per temporary, so they stay in cache


def _printer():
    from sympy.printing.numpy import NumPyPrinter

    from symgrad.functions import REGISTRY

    def method(record):
        def print_call(self, e):
            return record.code_for(*(self._print(a) for a in e.args))

        return print_call

    # Every function prints as its record says (symgrad.functions), so a new function, and
    # so every network activation, needs no code here.
    methods = {
        f"_print_{f.head.__name__}": method(f)
        for f in REGISTRY
        if f.head is not None and (f.code or isinstance(f.numpy, str))
    }
    # softmax's log Σ e^z (symgrad.network.softmax), evaluated without overflow
    methods["_print_logaddexp"] = lambda self, e: "numpy.logaddexp({}, {})".format(
        *(self._print(a) for a in e.args)
    )
    printer = type("_Printer", (NumPyPrinter,), methods)
    return printer({"fully_qualified_modules": True, "allow_unknown_functions": False})


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
    import math

    import numpy

    namespace: dict[str, Any] = {"numpy": numpy, "math": math}
    exec(compile(source, "<symgrad generated>", "exec"), namespace)  # noqa: S102
    return namespace["_activation"]


#: Below this many multiply-adds per matrix product (units² x states of one chunk) one BLAS
#: thread is faster than several: the product is too small to split well, and on a busy
#: machine a second thread mostly waits (measured: 2 threads cost 6x the CPU time of one
#: on 100,000 states of a 2,017-parameter network on a loaded 2-core machine).
ONE_THREAD_BELOW = 2**28


def blas_threads(work: int):
    """A context that runs numpy's BLAS on one thread for small work, as it is for large."""
    import contextlib

    if work >= ONE_THREAD_BELOW:
        return contextlib.nullcontext()
    controller = _controller()
    if controller is None:  # pragma: no cover - threadpoolctl is a dependency
        return contextlib.nullcontext()
    blas = [lib for lib in controller.lib_controllers if lib.user_api == "blas"]
    if all(lib.num_threads == 1 for lib in blas):  # already one thread: nothing to change
        return contextlib.nullcontext()
    return controller.limit(limits=1, user_api="blas")


@functools.cache
def _controller():
    """threadpoolctl's view of the loaded BLAS libraries, looked up once (it scans them)."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover
        return None
    import numpy  # noqa: F401 - its BLAS must be loaded to be found

    return ThreadpoolController()


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
            import math

            import numpy

            namespace: dict[str, Any] = {"numpy": numpy, "math": math}
            exec(compile(self.source, "<symgrad generated>", "exec"), namespace)  # noqa: S102
            self._fn = namespace["_program"]
        return self._fn

    def evaluate(self, samples: Any, params: Any, chunk: int = CHUNK) -> Any:
        """Each output summed over the batch: ``samples`` has shape (batch, inputs).

        Float64 throughout; the batch is processed ``chunk`` samples at a time.
        """
        import numpy as np

        data = np.ascontiguousarray(np.asarray(samples, dtype=np.float64).T)
        flat = np.asarray(params, dtype=np.float64).ravel()
        pa = np.append(flat, 0.0)  # the parameters, then a 0 for the zeros of sparse matrices
        total = np.zeros(len(self.outputs))
        fn = self.function
        n = data.shape[1]
        chunk = max(1, min(chunk, n))
        with np.errstate(all="ignore"), blas_threads(chunk * len(self.params)):
            for start in range(0, n, chunk):
                block = data[:, start : start + chunk]
                total += fn(block, block.shape[1], pa)
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
    exprs = [e for _, e in assignments] + list(outputs)
    # A sum of products of names (a layer's z, a backward sum, a weight's gradient) has no
    # subexpression worth naming; cse over tens of thousands of them found nothing and was
    # nine tenths of the build. Only the other expressions go through it.
    flat = [_flat(e) for e in exprs]
    replaced, reduced_rest = sp.cse(
        [e for e, f in zip(exprs, flat) if not f], symbols=temps, order="none"
    )
    rest = iter(reduced_rest)
    reduced = [e if f else next(rest) for e, f in zip(exprs, flat)]
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
    defaults: list[str] = []  # index arrays, built once when the function is defined
    lines = [f"    s{i} = S[{i}]" for i in range(len(samples))]
    sample_dependent = set(samples)
    for s, e in body:
        if e.free_symbols & sample_dependent:
            sample_dependent.add(s)
    index = {names[p]: i for i, p in enumerate(params)}
    rows = _Rows(defaults, index, names)
    lines += _assignments(body, names, printer, sample_dependent, index, defaults, rows)
    lines += _reductions(outs, names, printer, sample_dependent, defaults, rows)
    lines = _without_unused_unpacking(lines)
    used = sorted({int(m) for m in re.findall(r"\bp(\d+)\b", "\n".join(lines))})
    if used:  # only the parameters the code names one by one (the rest are used as arrays)
        unpack = f"    {', '.join(f'p{i}' for i in used)}, = PA[{used}].tolist()"
        lines.insert(len(samples), unpack)
    header = ", ".join(["S", "n", "PA", *defaults])
    source = f"def _program({header}):\n" + "\n".join(lines) + "\n"
    return Program(samples, params, tuple(body), tuple(outs), source)


_UNPACK = re.compile(r"    ((?:\w+, )+)= (\w+)$")
_NAME = re.compile(r"[A-Za-z_]\w*")


def _without_unused_unpacking(lines: list[str]) -> list[str]:
    """Drop the lines ``t0, t2, ..., = _v1`` none of whose names any other line uses.

    A vectorised layer names its rows in case later scalar code needs one; in a
    wide layer nothing does, and unpacking 2,000 rows cost more than the layer's
    arithmetic over a few states.
    """
    unpacked = [_UNPACK.match(line) for line in lines]
    uses = set(
        _NAME.findall("\n".join(m.group(2) if m else line for m, line in zip(unpacked, lines)))
    )
    return [
        line
        for m, line in zip(unpacked, lines)
        if m is None or any(name in uses for name in m.group(1).split(", ") if name)
    ]


def _product_of_names(e: sp.Expr) -> bool:
    return (
        e.is_Symbol or e.is_Number or (e.is_Mul and all(a.is_Symbol or a.is_Number for a in e.args))
    )


def _flat(e: sp.Expr) -> bool:
    """Is ``e`` a name, a number, a product of them, or a sum of such products?"""
    if e.is_Add:
        return all(_product_of_names(a) for a in e.args)
    return _product_of_names(e)


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
    parts: dict[sp.Symbol, list] = {}
    const = []
    for term in e.args if e.is_Add else (e,):
        factors = term.args if term.is_Mul else (term,)
        dep = [a for a in factors if a.free_symbols & varying]
        if not dep:
            const.append(term)
        elif len(dep) == 1 and dep[0].is_Symbol:
            # The coefficient is the other factors (no division: it is the same product).
            rest = [a for a in factors if a is not dep[0]]
            parts.setdefault(dep[0], []).append(rest[0] if len(rest) == 1 else sp.Mul(*rest))
        else:
            return None
    if len(parts) < 2:
        return None
    coefs = {s: terms[0] if len(terms) == 1 else sp.Add(*terms) for s, terms in parts.items()}
    return coefs, sp.Add(*const)


def _index_matrix(entries, names, index) -> list | None:
    """Positions in ``PA`` (the parameters, then a 0) of a matrix of parameters and zeros."""
    out = []
    for row in entries:
        out.append([])
        for e in row:
            if e == 0:
                out[-1].append(len(index))
            elif e.is_Symbol and names.get(e) in index:
                out[-1].append(index[names[e]])
            else:
                return None
    return out


def _slots(expr: sp.Basic, slots: dict) -> object:
    """A hashable key for the tree of ``expr`` with its symbols numbered by first appearance."""
    if expr.is_Symbol:
        return ("$", slots.setdefault(expr, len(slots)))
    if not expr.args:
        return expr
    return (expr.func, *(_slots(a, slots) for a in expr.args))


class _Rows:
    """Which scalar temporaries are rows of a stacked array in the generated code."""

    def __init__(self, defaults: list[str], index: dict, names: dict):
        self.where: dict[sp.Symbol, tuple[str, int]] = {}
        self.size: dict[str, int] = {}
        self.defaults, self.index, self.names = defaults, index, names

    def add(self, array: str, members: Sequence[sp.Symbol]) -> None:
        self.size[array] = len(members)
        for i, m in enumerate(members):
            self.where[m] = (array, i)

    def constant(self, values: list) -> str:
        self.defaults.append(f"_X{len(self.defaults)}=numpy.array({values})")
        return self.defaults[-1].split("=")[0]

    def stacked(self, symbols: Sequence[sp.Symbol], lines: list[str]) -> str | None:
        """Code for the array whose rows are ``symbols``, if they are rows of one array."""
        places = [self.where.get(x) for x in symbols]
        if any(p is None for p in places) or len({p[0] for p in places}) != 1:
            return None
        array = places[0][0]
        rows = [p[1] for p in places]
        if rows == list(range(self.size[array])):
            return array
        return f"{array}[{self.constant(rows)}]"

    def params(self, symbols: Sequence[sp.Symbol]) -> str | None:
        """Code for a column of parameters, one per row."""
        if not all(self.names.get(x) in self.index for x in symbols):
            return None
        return f"PA[{self.constant([self.index[self.names[x]] for x in symbols])}][:, None]"


def _vectorise(s, e, body_at, bucket, rows: _Rows, position, varying, done, printer, lines):
    """Emit ``s = e`` together with every later assignment of the same shape whose inputs
    are rows of the same arrays (or parameters, or one shared value): one numpy operation
    on a stacked array instead of one per unit. Returns False if there is no such group."""
    slots: dict = {}
    key = _slots(e, slots)
    first = list(slots)

    def kinds(symbols):
        out = []
        for x in symbols:
            if x in rows.where:
                out.append(("row", rows.where[x][0]))
            elif rows.names.get(x) in rows.index:
                out.append(("param",))
            elif position.get(x, -1) < position[s]:
                out.append(("same", x))
            else:
                return None
        return out

    want = kinds(first)
    if want is None or not any(k[0] in ("row", "param") for k in want):
        return False
    members = [(s, first)]
    for other in bucket:
        if other in done or other == s:
            continue
        other_slots: dict = {}
        if _slots(body_at[other], other_slots) != key:
            continue
        symbols = list(other_slots)
        if kinds(symbols) == want:
            members.append((other, symbols))
    if len(members) < 2:
        return False
    replacement = {}
    for j, kind in enumerate(want):
        column = [symbols[j] for _, symbols in members]
        if kind[0] == "row":
            code = rows.stacked(column, lines)
        elif kind[0] == "param":
            code = rows.params(column)
        else:
            code = str(rows.names[kind[1]])
        if code is None:
            return False
        name = f"_r{len(rows.size)}_{j}"
        lines.append(f"    {name} = {code}")
        replacement[first[j]] = sp.Symbol(name, real=True)
    array = f"_v{len(rows.size)}"
    lines.append(f"    {array} = {printer.doprint(e.xreplace(replacement))}")
    targets = [m for m, _ in members]
    rows.add(array, targets)
    lines.append(f"    {', '.join(str(rows.names[m]) for m in targets)}, = {array}")
    done.update(targets)
    return True


def _assignments(body, names, printer, varying, index, defaults, rows: _Rows) -> list[str]:
    """One line per assignment; runs of linear combinations of the same inputs become one
    matrix product (``numpy.dot``), emitted where the first of them stood, and runs of the
    same operation on rows of one array (an activation over a layer) one array operation.
    A matrix of parameters is taken from the parameter array by an index array made once."""
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
        if len(members) * len(key) >= MIN_BLOCK:
            blocks[members[0]] = (sorted(key, key=lambda x: names[x].name), members)
    grouped = {m for _, members in blocks.values() for m in members}
    position = {s: i for i, (s, _) in enumerate(body)}
    body_at = dict(body)
    buckets: dict[object, list] = {}
    for s, e in body:
        if s in varying and s not in grouped:
            buckets.setdefault(_slots(e, {}), []).append(s)
    done: set = set()
    lines = []
    doprint = lambda e: printer.doprint(e.xreplace(names))  # noqa: E731
    for s, e in body:
        if s in blocks:
            sources, members = blocks[s]
            entries = [[linear[m][0].get(src, sp.S.Zero) for src in sources] for m in members]
            positions = _index_matrix(entries, names, index)
            if positions is not None:
                defaults.append(f"_M{len(defaults)}=numpy.array({positions})")
                matrix = f"PA[{defaults[-1].split('=')[0]}]"
            else:
                text = ", ".join("[" + ", ".join(doprint(e) for e in row) + "]" for row in entries)
                matrix = f"numpy.array([{text}])"
            inputs = rows.stacked(sources, lines)
            if inputs is None:
                inputs = f"numpy.stack(({', '.join(str(names[src]) for src in sources)},))"
            z = f"_z{len(rows.size)}"
            lines.append(f"    {z} = numpy.dot({matrix}, {inputs})")
            consts = [linear[m][1] for m in members]
            if any(c != 0 for c in consts):
                positions = _index_matrix([[c] for c in consts], names, index)
                if positions is not None:
                    defaults.append(f"_M{len(defaults)}=numpy.array({positions})")
                    lines.append(f"    {z} += PA[{defaults[-1].split('=')[0]}]")
                else:
                    column = ", ".join(f"[{doprint(c)}]" for c in consts)
                    lines.append(f"    {z} += numpy.array([{column}])")
            rows.add(z, members)
            lines.append(f"    {', '.join(str(names[m]) for m in members)}, = {z}")
        elif s in grouped or s in done:
            continue
        elif s in varying and _vectorise(
            s,
            e,
            body_at,
            buckets.get(_slots(e, {}), ()),
            rows,
            position,
            varying,
            done,
            printer,
            lines,
        ):
            continue
        else:
            lines.append(f"    {names[s]} = {doprint(e)}")
    return lines


def _reductions(outs, names, printer, varying, defaults, rows: _Rows) -> list[str]:
    """The sums over the chunk; sums of products ``u⋅v`` for a grid of ``u`` and ``v`` (the
    weight gradients of a layer) become one matrix product."""
    pairs = {}
    for k, e in enumerate(outs):
        if e.is_Mul:
            dep = [a for a in e.args if a.free_symbols & varying]
            if len(dep) == 2 and all(a.is_Symbol for a in dep):
                const = sp.Mul(*[a for a in e.args if a not in dep])
                # Oriented by the arrays the two come from, so that a layer's weight
                # gradients form one grid (one matrix product), not many small ones.
                u, v = sorted(dep, key=lambda x: (*rows.where.get(x, ("~", 0)), names[x].name))
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
        ustack = (
            rows.stacked(us, lines) or f"numpy.stack(({', '.join(str(names[u]) for u in us)},))"
        )
        vstack = (
            rows.stacked(vlist, lines)
            or f"numpy.stack(({', '.join(str(names[v]) for v in vlist)},))"
        )
        lines.append(f"    _g{g} = numpy.dot({ustack}, {vstack}.T)")
        for i, u in enumerate(us):
            for j, v in enumerate(vlist):
                where[(u, v)] = (g, i * len(vlist) + j)
    # Cells of one grid with one constant factor go into the output array in one step.
    gathered: dict[tuple, tuple[list, list]] = {}
    for k in range(len(outs)):
        if k in pairs and (pairs[k][0], pairs[k][1]) in where:
            u, v, const = pairs[k]
            g, cell = where[(u, v)]
            targets, cells = gathered.setdefault((g, const), ([], []))
            targets.append(k)
            cells.append(cell)
    lines.append(f"    _out = numpy.empty({len(outs)})")
    done = set()
    for (g, const), (targets, cells) in gathered.items():
        defaults.append(f"_O{len(defaults)}=numpy.array({targets})")
        o = defaults[-1].split("=")[0]
        defaults.append(f"_I{len(defaults)}=numpy.array({cells})")
        i = defaults[-1].split("=")[0]
        factor = "" if const == 1 else f"({printer.doprint(const.xreplace(names))})*"
        lines.append(f"    _out[{o}] = {factor}_g{g}.ravel()[{i}]")
        done.update(targets)
    sums: dict[str, tuple[list, list]] = {}  # sums of rows of one array: one call
    for k, e in enumerate(outs):
        if k not in done and e.is_Symbol and e in varying and e in rows.where:
            array, row = rows.where[e]
            targets, members = sums.setdefault(array, ([], []))
            targets.append(k)
            members.append(e)
    for targets, members in sums.values():
        if len(targets) < 2:
            continue
        stacked = rows.stacked(members, lines)
        lines.append(f"    _out[{rows.constant(targets)}] = numpy.sum({stacked}, axis=1)")
        done.update(targets)
    for k, e in enumerate(outs):
        if k not in done:
            lines.append(f"    _out[{k}] = {_reduction(e, names, printer, varying)}")
    lines.append("    return _out")
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
