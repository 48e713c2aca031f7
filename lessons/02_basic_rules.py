# %% [markdown]
# # Lesson 2: The basic rules: constant, power, sum
#
# **Goal:** differentiate polynomials and powers by hand with three rules,
# and check every answer with symgrad.
#
# Going back to the limit of average slopes every time would be slow. A few
# rules, each proved once from that limit, do the work:
#
# | rule | formula | example |
# | --- | --- | --- |
# | constant | `(c)' = 0` | `(7)' = 0` |
# | power | `(xⁿ)' = n·xⁿ⁻¹` | `(x³)' = 3x²` |
# | constant multiple | `(c·u)' = c·u'` | `(5x)' = 5` |
# | sum | `(u + v)' = u' + v'` | `(x³ + 5x)' = 3x² + 5` |

# %% [markdown]
# ## A constant does not change
#
# The graph of `y = 7` is flat: its slope is 0 everywhere. symgrad agrees,
# and because `y` does not use `x` at all, TensorFlow would even say `None`
# (there is no path from `x` to `y`; lesson 6 comes back to this):

# %%
import symgrad
from symgrad.printing import inline

print(symgrad.grad("7 + 0*x", wrt="x").derivatives["x"])
print(symgrad.grad("7", at={"x": 1}, wrt="x").gradients())

# %% [markdown]
# ## The power rule
#
# For any exponent `n`, whole, negative or a fraction, `(xⁿ)' = n·xⁿ⁻¹`.
# A square root is `x^(1/2)` and `1/x` is `x^(-1)`:

# %%
for text in ["x^3", "x^10", "1/x", "sqrt(x)", "x^(2/3)"]:
    print(f"d/dx {text:<8} =", inline(symgrad.grad(text).derivatives["x"]))

# %% [markdown]
# ## Sums, differences and constant multiples
#
# The rules combine: differentiate term by term, keep constant factors. The
# steps view (`--steps`) shows which rule is used where:

# %%
from symgrad.lessons import shell

shell('symgrad "x^3 + 5*x + 7" --steps')

# %% [markdown]
# With a point, symgrad also evaluates the slope and checks it numerically.
# The derivative of `x³ − 3x` is `3x² − 3`, which is 0 at `x = 1`: the
# graph is flat there (a local minimum).

# %%
shell('symgrad "x^3 - 3*x" --at x=1')

# %% [markdown]
# ## Checking a hand answer
#
# To check your own answer, compare it with symgrad's exactly: the difference
# must simplify to 0. (Lesson 7 shows how to check numerically as well.)

# %%
import sympy as sp

mine = symgrad.parse("4*x^3 - 1/x^2").expr
exact = symgrad.grad("x^4 + 1/x").derivatives["x"]
print("symgrad:   ", inline(exact))
print("difference:", sp.simplify(mine - exact))

# %% [markdown]
# These rules cover polynomials and powers. Lesson 3 adds the functions
# machine learning is built from: `exp`, `log`, `sin`, `cos` and `tan`.
#
# ## Exercises

# %% tags=["exercises"]
from symgrad.lessons import Exercise

EXERCISES = [
    Exercise.variant(
        "Differentiate y = {f} with the power rule.",
        "x^n",
        solution="5*x^4",
        vary={"n": (3, 9)},
        defaults={"n": 5},
        wrt="x",
        hints=[
            "Use the power rule.",
            "(xⁿ)' = n·xⁿ⁻¹: the exponent comes down as a factor and drops by one.",
            "Here n = {n}, so the new exponent is {n} − 1.",
        ],
        wrong={
            "5*x^5": "the power was not lowered: the exponent drops by one",
            "x^4": "the factor n = 5 in front is missing",
        },
    ),
    Exercise.variant(  # every student may get their own numbers: lesson run 2 --student ID
        "Differentiate y = {f}.",
        "a*x^3 - b*x + c",
        vary={"a": (2, 9), "b": (2, 9), "c": (1, 9)},
        defaults={"a": 4, "b": 2, "c": 9},
        wrt="x",
        hints=[
            "The derivative of a sum is the sum of the derivatives, term by term.",
            "A constant factor stays, (c·f)' = c·f', and a constant alone has slope 0.",
            "({a}x³)' = {a}·3x².",
        ],
        wrong={
            "12*x^2 - 2 + 9": "the constant 9 was kept: its slope is 0",
            "12*x^2": "the slope of −2x, which is −2, is missing",
            "12*x^2 + 2": "the sign of the middle term: the slope of −2x is −2",
        },
    ),
    Exercise.derivative(
        "Differentiate y = √x + 1/x² (type √x as sqrt(x)).",
        "sqrt(x) + 1/x^2",
        wrt="x",
        solution="1/(2*sqrt(x)) - 2/x^3",
        hints=[
            "Rewrite both terms as powers of x.",
            "√x = x^(1/2) and 1/x² = x^(-2); then use the power rule on each.",
            "(x^(-2))' = −2·x^(-3).",
        ],
        wrong={
            "1/(2*sqrt(x)) + 2/x^3": "the sign of the second term: (x⁻²)' = −2x⁻³",
            "1/(2*sqrt(x)) - 2/x^2": "the power of the second term was not lowered: x⁻² becomes x⁻³",
        },
    ),
    Exercise.variant(
        "What is the slope of y = x⁴ − {b}x² at x = 3?",
        "x^4 - b*x^2",
        solution="60",
        vary={"b": (2, 9)},
        defaults={"b": 8},
        wrt="x",
        at="x=3",
        hints=[
            "Differentiate first, then put x = 3 in.",
            "y' = 4x³ − 2·{b}·x.",
            "4·3³ = 108.",
        ],
        wrong={
            "9": "that is y(3) = 81 − 72, the value, not the slope",
            "156": "4·27 + 48: the sign of the second term is wrong (−8x² has slope −16x)",
        },
    ),
]
