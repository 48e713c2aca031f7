# %% [markdown]
# # Lesson 5: Partial derivatives and the gradient
#
# **Goal:** differentiate a function of several variables one variable at a
# time, collect the partial derivatives into the gradient, and read
# TensorFlow's two answers for it: `compute_gradients(loss, var_list)` with
# its `(gradient, value)` pairs, and `tf.gradients(ys, xs)`, including the
# `None` it gives for a variable the loss does not use.

# %% [markdown]
# ## One variable at a time
#
# The partial derivative `∂y/∂w` is the ordinary derivative with respect to
# `w` while every other variable is held constant. For `y = w·x + b`:
# `∂y/∂w = x`, `∂y/∂x = w`, `∂y/∂b = 1`. The gradient is the list of all
# partial derivatives, in the order of the variable list.

# %%
from symgrad.lessons import shell

shell('symgrad "w*x + b" --at w=2,x=3,b=1')

# %% [markdown]
# ## The variable list and its order
#
# `var_list` chooses which variables to differentiate with respect to, and in
# which order; the answers come back in that order. symgrad's `--wrt` is
# `var_list` (by default, the order of `--at`):

# %%
shell('symgrad "w*x + b" --at w=2,x=3,b=1 --wrt b,w')

# %% [markdown]
# ## `(gradient, value)` pairs versus gradients alone
#
# `compute_gradients` pairs each gradient with the value of its variable, so
# an optimizer knows what to update; `tf.gradients` returns the gradients
# only. In Python the pairs are real tuples that unpack:

# %%
import symgrad

result = symgrad.grad("w*x + b", at={"w": 2, "x": 3, "b": 1}, wrt=["w", "b"])
print(result.compute_gradients())
print(result.gradients())
for gradient, value in result.compute_gradients():
    print("gradient", gradient, "for a variable whose value is", value)

# %% [markdown]
# ## A variable the loss does not use: `None`
#
# Mathematically the derivative of `y = w² + 2` with respect to `v` is 0.
# TensorFlow instead answers `None`: there is no path from `v` to `y` in
# its graph, so it has no gradient to give. (`sess.run` on that `None`
# fails, and `apply_gradients` skips the pair.) symgrad prints the same, and
# gives `0.0` with `--unconnected zero`, like TF2's
# `UnconnectedGradients.ZERO`:

# %%
shell('symgrad "w*w+2" --at w=10,v=3')

# %%
shell('symgrad "w*w+2" --at w=10,v=3 --unconnected zero')

# %% [markdown]
# Connection is about the formula as written, not its simplified value:
# in `w − w + x` the variable `w` appears, so TensorFlow gives `0.0`, not
# `None`.

# %%
print(symgrad.grad("w - w + x", at={"w": 1, "x": 2}).compute_gradients())

# %% [markdown]
# ## A loss with a data point
#
# In training, the variables are the weights and the data are numbers. The
# squared error of a line `w·x + b` on one point `(x, t) = (2, 5)` is
# `L = (w·2 + b − 5)²`. Its gradient at `w = 1, b = 0` tells us how to change
# both weights:

# %%
loss = symgrad.grad("(2*w + b - 5)^2", at={"w": 1, "b": 0})
for p in loss.partials:
    print(f"∂L/∂{p.variable} =", p.derivative, "=", p.value)

# %% [markdown]
# Both partials are negative: increasing `w` or `b` lowers the loss, and
# `w` matters twice as much, because it is multiplied by `x = 2`.
#
# ## Exercises

# %% tags=["exercises"]
from symgrad.lessons import Exercise

EXERCISES = [
    Exercise.derivative(
        "For y = x·z², what is ∂y/∂x?",
        "x*z^2",
        wrt="x",
        solution="z^2",
        hints=["Hold z constant: z² is a constant factor."],
    ),
    Exercise.derivative(
        "For y = x·z², what is ∂y/∂z at x = 1, z = 3?",
        "x*z^2",
        wrt="z",
        at="x=1,z=3",
        solution="6",
        hints=["∂y/∂z = 2xz."],
    ),
    Exercise.derivative(
        "For y = w² + 2 and var_list = [w, v] at w = 10, v = 3, "
        "what does compute_gradients give as the gradient of v with "
        "unconnected_gradients=ZERO? (A number.)",
        "w^2 + 2",
        wrt="v",
        at="w=10,v=3",
        solution="0",
        hints=["y does not use v."],
    ),
    Exercise.derivative(
        "The squared error L = (w·x + b − t)² of one point: what is ∂L/∂w as a formula?",
        "(w*x + b - t)^2",
        wrt="w",
        solution="2*x*(w*x + b - t)",
        hints=["Chain rule: 2·(w·x + b − t) times the derivative of the inside, x."],
    ),
    Exercise.derivative(
        "For the same L with x = 2, t = 5 at w = 1, b = 0: what is ∂L/∂b?",
        "(w*x + b - t)^2",
        wrt="b",
        at="w=1,b=0,x=2,t=5",
        solution="-6",
        hints=["∂L/∂b = 2·(w·x + b − t) = 2·(2 − 5)."],
    ),
]
