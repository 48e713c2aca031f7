# %% [markdown]
# # Lesson 4: Product and quotient rules
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
        hints=[
            "It is a product of two functions of x.",
            "(u·v)' = u'·v + u·v', and (exp(x))' = exp(x) (lesson 3).",
            "u = x gives u' = 1; v = exp(x) gives v' = exp(x).",
        ],
        wrong={
            "exp(x)": "that is u'·v' (or u'·v alone): the product rule is u'·v + u·v'",
            "x*exp(x)": "only u·v': the term u'·v = exp(x) is missing",
        },
    ),
    Exercise.derivative(
        "Differentiate y = x²·ln(x) (type ln as log or ln).",
        "x^2*log(x)",
        wrt="x",
        solution="2*x*log(x) + x",
        hints=[
            "A product: u = x² and v = log(x).",
            "(log(x))' = 1/x (lesson 3).",
            "u'·v = 2x·log(x); now add u·v'.",
        ],
        wrong={
            "2*x*log(x)": "the term u·v' = x²·(1/x) = x is missing",
            "2": "that is u'·v' = 2x·(1/x): the product rule is u'·v + u·v', not u'·v'",
        },
    ),
    Exercise.variant(
        "Differentiate y = x/(x² + {a}).",
        "x/(x^2 + a)",
        solution="(1 - x^2)/(x^2 + 1)^2",
        vary={"a": (2, 9)},
        defaults={"a": 1},
        wrt="x",
        hints=[
            "Use the quotient rule with u = x and v = x² + {a}.",
            "(u/v)' = (u'·v − u·v')/v².",
            "u' = 1 and v' = 2x.",
        ],
        wrong={
            "(x^2 - 1)/(x^2 + 1)^2": "the numerator is the wrong way round: u'·v − u·v', "
            "not u·v' − u'·v",
            "(1 - x^2)/(x^2 + 1)": "the denominator is v², not v",
            "1/(2*x)": "that is u'/v': the derivative of a quotient is not the quotient of "
            "the derivatives",
        },
    ),
    Exercise.variant(
        "What is the slope of y = (x² + {a})/(x − 1) at x = 2?",
        "(x^2 + a)/(x - 1)",
        solution="-1",
        vary={"a": (2, 9)},
        defaults={"a": 1},
        wrt="x",
        at="x=2",
        hints=[
            "Quotient rule first, then put x = 2 in.",
            "u = x² + {a} and v = x − 1, so u' = 2x and v' = 1.",
            "At x = 2: u = 4 + {a}, v = 1, u' = 4.",
        ],
        wrong={
            "9": "u'·v + u·v' = 4 + 5 is the product rule; the quotient rule subtracts",
            "4": "that is u'/v' = 4/1: the derivative of a quotient is not the quotient of "
            "the derivatives",
            "5": "that is y(2), the value of the function, not its slope",
        },
    ),
]
