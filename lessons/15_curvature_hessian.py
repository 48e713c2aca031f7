# %% [markdown]
# # Lesson 15: Second derivatives, curvature and the Hessian
#
# **Goal:** read the second derivative as curvature, collect the second
# partials of a function of several variables into the Hessian, and use
# them to understand optimisation: why one learning rate cannot suit every
# direction, what Newton's method does with curvature, and why Adam and
# RMSProp rescale each parameter's step.

# %% [markdown]
# ## The second derivative is curvature
#
# `f''` is the slope of the slope. Where `f'' > 0` the graph bends up (a
# valley), where `f'' < 0` it bends down (a hill). For `f = x³ − 3x`, the
# slope `3x² − 3` is 0 at `x = ±1`; `f'' = 6x` tells which is which:

# %%
from symgrad.lessons import shell

shell('symgrad "x^3 - 3*x" --order 2 --at x=1')

# %% [markdown]
# `f''(1) = 6 > 0`: `x = 1` is a minimum (and `x = −1`, with `f'' = −6`, a
# maximum). symgrad checks the second derivative level by level: each
# derivative as the slope of the one before.
#
# ## The Hessian
#
# With several variables, the second partials form the Hessian matrix
# `H[i, j] = ∂²f/∂xᵢ∂xⱼ` (symmetric for smooth functions: the order of
# differentiation does not matter). `--hessian` prints it and its value:

# %%
shell('symgrad "x^2 + 10*y^2" --hessian --at x=1,y=1')

# %% [markdown]
# This valley is 10 times more curved along `y` than along `x`: the
# Hessian's eigenvalues are 2 and 20, and their ratio, 10, is the
# *condition number*. The larger it is, the harder the valley is for plain
# gradient descent.
#
# ## One learning rate for two curvatures
#
# Gradient descent on `a·x²` multiplies `x` by `1 − 2a·lr` each step
# (lesson 8), so it is stable only while `lr < 2/(2a) = 1/a`, that is
# `lr < 2/curvature`. The most curved direction sets the limit for all of
# them. Make the valley 100 times steeper along `y`, `f = x² + 100y²`: then
# `lr < 2/200 = 0.01`, and at such a rate the flat direction creeps. The
# table shows each optimizer's first step in each direction and where it is
# after 30 steps:

# %%
import symgrad

F = "x^2 + 100*y^2"
runs = {
    "GradientDescent lr=0.009": symgrad.optimize(F, at="x=1,y=1", lr=0.009, iterations=30),
    "RMSProp lr=0.05": symgrad.optimize(
        F, at="x=1,y=1", optimizer="rmsprop", lr=0.05, iterations=30
    ),
    "Adam lr=0.1": symgrad.optimize(F, at="x=1,y=1", optimizer="adam", lr=0.1, iterations=30),
}
print(f"{'optimizer':<25} {'first Δx':>9} {'first Δy':>9} {'x after 30':>11} {'y after 30':>11}")
for name, run in runs.items():
    x_path, y_path = run.path("x"), run.path("y")
    dx, dy = x_path[0] - x_path[1], y_path[0] - y_path[1]
    print(f"{name:<25} {dx:>9.4f} {dy:>9.4f} {x_path[-1]:>11.5f} {y_path[-1]:>11.5f}")

# %% [markdown]
# Gradient descent's first steps are proportional to the gradient,
# `(2x, 200y) = (2, 200)` times 0.009: 100 times larger along `y`. Its `y`
# converges fast (factor `1 − 200·0.009 = −0.8`, oscillating), its `x`
# slowly (factor `1 − 2·0.009 = 0.982`): after 30 steps `x` has not even
# halved. RMSProp and Adam divide each parameter's step by a running
# root-mean-square of its own gradients, `√ms` or `√v̂`. A steep direction
# has large gradients and gets a small factor; a flat one gets a large
# factor. Adam's first step is `lr` in *every* direction (`m̂/√v̂ = g/|g|`),
# whatever its curvature: a cheap, per-parameter stand-in for dividing by
# the curvature itself. (Adam at a fixed `lr` then hovers around the
# minimum at about the scale of `lr`; that is why learning rates decay.)
#
# ## Newton's method: divide by the curvature
#
# Newton's method uses the curvature directly: in one variable
# `x ← x − f'(x)/f''(x)`, with a Hessian `x ← x − H⁻¹·∇f`. On a quadratic
# it lands on the minimum in one step, whatever the condition number:

# %%
import sympy as sp

hessian = symgrad.hessian(F).matrix()  # constant for a quadratic: [[2, 0], [0, 200]]
point = sp.Matrix([1, 1])
gradient = sp.Matrix([p.exact for p in symgrad.grad(F, at={"x": 1, "y": 1}).partials])
newton = point - hessian.inv() * gradient
print("gradient:", list(gradient), " Newton step lands at:", list(newton))

# %% [markdown]
# For a network with a million parameters the Hessian has 10¹² entries,
# so nobody inverts it; Adam's diagonal rescaling is the practical
# compromise.
#
# ## Saddle points
#
# A zero gradient is not always a minimum. For `f = x² − y²` at `(0, 0)`
# the Hessian has one positive and one negative eigenvalue: a saddle,
# downhill along `y`. Its determinant is negative:

# %%
shell('symgrad "x^2 - y^2" --hessian --at x=0,y=0')

# %%
h = symgrad.hessian("x^2 - y^2").matrix()
print("eigenvalues:", h.eigenvals(), " determinant:", h.det())

# %% [markdown]
# ## Exercises

# %% tags=["exercises"]
from symgrad.lessons import Exercise

EXERCISES = [
    Exercise.value_variant(  # the answer 6p, checked against nth_derivative in the tests
        "For f = x³ − {b}x, what is f''({p})?",
        "6*p",
        vary={"b": (2, 9), "p": (2, 5)},
        defaults={"b": 3, "p": 2},
        hints=[
            "Differentiate twice, then put x = {p} in.",
            "f' = 3x² − {b}.",
            "Differentiate 3x² − {b} once more.",
        ],
        wrong={
            "3*p^2 - b": "that is f'(x) at the point, the first derivative",
            "p^3 - b*p": "that is f(x) at the point, the value",
        },
    ),
    Exercise.value(
        "For f = x²·y + y³ at (x, y) = (1, 2), what is the mixed partial ∂²f/∂x∂y?",
        symgrad.hessian("x^2*y + y^3", at={"x": 1, "y": 2}).entries[1].exact,
        hints=[
            "Differentiate with respect to x, then the result with respect to y.",
            "∂f/∂x = 2x·y.",
            "Now differentiate 2x·y with respect to y, and put x = 1 in.",
        ],
        wrong={
            "4": "that is ∂²f/∂x² = 2y: the mixed partial differentiates once by each variable",
            "12": "that is ∂²f/∂y² = 6y: the mixed partial differentiates once by each variable",
        },
    ),
    Exercise.value(
        "Gradient descent on f = x² + 10y²: what is the largest learning rate below which "
        "it converges in both directions? (The bound itself.)",
        sp.Rational(2, 20),
        hints=[
            "Each direction is stable while lr < 2/curvature.",
            "The curvatures are the second derivatives: 2 along x, 20 along y.",
            "The most curved direction sets the limit.",
        ],
        wrong={
            "1": "that is the limit 2/2 for the x direction alone: the steeper y direction, "
            "curvature 20, sets the limit",
            "1/5": "2/10 uses the coefficient 10 instead of the curvature 20 = ∂²f/∂y²",
        },
    ),
    Exercise.value_variant(
        "One Newton step x ← x − f'(x)/f''(x) for f = x² − {b}x + 7 from x = {s}: "
        "where does it land?",
        "s - (2*s - b)/2",
        vary={"b": (2, 9), "s": (7, 12)},  # 4s > 3b: the sub-step f'(s) is never the answer
        defaults={"b": 4, "s": 10},
        hints=[
            "Compute f'({s}) and f''({s}).",
            "f' = 2x − {b}, and f'' is a constant here.",
            "f'({s}) = 2·{s} − {b}.",
        ],
        wrong={
            "s - (2*s - b)": "that is x − f'(x), a gradient step with lr = 1: Newton divides "
            "by f''",
            "s + (2*s - b)/2": "the step was added: Newton's step is x − f'/f''",
        },
    ),
    Exercise.value(
        "Multi-step: for f = x² − 3y², what is the determinant of the Hessian at (0, 0)? "
        "(Its sign tells a saddle from an extremum.)",
        symgrad.hessian("x^2 - 3*y^2").matrix().det(),
        hints=[
            "The Hessian here is diagonal: the mixed partials are 0.",
            "∂²f/∂x² = 2 and ∂²f/∂y² = −6.",
            "The determinant of a diagonal matrix is the product of its diagonal.",
        ],
        wrong={
            "12": "the sign: ∂²f/∂y² = −6, so the product is negative (a saddle)",
            "-6": "that is ∂²f/∂y² alone; det H = f_xx·f_yy − f_xy²",
        },
    ),
]
