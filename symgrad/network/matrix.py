"""The Critic as layers: the layer graph with shapes, and backpropagation in matrix form.

A course writes a dense network's backward pass with matrices, one
recurrence per layer (``n`` states in a batch, ``x`` an n×d matrix):

    z_l = a_(l-1) W_l + b_l,   a_l = act_l(z_l),   a_0 = x
    δ_L = ∂L/∂z_L                   (from the loss: (ŷ - t)⋅2/n for a mean square)
    ∂L/∂W_l = a_(l-1)ᵀ δ_l,   ∂L/∂b_l = 1ᵀ δ_l
    δ_(l-1) = (δ_l W_lᵀ) ⊙ act'_(l-1)(z_(l-1))

:func:`matrix_view` evaluates these in float64 and checks every ``∂L/∂W`` and
``∂L/∂b`` against the entry-wise exact gradient symgrad derived;
:func:`layer_graph` is the chain of layers with their shapes, and
:func:`draw_layers` draws it.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["layer_graph", "matrix_view", "draw_layers", "forward_matrices", "MATRIX_TOLERANCE"]

#: Largest relative difference between a matrix-form gradient and the exact one that agrees.
MATRIX_TOLERANCE = 1e-9
_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _sub(k: int) -> str:
    return str(k).translate(_SUB)


def _loss_words(loss: str, k: int) -> tuple[str, str]:
    """The loss by name and the first δ as a formula."""
    n_k = "n" if k == 1 else f"(n⋅{k})"
    if loss == "mean_square":
        return "L = mean((ŷ - t)²)", f"(ŷ - t)⋅2/{n_k}"
    if loss == "binary_crossentropy":
        return "L = mean(softplus(z) - t⋅z)", f"(σ(z) - t)/{n_k}"
    return "L = mean over states of -Σ t⋅log softmax(z)", "(p - t)/n"


def layer_graph(net, n: int, loss: str) -> list[tuple[str, str]]:
    """The layers as a chain with the shape of every matrix (``n`` states).

    >>> from symgrad.network.model import Network
    >>> net = Network.from_layers(3, [(4, "relu"), (1, "linear")])
    >>> print("\\n".join(t for t, _ in layer_graph(net, 1, "mean_square")))
    Layer graph (shapes for a batch of 1 state; W has shape inputs × units):
      x: 1×3
      → z₁ = x W₁ + b₁: 1×4      W₁: 3×4, b₁: 4
      → a₁ = relu(z₁): 1×4
      → z₂ = a₁ W₂ + b₂: 1×1      W₂: 4×1, b₂: 1
      → ŷ = z₂: 1×1
      → L = mean((ŷ - t)²), t: 1×1
    """
    states = "state" if n == 1 else "states"
    out = [
        (f"Layer graph (shapes for a batch of {n} {states}; W has shape inputs × units):", "bold")
    ]
    out.append((f"  x: {n}×{net.inputs}", ""))
    fan_in = net.inputs
    prev = "x"
    for i, layer in enumerate(net.layers, start=1):
        last = i == len(net.layers)
        z = f"z{_sub(i)}"
        text = f"  → {z} = {prev} W{_sub(i)} + b{_sub(i)}: {n}×{layer.units}"
        out.append(
            (
                f"{text.ljust(26)}  W{_sub(i)}: {fan_in}×{layer.units}, b{_sub(i)}: {layer.units}",
                "cyan",
            )
        )
        name = "ŷ" if last else f"a{_sub(i)}"
        if layer.activation == "softmax":
            out.append((f"  → p = softmax({z}): {n}×{layer.units}", ""))
        elif layer.activation == "linear":
            if last:
                out.append((f"  → ŷ = {z}: {n}×{layer.units}", ""))
            else:
                name = z
        else:
            out.append((f"  → {name} = {layer.activation}({z}): {n}×{layer.units}", ""))
        prev, fan_in = name, layer.units
    words, _ = _loss_words(loss, net.outputs)
    out.append((f"  → {words}, t: {n}×{net.outputs}", "bold"))
    return out


def forward_matrices(net, params, states):
    """``(z, a)`` of every layer in float64 (``a`` of a softmax layer is p)."""
    import numpy as np

    from symgrad.network.codegen import activation_function
    from symgrad.network.softmax import softmax_numpy

    zs, acts = [], [np.asarray(states, dtype=np.float64)]
    for i, layer in enumerate(net.layers):
        w, b = params[net.param_names[2 * i]], params[net.param_names[2 * i + 1]]
        z = acts[-1] @ w + b
        if layer.activation == "softmax":
            a = softmax_numpy(z)
        else:
            a = activation_function(layer.activation)(z)
        zs.append(z)
        acts.append(a)
    return zs, acts


def _slope(activation: str, z, a):
    import numpy as np

    if activation == "relu":
        return (z > 0).astype(np.float64)  # 0 at the kink, as TensorFlow
    if activation == "tanh":
        return 1.0 - a**2
    if activation == "sigmoid":
        return a * (1.0 - a)
    if activation == "linear":
        return np.ones_like(z)
    return _record_slope(activation)(z)


def _record_slope(activation: str):
    """act'(z) element-wise, from the derivative in the activation's record."""
    import sympy as sp

    from symgrad.functions import ACTIVATIONS, record_of
    from symgrad.numeric import compile_expr

    u = sp.Symbol("u", real=True)
    built = ACTIVATIONS[activation](u)
    return compile_expr(record_of(built).derivative(*built.args), [u], backend="numpy")


_SLOPE_TEXT = {
    "relu": "relu'(z) = [z > 0]",
    "tanh": "tanh'(z) = 1 - a²",
    "sigmoid": "σ'(z) = a⊙(1 - a)",
}


def _matrix_lines(label: str, m, indent: str = "      ") -> list[tuple[str, str]]:
    import numpy as np

    text = np.array2string(
        np.asarray(m)
        + 0.0,  # + 0.0 turns -0.0 (relu' times a negative) into 0.0 precision=5, suppress_small=False, max_line_width=96, threshold=60
    )
    return [(indent + line, "") for line in text.split("\n")]


def matrix_view(
    net, params, states, targets, loss: str, gradients
) -> tuple[list[tuple[str, str]], bool]:
    """The backward pass in matrix form, with shapes and numbers; each ∂L/∂W checked.

    ``gradients`` are the entry-wise exact ones (name -> array). Returns the
    lines and whether every matrix agrees with them.
    """
    import numpy as np

    n = states.shape[0]
    k = net.outputs
    zs, acts = forward_matrices(net, params, states)
    t = np.asarray(targets, dtype=np.float64)
    depth = len(net.layers)
    last = net.layers[-1]
    words, first = _loss_words(loss, k)
    lines: list[tuple[str, str]] = [
        ("--explain: backpropagation in matrix form, for the whole batch at once", "bold"),
        (f"  {words};  δ_l = ∂L/∂z_l, an n×units matrix (n = {n})", "dim"),
    ]
    if loss == "mean_square":
        delta = (acts[-1] - t) * 2.0 / (n * k)
        if last.activation != "linear":
            delta = delta * _slope(last.activation, zs[-1], acts[-1])
            first += f" ⊙ {last.activation}'(z{_sub(depth)})"
    elif loss == "binary_crossentropy":
        delta = (acts[-1] - t) / (n * k)
    else:
        sums = t.sum(axis=1, keepdims=True)
        delta = (acts[-1] * sums - t) / n
        lines += _softmax_steps(np.allclose(sums, 1.0))
    ok = True
    lines += [("", ""), (f"  δ{_sub(depth)} = {first}: {n}×{k}", "cyan")]
    lines += _matrix_lines("δ", delta)
    for i in range(depth, 0, -1):
        a_prev = acts[i - 1]
        name_w, name_b = net.param_names[2 * (i - 1)], net.param_names[2 * (i - 1) + 1]
        prev = (
            "x"
            if i == 1
            else (
                f"a{_sub(i - 1)}" if net.layers[i - 2].activation != "linear" else f"z{_sub(i - 1)}"
            )
        )
        d_w = a_prev.T @ delta
        d_b = delta.sum(axis=0)
        for label, got, exact, text in (
            (
                name_w,
                d_w,
                gradients[name_w],
                f"∂L/∂W{_sub(i)} = {prev}ᵀ δ{_sub(i)}: {d_w.shape[0]}×{d_w.shape[1]}",
            ),
            (
                name_b,
                d_b,
                gradients[name_b],
                f"∂L/∂b{_sub(i)} = 1ᵀ δ{_sub(i)} (column sums): {d_b.shape[0]}",
            ),
        ):
            diff = float(np.max(np.abs(got - exact)))
            scale = max(1.0, float(np.max(np.abs(exact))))
            agrees = diff <= MATRIX_TOLERANCE * scale
            ok = ok and agrees
            lines.append(("", ""))
            lines.append((f"  {text}   ({label})", "cyan"))
            lines += _matrix_lines(label, got)
            mark = "✓ equals" if agrees else "✗ differs from"
            lines.append(
                (
                    f"      {mark} the entry-wise exact gradient (largest difference {diff:.1e})",
                    "green" if agrees else "bold red",
                )
            )
        if i > 1:
            below = net.layers[i - 2]
            slope = _slope(below.activation, zs[i - 2], acts[i - 1])
            delta = (delta @ params[name_w].T) * slope
            act = "" if below.activation == "linear" else f" ⊙ {below.activation}'(z{_sub(i - 1)})"
            lines.append(("", ""))
            lines.append(
                (f"  δ{_sub(i - 1)} = (δ{_sub(i)} W{_sub(i)}ᵀ){act}: {n}×{below.units}", "cyan")
            )
            if below.activation in _SLOPE_TEXT:
                lines.append((f"      with {_SLOPE_TEXT[below.activation]}, element-wise", "dim"))
            lines += _matrix_lines("δ", delta)
    return lines, ok


def _softmax_steps(sums_to_one: bool) -> list[tuple[str, str]]:
    """The p - t simplification, step by step."""
    steps = [
        ("", ""),
        ("  softmax and cross-entropy, per state (p = softmax(z), L_z = log Σ_j e^(z_j)):", "bold"),
        ("    ℓ = -Σ_k t_k log p_k               log p_k = z_k - L_z", ""),
        ("      = Σ_k t_k (L_z - z_k)            computed with logaddexp: no overflow", ""),
        ("    ∂L_z/∂z_k = e^(z_k) / Σ_j e^(z_j) = p_k", ""),
        ("    ∂ℓ/∂z_k = (Σ_j t_j) p_k - t_k", ""),
    ]
    if sums_to_one:
        steps.append(
            ("            = p_k - t_k                 every target row sums to 1", "green")
        )
    else:
        steps.append(
            ("    (the target rows do not all sum to 1, so p - t does not apply)", "yellow")
        )
    return steps


def draw_layers(net, n: int, loss: str, path: str | Path) -> str:
    """Draw the layer graph (boxes with shapes, parameters feeding in) as PNG or SVG."""
    from symgrad.errors import InputError
    from symgrad.files import check_target, save_figure

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise InputError(
            f"--graph writes .png or .svg files; {path.name!r} ends in neither",
            hint="for example --graph layers.png",
        )
    check_target(path, suffix, "--graph")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    boxes = [("x", f"{n}×{net.inputs}", "#dff0d8", None)]
    prev = "x"
    for i, layer in enumerate(net.layers, start=1):
        boxes.append(
            (
                f"z{_sub(i)} = {prev}W{_sub(i)} + b{_sub(i)}",
                f"{n}×{layer.units}",
                "#f5f5f5",
                (
                    f"W{_sub(i)}: {net.shapes[net.param_names[2 * i - 2]][0]}×{layer.units}",
                    f"b{_sub(i)}: {layer.units}",
                ),
            )
        )
        last = i == len(net.layers)
        if layer.activation == "softmax":
            boxes.append((f"p = softmax(z{_sub(i)})", f"{n}×{layer.units}", "#f5f5f5", None))
            prev = "p"
        elif layer.activation != "linear":
            name = "ŷ" if last else f"a{_sub(i)}"
            boxes.append(
                (f"{name} = {layer.activation}(z{_sub(i)})", f"{n}×{layer.units}", "#f5f5f5", None)
            )
            prev = name
        else:
            prev = f"z{_sub(i)}"
    words, _ = _loss_words(loss, net.outputs)
    boxes.append(
        (
            words.split(" = ")[0]
            + " = "
            + {"mean_square": "mean square", "binary_crossentropy": "binary cross-entropy"}.get(
                loss, "cross-entropy"
            ),
            "scalar",
            "#fcf3cf",
            (f"t: {n}×{net.outputs}",),
        )
    )
    w, h, gap = 3.1, 0.9, 0.8
    fig, ax = plt.subplots(figsize=(max(6.0, len(boxes) * (w + gap) * 0.62), 3.2))
    try:
        ax.set_xlim(-0.3, len(boxes) * (w + gap))
        ax.set_ylim(-1.3, 2.3)
        ax.set_aspect("equal")
        ax.axis("off")
        for k, (title, shape, face, param) in enumerate(boxes):
            x = k * (w + gap)
            ax.add_patch(
                FancyBboxPatch(
                    (x, 0), w, h, boxstyle="round,pad=0.02,rounding_size=0.1", fc=face, ec="#333333"
                )
            )
            ax.text(
                x + w / 2, h * 0.66, title, ha="center", va="center", fontsize=9.5, weight="bold"
            )
            ax.text(
                x + w / 2, h * 0.28, shape, ha="center", va="center", fontsize=9, color="#1f5fa8"
            )
            if k:
                ax.add_patch(
                    FancyArrowPatch(
                        (x - gap, h / 2),
                        (x, h / 2),
                        arrowstyle="-|>",
                        mutation_scale=12,
                        color="#555555",
                    )
                )
            if param:
                ax.add_patch(
                    FancyBboxPatch(
                        (x + 0.25, 1.45),
                        w - 0.5,
                        0.6,
                        boxstyle="round,pad=0.02,rounding_size=0.1",
                        fc="#eaf1fb",
                        ec="#1f5fa8",
                    )
                )
                ax.text(x + w / 2, 1.75, ",  ".join(param), ha="center", va="center", fontsize=8.5)
                ax.add_patch(
                    FancyArrowPatch(
                        (x + w / 2, 1.45),
                        (x + w / 2, h),
                        arrowstyle="-|>",
                        mutation_scale=10,
                        color="#1f5fa8",
                    )
                )
        ax.set_title(
            f"the network as layers: a batch of {n} state{'s' if n != 1 else ''}, shapes rows × columns",
            fontsize=10,
        )

        save_figure(fig, path, suffix, dpi=110, bbox_inches="tight")
    finally:
        plt.close(fig)
    return str(path)
