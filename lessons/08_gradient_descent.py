# %% [markdown]
# # Lesson 8: Gradient descent
#
# **Goal:** see what `optimizer.apply_gradients` does with the gradients:
# plain gradient descent with a learning rate, what goes wrong when the rate
# is too small or too large, and how momentum, RMSProp and Adam change the
# step, with plots of the paths they take.

# %% [markdown]
# ## One step, by hand and by symgrad
#
# `GradientDescentOptimizer(lr)` updates every variable by
# `w ← w − lr·∂y/∂w`. On the seed's `y = w² + 2` from `w = 10` with
# `lr = 0.1`: `w ← 10 − 0.1·20 = 8`. `symgrad step` shows the rule with its
# numbers, then the trajectory:

# %%
from symgrad.lessons import shell

shell('symgrad step "w*w+2" --at w=10 --lr 0.1 --iterations 4')

# %% [markdown]
# Each step multiplies `w` by `1 − 2·lr = 0.8`: gradient descent on a
# parabola shrinks the distance to the minimum by a constant factor.
#
# ## Too small, too large
#
# The same factor explains every learning rate. With `lr = 0.01` it is 0.98:
# safe but slow. With `lr = 0.5` it is 0: one step lands on the minimum.
# With `lr = 1` it is −1: `w` jumps from 10 to −10 and back forever. Above
# 1 the jumps grow: the optimizer diverges.

# %%
from symgrad.trajectory import optimize

for lr in [0.01, 0.1, 0.5, 1.0, 1.1]:
    path = optimize("w*w+2", at={"w": 10}, optimizer="sgd", lr=lr, iterations=5).path("w")
    print(f"lr = {lr:<5}", " → ".join(f"{w:g}" for w in path))

# %% [markdown]
# ## A long narrow valley
#
# Real losses are not round bowls. On `y = w² + 10v²` the slope across the
# valley (`v`) is ten times steeper than along it (`w`), so one learning rate
# cannot suit both directions: a rate small enough for `v` is slow for `w`,
# and a rate good for `w` makes `v` zigzag from one wall to the other.
# Three remedies, each a TensorFlow 1 optimizer:
#
# - **Momentum** keeps a running sum of past gradients
#   (`accum ← 0.9·accum + g`) and steps along it: steps that agree add up,
#   steps that alternate cancel.
# - **RMSProp** divides each variable's step by the root of a running mean
#   of its squared gradients, so a steep direction takes smaller steps.
#   TensorFlow 1 starts that mean at 1.0, not 0.
# - **Adam** does both, with a correction for starting its averages at 0.
#
# One RMSProp step, with TensorFlow 1's defaults written out:

# %%
shell('symgrad step "w^2 + 10*v^2" --at w=3,v=1 --optimizer rmsprop --lr 0.1')

# %% [markdown]
# ## Trajectories
#
# Forty steps of each optimizer from `(3, 1)`: the loss after 10, 20 and 40
# steps, and the paths on the contour plot of the loss (written to a PNG file):

# %%
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from symgrad.lessons import figure_path, save_figure

settings = [
    ("GradientDescent lr=0.04", "sgd", 0.04),
    ("GradientDescent lr=0.09", "sgd", 0.09),
    ("Momentum lr=0.02", "momentum", 0.02),
    ("RMSProp lr=0.1", "rmsprop", 0.1),
    ("Adam lr=0.3", "adam", 0.3),
]
runs = {
    label: optimize("w^2 + 10*v^2", at="w=3,v=1", optimizer=name, lr=lr, iterations=40)
    for label, name, lr in settings
}
gw, gv = np.meshgrid(np.linspace(-3.5, 3.5, 200), np.linspace(-1.5, 1.5, 200))
fig, ax = plt.subplots(figsize=(7, 4))
ax.contour(gw, gv, gw**2 + 10 * gv**2, levels=20, colors="0.8")
print(f"{'':<24} {'10 steps':>9} {'20 steps':>9} {'40 steps':>9}")
for label, run in runs.items():
    ax.plot(run.path("w"), run.path("v"), marker="o", ms=2, label=label)
    losses = run.losses()
    print(f"{label:<24}", " ".join(f"{losses[t]:>9.2g}" for t in (10, 20, 40)))
ax.set_xlabel("w")
ax.set_ylabel("v")
ax.legend(fontsize=8)
path = save_figure(fig, "08_trajectories.png", dpi=100)
plt.close(fig)
print("picture written to", path.name)

# %% [markdown]
# Read the table with the picture. With `lr = 0.04` plain gradient descent
# is slow along the valley; with `lr = 0.09` it is faster but zigzags across
# it (`v` is multiplied by −0.8 at every step), and at `lr = 0.1` the `v`
# direction would stop shrinking at all. Momentum swings past the bottom and
# back before settling. RMSProp takes steps of about the same size in both
# directions, whatever the steepness: its path is an almost straight
# diagonal. Adam starts the same way, then its momentum carries it past the
# bottom and around. On a small, round-ish problem a
# well-tuned plain gradient descent is hard to beat; the adaptive optimizers
# earn their keep when gradients differ by orders of magnitude between
# parameters, as in a network, where no single rate can be tuned for all.
#
# `symgrad step ... --plot FILE.png` draws the loss per step and the path of
# one optimizer; from Python, `optimize(...).plot(filename)` does the same:

# %%
runs["Adam lr=0.3"].plot(str(figure_path("08_adam.png")))
print("loss per step:", [round(v, 3) for v in runs["Adam lr=0.3"].losses()[:6]], "...")

# %% [markdown]
# ## Exercises

# %% tags=["exercises"]
import sympy as sp

from symgrad.lessons import Exercise
from symgrad.optimizers import optimizer

rmsprop = optimizer("rmsprop", lr=1e-3).exact()
_, rms_slots = rmsprop.apply(
    sp.Integer(10), sp.Integer(20), rmsprop.slots(sp.Integer(10)), 1, sp.sqrt
)
momentum_path = optimize("w^2", at="w=10", optimizer="momentum", lr=0.1, iterations=2).path("w")
plain_path = optimize("w^2", at="w=10", lr=0.1, iterations=2).path("w")

EXERCISES = [
    Exercise.value_variant(  # each student may start from their own w (lesson run --student)
        "GradientDescentOptimizer(0.1) on y = w² + 2 starts at w = {w}. Where is w after one step?",
        "w - 2*w/10",
        vary={"w": (2, 12)},
        defaults={"w": 4},
        solution=str(optimize("w*w+2", at="w=4", lr=0.1).path("w")[-1]),
        hints=[
            "One step: w ← w − lr·y'(w).",
            "y' = 2w: evaluate it at w = {w}.",
            "Multiply the gradient by lr = 0.1 before you subtract it.",
        ],
        wrong={
            "w + 2*w/10": "the step went uphill: gradient descent subtracts lr·gradient",
            "w - 2*w": "the whole gradient was subtracted: multiply it by lr = 0.1 first",
        },
    ),
    Exercise.value(
        "For y = w², which learning rate makes gradient descent jump from w to exactly −w?",
        1,
        hints=[
            "Write one step as a multiple of w.",
            "w − lr·2w = (1 − 2·lr)·w.",
            "Solve 1 − 2·lr = −1.",
        ],
        wrong={
            "0.5": "lr = 0.5 gives 1 − 2·0.5 = 0: it jumps to the minimum w = 0 in one step",
            "2": "lr = 2 gives 1 − 4 = −3: w is multiplied by −3 and diverges",
        },
    ),
    Exercise.value(
        "MomentumOptimizer(0.1, momentum=0.9) on y = w² starts at w = 10 (accum starts at 0). "
        "Where is w after two steps?",
        momentum_path[-1],
        hints=[
            "TF1's momentum: accum ← momentum·accum + g, then w ← w − lr·accum.",
            "Step 1: g = 20, accum = 20, w = 8.",
            "Step 2: g = 16 at w = 8; accum = 0.9·20 + 16.",
        ],
        wrong={
            plain_path[-1]: "that is plain gradient descent: the momentum term 0.9·20 was left out",
            "8": "that is w after the first step only",
        },
    ),
    Exercise.value(
        "RMSPropOptimizer(0.001) with TensorFlow 1's defaults (decay 0.9, ms starting at 1.0) "
        "sees the gradient g = 20. What is its mean-square slot ms after this first step?",
        rms_slots["ms"],
        hints=[
            "TF1's RMSProp keeps a mean-square slot ms, starting at 1.0.",
            "ms ← ms + (g² − ms)·(1 − decay).",
            "g² = 400 and 1 − decay = 0.1.",
        ],
        wrong={
            "40": "ms was taken to start at 0: TensorFlow 1 starts it at 1.0",
            "360.1": "decay and 1 − decay were swapped: the new g² gets weight 0.1",
        },
    ),
]
