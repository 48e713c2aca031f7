# %% [markdown]
# # Lesson 1: The derivative as a slope
#
# **Goal:** see the derivative of `y = w² + 2` as the slope of its graph at
# one point, compute it by hand and with symgrad, and read the two answers
# TensorFlow prints for it.
#
# The lesson starts from a tiny TensorFlow 1 program: a variable `w = 10.0`,
# a function `y = w*w + 2`, and two ways of asking for the gradient,
# `opt.compute_gradients(y, [w])` and `tf.gradients(y, [w])`. They print
# `[(20.0, 10.0)]` and `[20.0]`. Where do these numbers come from?

# %% [markdown]
# ## The slope of a curve
#
# Walk along the curve `y = w² + 2`. Between `w` and `w + h` the height
# changes by `(w + h)² + 2 − (w² + 2) = 2wh + h²`, so the average slope over
# that step is `2w + h`. As the step `h` shrinks to 0 the average slope
# becomes the slope at the point: the derivative `y' = 2w`. At `w = 10` the
# curve rises 20 units per unit of `w`.
#
# We can watch the average slope approach 20:

# %%
for h in [1.0, 0.1, 0.01, 0.001]:
    w = 10.0
    rise = (w + h) ** 2 + 2 - (w**2 + 2)
    print(f"h = {h:<6} average slope = {rise / h:.6f}")

# %% [markdown]
# ## The same with symgrad
#
# symgrad derives the exact derivative with SymPy, evaluates it at the exact
# point, checks it against a numeric estimate, and then prints the two lines
# TensorFlow would print:

# %%
from symgrad.lessons import shell

shell('symgrad "w*w+2" --at w=10')

# %% [markdown]
# `compute_gradients` returns a list of `(gradient, value)` pairs: the first
# number is `y'(10) = 20`, the second the value of `w`, `10`. `tf.gradients`
# returns the gradients alone. The same from Python:

# %%
import symgrad

result = symgrad.grad("w*w + 2", at={"w": 10})
print(result.derivatives["w"])
print(result.compute_gradients())
print(result.gradients())

# %% [markdown]
# ## The tangent line
#
# The derivative is the slope of the tangent line: the straight line that
# touches the curve at `w = 10` and has slope `y'(10)`. Its equation is
# `t(w) = y(10) + y'(10)·(w − 10) = 102 + 20·(w − 10)`. The picture is
# written to a PNG file (set `SYMGRAD_FIGURES` to choose the folder).

# %%
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from symgrad.lessons import save_figure

y0 = float(result.value)
slope = result.gradients()[0]
ws = np.linspace(0, 16, 200)
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(ws, ws**2 + 2, label="y = w² + 2")
ax.plot(ws, y0 + slope * (ws - 10), "--", label=f"tangent at w = 10, slope {slope}")
ax.plot([10], [y0], "o", color="black")
ax.set_xlabel("w")
ax.set_ylabel("y")
ax.legend()
path = save_figure(fig, "01_tangent.png", dpi=100)
plt.close(fig)
print("tangent line: slope", slope, "through", (10.0, y0))
print("picture written to", path.name)

# %% [markdown]
# Near `w = 10` the curve and the tangent line are almost the same: that is
# what "the derivative is the best straight-line approximation" means.
# symgrad draws the same picture from the command line:
# `symgrad "w*w+2" --at w=10 --plot tangent.png`.
#
# ## One step of gradient descent
#
# `GradientDescentOptimizer(0.1)` moves `w` against the slope, by the
# learning rate times the gradient: `w ← w − 0.1 · 20 = 8`.

# %%
learning_rate = 0.1
print("w after one step:", 10.0 - learning_rate * result.gradients()[0])

# %% [markdown]
# ## Exercises

# %% tags=["exercises"]
from symgrad.lessons import Exercise

EXERCISES = [
    Exercise.derivative(
        "What is the slope of y = w² + 2 at w = 3?",
        "w^2 + 2",
        wrt="w",
        at="w=3",
        solution="6",
        hints=["The slope is y' = 2w; put w = 3 in it."],
    ),
    Exercise.derivative(
        "Write the derivative of y = w² + 5w as a formula in w.",
        "w^2 + 5*w",
        wrt="w",
        solution="2*w + 5",
        hints=["The average slope between w and w + h is 2w + h + 5; let h shrink to 0."],
    ),
    Exercise.value(
        "The tangent line of y = w² + 2 at w = 10 is t(w) = 102 + 20·(w − 10). "
        "What is t(11), and how far is it below the curve's y(11) = 123? "
        "Answer with the gap y(11) − t(11).",
        1,
        hints=["t(11) = 102 + 20 = 122."],
    ),
    Exercise.value(
        "From w = 10, GradientDescentOptimizer(0.1) takes two steps on y = w² + 2. "
        "What is w after the second step?",
        "32/5",
        hints=["The first step gives w = 8; the slope there is 16."],
    ),
]
