# %% [markdown]
# # Lesson 4: The chain rule
#
# **Goal:** differentiate functions of functions, like `sin(x²)` or
# `exp(sin(x²))`, by multiplying the slopes of the links in the chain, and
# follow symgrad's step-by-step derivation of each link.
#
# If `y = f(g(x))`, a small change in `x` changes `g` by about `g'(x)` times
# as much, and that change in `g` changes `y` by about `f'(g)` times as much.
# So the slopes multiply:
#
# `y' = f'(g(x)) · g'(x)`, or in Leibniz's notation `dy/dx = dy/dg · dg/dx`.

# %% [markdown]
# ## One link: `sin(x²)`
#
# The outer function is `sin(g)` with the inner `g = x²`. The outer slope is
# `cos(g)`, evaluated at the inner value; the inner slope is `2x`. The steps
# view names each rule and each inner function:

# %%
from symgrad.lessons import shell

shell('symgrad "sin(x^2)" --steps --at x=1')

# %% [markdown]
# ## Nested functions: `exp(sin(x²))`
#
# Each extra layer adds one factor. Reading the steps from the outside in:
# the slope of `exp` at `sin(x²)`, times the slope of `sin` at `x²`, times
# the slope of `x²`.

# %%
shell('symgrad "exp(sin(x^2))" --steps')

# %% [markdown]
# The same derivation is an object in Python: its steps are typed records,
# and the list of rules used tells which rule did what.

# %%
import symgrad

derivation = symgrad.steps("exp(sin(x^2))", wrt="x")
print(derivation.rules())
print(derivation.result)

# %% [markdown]
# ## Checking the chain numerically
#
# Multiplying the slopes of the links gives the same number as the slope of
# the whole function. At `x = 1`, with `g = x² = 1` and `h = sin(g)`:

# %%
import math

x = 1.0
g = x**2
h = math.sin(g)
links = [("d exp(h)/dh", math.exp(h)), ("d sin(g)/dg", math.cos(g)), ("d x²/dx", 2 * x)]
product = 1.0
for name, slope in links:
    product *= slope
    print(f"{name:<12} = {slope:.12f}")
print(f"product      = {product:.12f}")
print(f"symgrad      = {symgrad.grad('exp(sin(x^2))', at={'x': 1}).gradients()[0]:.12f}")

# %% [markdown]
# This is the whole idea of backpropagation (lesson 9): a network is a long
# chain of simple functions, and its gradient is the product of the local
# slopes, computed from the output back to the input.
#
# ## The chain rule with the other rules
#
# The chain rule combines with the product and quotient rules. The sigmoid
# `σ(x) = 1/(1 + e⁻ˣ)` is a good example; its derivative is the famous
# `σ(x)·(1 − σ(x))`:

# %%
shell('symgrad "1/(1 + exp(-x))" --steps')

# %%
import sympy as sp

slope = symgrad.grad("1/(1 + exp(-x))").derivatives["x"]
x = sp.Symbol("x", real=True)
sigma = 1 / (1 + sp.exp(-x))
print("σ·(1 − σ) − slope simplifies to", sp.simplify(sigma * (1 - sigma) - slope))

# %% [markdown]
# ## The mistake everyone makes once
#
# Forgetting the inner slope, `(sin(x²))' = cos(x²)`, is the classic chain
# rule mistake. `symgrad check` compares an answer with the exact derivative,
# gives a point where they differ, and names the likely mistake without
# giving the answer away (it exits with code 1 for a wrong answer):

# %%
shell('symgrad check "sin(x^2)" --answer "cos(x^2)"', expect=1)

# %%
shell('symgrad check "sin(x^2)" --answer "2*x*cos(x^2)"')

# %% [markdown]
# ## Exercises

# %% tags=["exercises"]
from symgrad.lessons import Exercise

EXERCISES = [
    Exercise.derivative(
        "Differentiate y = (3x + 1)⁵.",
        "(3*x + 1)^5",
        wrt="x",
        solution="15*(3*x + 1)^4",
        hints=["Outer: g⁵ with slope 5g⁴; inner: g = 3x + 1 with slope 3."],
    ),
    Exercise.derivative(
        "Differentiate y = exp(−x²/2).",
        "exp(-x^2/2)",
        wrt="x",
        solution="-x*exp(-x^2/2)",
        hints=["Outer: exp(g) keeps its shape; inner: g = −x²/2 has slope −x."],
    ),
    Exercise.derivative(
        "Differentiate y = log(1 + sin(x)²).",
        "log(1 + sin(x)^2)",
        wrt="x",
        solution="2*sin(x)*cos(x)/(1 + sin(x)^2)",
        hints=["Three links: log(u) → 1/u, u = 1 + s² → 2s, s = sin(x) → cos(x)."],
    ),
    Exercise.derivative(
        "What is the slope of y = sqrt(1 + x³) at x = 2?",
        "sqrt(1 + x^3)",
        wrt="x",
        at="x=2",
        solution="2",
        hints=["y' = 3x²/(2·sqrt(1 + x³)); at x = 2 that is 12/(2·3)."],
    ),
]
