# %% [markdown]
# # Lesson 6: Partial derivatives and the gradient
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
# fails, and `apply_gradients` skips the pair.) symgrad prints the same.
#
# Only `tf.gradients` can be told otherwise: since TensorFlow 1.13 its
# signature is `tf.gradients(ys, xs, grad_ys=None, name='gradients', ...,
# unconnected_gradients=tf.UnconnectedGradients.NONE)`, and
# `unconnected_gradients=tf.UnconnectedGradients.ZERO` returns zeros instead
# of `None` (TF2's `GradientTape.gradient` has the same argument).
# `Optimizer.compute_gradients(loss, var_list=None, gate_gradients=GATE_OP,
# aggregation_method=None, colocate_gradients_with_ops=False, grad_loss=None)`
# has no such argument: its pair for `v` is always `(None, v)`. symgrad's
# `--unconnected zero` gives the zeros that `tf.gradients` would:

# %%
shell('symgrad "w*w+2" --at w=10,v=3')

# %%
shell('symgrad "w*w+2" --at w=10,v=3 --unconnected zero')

# %% [markdown]
# Read the `gradients:` line: it is what `tf.gradients` returns with
# `UnconnectedGradients.ZERO`. symgrad also pairs those zeros with the
# values on its `compute_gradients:` line, for an optimizer that wants
# pairs; TensorFlow 1's `compute_gradients` itself would still give
# `(None, v)`.
#
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
        hints=[
            "Hold z constant: it is a number while you differentiate with respect to x.",
            "A constant factor stays: the slope of c·x is c.",
            "Treat z² as a number c and differentiate c·x.",
        ],
        wrong={
            "2*x*z": "that is ∂y/∂z, the partial with respect to the other variable",
            "z^2 + 2*x*z": "∂y/∂z was added: a partial derivative holds the other variables "
            "constant",
        },
    ),
    Exercise.derivative(
        "For y = x·z², what is ∂y/∂z at x = 1, z = 3?",
        "x*z^2",
        wrt="z",
        at="x=1,z=3",
        solution="6",
        hints=[
            "Hold x constant and differentiate with respect to z.",
            "∂y/∂z = 2*x*z.",
            "Put x = 1 and z = 3 in.",
        ],
        wrong={
            "9": "that is ∂y/∂x = z² at the point: the question asks for ∂y/∂z",
            "3": "that is x·z: the factor 2 from the power rule is missing",
        },
    ),
    Exercise.derivative(
        "For y = w² + 2 at w = 10, v = 3, "
        "tf.gradients(y, [w, v], unconnected_gradients=tf.UnconnectedGradients.ZERO) "
        "returns a list of two gradients. What is the second, the one for v? (A number.)",
        "w^2 + 2",
        wrt="v",
        at="w=10,v=3",
        solution="0",
        hints=[
            "Does y use v at all?",
            "Without the argument, tf.gradients gives None for a variable with no path to y.",
            "unconnected_gradients=ZERO turns that None into a zero of the variable's shape.",
        ],
        wrong={
            "20": "that is the gradient for w, the first entry of the list",
            "3": "that is v's value (compute_gradients pairs it with the gradient); the "
            "question asks for the gradient",
        },
    ),
    Exercise.derivative(
        "The squared error L = (w·x + b − t)² of one point: what is ∂L/∂w as a formula?",
        "(w*x + b - t)^2",
        wrt="w",
        solution="2*x*(w*x + b - t)",
        hints=[
            "Outer: g²; inner: g = w·x + b − t.",
            "Chain rule: 2g times ∂g/∂w.",
            "∂(w·x + b − t)/∂w = x, since x, b and t are held constant.",
        ],
        wrong={
            "2*(w*x + b - t)": "the inner slope ∂g/∂w = x is missing (chain rule)",
            "x*(w*x + b - t)": "the factor 2 from the power rule is missing",
        },
    ),
    Exercise.variant(  # x and t are the data point: every student may get their own
        "For the same L with x = {x}, t = {t} at w = 1, b = 0: what is ∂L/∂b?",
        "(w*x + b - t)^2",
        solution="-6",
        vary={"x": (2, 4), "t": (5, 9)},
        defaults={"x": 2, "t": 5},
        wrt="b",
        at="w=1,b=0",
        hints=[
            "The chain rule again, now with ∂g/∂b.",
            "∂(w·x + b − t)/∂b = 1.",
            "First compute the residual w·x + b − t at the point.",
        ],
        wrong={
            "-12": "that is ∂L/∂w = 2·x·(w·x + b − t): the question asks for ∂L/∂b",
            "9": "that is L itself, (2 − 5)², not its slope",
            "6": "the residual is w·x + b − t = −3, not t − (w·x + b)",
        },
    ),
]
