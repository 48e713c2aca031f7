# %% [markdown]
# # Lesson 9: Kinks
#
# **Goal:** see what happens at a point where a function has a corner, like
# `abs(x)` or `relu(x)` at 0: the slopes from the left and from the right,
# why the derivative does not exist there, what a subgradient is, and which
# number TensorFlow and PyTorch return anyway.

# %% [markdown]
# ## Two slopes at one point
#
# The graph of `abs(x)` is a V. Just left of 0 its slope is −1, just right
# of 0 it is +1. The average slopes of lesson 1 do not settle on one number
# as the step shrinks; they depend on the side you come from:

# %%
for h in [0.1, 0.001, 1e-6]:
    right = (abs(0 + h) - abs(0)) / h
    left = (abs(0) - abs(0 - h)) / h
    print(f"h = {h:<6} slope from the left {left:+.1f}, from the right {right:+.1f}")

# %% [markdown]
# A derivative exists only when the two one-sided slopes agree. symgrad finds
# the kink, computes both one-sided slopes exactly, and reports it as a
# problem (exit code 1), while still printing what the frameworks return:

# %%
from symgrad.lessons import shell

shell('symgrad "abs(x)" --at x=0', expect=1)

# %% [markdown]
# ## Subgradients, and what frameworks return
#
# For a convex function like `abs`, any slope between the left and the
# right one (here any number in `[−1, 1]`) gives a line that touches the
# graph at the corner and stays below it: a *subgradient*. Training still
# needs one number, so frameworks choose one. TensorFlow and PyTorch compute
# `abs'(x) = sign(x)` with `sign(0) = 0`, and `relu'(0) = 0`. symgrad gives
# the same numbers, because its formulas use the same conventions:

# %%
shell('symgrad "relu(x)" --at x=0', expect=1)

# %% [markdown]
# The kink is a property of one point. Anywhere else `relu` has an ordinary
# derivative, 0 or 1, and there is nothing to report:

# %%
import symgrad

for value in [-2, 3]:
    print(f"relu'({value}) =", symgrad.grad("relu(x)", at={"x": value}).gradients()[0])

# %% [markdown]
# In Python, the kink is data: its cause, both one-sided slopes, and the
# framework's choice:

# %%
import sympy as sp

from symgrad.kinks import find_kinks
from symgrad.parse import parse, variable

x = variable("x")
for text in ["abs(x)", "relu(x)", "abs(x) + relu(x)"]:
    for kink in find_kinks(parse(text).expr, {x: sp.Integer(0)}):
        print(f"{text:<18} left {kink.left:+}, right {kink.right:+}, frameworks {kink.framework}")

# %% [markdown]
# ## A corner that is not a kink, and a slope that is infinite
#
# A non-smooth part does not always make a kink. `x·abs(x)` is `x²` on the
# right and `−x²` on the left; both sides have slope 0 at 0, so the
# derivative exists and is 0, and symgrad says so without complaint:

# %%
shell('symgrad "x*abs(x)" --at x=0')

# %% [markdown]
# `sqrt(x)` at 0 is a different trouble: the graph is vertical there. The
# slope is infinite; float64 frameworks return `inf` (and then `nan` as soon
# as it is multiplied by 0), which is how a `sqrt` of a zero distance
# poisons a training run:

# %%
shell('symgrad "sqrt(x)" --at x=0', expect=1)

# %% [markdown]
# ## Exercises

# %% tags=["exercises"]
from symgrad.kinks import one_sided
from symgrad.lessons import Exercise

left, right = one_sided(symgrad.grad("abs(x - 3)").derivatives["x"], x, {x: sp.Integer(3)})

EXERCISES = [
    Exercise.value(
        "What is the slope of y = abs(x − 3) just to the left of x = 3?",
        left,
        hints=[
            "Left of 3, is x − 3 positive or negative?",
            "For negative u, abs(u) = −u.",
            "So left of 3, abs(x − 3) is the line 3 − x.",
        ],
        wrong={
            right: "that is the slope to the right of 3",
            "0": "0 is what TensorFlow picks at the kink itself; just left of it the graph is "
            "a line with a nonzero slope",
        },
    ),
    Exercise.variant(
        "What is the slope of y = relu(x) + {a}x at x = 5?",
        "relu(x) + a*x",
        solution="3",
        vary={"a": (2, 9)},
        defaults={"a": 2},
        wrt="x",
        at="x=5",
        hints=[
            "Is the relu active at x = 5?",
            "For x > 0, relu(x) = x.",
            "Add the slopes of the two terms.",
        ],
        wrong={
            "2": "relu'(5) = 1 was left out: at x = 5 the relu is active",
            "15": "that is the value relu(5) + 2·5, not the slope",
        },
    ),
    Exercise.derivative(
        "What gradient does TensorFlow give for y = relu(x) + relu(−x) at x = 0?",
        "relu(x) + relu(-x)",
        wrt="x",
        at="x=0",
        solution="0",
        hints=[
            "At x = 0 both relus sit on their kink: which slope does TensorFlow pick there?",
            "See the section on subgradients: frameworks pick one slope at a kink.",
            "The chain rule multiplies the second term's slope by the inner slope −1.",
        ],
        wrong={
            "1": "relu'(0) was taken as 1 in one term: TensorFlow uses 0 at the kink",
            "2": "relu'(0) was taken as 1, and the inner slope −1 of relu(−x) forgotten",
        },
    ),
    Exercise.derivative(
        "y = x·abs(x) has no kink at 0. What is its derivative as a formula? (Write it with abs.)",
        "x*abs(x)",
        wrt="x",
        solution="2*abs(x)",
        hints=[
            "Use the product rule with u = x and v = abs(x).",
            "For x ≠ 0, (abs(x))' = x/abs(x), the sign of x (the function sign(x)).",
            "x·(x/abs(x)) = x²/abs(x), and x² = abs(x)².",
        ],
        wrong={
            "abs(x)": "only u'·v: the product rule's second term x·(abs(x))' is missing",
            "x/abs(x)": "that is (abs(x))' alone: y is a product, so use the product rule",
            "2*x": "that is the derivative of x², right only for x > 0",
        },
    ),
]
