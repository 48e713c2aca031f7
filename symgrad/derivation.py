"""Step-by-step derivations: what a teacher writes on the board, as an object.

:func:`steps` parses the expression (with symgrad's own parser), applies the
rules of :mod:`symgrad.step_rules` and returns a :class:`Derivation`, which renders
itself as a numbered outline (rich or plain text), as JSON-ready data and as
a LaTeX ``align*`` block.

>>> d = steps("x*sin(x^2)", wrt="x")
>>> print(d.plain_text(), end="")
d/dx [x⋅sin(x²)]
1. Product rule: (u⋅v)' = u'⋅v + u⋅v'   with u = x, v = sin(x²)
   1.1 Variable rule: d/dx x = 1
   1.2 Chain rule: d/dx sin(g) = cos(g)⋅g'   with g = x²
       1.2.1 Power rule: d/dx x² = 2⋅x
       ⇒ d/dx sin(x²) = 2⋅x⋅cos(x²)
   ⇒ d/dx [x⋅sin(x²)] = 2⋅x²⋅cos(x²) + sin(x²)
2. Simplify: 2⋅x²⋅cos(x²) + sin(x²)
>>> d.result
2*x**2*cos(x**2) + sin(x**2)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import islice
from typing import TYPE_CHECKING

import sympy as sp

from symgrad.derive import gradient
from symgrad.errors import InputError
from symgrad.guard import BudgetExceededError, cpu_budget
from symgrad.parse import variable
from symgrad.printing import inline, plain
from symgrad.problem import problem
from symgrad.render import StyledLines, terminal_width, wrap_fragments
from symgrad.result import GradientResult
from symgrad.step_rules import ChainRule, SimplifyStep, Step, derive

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console, ConsoleOptions, RenderResult

#: Above this many operations the final step keeps the rules' result as it is:
#: ``simplify`` can take seconds on big expressions and the answer is already exact.
SIMPLIFY_MAX_OPS = 60

#: CPU seconds the final tidying may use in all; what it has not found by then is not shown.
#: The rules' result is exact already, so the budget never decides whether a derivation ends.
SIMPLIFY_BUDGET = 0.3

Line = list[tuple[str, str]]  # (text, rich style) fragments of one line

STYLES = {
    "number": "bold",
    "rule": "bold cyan",
    "math": "",
    "with": "dim",
    "note": "yellow",
    "result": "green",
    "header": "bold",
}


def tidy(expr: sp.Expr, budget: float = SIMPLIFY_BUDGET) -> sp.Expr:
    """The shortest form of ``expr`` SymPy finds quickly, in the functions it already uses.

    Candidates are ``expr`` itself, ``together``, ``factor(cancel(...))`` and ``simplify``,
    tried in that order within ``budget`` CPU seconds in all;
    a form that brings in a function the result did not have (``sigmoid`` rewritten with
    ``cosh``) is not a tidier answer for a student, so it is not chosen.

    >>> x = sp.Symbol("x", real=True)
    >>> tidy(((x - 1) * 2 * x - (x**2 + 1)) / (x - 1) ** 2)
    (x**2 - 2*x - 1)/(x - 1)**2
    """
    if _more_nodes_than(expr, 20 * SIMPLIFY_MAX_OPS) or sp.count_ops(expr) > SIMPLIFY_MAX_OPS:
        return expr  # (no formula has 20 nodes per operation; counting them all costs more)
    heads = {f.func for f in expr.atoms(sp.Function)}
    candidates = [expr]
    rewrites = (sp.together, lambda e: sp.factor(sp.cancel(e)), sp.simplify)
    try:
        with cpu_budget(budget) as left:
            for rewrite in rewrites:
                if left() <= 0:
                    break
                form = rewrite(expr)
                if {f.func for f in form.atoms(sp.Function)} <= heads:
                    candidates.append(form)
    except BudgetExceededError:
        pass  # the forms found so far are the candidates
    return min(candidates, key=lambda e: (len(inline(e)), sp.count_ops(e)))


def _more_nodes_than(expr: sp.Basic, limit: int) -> bool:
    """Whether the tree of ``expr`` has more than ``limit`` nodes, counting at most that many."""
    return next(islice(sp.preorder_traversal(expr), limit, None), None) is not None


@dataclass(frozen=True)
class Derivation:
    """The derivation of one (partial) derivative, from the rules to the tidy answer."""

    expr: sp.Expr
    var: sp.Symbol
    root: Step
    final: SimplifyStep
    held: tuple[str, ...] = ()

    @property
    def result(self) -> sp.Expr:
        """The derivative, simplified."""
        return self.final.result

    @property
    def variable(self) -> str:
        return self.var.name

    @property
    def partial(self) -> bool:
        return bool(self.held)

    def operator(self) -> str:
        """``d/dx``, or ``∂/∂x`` when other variables are held constant."""
        return f"∂/∂{self.var.name}" if self.partial else f"d/d{self.var.name}"

    def operator_latex(self) -> str:
        d = r"\partial" if self.partial else "d"
        return r"\frac{%s}{%s %s}" % (d, d, sp.latex(self.var))

    def steps(self) -> Iterator[Step]:
        """Every step, depth first, ending with the simplification."""
        yield from self.root.walk()
        yield self.final

    def rules(self) -> list[str]:
        """The names of the rules used, in order of use."""
        return [s.rule for s in self.steps()]

    # -- rendering ---------------------------------------------------------------

    @cached_property
    def _outline(self) -> list[tuple[int, Line, int]]:
        """``(depth, fragments, hang)`` per line; the indentation is added for the width."""
        d = self.operator()
        shown = Shown()
        header: Line = [(f"{d} [{shown.inline(self.expr)}]", "header")]
        if self.held:
            header.append((f"   ({', '.join(self.held)} held constant)", "with"))
        out: list[tuple[int, Line, int]] = [(0, header, 4)]
        _step_lines(self.root, "1.", 0, d, shown, out)
        final = [("2.", "number"), (" Simplify: ", "rule"), (shown.inline(self.result), "result")]
        out.append((0, final, 3))
        return out

    def lines(self) -> list[Line]:
        """The outline, one list of ``(text, style)`` fragments per line (no width limit)."""
        return [_indented(line, _indent(depth)) for depth, line, _ in self._outline]

    def layout(self, width: int | None = None) -> list[Line]:
        """The outline for ``width`` columns: long lines wrap under their own text, and
        deep levels indent by two columns when the usual indentation would not leave room."""
        w = terminal_width() if width is None else max(width, 1)
        deepest = max(depth for depth, _, _ in self._outline)
        compact = len(_indent(deepest)) + MIN_TEXT > w
        out: list[Line] = []
        for depth, line, hang in self._outline:
            indent = " " * min(2 * depth, w // 3) if compact else _indent(depth)
            out += wrap_fragments(_indented(line, indent), w, len(indent) + hang)
        return out

    def plain_text(self, width: int | None = None) -> str:
        return "".join("".join(text for text, _ in line) + "\n" for line in self.layout(width))

    def __str__(self) -> str:
        return self.plain_text()

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from _rich_lines(self.layout(options.max_width))

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        from symgrad.notebook import mimebundle

        return mimebundle(self)

    _repr_pretty_ = StyledLines._repr_pretty_

    def to_dict(self) -> dict[str, object]:
        return {
            "expression": plain(self.expr),
            "variable": self.var.name,
            "held_constant": list(self.held),
            "derivative": plain(self.result),
            "steps": [_step_dict(self.root, self.operator()), _step_dict(self.final, "")],
        }

    def latex_rows(self) -> list[str]:
        """The derivation as rows of an ``align*`` block."""
        from symgrad import latex

        d = self.operator_latex()
        rows = [f"{d}\\left[{latex.expr(self.expr)}\\right] &= {latex.expr(self.result)}"]
        if self.held:
            rows.append("&" + latex.text(f"({', '.join(self.held)} held constant)"))
        rows.extend(_step_latex(self.root, "1.", 0, d, Shown()))
        rows.append(r"&\text{2. Simplify: } %s" % latex.expr(self.result))
        return rows

    def to_latex(self, standalone: bool = False) -> str:
        from symgrad import latex

        return latex.document(latex.align(self.latex_rows()), standalone)


@dataclass(frozen=True)
class Derivations:
    """One derivation per variable, and the gradient's values when a point was given."""

    derivations: tuple[Derivation, ...]
    gradient: GradientResult | None = None

    def __iter__(self):
        return iter(self.derivations)

    def __len__(self) -> int:
        return len(self.derivations)

    def __getitem__(self, index: int) -> Derivation:
        return self.derivations[index]

    @property
    def exit_code(self) -> int:
        return self.gradient.exit_code if self.gradient is not None else 0

    def lines(self) -> list[Line]:
        out: list[Line] = []
        for i, d in enumerate(self.derivations):
            if i:
                out.append([])
            out.extend(d.lines())
        return out

    def layout(self, width: int | None = None) -> list[Line]:
        """The outlines for ``width`` columns, then the gradient's values (if any)."""
        w = terminal_width() if width is None else max(width, 1)
        out: list[Line] = []
        for i, d in enumerate(self.derivations):
            if i:
                out.append([])
            out.extend(d.layout(w))
        if self.gradient is not None:
            out.append([])
            out += [[(text, style)] for text, style in self.gradient.layout(w)]
        return out

    def plain_text(self, width: int | None = None) -> str:
        return "".join("".join(t for t, _ in line) + "\n" for line in self.layout(width))

    def __str__(self) -> str:
        return self.plain_text()

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from _rich_lines(self.layout(options.max_width))

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        from symgrad.notebook import mimebundle

        return mimebundle(self)

    _repr_pretty_ = StyledLines._repr_pretty_

    def to_dict(self) -> dict[str, object]:
        return {
            "derivations": [d.to_dict() for d in self.derivations],
            "gradient": self.gradient.to_dict() if self.gradient is not None else None,
        }

    def to_latex(self, standalone: bool = False) -> str:
        from symgrad import latex

        parts = [latex.align(d.latex_rows()) for d in self.derivations]
        if self.gradient is not None:
            parts.append(self.gradient.to_latex())
        return latex.document("\n\n".join(parts), standalone)


#: Formulas inside the outline with more nodes than this are shown abbreviated (``…``):
#: the steps of a 5,000-node expression stay readable and cost linear time to write.
#: The header and the final answer are always shown in full.
SHOWN_NODES = 150


class Shown:
    """Memoised sizes and abbreviations of the subexpressions of one derivation."""

    def __init__(self) -> None:
        from symgrad.printing import inline_printer

        self._sizes: dict[sp.Basic, int] = {}
        self._text: dict[sp.Basic, str] = {}
        self.inline = inline_printer()

    def size(self, expr: sp.Basic) -> int:
        """The number of nodes of ``expr`` (shared subexpressions counted once per use)."""
        sizes = self._sizes
        todo = [expr]
        while todo:
            e = todo[-1]
            if e in sizes:
                todo.pop()
                continue
            missing = [a for a in e.args if a not in sizes]
            if missing:
                todo.extend(missing)
                continue
            sizes[e] = 1 + sum(sizes[a] for a in e.args)
            todo.pop()
        return sizes[expr]

    def abbreviated(self, expr: sp.Basic, budget: int = SHOWN_NODES) -> sp.Basic:
        """``expr`` itself when small, else its top ``budget`` nodes with ``…`` below."""
        if self.size(expr) <= budget:
            return expr
        if not expr.args or budget <= 1:
            return ELLIPSIS
        share = max((budget - 1) // len(expr.args), 1)
        args = [self.abbreviated(a, share) for a in expr.args]
        if isinstance(expr, (sp.Add, sp.Mul)):
            return expr.func(*args, evaluate=False)
        try:
            return expr.func(*args, evaluate=False)
        except TypeError:
            return ELLIPSIS

    def text(self, expr: sp.Basic) -> str:
        """The one-line text of ``expr`` in the outline (abbreviated when large)."""
        cached = self._text.get(expr)
        if cached is None:
            small = self.abbreviated(expr)
            cached = self.inline(small) if small is expr else _inline_abbreviated(small)
            self._text[expr] = cached
        return cached

    def latex(self, expr: sp.Basic) -> str:
        from symgrad import latex

        small = self.abbreviated(expr)
        return latex.expr(small).replace(ELLIPSIS.name, r"\dots")


ELLIPSIS = sp.Symbol("…")


def _inline_abbreviated(expr: sp.Basic) -> str:
    from symgrad.printing import one_line

    return one_line(expr)


def _bindings(step: Step, shown: Shown) -> str:
    pairs = step.bindings()
    if not pairs:
        return ""
    return "   with " + ", ".join(f"{name} = {shown.text(value)}" for name, value in pairs)


def _statement(step: Step, d: str, shown: Shown) -> str:
    """The step's own statement; one of a large expression is written abbreviated."""
    if shown.size(step.expr) + shown.size(step.result) <= 2 * SHOWN_NODES:
        return step.statement(d)
    if isinstance(step, ChainRule):
        outer = shown.text(step.outer)
        return (
            f"{d} {outer} = {shown.text(sp.diff(step.outer, step.placeholder))}⋅{step.placeholder}'"
        )
    if step.formula:
        return step.formula
    return f"{d} {shown.text(step.expr)} = {shown.text(step.result)}"


def _step_lines(
    step: Step, number: str, depth: int, d: str, shown: Shown, out: list[tuple[int, Line, int]]
) -> None:
    line: Line = [(number, "number"), (f" {step.rule}: ", "rule")]
    line.append((_statement(step, d, shown), "math"))
    with_text = _bindings(step, shown)
    if with_text:
        line.append((with_text, "with"))
    out.append((depth, line, len(number) + 1))
    note = step.note()
    if note:
        out.append((depth + 1, [("note: " + note, "note")], 6))
    for i, sub in enumerate(step.substeps, 1):
        _step_lines(sub, f"{number.rstrip('.')}.{i}", depth + 1, d, shown, out)
    if step.substeps:
        text = shown.text(step.expr)
        if depth == 0 or step.expr.is_Add:
            text = f"[{text}]"
        out.append((depth + 1, [(f"⇒ {d} {text} = {shown.text(step.result)}", "result")], 2))


def _indented(line: Line, indent: str) -> Line:
    if not indent or not line:
        return list(line)
    (text, style), *rest = line
    return [(indent + text, style), *rest]


#: The outline keeps its usual indentation when the deepest level leaves this much room.
MIN_TEXT = 36


def _indent(depth: int) -> str:
    # 1. / 1.1 / 1.1.1: each level starts under the text of the level above.
    widths = [0, 3, 7, 13, 21]
    if depth < len(widths):
        return " " * widths[depth]
    return " " * (widths[-1] + 10 * (depth - len(widths) + 1))


def _rich_lines(lines: list[Line]):
    from rich.text import Text

    for line in lines:
        text = Text()
        for fragment, style in line:
            text.append(fragment, style=STYLES.get(style, style))
        yield text


def _step_dict(step: Step, d: str) -> dict[str, object]:
    data: dict[str, object] = {
        "rule": step.rule,
        "expression": plain(step.expr),
        "result": plain(step.result),
        "statement": step.statement(d),
    }
    bindings = step.bindings()
    if bindings:
        data["with"] = {name: plain(value) for name, value in bindings}
    note = step.note()
    if note:
        data["note"] = note
    data["substeps"] = [_step_dict(s, d) for s in step.substeps]
    return data


def _step_latex(step: Step, number: str, depth: int, d: str, shown: Shown) -> list[str]:
    from symgrad import latex

    pad = r"\quad " * (2 * depth)
    if shown.size(step.expr) + shown.size(step.result) <= 2 * SHOWN_NODES:
        statement = step.statement_latex(d)
    elif step.formula_latex:
        statement = step.formula_latex
    else:
        statement = f"{d} {shown.latex(step.expr)} = {shown.latex(step.result)}"
    row = r"&%s%s %s" % (pad, latex.text(f"{number} {step.rule}: "), statement)
    bindings = step.bindings()
    if bindings:
        row += r" \quad\text{with } " + r",\ ".join(
            f"{name} = {shown.latex(value)}" for name, value in bindings
        )
    rows = [row]
    for i, sub in enumerate(step.substeps, 1):
        rows.extend(_step_latex(sub, f"{number.rstrip('.')}.{i}", depth + 1, d, shown))
    return rows


def derivation(expr: sp.Expr, var: sp.Symbol, held: Sequence[str] = ()) -> Derivation:
    """The derivation of ``expr`` with respect to ``var`` (both SymPy objects)."""
    root = derive(expr, var)
    final = SimplifyStep(root.result, var, tidy(root.result))
    return Derivation(expr, var, root, final, tuple(held))


def steps(
    expr: str | sp.Expr,
    wrt: str | Sequence[str] | None = None,
    at=None,
    unconnected: str = "none",
    check: bool = True,
) -> Derivation | Derivations:
    """Derive ``expr`` step by step: one :class:`Derivation` per variable.

    With a single variable (``wrt="x"``, or an expression in one variable and
    no ``at``) the result is that :class:`Derivation`; otherwise a
    :class:`Derivations` holding one per variable in ``wrt`` order and, when
    ``at`` gives a point, the gradient's values there (``unconnected`` and
    ``check`` as for :func:`symgrad.grad`).

    >>> steps("x*y^2", wrt="y").rules()
    ['Constant multiple rule', 'Power rule', 'Simplify']
    >>> [d.variable for d in steps("x*y^2")]
    ['x', 'y']
    """
    request = problem(expr, at, wrt)
    parsed, names, point = request.parsed, request.names, request.point
    free = sorted(request.used)
    items = []
    for name in names:
        held = tuple(n for n in free if n != name)
        items.append(derivation(parsed.expr, variable(name), held))
    single = point is None and len(items) == 1 and (wrt is None or _is_one_name(wrt))
    if single:
        return items[0]
    result = None
    if point is not None:
        result = gradient(request, unconnected=unconnected, check=check)
    return Derivations(tuple(items), result)


def _is_one_name(wrt: str | Sequence[str]) -> bool:
    if isinstance(wrt, str):
        return "," not in wrt
    if not len(wrt):
        raise InputError("wrt names no variable", hint="for example wrt='x'")
    return False
