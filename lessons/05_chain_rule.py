# %% [markdown]
# # Lesson 5: The chain rule
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
# This is the whole idea of backpropagation (lesson 11): a network is a long
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
    Exercise.variant(
        "Differentiate y = ({a}x + {b})⁵.",
        "(a*x + b)^5",
        solution="15*(3*x + 1)^4",
        vary={"a": [3, 5, 7], "b": [1, 2, 4, 8]},  # coprime: no common factor to pull out
        defaults={"a": 3, "b": 1},
        wrt="x",
        hints=[
            "Outer function: g⁵; inner function: g = {a}x + {b}.",
            "Chain rule: (f(g(x)))' = f'(g(x))·g'(x).",
            "The outer slope is 5g⁴; the inner slope is {a}.",
        ],
        wrong={
            "5*(3*x + 1)^4": "the inner slope 3 is missing (chain rule)",
            "3*(3*x + 1)^4": "the factor 5 from the power rule is missing",
        },
    ),
    Exercise.variant(
        "Differentiate y = exp(−x²/{a}).",
        "exp(-x^2/a)",
        solution="-x*exp(-x^2/2)",
        vary={"a": (3, 9)},
        defaults={"a": 2},
        wrt="x",
        hints=[
            "Outer: exp(g); inner: g = −x²/{a}.",
            "(exp(g))' = exp(g): the outer function keeps its shape.",
            "The inner slope: (−x²/{a})' = −2x/{a}.",
        ],
        wrong={
            "exp(-x^2/2)": "the inner slope −x is missing (chain rule)",
            "x*exp(-x^2/2)": "the sign of the inner slope: (−x²/2)' = −x",
        },
    ),
    Exercise.derivative(
        "Differentiate y = log(1 + sin(x)²).",
        "log(1 + sin(x)^2)",
        wrt="x",
        solution="2*sin(x)*cos(x)/(1 + sin(x)^2)",
        hints=[
            "Three links: log(u) with u = 1 + s², and s = sin(x).",
            "(log(u))' = 1/u, (1 + s²)' = 2s, (sin(x))' = cos(x).",
            "Multiply the three slopes, each evaluated at its own inner function.",
        ],
        wrong={
            "1/(1 + sin(x)^2)": "only the outer slope: the inner slopes are missing",
            "2*sin(x)/(1 + sin(x)^2)": "the innermost slope, cos(x), is missing",
        },
    ),
    Exercise.derivative(
        "What is the slope of y = sqrt(1 + x³) at x = 2?",
        "sqrt(1 + x^3)",
        wrt="x",
        at="x=2",
        solution="2",
        hints=[
            "Outer: sqrt(g); inner: g = 1 + x³.",
            "(sqrt(g))' = 1/(2·sqrt(g)) and (1 + x³)' = 3x².",
            "At x = 2: g = 9, so sqrt(g) = 3, and the inner slope is 3·2².",
        ],
        wrong={
            "1/6": "only the outer slope 1/(2·3): multiply by the inner slope 3x² = 12",
            "12": "only the inner slope 3x²: multiply by the outer slope 1/(2·sqrt(g))",
            "3": "that is y(2) = sqrt(9), the value, not the slope",
        },
    ),
]
