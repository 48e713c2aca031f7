# %% [markdown]
# # Lesson 12: A dense layer in matrix form
#
# **Goal:** write a dense layer's forward and backward pass with matrices,
# keep track of every shape, derive `∂L/∂W = xᵀδ`, `∂L/∂b = Σ δ` and
# `∂L/∂x = δWᵀ`, and check them against symgrad's exact gradient.
#
# TensorFlow's dense layer (and the Critic's) computes, for a batch `x` of
# `B` rows with `n` inputs each:
#
# | quantity | formula | shape |
# | --- | --- | --- |
# | input | `x` | `(B, n)` |
# | weights, bias | `W`, `b` | `(n, m)`, `(m,)` |
# | pre-activation | `z = x·W + b` | `(B, m)` |
# | output | `a = act(z)` | `(B, m)` |
# | error signal | `δ = ∂L/∂z = ∂L/∂a ⊙ act'(z)` | `(B, m)` |
# | weight gradient | `∂L/∂W = xᵀ·δ` | `(n, m)`, like `W` |
# | bias gradient | `∂L/∂b = Σ over rows of δ` | `(m,)`, like `b` |
# | input gradient | `∂L/∂x = δ·Wᵀ` | `(B, n)`, like `x` |

# %% [markdown]
# ## Why `xᵀδ`
#
# One entry at a time: `z[k, j] = Σᵢ x[k, i]·W[i, j] + b[j]`, so
# `∂z[k, j]/∂W[i, j] = x[k, i]`. `W[i, j]` feeds `z[k, j]` for every row `k`
# of the batch (fan-out, lesson 10), so its gradient sums over the batch:
# `∂L/∂W[i, j] = Σₖ x[k, i]·δ[k, j]`, which is the entry `(i, j)` of `xᵀδ`.
# The shapes are the check: `(n, B)·(B, m) = (n, m)`, the shape of `W`.

# %%
import numpy as np

x = np.array([[1.0, 2.0, -1.0], [0.5, -1.0, 2.0]])  # B = 2 states, n = 3 inputs
W = np.array([[0.2, -0.5], [0.4, 0.1], [-0.3, 0.6]])  # n = 3, m = 2 units
b = np.array([0.1, -0.2])
y = np.array([[1.0, 0.0], [0.0, 1.0]])  # targets

z = x @ W + b
a = np.tanh(z)
loss = np.mean((y - a) ** 2)  # tflearn.mean_square: the mean over all B·m entries
delta = -2 * (y - a) / y.size * (1 - a**2)  # ∂L/∂a ⊙ tanh'(z)
grad_w = x.T @ delta
grad_b = delta.sum(axis=0)
grad_x = delta @ W.T
for name, value in [("z", z), ("δ", delta), ("∂L/∂W", grad_w), ("∂L/∂b", grad_b)]:
    print(f"{name:<6} shape {value.shape}")
print("loss =", round(loss, 6))
print("∂L/∂W =\n", np.round(grad_w, 6))

# %% [markdown]
# ## The same gradient, exactly
#
# symgrad's parser works on scalars, so write the loss out entry by entry:
# one scalar formula in the 6 weights and 2 biases, with the data as
# numbers. Its exact gradient must equal the matrix formulas:

# %%
import symgrad

names = [[f"w{i}{j}" for j in range(2)] for i in range(3)]
terms = []
for k in range(2):
    for j in range(2):
        zkj = " + ".join(f"({x[k, i]})*{names[i][j]}" for i in range(3)) + f" + b{j}"
        terms.append(f"({y[k, j]} - tanh({zkj}))^2")
LOSS = "(" + " + ".join(terms) + ")/4"
params = [n for row in names for n in row] + ["b0", "b1"]
point = {n: float(W[i, j]) for i, row in enumerate(names) for j, n in enumerate(row)}
point |= {"b0": float(b[0]), "b1": float(b[1])}
result = symgrad.grad(LOSS, at=point, wrt=params)
exact = np.array(result.gradients())
print("symgrad ∂L/∂W =\n", np.round(exact[:6].reshape(3, 2), 6))
print("xᵀδ matches:", np.allclose(exact[:6].reshape(3, 2), grad_w, rtol=1e-12, atol=1e-15))
print("Σδ matches:", np.allclose(exact[6:], grad_b, rtol=1e-12, atol=1e-15))
print(
    "every partial checked numerically:", all(p.check.verdict == "agrees" for p in result.partials)
)

# %% [markdown]
# ## The same layer through `symgrad critic`
#
# `symgrad critic` takes the layer in TensorFlow's layout and prints the
# same gradient (each `W` of shape `(inputs, units)`):

# %%
from symgrad.network import critic

layer = {
    "layers": [{"units": 2, "activation": "tanh"}],
    "params": {"dense/W": W.tolist(), "dense/b": b.tolist()},
    "states": x.tolist(),
    "targets": y.tolist(),
}
report = critic(layer)
print(report.gradients["dense/W"])
print("equals xᵀδ:", np.allclose(np.array(report.gradients["dense/W"], dtype=float), grad_w))

# %% [markdown]
# `∂L/∂x = δWᵀ` is what a layer hands back to the layer before it: its `δ`
# for the previous layer is `δWᵀ ⊙ act'(z_previous)`. Backpropagation is
# this one line per layer, from the last to the first.
#
# ## Exercises

# %% tags=["exercises"]
from symgrad.lessons import Exercise

EXERCISES = [
    Exercise.value(
        "A batch x of shape (32, 10) goes into a dense layer with W of shape (10, 4). "
        "How many entries does ∂L/∂W have?",
        10 * 4,
        hints=[
            "A gradient has the shape of the thing it is the gradient of.",
            "∂L/∂W = xᵀδ with shapes (10, 32)·(32, 4).",
            "Multiply the two numbers of the result's shape.",
        ],
        wrong={
            "320": "that is the size of x (32·10): ∂L/∂W has W's shape",
            "128": "that is the size of δ (32·4): ∂L/∂W has W's shape",
        },
    ),
    Exercise.value(
        "One state x = (1, 2) and its error signal δ = (3, −1) (one row each). "
        "What is ∂L/∂W[1, 0], the entry for input 1 and unit 0 (counting from 0)?",
        2 * 3,
        hints=[
            "∂L/∂W = xᵀδ: entry (i, j) is x[i]·δ[j] for a single state.",
            "The row index i picks the input, the column index j the unit.",
            "x[1] = 2 and δ[0] = 3.",
        ],
        wrong={
            "-2": "that is x[1]·δ[1], the entry ∂L/∂W[1, 1]: the column picks δ's entry",
            "3": "that is x[0]·δ[0], the entry ∂L/∂W[0, 0]",
        },
    ),
    Exercise.value(
        "For a batch of two states, δ = [[1, 2], [3, −4]] (rows are states). What is ∂L/∂b[0]? "
        "(δ already contains the loss's averaging.)",
        1 + 3,
        hints=[
            "The bias b[0] is added to z[k, 0] for every state k.",
            "So its gradient adds up column 0 of δ over the batch.",
            "Column 0 of δ is (1, 3).",
        ],
        wrong={
            "1": "only the first state: the bias feeds every row, so sum column 0 over the batch",
            "3": "that sums row 0 (1 + 2), one state's units: b[0] collects column 0",
        },
    ),
    Exercise.variant(  # the input x is the data: every student may get their own
        "Multi-step: one relu unit, z = w1·x1 + w2·x2 + b with x = ({x1}, {x2}), w1 = 0.5, "
        "w2 = 0.25, b = 0, and L = (relu(z) − 2)². What is ∂L/∂w2?",
        "(relu(w1*x1 + w2*x2 + b) - 2)^2",
        solution="-4",
        vary={"x1": [2, 3], "x2": [3, 5]},  # a = z never hits the target 2: δ is never 0
        defaults={"x1": 1, "x2": 2},
        wrt="w2",
        at="w1=0.5,w2=0.25,b=0",
        hints=[
            "Forward first: z, then a = relu(z).",
            "δ = ∂L/∂z = 2·(a − 2)·relu'(z); then ∂L/∂w2 = x2·δ.",
            "z = 0.5·{x1} + 0.25·{x2} > 0, so relu'(z) = 1 and a = z.",
        ],
        wrong={
            "-2": "that is δ = ∂L/∂z: multiply by x2 = 2",
            "4": "the sign: δ = 2·(a − 2) is negative because a = 1 is below the target 2",
        },
    ),
]
