# %% [markdown]
# # Lesson 14: Vanishing and exploding gradients
#
# **Goal:** see why the gradient of a deep chain of sigmoids shrinks
# geometrically with depth (`σ' ≤ 1/4` at every layer, and the chain rule
# multiplies them), why large weights make it explode instead, and what
# relu, careful initialisation and residual connections change.
#
# A network of depth `n` with one unit per layer computes
# `h₁ = act(w·x)`, `h₂ = act(w·h₁)`, …, `y = hₙ`. By the chain rule,
#
# `dy/dx = Πₖ act'(zₖ)·w`,
#
# one factor per layer. If every factor is below 1 the product vanishes;
# above 1, it explodes.

# %% [markdown]
# ## `σ'` is at most 1/4
#
# `σ'(z) = σ(z)·(1 − σ(z))` is largest where `σ = 1/2`, at `z = 0`, and
# there it is `1/2 · 1/2 = 1/4`:

# %%
from symgrad.lessons import shell

shell('symgrad "sigmoid(z)" --at z=0')

# %% [markdown]
# ## The slope through depth, exactly
#
# Build the nested formula for depth 1 to 8 and let symgrad differentiate
# it exactly (the chain rule through every layer), at `x = 0.5`. The bound
# `(|w|/4)ⁿ` holds at every depth:

# %%
import symgrad


def chain(depth: int, act: str, w: float) -> str:
    text = "x"
    for _ in range(depth):
        text = f"{act}({w}*{text})"
    return text


print(f"{'depth':>5} {'sigmoid, w = 1':>16} {'bound (1/4)^n':>14} {'tanh, w = 1':>12}")
slopes: dict[str, list[float]] = {"sigmoid": [], "tanh": []}
for depth in range(1, 9):
    for act in slopes:
        slope = symgrad.grad(chain(depth, act, 1), at={"x": 0.5}).gradients()[0]
        slopes[act].append(abs(slope))
    bound = 0.25**depth
    assert slopes["sigmoid"][-1] <= bound
    print(f"{depth:>5} {slopes['sigmoid'][-1]:>16.3e} {bound:>14.3e} {slopes['tanh'][-1]:>12.3e}")

# %% [markdown]
# With `w = 1`, each sigmoid layer divides the gradient by at least 4:
# after 8 layers it is about 7·10⁻⁶, more than 30 000 times less than one layer gives. `tanh`
# has `tanh'(0) = 1`, so it fares better, but its slope too is below 1
# away from 0, and the product still shrinks.
#
# ## Exploding: factors above 1
#
# A linear chain with `w = 1.5` multiplies the gradient by 1.5 per layer;
# a relu chain with positive inputs does the same (its slope is 1). The
# picture puts both behaviours on one log scale:

# %%
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from symgrad.lessons import save_figure

depths = list(range(1, 9))
linear = [abs(symgrad.grad(chain(n, "relu", 1.5), at={"x": 0.5}).gradients()[0]) for n in depths]
fig, ax = plt.subplots(figsize=(6, 4))
ax.semilogy(depths, slopes["sigmoid"], "o-", label="sigmoid, w = 1")
ax.semilogy(depths, [0.25**n for n in depths], "k--", label="bound (1/4)ⁿ")
ax.semilogy(depths, slopes["tanh"], "s-", label="tanh, w = 1")
ax.semilogy(depths, linear, "^-", label="relu, w = 1.5")
ax.set_xlabel("depth n")
ax.set_ylabel("|dy/dx|")
ax.set_title("The gradient through depth")
ax.legend()
path = save_figure(fig, "14_vanishing.png", dpi=100)
plt.close(fig)
print("relu, w = 1.5:", [round(v, 3) for v in linear])
print("picture written to", path.name)

# %% [markdown]
# ## What helps
#
# - **relu** has slope exactly 1 where it is active, so active paths do not
#   shrink (but a unit that is never active passes nothing, lesson 9).
# - **Initialisation** (Glorot/Xavier, He) picks the weights' scale so that
#   the product of the factors stays near 1 on average through the layers.
# - **Residual connections** compute `h + f(h)`, whose slope is `1 + f'(h)`:
#   the `1` gives every layer a path on which the gradient is not multiplied
#   by a small factor.
# - **Gradient clipping** caps the size of an exploding gradient before the
#   optimizer step.
#
# The residual slope, exactly, for a block `h + σ(h)` at `h = 0`:

# %%
shell('symgrad "h + sigmoid(h)" --at h=0')

# %% [markdown]
# ## Exercises

# %% tags=["exercises"]
import sympy as sp

from symgrad.lessons import Exercise

EXERCISES = [
    Exercise.value(
        "What is the largest value of σ'(z) over all z?",
        sp.Rational(1, 4),
        hints=[
            "σ'(z) = σ(z)·(1 − σ(z)).",
            "A product s·(1 − s) is largest at s = 1/2.",
            "σ(z) = 1/2 at z = 0.",
        ],
        wrong={
            "1/2": "that is σ(0); σ'(0) = σ(0)·(1 − σ(0))",
            "1": "σ' = σ·(1 − σ) never reaches 1: both factors are below 1",
        },
    ),
    Exercise.value_variant(
        "A chain of {n} sigmoid layers with w = 1: what is the bound on |dy/dx| "
        "that σ' ≤ 1/4 gives? (A fraction.)",
        "(1/4)^n",
        vary={"n": (3, 8)},
        defaults={"n": 5},
        hints=[
            "The chain rule gives one factor σ'(zₖ)·w per layer.",
            "Each factor is at most 1/4 here.",
            "The factors multiply: raise 1/4 to the number of layers.",
        ],
        wrong={
            "n/4": "the factors multiply, they do not add: raise 1/4 to the number of layers",
            "1/4": "one layer only: the chain rule multiplies one σ' per layer",
        },
    ),
    Exercise.derivative(
        "Two layers: what is the slope of y = σ(σ(x)) at x = 0? "
        "(Exact; sigmoid(1/2) may appear in it.)",
        "sigmoid(sigmoid(x))",
        wrt="x",
        at="x=0",
        solution="sigmoid(1/2)*(1 - sigmoid(1/2))/4",
        hints=[
            "Chain rule: the outer σ' at the inner value, times the inner σ'.",
            "The inner layer: σ(0) = 1/2 and σ'(0) = 1/4.",
            "The outer σ' is taken at σ(0), not at 0.",
        ],
        wrong={
            "1/16": "the outer σ' was taken at 0 instead of at the inner value σ(0) = 1/2",
            "1/4": "only one layer's slope: multiply both layers' σ'",
        },
    ),
    Exercise.value_variant(
        "Exploding: {n} linear layers y = w·(w·(…(w·x))) with w = 1.5. What is dy/dx? "
        "(Exact, e.g. a power or a fraction.)",
        "(3/2)^n",
        vary={"n": (4, 12)},
        defaults={"n": 10},
        hints=[
            "Each layer's slope is w.",
            "The chain rule multiplies the {n} slopes.",
            "1.5 = 3/2.",
        ],
        wrong={
            "n*3/2": "the factors multiply: raise 1.5 to the number of layers, do not multiply by it",
            "3/2": "one layer only: there is one factor w per layer",
        },
    ),
    Exercise.value(
        "Multi-step: with w = 1, how many sigmoid layers does it take before the bound "
        "(1/4)ⁿ falls below 10⁻⁶?",
        next(n for n in range(1, 50) if sp.Rational(1, 4) ** n < sp.Rational(1, 10**6)),
        hints=[
            "Find the smallest n with 4ⁿ > 10⁶.",
            "4¹⁰ = 2²⁰ is about 1.05 million.",
            "Check n − 1 too: is 4⁹ above a million?",
        ],
        wrong={
            "9": "(1/4)⁹ ≈ 3.8·10⁻⁶ is still above 10⁻⁶",
            "6": "that takes a factor of 1/10 per layer; σ' ≤ 1/4 gives a factor of 1/4",
        },
    ),
]
