# %% [markdown]
# # Lesson 3: The derivatives of exp, log, sin and cos
#
# **Goal:** know the derivatives of `eˣ`, `ln x`, `sin x`, `cos x` and
# `tan x`, see each one as a slope you can measure, and combine them with
# the constant and sum rules of lesson 2. Every later lesson needs them:
# sigmoids and softmax are built from `exp`, cross-entropy from `log`.
#
# | function | derivative | why |
# | --- | --- | --- |
# | `exp(x)` | `exp(x)` | the only function (up to a factor) that is its own slope |
# | `log(x)` (natural, `ln`) | `1/x` | the inverse of `exp`: its slope is 1 over exp's slope |
# | `sin(x)` | `cos(x)` | the slope of the unit circle's height |
# | `cos(x)` | `−sin(x)` | the width shrinks while the height grows |
# | `tan(x)` | `1 + tan(x)² = 1/cos(x)²` | the quotient rule on `sin/cos` (lesson 4) |
#
# Angles are in radians: `sin' = cos` holds only then.

# %% [markdown]
# ## `eˣ` is its own slope
#
# Measure it: the average slope of `exp` over a small step `h` is almost
# `exp(x)` itself, at every `x`:

# %%
import math

h = 1e-6
print(f"{'x':>4} {'exp(x)':>12} {'measured slope':>15}")
for x in [-1.0, 0.0, 1.0, 2.0]:
    slope = (math.exp(x + h) - math.exp(x - h)) / (2 * h)
    print(f"{x:>4} {math.exp(x):>12.6f} {slope:>15.6f}")

# %% [markdown]
# symgrad gives the exact slope, `e` at `x = 1` (type `eˣ` as `exp(x)` or
# `e^x`):

# %%
from symgrad.lessons import shell

shell('symgrad "exp(x)" --at x=1')

# %% [markdown]
# ## `ln x` has slope `1/x`
#
# `log` undoes `exp`: if `y = log(x)` then `x = exp(y)`. A step `dy` in `y`
# moves `x` by `exp(y)·dy = x·dy`, so `dy/dx = 1/x`. The slope is large near
# 0 and small far out, which is why `log` compresses big numbers.
# symgrad reads `ln` and `log` as the natural logarithm:

# %%
shell('symgrad "ln(x)" --at x=4')

# %% [markdown]
# ## `sin` and `cos`
#
# On the unit circle, a point at angle `x` has height `sin x` and width
# `cos x`. Turning a little, by `dx`, raises the height by `cos x·dx` and
# shrinks the width by `sin x·dx`. So `sin' = cos` and `cos' = −sin`: the
# minus sign is the one everybody forgets. The steps view names the rule:

# %%
shell('symgrad "cos(x)" --steps --at x=pi/6')

# %% [markdown]
# The two derivatives chase each other: differentiating `sin` four times
# comes back to `sin`. symgrad's `--order` shows it:

# %%
import symgrad

for n in range(1, 5):
    print(f"order {n}:", symgrad.nth_derivative("sin(x)", order=n).entries[0].derivative)

# %% [markdown]
# ## Combining with the rules of lesson 2
#
# Constant factors stay and sums split, as before: the slope of
# `3·eˣ − 2·ln x + sin x` is `3·eˣ − 2/x + cos x`:

# %%
shell('symgrad "3*exp(x) - 2*log(x) + sin(x)" --at x=1')

# %% [markdown]
# `tan` needs the quotient rule (next lesson) to derive, but its result is
# worth knowing now: at `x = π/4`, `tan = 1` and the slope is `1 + 1² = 2`.

# %%
shell('symgrad "tan(x)" --at x=pi/4')

# %% [markdown]
# ## Exercises

# %% tags=["exercises"]
from symgrad.lessons import Exercise

EXERCISES = [
    Exercise.variant(
        "Differentiate y = {a}eˣ − cos(x) (type eˣ as exp(x)).",
        "a*exp(x) - cos(x)",
        solution="4*exp(x) + sin(x)",
        vary={"a": (2, 9)},
        defaults={"a": 4},
        wrt="x",
        hints=[
            "Term by term; a constant factor stays.",
            "(exp(x))' = exp(x) and (cos(x))' = −sin(x).",
            "Subtracting cos(x) subtracts its slope, −sin(x).",
        ],
        wrong={
            "4*exp(x) - sin(x)": "the sign: (cos(x))' = −sin(x), and subtracting it gives +sin(x)",
            "exp(x) + sin(x)": "the constant factor 4 was dropped",
            "4*x*exp(x - 1) + sin(x)": "the power rule does not apply to eˣ: x is the exponent, "
            "and (eˣ)' = eˣ",
        },
    ),
    Exercise.variant(
        "Differentiate y = {a}·ln(x) + x³ (type ln as log or ln).",
        "a*log(x) + x^3",
        solution="5/x + 3*x^2",
        vary={"a": (2, 9)},
        defaults={"a": 5},
        wrt="x",
        hints=[
            "Term by term again.",
            "(log(x))' = 1/x.",
            "The constant {a} stays in front of the slope of log(x).",
        ],
        wrong={
            "1/x + 3*x^2": "the constant factor 5 was dropped",
            "-5/x^2 + 3*x^2": "5/x was differentiated once more: (log(x))' = 1/x already",
        },
    ),
    Exercise.derivative(
        "What is the slope of y = sin(x) − 2·cos(x) at x = π/2?",
        "sin(x) - 2*cos(x)",
        wrt="x",
        at="x=pi/2",
        solution="2",
        hints=[
            "Differentiate first, then put x = π/2 in.",
            "y' = cos(x) + 2·sin(x): −2·cos(x) has slope +2·sin(x).",
            "cos(π/2) = 0 and sin(π/2) = 1.",
        ],
        wrong={
            "-2": "the sign: (cos(x))' = −sin(x), so −2·cos(x) has slope +2·sin(x)",
            "1": "that is y(π/2) = 1 − 0, the value, not the slope",
        },
    ),
    Exercise.derivative(
        "What is the slope of y = tan(x) at x = π/3?",
        "tan(x)",
        wrt="x",
        at="x=pi/3",
        solution="4",
        hints=[
            "Use the rule from the table: tan' = 1 + tan².",
            "tan(π/3) = sqrt(3).",
            "Square tan(π/3) and add 1.",
        ],
        wrong={
            "sqrt(3)": "that is tan(π/3), the value, not the slope",
            "2": "that is 1/cos(π/3); the slope is 1/cos², its square",
        },
    ),
    Exercise.variant(
        "Two rules and a value: for y = {a}·sin(x) + {b}·ln(x), what is the slope at x = π? "
        "(An exact number; π is pi.)",
        "a*sin(x) + b*log(x)",
        solution="-2 + 3/pi",
        vary={"a": (2, 9), "b": (2, 9)},
        defaults={"a": 2, "b": 3},
        wrt="x",
        at="x=pi",
        hints=[
            "Differentiate each term, then put x = π in.",
            "y' = {a}·cos(x) + {b}/x.",
            "cos(π) = −1.",
        ],
        wrong={
            "2 + 3/pi": "cos(π) = −1, not 1",
            "3/pi": "the slope of 2·sin(x) at π, 2·cos(π) = −2, is missing (sin(π) = 0 is "
            "the value, not the slope)",
        },
    ),
]
