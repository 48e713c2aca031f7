# %% [markdown]
# # Lesson 3: Product and quotient rules
#
# **Goal:** differentiate products and quotients, see why the derivative of
# a product is *not* the product of the derivatives, and let symgrad show the
# rule it uses.
#
# | rule | formula |
# | --- | --- |
# | product | `(u·v)' = u'·v + u·v'` |
# | quotient | `(u/v)' = (u'·v − u·v') / v²` |

# %% [markdown]
# ## The product rule
#
# A common mistake is `(u·v)' = u'·v'`. Try it on `x·x = x²`: it would give
# `1·1 = 1`, but the slope of `x²` is `2x`. The product rule gives
# `1·x + x·1 = 2x`. Here it is on `x·sin(x)`:

# %%
from symgrad.lessons import shell

shell('symgrad "x*sin(x)" --steps')

# %% [markdown]
# The same from Python, with the wrong "product of derivatives" beside it:

# %%
import sympy as sp

import symgrad
from symgrad.printing import inline

x = sp.Symbol("x", real=True)
right = symgrad.grad("x*sin(x)").derivatives["x"]
wrong = sp.diff(x, x) * sp.diff(sp.sin(x), x)
print("product rule:            ", inline(right))
print("product of derivatives:  ", inline(wrong))
print("they differ by:          ", inline(sp.expand(right - wrong)))

# %% [markdown]
# ## The quotient rule
#
# For `y = (x² + 1)/(x − 1)`, with `u = x² + 1` and `v = x − 1`:
# `y' = (2x·(x − 1) − (x² + 1)·1)/(x − 1)²`. symgrad uses the same rule and
# evaluates it at `x = 3`:

# %%
shell('symgrad "(x^2+1)/(x-1)" --steps --at x=3')

# %% [markdown]
# At `x = 1` the function is not defined, so neither is its slope: symgrad
# says so (and exits with code 1) instead of printing a wrong number.

# %%
shell('symgrad "(x^2+1)/(x-1)" --at x=1', expect=1)

# %% [markdown]
# ## Products of more than two factors
#
# Apply the rule twice: `(u·v·w)' = u'·v·w + u·v'·w + u·v·w'`. Each term
# differentiates one factor and keeps the others.

# %%
print(inline(symgrad.grad("x^2*exp(x)*cos(x)").derivatives["x"]))

# %% [markdown]
# ## Exercises

# %% tags=["exercises"]
from symgrad.lessons import Exercise

EXERCISES = [
    Exercise.derivative(
        "Differentiate y = x·eˣ (type eˣ as exp(x)).",
        "x*exp(x)",
        wrt="x",
        solution="exp(x) + x*exp(x)",
        hints=["u = x, v = exp(x), and (exp(x))' = exp(x)."],
    ),
    Exercise.derivative(
        "Differentiate y = x²·ln(x) (type ln as log).",
        "x^2*log(x)",
        wrt="x",
        solution="2*x*log(x) + x",
        hints=["u = x², v = log(x), (log(x))' = 1/x; then x²·(1/x) = x."],
    ),
    Exercise.derivative(
        "Differentiate y = x/(x² + 1).",
        "x/(x^2 + 1)",
        wrt="x",
        solution="(1 - x^2)/(x^2 + 1)^2",
        hints=["Quotient rule with u = x, v = x² + 1: (1·(x² + 1) − x·2x)/(x² + 1)²."],
    ),
    Exercise.derivative(
        "What is the slope of y = (x² + 1)/(x − 1) at x = 2?",
        "(x^2 + 1)/(x - 1)",
        wrt="x",
        at="x=2",
        solution="-1",
        hints=["y' = (2x·(x − 1) − (x² + 1))/(x − 1)²; at x = 2 that is (4 − 5)/1."],
    ),
]
