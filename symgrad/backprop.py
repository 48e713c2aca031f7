"""The computation graph a framework builds, run forward and walked backward.

:func:`graph` parses the expression as it was typed (structurally, as
TensorFlow builds it: ``w - w + x`` keeps ``w``), makes one node per
operation (a subexpression typed twice, or a variable used twice, is one node
with several out-edges), computes every node's forward value, every edge's
local derivative and every node's adjoint ``grad(n) = ∂y/∂n`` by the
backward pass, and checks the inputs' adjoints against the exact gradient of
:func:`symgrad.grad`. Where paths fan in, the adjoint is the sum of one term
per out-edge, and the result writes that sum out:

>>> g = graph("w*w + 2", at="w=10")
>>> [(n.name, n.formula, n.value) for n in g.nodes]
[('w', 'w', 10.0), ('v1', 'w⋅w', 100.0), ('y', 'v1 + 2', 102.0)]
>>> g.node("w").sum_text()
'1⋅10 + 1⋅10 = 20'
>>> g.gradients()
[20.0]

Every number is exact (SymPy at the exact point) and converted to a float
only for display, like :func:`symgrad.grad`. A variable the output does not
reach is in the graph as an input without edges, and its gradient is
TensorFlow's ``None``:

>>> graph("x*x", at="x=3,v=1").gradients()
[6.0, None]

``Graph.with_picture(path)`` draws the graph with matplotlib (a layered
layout, no graphviz), for graphs of up to :data:`MAX_DRAWN` nodes. The module
is ``symgrad.backprop`` so that ``symgrad.graph`` stays the function.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import sympy as sp

from symgrad.derive import as_parsed, differentiate, exact_point, grad, to_float
from symgrad.errors import EXIT_MATH, EXIT_OK, InputError, LimitError
from symgrad.parse import parse, variable
from symgrad.printing import inline, pretty
from symgrad.render import StyledLines
from symgrad.result import GradientResult
from symgrad.special import off_jumps

__all__ = ["Edge", "Graph", "Node", "graph", "graph_tree", "structural", "MAX_DRAWN", "MAX_NODES"]

#: Largest graph the table and JSON show (the parser's length limit allows about this many).
MAX_NODES = 600
#: Largest graph :meth:`Graph.plot` draws: beyond this the boxes get too small to read.
MAX_DRAWN = 40
PICTURE_SUFFIXES = (".png", ".svg")
#: CPU seconds the parse as typed may take before the graph uses SymPy's tree (ms normally).
STRUCTURE_BUDGET = 0.5


def structural(text: str, assigned: Sequence[str] = ()) -> sp.Expr:
    """The expression as typed: symgrad's parser with SymPy's evaluation switched off.

    Nothing cancels or merges, so the tree is the graph a framework builds:

    >>> structural("w - w + x")
    -w + w + x
    >>> len(structural("w - w + x").args)
    3
    """
    with sp.evaluate(False):
        return parse(text, assigned=assigned).expr


def graph_tree(text: str, assigned: Sequence[str] = ()) -> tuple[sp.Expr, bool]:
    """The tree a graph is built from, and whether it is the structure as typed.

    SymPy answers some questions about unevaluated constants slowly or never
    (the parser's ``is_zero`` of a divisor such as ``(1 + softplus(2)²)²``, or
    ``1 + 2/(1 + 2²)²``, evaluates without end when evaluation is off); after
    :data:`STRUCTURE_BUDGET` seconds of CPU time such an expression, which the
    ordinary parse accepted, is built from SymPy's tree instead, and the graph
    says so.

    >>> graph_tree("w - w + x")
    (-w + w + x, True)
    >>> graph_tree("x/(1 + 2^3/(1 + softplus(2)^2)^2)")[1]
    False
    """
    from symgrad.guard import BudgetExceededError, cpu_budget

    try:
        with cpu_budget(STRUCTURE_BUDGET):
            return structural(text, assigned), True
    except (LimitError, BudgetExceededError):
        return parse(text, assigned=assigned).expr, False


@dataclass(frozen=True)
class Edge:
    """An edge from an input node to the node that uses it, with its local derivative."""

    source: str
    target: str
    slot: int  # which argument of the target (w⋅w has two edges from w)
    derivative: str  # ∂target/∂source as a formula of the target's inputs
    exact: sp.Expr  # its exact value at the point
    value: float | None
    expression: sp.Expr = field(default=sp.S.One, compare=False)  # the formula, as SymPy

    def to_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "target": self.target,
            "slot": self.slot,
            "local_derivative": self.derivative,
            "exact": sp.sstr(self.exact),
            "value": self.value,
        }


@dataclass(frozen=True)
class Node:
    """One node of the tape: an input, a constant output, or one operation."""

    name: str
    kind: str  # "variable", "constant" or "operation"
    op: str  # "input", "constant", "add", "mul", "div", "neg", "pow", "exp", "sin", ...
    formula: str  # in terms of the input nodes' names, e.g. "v1 + 2"
    inputs: tuple[str, ...]
    depth: int  # longest path from an input: the layer it is drawn in
    exact: sp.Expr
    value: float | None
    adjoint: sp.Expr | None  # exact ∂y/∂node; None when y does not reach it
    grad: float | None
    terms: tuple[tuple[str, float | None, float | None], ...] = ()  # (consumer, its grad, local)
    #: The operation as SymPy, in terms of the input nodes' names (unevaluated as typed).
    expression: sp.Expr = field(default=sp.S.Zero, compare=False)

    @property
    def connected(self) -> bool:
        return self.adjoint is not None

    def sum_text(self) -> str:
        """The backward pass's sum for this node: one product per out-edge, then the total.

        >>> graph("x*sin(x)", at="x=0").node("x").sum_text()
        '1⋅0 + 0⋅1 = 0'
        """
        if self.adjoint is None:
            return "None"
        total = _num(self.grad, self.adjoint)
        if not self.terms:
            return total
        products = " + ".join(f"{_factor(g)}⋅{_factor(d)}" for _, g, d in self.terms)
        return f"{products} = {total}"

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "kind": self.kind,
            "op": self.op,
            "formula": self.formula,
            "inputs": list(self.inputs),
            "depth": self.depth,
            "exact": sp.sstr(self.exact),
            "value": self.value,
            "grad_exact": sp.sstr(self.adjoint) if self.adjoint is not None else None,
            "grad": self.grad,
            "grad_terms": [
                {"consumer": c, "consumer_grad": g, "local_derivative": d} for c, g, d in self.terms
            ],
        }


@dataclass(frozen=True)
class Graph(StyledLines):
    """A computation graph at a point: the tape forward, the adjoints backward, the check."""

    expr: sp.Expr  # as SymPy evaluates it
    typed: str  # the expression as typed, which the graph is built from (see structural)
    output: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    gradient: GradientResult  # symgrad.grad's exact answer, which the adjoints are checked against
    agrees: tuple[tuple[str, bool | None], ...]  # per variable of the var list
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    picture: str | None = field(default=None, compare=False)
    #: The text the graph was parsed from (None for a SymPy expression), to build it again.
    typed_source: str | None = None

    # -- answers --------------------------------------------------------------------

    def node(self, name: str) -> Node:
        for n in self.nodes:
            if n.name == name:
                return n
        raise KeyError(name)

    @property
    def variables(self) -> tuple[str, ...]:
        """The var list, in order (``--wrt``, else the order of ``--at``)."""
        return self.gradient.variables

    def gradients(self) -> list[float | None]:
        """The inputs' adjoints in var-list order: ``tf.gradients(y, var_list)``."""
        zero = self.gradient.unconnected == "zero"
        out = []
        for name in self.variables:
            n = self.node(name)
            out.append(n.grad if n.connected else (0.0 if zero else None))
        return out

    @property
    def exit_code(self) -> int:
        return EXIT_MATH if self.problems else EXIT_OK

    def with_picture(self, path: str | Path) -> Graph:
        """Draw the graph into ``path`` (PNG or SVG) and return the result noting it."""
        written = draw(self, path)
        import dataclasses

        return dataclasses.replace(
            self,
            picture=written,
            notes=(*self.notes, f"picture of the graph written to {written}"),
        )

    # -- rendering ------------------------------------------------------------------

    def to_dict(self) -> dict[str, object]:
        return {
            "expression": sp.sstr(self.expr),
            "as_typed": self.typed,
            "output": self.output,
            "point": {k: float(v) for k, v in (self.gradient.point or ())},
            "nodes": [n.to_dict() for n in self.nodes],
            "edges": [e.to_dict() for e in self.edges],
            "tf_gradients": self.gradients(),
            "exact_gradient": self.gradient.gradients(),
            "adjoints_match_exact_gradient": {k: v for k, v in self.agrees},
            "picture": self.picture,
            "problems": list(self.problems),
            "notes": list(self.notes),
            "exit_code": self.exit_code,
        }

    def lines(self) -> list[tuple[str, str]]:
        y = self.output
        out: list[tuple[str, str]] = [
            (pretty(sp.Eq(sp.Symbol(y), self.expr, evaluate=False)), "bold"),
        ]
        typed = self.typed
        if typed != inline(self.expr):
            out.append((f"as typed, and as the graph is built: {y} = {typed}", "dim"))
        out += [
            ("", ""),
            ("Forward pass: the tape, one node per operation, in order", "bold"),
        ]
        rows = [("node", "operation", "inputs", "value")]
        for n in self.nodes:
            value = _num(n.value, n.exact)
            rows.append((n.name, n.formula if n.kind == "operation" else n.op, _inputs(n), value))
        out += _table(rows)
        if self.edges:
            out += [("", ""), ("Local derivatives, one per edge", "bold")]
            rows = [("edge", "local derivative", "value")]
            for e in self.edges:
                value = _num(e.value, e.exact)
                formula = f"∂{e.target}/∂{e.source} = {e.derivative}"
                if e.derivative != value:
                    formula += f" = {value}"
                rows.append((f"{e.source} → {e.target}", formula, value))
            out += _table([r[:2] for r in rows])
        out += [
            ("", ""),
            (f"Backward pass: grad(n) = ∂{y}/∂n, from {y} back to the inputs", "bold"),
            ("(one product per out-edge: the consumer's grad times the local derivative)", "dim"),
        ]
        width = max(len(f"grad({n.name})") for n in self.nodes)
        for n in reversed(self.nodes):
            label = f"  grad({n.name})".ljust(width + 3)
            if not n.connected:
                tf = "0.0" if self.gradient.unconnected == "zero" else "None"
                out.append(
                    (
                        f"{label}= {tf}   ({y} does not reach {n.name}: TensorFlow gives {tf})",
                        "yellow",
                    )
                )
            elif not n.terms:
                out.append((f"{label}= 1   (the output)", ""))
            else:
                symbolic = " + ".join(f"grad({c})⋅∂{c}/∂{n.name}" for c, _, _ in n.terms)
                style = "cyan" if n.kind == "variable" else ""
                out.append((f"{label}= {symbolic} = {n.sum_text()}", style))
        out += [("", ""), ("Check: the inputs' adjoints against symgrad's exact gradient", "bold")]
        exact = {p.variable: p for p in self.gradient.partials}
        rows, styles = [], []
        for name, ok in self.agrees:
            n, p = self.node(name), exact[name]
            if not n.connected:
                rows.append((f"grad({name}) = None", f"{y} does not depend on {name}", ""))
                styles.append("yellow")
            elif ok is None:
                rows.append((f"grad({name}) = {_num(n.grad, n.adjoint)}", "no exact value", ""))
                styles.append("yellow")
            else:
                shown = _num(p.value, p.exact)
                mark, style = ("✓ equal", "green") if ok else ("✗ different", "bold red")
                rows.append(
                    (f"grad({name}) = {_num(n.grad, n.adjoint)}", f"∂{y}/∂{name} = {shown}", mark)
                )
                styles.append(style)
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        for row, style in zip(rows, styles):
            text = "  " + "   ".join(cell.ljust(w) for cell, w in zip(row, widths))
            out.append((text.rstrip(), style))
        out += [("", ""), (f"gradients: {self.gradients()!r}", "bold green")]
        if self.notes or self.problems:
            out.append(("", ""))
        out += [(f"note: {note}", "yellow") for note in self.notes]
        out += [(f"problem: {problem}", "bold red") for problem in self.problems]
        return out


def _inputs(n: Node) -> str:
    return ", ".join(n.inputs)


def _table(rows) -> list[tuple[str, str]]:
    """Rows of cells as aligned lines; the first row is the header."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        (
            "  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip(),
            "dim" if k == 0 else "",
        )
        for k, row in enumerate(rows)
    ]


def _short(value: float | None) -> str:
    if value is None:
        return "nan"
    return f"{value:.6g}"


def _factor(value: float | None) -> str:
    text = _short(value)
    return f"({text})" if text.startswith("-") else text


def _num(value: float | None, exact: sp.Expr | None = None) -> str:
    """A number for the table: exact when it is a short integer or fraction, else 6 digits."""
    if exact is not None and exact.is_Rational:
        text = sp.sstr(exact)
        if len(text) <= 12:
            return text
    if value is None:
        return "undefined"
    return f"{value:.6g}"


# -- building the graph ---------------------------------------------------------------


class _Builder:
    def __init__(self, point: Mapping[str, sp.Expr], output: str, names: Sequence[str]):
        self.point = point
        self.output = output
        self.memo: dict[sp.Expr, str] = {}
        self.records: list[dict] = []
        self.by_name: dict[str, dict] = {}
        taken = set(names) | {output}
        prefix = next(
            p for p in ("v", "t", "u", "n", "node") if not any(_numbered(p, m) for m in taken)
        )
        self.prefix = prefix
        self.count = 0

    def add(self, record: dict) -> str:
        if len(self.records) >= MAX_NODES:
            raise LimitError(
                f"the graph has more than {MAX_NODES} nodes",
                hint="use a smaller expression",
            )
        self.records.append(record)
        self.by_name[record["name"]] = record
        return record["name"]

    def leaf(self, sym: sp.Symbol) -> str:
        if sym in self.memo:
            return self.memo[sym]
        name = sym.name
        value = self.point[name]
        self.memo[sym] = name
        return self.add(
            {
                "name": name,
                "kind": "variable",
                "op": "input",
                "formula": name,
                "inputs": (),
                "locals": (),
                "exact": value,
                "depth": 0,
            }
        )

    def visit(self, e: sp.Expr, root: bool = False) -> str:
        if e.is_Symbol:
            return self.leaf(e)
        if e in self.memo:
            return self.memo[e]
        children: list[str] = []
        dummies: list[sp.Dummy] = []

        def rebuild(arg: sp.Expr, inside_mul: bool = False):
            """(evaluated stand-in, unevaluated formula) of one argument of ``e``."""
            if not arg.free_symbols:
                value = _evaluated(arg)
                return value, value
            if inside_mul and arg.is_Pow and arg.exp == -1 and arg.base.free_symbols:
                stand, shown = rebuild(arg.base)
                with sp.evaluate(False):
                    return 1 / stand, sp.Pow(shown, -1)
            child = self.visit(arg)
            d = sp.Dummy(child, real=True)
            children.append(child)
            dummies.append(d)
            return d, variable(child)

        parts = [rebuild(a, inside_mul=e.is_Mul) for a in e.args]
        stands = [s for s, _ in parts]
        shown = [f for _, f in parts]
        if e.is_Pow and e.base is sp.E:
            function = sp.exp(stands[1])
            with sp.evaluate(False):
                formula = sp.exp(shown[1])
            op = "exp"
        else:
            function = e.func(*stands)
            with sp.evaluate(False):
                formula = e.func(*shown)
            op = _op_name(e)
        values = [self.by_name[c]["exact"] for c in children]
        at = dict(zip(dummies, values))
        exact = function.xreplace(at)
        locals_ = []
        for d in dummies:
            local = differentiate(function, d)  # one operation: its rule, as the steps show it
            named = local.xreplace({dd: variable(c) for dd, c in zip(dummies, children)})
            # A delta left at the point is the slope of a jump at the jump, which has no
            # value (the gradient's problem says so); the tape holds the slope beside it, 0.
            locals_.append((inline(named), off_jumps(local.xreplace(at))[0], named))
        self.count += 0 if root else 1
        name = self.output if root else f"{self.prefix}{self.count}"
        self.memo[e] = name
        depth = 1 + max(self.by_name[c]["depth"] for c in children)
        return self.add(
            {
                "name": name,
                "kind": "operation",
                "op": op,
                "formula": inline(formula),
                "expression": formula,
                "inputs": tuple(children),
                "locals": tuple(locals_),
                "exact": exact,
                "depth": depth,
            }
        )


def _numbered(prefix: str, name: str) -> bool:
    return re.fullmatch(re.escape(prefix) + r"[0-9]+", name) is not None


def _evaluated(e: sp.Expr) -> sp.Expr:
    """The value SymPy gives an unevaluated constant subtree (built bottom-up)."""
    if not e.args:
        return e
    return e.func(*[_evaluated(a) for a in e.args])


def _op_name(e: sp.Expr) -> str:
    if e.is_Add:
        return "add"
    if e.is_Mul:
        factors = [a for a in e.args if a.free_symbols]
        if any(a.is_Pow and a.exp == -1 for a in factors):
            return "div"
        if len(factors) == 1 and e.args[0] == -1 and len(e.args) == 2:
            return "neg"
        return "mul"
    if e.is_Pow:
        return "pow"
    return type(e).__name__.lower()


def graph(
    expr: str | sp.Expr,
    at: Mapping[str, object] | str,
    wrt: Sequence[str] | str | None = None,
    unconnected: str = "none",
    check: bool = True,
) -> Graph:
    """The computation graph of ``expr`` at the point ``at``, forward and backward.

    ``wrt`` and ``unconnected`` mean what they mean for :func:`symgrad.grad`, and
    bad input fails the same way. Text is built as typed (``w - w + x`` keeps
    ``w`` connected, its adjoint ``1 - 1 = 0``); a SymPy expression is used as
    SymPy holds it.

    >>> g = graph("w - w + x", at="w=2,x=3")
    >>> g.node("w").sum_text(), g.gradients()
    ('1⋅1 + 1⋅(-1) = 0', [0.0, 1.0])
    """
    point = exact_point(at)
    if point is None:
        raise InputError("the graph needs a point to run forward", hint="add --at x=1")
    gradient = grad(expr, at=point, wrt=wrt, unconnected=unconnected, check=check)
    parsed = as_parsed(expr, point)
    tree, as_typed = (
        graph_tree(expr, assigned=list(point)) if isinstance(expr, str) else (parsed.expr, True)
    )
    if _evaluated(tree) != parsed.expr:  # pragma: no cover - the two parses must agree
        raise AssertionError(f"the structural parse {tree} does not evaluate to {parsed.expr}")
    output = gradient.output
    names = list(gradient.variables)
    builder = _Builder(point, output, [*names, *point])
    for name in names:  # the var list's inputs first, in order, connected or not
        builder.leaf(variable(name))
    constant = None
    if tree.free_symbols:
        root = builder.visit(tree, root=not tree.is_Symbol)
    else:
        constant = _evaluated(tree)
        root = builder.add(
            {
                "name": output,
                "kind": "constant",
                "op": "constant",
                "formula": sp.sstr(constant),
                "expression": constant,
                "inputs": (),
                "locals": (),
                "exact": constant,
                "depth": 1,
            }
        )
    source = expr if isinstance(expr, str) else None
    result = _backward(builder, root, tree, parsed.expr, gradient, source)
    if not as_typed:
        import dataclasses

        note = (
            "the graph is built from SymPy's tree: the expression as typed has constants "
            "SymPy cannot compare with 0"
        )
        result = dataclasses.replace(result, notes=(*result.notes, note))
    return result


def _backward(builder, root, tree, expr, gradient, source) -> Graph:
    records = builder.records
    adjoint: dict[str, sp.Expr] = {root: sp.Integer(1)}
    terms: dict[str, list] = {}
    edges = []
    for r in reversed(records):
        g = adjoint.get(r["name"])
        for slot, (child, (formula, local, named)) in enumerate(zip(r["inputs"], r["locals"])):
            edges.append(Edge(child, r["name"], slot, formula, local, to_float(local), named))
            if g is None:
                continue
            adjoint[child] = adjoint.get(child, sp.Integer(0)) + g * local
            terms.setdefault(child, []).append((r["name"], to_float(g), to_float(local)))
    nodes = []
    for r in records:
        a = adjoint.get(r["name"])
        nodes.append(
            Node(
                name=r["name"],
                kind=r["kind"],
                op=r["op"],
                formula=r["formula"],
                inputs=r["inputs"],
                depth=r["depth"],
                exact=r["exact"],
                value=to_float(r["exact"]),
                adjoint=a,
                grad=to_float(a) if a is not None else None,
                terms=tuple(terms.get(r["name"], ())),
                expression=r.get("expression", variable(r["name"])),
            )
        )
    index = {r["name"]: k for k, r in enumerate(records)}
    edges.sort(key=lambda e: (index[e.target], e.slot))  # tape order: as the forward pass runs
    problems = list(gradient.problems)
    notes = [n for n in gradient.notes]
    for n in nodes:
        if (
            n.kind == "operation"
            and n.value is None
            or (n.value is not None and not math.isfinite(n.value))
        ):
            problems.append(
                f"{n.name} = {n.formula} is not a finite real number at this point; "
                "a float64 framework computes inf or nan here"
            )
            break
    agrees = []
    exact = {p.variable: p for p in gradient.partials}
    by_name = {n.name: n for n in nodes}
    for name in gradient.variables:
        n, p = by_name[name], exact[name]
        if n.connected != p.connected:  # only when the graph is SymPy's tree, not as typed
            notes.append(
                f"{name} is connected as typed (gradient {sp.sstr(p.exact)}), but SymPy's"
                " simplified tree, which this graph shows, does not use it"
            )
            agrees.append((name, None))
            continue
        if not n.connected:
            agrees.append((name, None))
            continue
        agrees.append((name, _same(n.adjoint, p.exact)))
    for name, ok in agrees:
        if ok is False:
            problems.append(
                f"the backward pass gives grad({name}) = {by_name[name].grad!r} but the exact "
                f"derivative is {exact[name].value!r}"
            )
    return Graph(
        expr=expr,
        typed=inline(tree),
        typed_source=source,
        output=builder.output,
        nodes=tuple(nodes),
        edges=tuple(edges),
        gradient=gradient,
        agrees=tuple(agrees),
        problems=tuple(problems),
        notes=tuple(notes),
    )


def _same(a: sp.Expr | None, b: sp.Expr | None) -> bool | None:
    """Whether two exact numbers are equal, judged at 40 significant digits."""
    if a is None or b is None:
        return None
    fa, fb = to_float(a), to_float(b)
    if fa is None or fb is None or not (math.isfinite(fa) and math.isfinite(fb)):
        return None
    diff = (a - b).evalf(40)
    if not diff.is_number:
        return None
    size = max(1.0, abs(fb))
    return abs(complex(diff)) <= 1e-25 * size


# -- the picture ----------------------------------------------------------------------


def _check_target(path: Path) -> str:
    """The suffix of a picture symgrad may write at ``path`` (symgrad.files's rule)."""
    from symgrad.files import check_target

    suffix = path.suffix.lower()
    if suffix not in PICTURE_SUFFIXES:
        raise InputError(
            f"--plot writes .png or .svg files; {path.name!r} ends in neither",
            hint="for example --plot graph.png",
        )
    check_target(path, suffix)
    return suffix


@dataclass(frozen=True)
class Layout:
    """Where the picture puts things: node centres (layer, row) and each edge's route.

    A route is the list of (layer, row) points an edge passes between its two
    nodes: empty for an edge between neighbouring layers, one point per layer
    crossed for a longer edge, so that no edge runs behind a box.
    """

    positions: dict[str, tuple[float, float]]
    routes: tuple[tuple[tuple[float, float], ...], ...]  # one per edge of Graph.edges


def layout(g: Graph) -> Layout:
    """Lay the graph out in layers from the inputs (left) to the output (right).

    Every node sits one layer before its first consumer (as graphviz's
    ranking would put it), so edges stay short; an input nothing uses is in
    layer 0; an edge that still spans several layers gets a waypoint in each. Layers are ordered by the mean row of their
    neighbours (the barycentre heuristic), swept back and forth.

    >>> pos = layout(graph("x*z + z", at="x=1,z=2")).positions
    >>> pos["x"][0] < pos["v1"][0] < pos["y"][0]
    True
    """
    by_name = {n.name: n for n in g.nodes}
    users: dict[str, list[str]] = {}
    for e in g.edges:
        users.setdefault(e.source, []).append(e.target)
    layer: dict[str, int] = {}
    for n in reversed(g.nodes):
        if n.name in users:
            layer[n.name] = min(layer[u] for u in users[n.name]) - 1
        else:
            layer[n.name] = n.depth
    # Waypoints: ("edge k", layer) for every layer an edge crosses.
    points: dict[int, list[str]] = {}
    for name, d in layer.items():
        points.setdefault(d, []).append(name)
    chains: list[list[str]] = []
    up: dict[str, list[str]] = {n.name: list(n.inputs) for n in g.nodes}
    down: dict[str, list[str]] = {name: [] for name in layer}
    for k, e in enumerate(g.edges):
        previous, chain = e.source, []
        for d in range(layer[e.source] + 1, layer[e.target]):
            waypoint = f"\0edge{k}@{d}"
            points.setdefault(d, []).append(waypoint)
            up[waypoint], down[waypoint] = [previous], []
            down[previous].append(waypoint)
            chain.append(waypoint)
            previous = waypoint
        down[previous].append(e.target)
        if chain:
            up[e.target] = [chain[-1] if i == e.source else i for i in up[e.target]]
        chains.append(chain)
    for name in by_name:
        down[name] = down.get(name, [])
    order = {m: float(i) for d in points for i, m in enumerate(points[d])}
    depths = sorted(points)

    def mean(names: Sequence[str], default: float) -> float:
        return sum(order[m] for m in names) / len(names) if names else default

    for _ in range(6):
        for d in depths[1:]:
            points[d].sort(key=lambda m: mean(up.get(m, ()), order[m]))
            order.update({m: float(i) for i, m in enumerate(points[d])})
        for d in reversed(depths[:-1]):
            points[d].sort(key=lambda m: mean(down.get(m, ()), order[m]))
            order.update({m: float(i) for i, m in enumerate(points[d])})
    tallest = max(len(p) for p in points.values())
    where: dict[str, tuple[float, float]] = {}
    for d in depths:
        offset = (tallest - len(points[d])) / 2.0
        for i, m in enumerate(points[d]):
            where[m] = (float(d), float(tallest - 1 - (i + offset)))
    return Layout(
        positions={name: where[name] for name in by_name},
        routes=tuple(tuple(where[w] for w in chain) for chain in chains),
    )


def draw(g: Graph, path: str | Path) -> str:
    """Draw ``g`` into a PNG or SVG file, atomically; returns the path written."""
    path = Path(path)
    suffix = _check_target(path)
    if len(g.nodes) > MAX_DRAWN:
        raise LimitError(
            f"the graph has {len(g.nodes)} nodes, too many to draw legibly (at most {MAX_DRAWN})",
            hint="drop --plot to see the table, or use --format json",
        )
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = _figure(plt, g)
    try:
        from symgrad.files import save_figure

        save_figure(fig, path, suffix, dpi=110, bbox_inches="tight")
    finally:
        plt.close(fig)
    return str(path)


def _figure(plt, g: Graph):
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
    from matplotlib.path import Path as Curve

    plan = layout(g)
    dx, dy = 3.4, 1.45  # data units between layers and between rows
    box_w, box_h = 2.3, 0.95

    def at(p: tuple[float, float]) -> tuple[float, float]:
        return p[0] * dx, p[1] * dy

    centre = {k: at(p) for k, p in plan.positions.items()}
    every = [*centre.values(), *(at(p) for r in plan.routes for p in r)]
    xs, ys = [p[0] for p in every], [p[1] for p in every]
    width, height = max(xs) - min(xs) + 3.0, max(ys) - min(ys) + 2.4
    fig, ax = plt.subplots(figsize=(max(5.0, width * 0.95), max(2.6, height * 0.95)))
    ax.set_xlim(min(xs) - 1.5, max(xs) + 1.5)
    ax.set_ylim(min(ys) - 0.9, max(ys) + 1.0)
    ax.set_aspect("equal")
    ax.axis("off")
    # Spread the ends of the edges over a box's side, in the order of the rows they come from.
    ins: dict[str, list[int]] = {}
    outs: dict[str, list[int]] = {}
    for k, e in enumerate(g.edges):
        ins.setdefault(e.target, []).append(k)
        outs.setdefault(e.source, []).append(k)

    def first_point(k: int) -> tuple[float, float]:
        route = plan.routes[k]
        return at(route[0]) if route else centre[g.edges[k].target]

    def last_point(k: int) -> tuple[float, float]:
        route = plan.routes[k]
        return at(route[-1]) if route else centre[g.edges[k].source]

    def spread(edges: list[int], y: float, key) -> dict[int, float]:
        ranked = sorted(edges, key=lambda k: (-key(k)[1], k))
        step = min(0.22, 0.7 / max(1, len(ranked) - 1)) if len(ranked) > 1 else 0.0
        return {k: y + step * ((len(ranked) - 1) / 2 - i) for i, k in enumerate(ranked)}

    end_y: dict[int, float] = {}
    start_y: dict[int, float] = {}
    for name, ks in ins.items():
        end_y.update(spread(ks, centre[name][1], last_point))
    for name, ks in outs.items():
        start_y.update(spread(ks, centre[name][1], first_point))
    for k, e in enumerate(g.edges):
        start = (centre[e.source][0] + box_w / 2, start_y[k])
        end = (centre[e.target][0] - box_w / 2, end_y[k])
        middle = [at(p) for p in plan.routes[k]]
        vertices, codes = [start], [Curve.MOVETO]
        for p in middle:  # horizontal through each waypoint, smooth between them
            for q in ((p[0] - box_w / 2, p[1]), (p[0] + box_w / 2, p[1])):
                last = vertices[-1]
                mid_x = (last[0] + q[0]) / 2
                vertices += [(mid_x, last[1]), (mid_x, q[1]), q]
                codes += [Curve.CURVE4] * 3
        last = vertices[-1]
        mid_x = (last[0] + end[0]) / 2
        vertices += [(mid_x, last[1]), (mid_x, end[1]), end]
        codes += [Curve.CURVE4] * 3
        ax.add_patch(
            FancyArrowPatch(
                path=Curve(vertices, codes),
                arrowstyle="-|>",
                mutation_scale=11,
                color="#666666",
                linewidth=1.0,
                zorder=1,
            )
        )
        # The label sits on the last stretch, next to the node whose input it is.
        # On the curve near the arrowhead, where the ends of the edges are spread apart.
        lx, ly = _bezier(vertices[-4:], 0.78)
        ax.text(
            lx,
            ly,
            _short(e.value),
            ha="center",
            va="center",
            fontsize=8,
            color="#1f5fa8",
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "#1f5fa8", "lw": 0.6},
            zorder=3,
        )
    for n in g.nodes:
        x, y = centre[n.name]
        unconnected = not n.connected
        face = {"variable": "#dff0d8"}.get(n.kind, "#f5f5f5")
        if unconnected:
            face = "#eeeeee"
        elif n.name == g.output:
            face = "#fcf3cf"
        ax.add_patch(
            FancyBboxPatch(
                (x - box_w / 2, y - box_h / 2),
                box_w,
                box_h,
                boxstyle="round,pad=0.02,rounding_size=0.12",
                fc=face,
                ec="#999999" if unconnected else "#333333",
                linestyle="--" if unconnected else "-",
                linewidth=1.2,
                zorder=2,
            )
        )
        title = n.name if n.kind == "variable" else f"{n.name} = {_clip(n.formula)}"
        grad_text = "grad None" if unconnected else f"grad {_short(n.grad)}"
        ax.text(x, y + 0.25, title, ha="center", va="center", fontsize=9.5, weight="bold", zorder=4)
        ax.text(x, y - 0.02, f"value {_short(n.value)}", ha="center", va="center", fontsize=8.5)
        ax.text(
            x,
            y - 0.27,
            grad_text,
            ha="center",
            va="center",
            fontsize=8.5,
            color="#888888" if unconnected else "#a0522d",
            weight="bold",
            zorder=4,
        )
    where = ", ".join(f"{k} = {sp.sstr(v)}" for k, v in (g.gradient.point or ()))
    y = g.output
    ax.set_title(
        f"{y} = {inline(g.expr)}   at {where}\n"
        f"box: value (forward pass), grad = ∂{y}/∂node (backward pass); "
        "edge: local derivative",
        fontsize=10,
    )
    return fig


def _bezier(points, t: float) -> tuple[float, float]:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points
    a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
    return a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3


def _clip(text: str, size: int = 15) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"
