"""The seed's Critic: loss, TD errors, the exact gradient, its check, one optimizer step,
and ``--explain``, the chain rule for one parameter."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from symgrad.errors import InputError
from symgrad.network.gradcheck import GradientCheck, check_gradient
from symgrad.network.load import load_network
from symgrad.network.model import Gradient, Network, Node, describe, forward, size, unflatten
from symgrad.render import Hanging, StyledLines

__all__ = ["CriticResult", "critic", "EXACT_BUDGET", "SHOWN_STATES"]

EXACT_BUDGET = 4_000  # (program length) x (states) evaluated exactly with SymPy; beyond: float64
SHOWN_STATES = 10


@dataclass(frozen=True)
class CriticResult:
    """What the seed's Critic computes: loss, TD errors, ``critic_gradients``, one ``optimize`` step."""

    network: Network
    loss_name: str
    loss: float
    outputs: Any  # (states, outputs) float64
    targets: Any
    gradients: dict  # name -> float64 array, the shapes of the parameters
    params: dict
    new_params: dict
    check: GradientCheck
    optimizer: Any
    exact: bool
    td_errors: Any = None  # target - out, (states, outputs) float64
    explain: tuple[tuple[str, str], ...] = ()
    layers: tuple[tuple[str, str], ...] = ()  # the layer graph with shapes (--graph)
    matrix_ok: bool = True  # the matrix-form gradients equal the exact ones (--explain)
    picture: str | None = None

    @property
    def exit_code(self) -> int:
        return 0 if self.check.ok and self.matrix_ok else 1

    def describe(self) -> str:
        parts = [str(self.network.inputs)]
        parts += [f"{layer.units} ({layer.activation})" for layer in self.network.layers]
        return " → ".join(parts)

    def to_dict(self) -> dict[str, object]:
        return {
            "network": {
                "inputs": self.network.inputs,
                "layers": [
                    {"units": la.units, "activation": la.activation} for la in self.network.layers
                ],
                "parameters": self.network.num_params,
            },
            "loss_function": self.loss_name,
            "loss": self.loss,
            "exact": self.exact,
            "outputs": self.outputs.tolist(),
            "targets": self.targets.tolist(),
            "td_errors": self.td_errors.tolist(),
            "gradients": {k: v.tolist() for k, v in self.gradients.items()},
            "check": self.check.to_dict(),
            "optimizer": self.optimizer.tf_call(),
            "params": {k: v.tolist() for k, v in self.params.items()},
            "new_params": {k: v.tolist() for k, v in self.new_params.items()},
            "explain": [{"step": a, "value": b} for a, b in self.explain],
            "layer_graph": [text for text, _ in self.layers],
            "picture": self.picture,
            "exit_code": self.exit_code,
        }

    def lines(self) -> list[tuple[str, str]]:
        n_states = self.outputs.shape[0]
        how = (
            "exact (SymPy, then rounded to float64)"
            if self.exact
            else "float64, from the exact gradient's generated code"
        )
        loss_text = {
            "mean_square": "mean_square(target, out) = mean((target - out)²)",
            "binary_crossentropy": "binary_crossentropy = mean(softplus(z) - target⋅z), "
            "z the output logits",
            "categorical_crossentropy": "categorical_crossentropy = mean(-Σ target⋅log p), "
            "p = softmax(z) = out",
        }[self.loss_name]
        out: list[tuple[str, str]] = [
            (
                f"Critic network {self.describe()}: {self.network.num_params} parameters, "
                f"{n_states} state{'s' if n_states != 1 else ''}",
                "bold",
            ),
            ("", ""),
        ]
        if self.layers:
            out += list(self.layers)
            if self.picture:
                out.append((f"  (drawn in {self.picture})", "dim"))
            out.append(("", ""))
        out += [
            (f"loss = {loss_text} = {self.loss!r}", "bold"),
            ("", ""),
        ]
        rows = [["state", "out", "target", "TD error (target - out)"]]
        for b in range(min(n_states, SHOWN_STATES)):
            rows.append(
                [
                    str(b),
                    _vec(self.outputs[b]),
                    _vec(self.targets[b]),
                    _vec(self.td_errors[b]),
                ]
            )
        widths = [max(len(r[k]) for r in rows) for k in range(4)]
        out += [
            ("  " + "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip(), "") for r in rows
        ]
        if n_states > SHOWN_STATES:
            out.append(
                (f"  ... {n_states - SHOWN_STATES} more (all of them with --format json)", "dim")
            )
        out += [("", ""), (f"tf.gradients(loss, network_params), {how}:", "bold")]
        for name, g in self.gradients.items():
            head = f"  {name} {g.shape}: "
            out.append((Hanging(head + _array(g), len(head) + 1), "cyan"))
        out.append((f"check: {self.check.explain()}", "green" if self.check.ok else "bold red"))
        if self.explain:
            out += [("", "")]
            out += [(text, style) for text, style in self.explain]
        out += [("", ""), (f"{self.optimizer.tf_call()}.apply_gradients, one step:", "bold")]
        out += [(f"  {line}", "dim") for line in self.optimizer.rule_text("param")]
        for name, p in self.new_params.items():
            head = f"  {name}: "
            out.append((Hanging(head + _array(p), len(head) + 1), ""))
        return out

    layout = StyledLines.layout
    plain_text = StyledLines.plain_text
    __str__ = StyledLines.__str__
    __rich_console__ = StyledLines.__rich_console__
    _repr_mimebundle_ = StyledLines._repr_mimebundle_
    _repr_pretty_ = StyledLines._repr_pretty_

    def to_latex(self, standalone: bool = False) -> str:
        """The loss, each gradient as a matrix (6 significant digits), the check and the
        optimizer's step, as ``align*``."""
        from symgrad import latex

        rows = [
            "&"
            + latex.text(f"Critic network {self.describe()}, {self.network.num_params} parameters"),
            r"\text{loss} &= %s" % latex.number(self.loss),
        ]
        for name, g in self.gradients.items():
            rows.append(
                r"\frac{\partial\,\text{loss}}{\partial\,%s} &= %s"
                % (latex.text(name), _matrix_latex(g))
            )
        rows.append("&" + latex.text(f"check: {self.check.explain()}"))
        rows.append("&" + latex.text(f"{self.optimizer.tf_call()}.apply_gradients, one step:"))
        for line in self.optimizer.rule_text("param"):
            rows.append(r"&\quad " + latex.text(line))
        return latex.document(latex.align(rows), standalone)


def _matrix_latex(a) -> str:
    from symgrad.latex import number

    grid = a.reshape(1, -1) if a.ndim == 1 else a.reshape(a.shape[0], -1)
    shown = 6  # a slide shows the corner of a big matrix, with dots for the rest
    rows = []
    for row in grid[:shown]:
        cells = [number(float(x)) for x in row[:shown]]
        if len(row) > shown:
            cells.append(r"\cdots")
        rows.append(" & ".join(cells))
    if len(grid) > shown:
        rows.append(" & ".join([r"\vdots"] * min(grid.shape[1], shown + 1)))
    return r"\begin{bmatrix}%s\end{bmatrix}" % r" \\ ".join(rows)


def _vec(v) -> str:
    values = [float(x) for x in v]
    return repr(values[0]) if len(values) == 1 else repr(values)


def _array(a) -> str:
    return repr(a.tolist()) if a.ndim == 1 else repr([[float(x) for x in row] for row in a])


def critic(
    network: Any,
    optimizer: str = "rmsprop",
    lr: float | None = None,
    explain: str | None = None,
    init: int | None = None,
    exact: bool | None = None,
    graph: bool = False,
    picture: str | None = None,
) -> CriticResult:
    """The seed's Critic on a network description (a dict, as in the JSON file).

    The loss, the outputs and TD errors, the exact gradient of the loss with
    respect to every parameter (checked against central differences), and the
    parameters after one ``apply_gradients`` step (RMSProp, lr 0.001, by default).
    ``explain="matrix"`` shows the backward pass in matrix form, each matrix
    checked against the exact gradient; ``graph=True`` the layer graph with
    shapes, and ``picture`` a file (.png or .svg) to draw it into.

    >>> spec = {"layers": [{"units": 1, "activation": "linear"}],
    ...         "params": {"out/W": [[2.0]], "out/b": [0.0]},
    ...         "states": [[1.0], [2.0]], "targets": [[1.0], [1.0]]}
    >>> r = critic(spec, optimizer="sgd", lr=0.1)
    >>> r.loss, r.gradients["out/W"].tolist(), r.new_params["out/W"].tolist()
    (5.0, [[7.0]], [[1.3]])
    """
    import numpy as np

    from symgrad.exact import rational, settle
    from symgrad.exact import sqrt as exact_sqrt
    from symgrad.guard import report
    from symgrad.network.codegen import compile_program
    from symgrad.optimizers import optimizer as make_optimizer

    net, params, states, targets, loss_name = load_network(network, init)
    opt = make_optimizer(optimizer, 0.001 if lr is None else lr)
    target = _parse_param(net, explain) if explain and explain != MATRIX else None
    report(f"building the exact gradient of {net.num_params} parameters")
    grad = net.gradient(loss_name)
    n_states = states.shape[0]
    flat_params = np.concatenate([params[n].ravel() for n in net.param_names])
    if exact is None:
        exact = (len(grad.assignments) + net.num_params) * n_states <= EXACT_BUDGET
    if exact:
        import sympy as sp

        prog_params = [rational(v) for v in flat_params]
        rows = [[rational(v) for v in row] for row in np.hstack([states, targets])]
        from symgrad.network.codegen import Program

        program = Program(
            grad.samples, grad.params, grad.assignments, tuple(grad.all_outputs()), ""
        )
        values = program.exact(rows, prog_params)
        k = net.outputs
        sums = [sp.Add(*col) / n_states for col in zip(*values)]
        loss_exact = settle(sums[0])
        grads_exact = [settle(v) for v in sums[1 + k :]]
        outputs = np.array([[float(r[1 + i]) for i in range(k)] for r in values])
        d = net.inputs
        td = np.array(
            [[float(row[d + i] - r[1 + i]) for i in range(k)] for row, r in zip(rows, values)]
        )
        loss = float(loss_exact)
        flat_grads = np.array([float(g) for g in grads_exact])
        # One optimizer step in exact arithmetic, as the trajectory of symgrad step.
        eopt = opt.exact()
        sqrt = exact_sqrt
        new_flat = []
        for p, g in zip(prog_params, grads_exact):
            new_flat.append(float(settle(eopt.apply(p, g, eopt.slots(sp.Integer(0)), 1, sqrt)[0])))
        new_flat = np.array(new_flat)

        def state_gradients(indices):
            return [[float(v) for v in values[i][1 + k :]] for i in indices]

    else:
        report("compiling the gradient program")
        program = compile_program(grad.all_outputs(), grad.samples, grad.params, grad.assignments)
        report(f"evaluating it on {n_states} states")
        k = net.outputs
        sums = program.evaluate(np.hstack([states, targets]), flat_params) / n_states
        loss = float(sums[0])
        flat_grads = sums[1 + k :]
        outputs = forward(net, params, states)[0]
        td = targets - outputs
        new_flat, _ = opt.apply(flat_params, flat_grads, opt.slots(flat_params), 1)
        samples = np.hstack([states, targets])

        def state_gradients(indices):
            return [program.evaluate(samples[i : i + 1], flat_params)[1 + k :] for i in indices]

    gradients = unflatten(net, flat_grads)
    report("checking every partial with central differences", 0.0)
    check = check_gradient(net, params, states, targets, loss_name, flat_grads, state_gradients)
    lines: tuple[tuple[str, str], ...] = ()
    if target is not None:
        lines = _explain(net, grad, target, params, states, targets, flat_grads)
    layers: tuple[tuple[str, str], ...] = ()
    matrix_ok = True
    if explain == MATRIX or graph or picture is not None:
        from symgrad.network import matrix

        if explain == MATRIX:
            found, matrix_ok = matrix.matrix_view(
                net, params, states, targets, loss_name, gradients
            )
            lines = tuple(found)
        if graph or picture is not None:
            layers = tuple(matrix.layer_graph(net, n_states, loss_name))
        if picture is not None:
            picture = matrix.draw_layers(net, n_states, loss_name, picture)
    return CriticResult(
        net,
        loss_name,
        loss,
        outputs,
        targets,
        gradients,
        params,
        unflatten(net, new_flat),
        check,
        opt,
        exact,
        td,
        lines,
        layers,
        matrix_ok,
        picture,
    )


def _parse_param(net: Network, text: str) -> int:
    """The flat index of ``NAME[i,j]`` (or ``NAME[j]`` for a bias)."""
    m = re.fullmatch(r"\s*([^\[\]\s]+)\s*\[\s*(\d+)\s*(?:,\s*(\d+)\s*)?\]\s*", str(text))
    names = ", ".join(net.param_names)
    if not m:
        raise InputError(
            f"--explain wants NAME[i,j] or NAME[j], got {describe(text)}",
            hint=f"the parameters are {names}",
        )
    name, i, j = m.group(1), int(m.group(2)), m.group(3)
    if name not in net.shapes:
        raise InputError(
            f"there is no parameter {describe(name)}", hint=f"the parameters are {names}"
        )
    shape = net.shapes[name]
    index = (i,) if j is None else (i, int(j))
    if len(index) != len(shape) or any(a >= s for a, s in zip(index, shape)):
        raise InputError(f"{name}{list(index)} is outside {name}, whose shape is {shape}")
    offset = 0
    for other in net.param_names:
        if other == name:
            break
        offset += size(net.shapes[other])
    return offset + (index[0] if len(shape) == 1 else index[0] * shape[1] + index[1])


MAX_EXPLAIN_LINES = 14
#: ``--explain matrix`` (or a bare ``--explain``): the whole backward pass in matrix form.
MATRIX = "matrix"


def _explain(net, grad: Gradient, p: int, params, states, targets, flat_grads):
    """The chain rule for one parameter, from the loss back to it, with the values at state 0."""
    import sympy as sp

    from symgrad.exact import rational, settle
    from symgrad.printing import pretty

    defs = grad.definitions()
    flat = [v for n in net.param_names for v in params[n].ravel()]
    env = {s: rational(v) for s, v in zip(grad.params, flat)}
    row = list(states[0]) + list(targets[0])
    env |= {s: rational(v) for s, v in zip(grad.samples, row)}
    for sym, expr in grad.assignments:
        env[sym] = settle(expr.xreplace(env))

    def value(e) -> str:
        return repr(float(settle(e.xreplace(env))))

    param = grad.params[p]
    name = param.name
    lines = [
        (
            f"--explain {name}: backpropagation is the chain rule, from the loss back to {name}",
            "bold",
        ),
        (f"  ∂L/∂{name} = mean over the states of ∂ℓ/∂{name} = {float(flat_grads[p])!r}", ""),
        ("  per state (values at state 0):", "dim"),
        (f"    ℓ = {pretty(grad.loss)} = {value(grad.loss)}", ""),
    ]
    here = sp.Symbol(f"∂ℓ/∂{name}")
    chain = [(here, grad.grads[p])]
    seen: set = set()
    queue = [s for s in grad.grads[p].free_symbols if s.name.startswith("∂ℓ/∂")]
    while queue and len(chain) < MAX_EXPLAIN_LINES:
        sym = sorted(queue, key=lambda s: s.name)[0]
        queue.remove(sym)
        if sym in seen:
            continue
        seen.add(sym)
        chain.append((sym, defs[sym]))
        queue += [s for s in defs[sym].free_symbols if s.name.startswith("∂ℓ/∂") and s not in seen]
    for sym, expr in chain:
        lines.append((f"    {pretty(sp.Eq(sym, expr, evaluate=False))} = {value(expr)}", "cyan"))
    if queue:
        lines.append(
            (
                f"    ... {len(set(queue) - seen)} more factors (a wider network has more paths)",
                "dim",
            )
        )
    forward_syms = sorted(
        {
            s
            for _, e in chain
            for s in e.free_symbols
            if s in defs and not s.name.startswith("∂ℓ/∂")
        },
        key=lambda s: s.name,
    )
    for sym in forward_syms[:MAX_EXPLAIN_LINES]:
        lines.append((f"    {pretty(sp.Eq(sym, defs[sym], evaluate=False))} = {value(sym)}", "dim"))
    if any(e.has(sp.Heaviside) for _, e in chain):
        lines.append(
            ("    θ is the Heaviside step, relu's slope: 0 at the kink, as in TensorFlow", "dim")
        )
    shown = {s for _, e in chain for s in e.free_symbols} | {s for s, _ in chain}
    alike = sorted({s.name for s in shown if isinstance(s, Node)} & {p.name for p in grad.params})
    if alike:
        lines.append(
            (
                f"    {alike[0]} here is the network's own quantity (x[i] input i, t[k] target k, "
                "L/z and L/a layer L's values), not the parameter of that name",
                "dim",
            )
        )
    return tuple(lines)
