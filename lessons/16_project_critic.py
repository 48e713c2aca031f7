# %% [markdown]
# # Lesson 16: Project: build, check and train the Critic
#
# **Goal:** put the course together: design a tiny task for the seed's
# Critic, build the network, check every gradient of every training step
# (exactly with symgrad, and against an independent backpropagation in
# numpy), train it with TensorFlow 1's Adam, and read the result.
#
# **The task.** A walker stands at a position `s` between −1 and 1; the
# goal is at 0, and the value of a position (the reward it can still
# expect) is `V(s) = 1 − s²`: highest at the goal, 0 at the edges. The
# Critic must learn `V` from five states. This is the regression a
# critic does in actor-critic training, with the TD target replaced by the
# true value so that we can see whether it learned.

# %%
import numpy as np

states = np.array([[-1.0], [-0.5], [0.0], [0.5], [1.0]])
targets = 1 - states**2
network = {
    "layers": [{"units": 4, "activation": "tanh"}, {"units": 1, "activation": "linear"}],
    "states": states.tolist(),
    "targets": targets.tolist(),
}
print("states: ", states.ravel().tolist())
print("targets:", targets.ravel().tolist())

# %% [markdown]
# ## Build: shapes and a starting point
#
# One input, four tanh units, one linear output: `hidden/W` is `(1, 4)`,
# `hidden/b` is `(4,)`, `out/W` is `(4, 1)`, `out/b` is `(1,)`, thirteen
# parameters in all. `init=3` draws Glorot-uniform weights (seed 3) and
# zero biases, like `tf.keras`' defaults; `critic` computes the loss
# (`tflearn.mean_square`), its exact gradient, and checks every partial
# with central differences:

# %%
from symgrad.network import critic

start = critic(network, init=3, optimizer="adam", lr=0.1)
print(start.describe(), "-", sum(np.size(v) for v in start.params.values()), "parameters")
for name, value in start.params.items():
    print(f"  {name:<9} shape {np.shape(value)}")
print(f"loss at the start: {start.loss:.6f}")
print(f"check: {start.check.checked} partials, disagreeing: {list(start.check.disagree)}")

# %% [markdown]
# ## Check: an independent backpropagation
#
# Lesson 12's matrix formulas, written in numpy, must give the same
# gradient as symgrad's exact differentiation of the loss formula. Two
# routes that share no code:


# %%
def backprop(params, x, t):
    """Forward and backward pass of the Critic: δ per layer, then xᵀδ and Σδ."""
    z1 = x @ params["hidden/W"] + params["hidden/b"]
    h = np.tanh(z1)
    out = h @ params["out/W"] + params["out/b"]
    delta2 = -2 * (t - out) / t.size  # ∂L/∂out for the mean over the batch
    delta1 = (delta2 @ params["out/W"].T) * (1 - h**2)  # δWᵀ ⊙ tanh'(z)
    return {
        "hidden/W": x.T @ delta1,
        "hidden/b": delta1.sum(axis=0),
        "out/W": h.T @ delta2,
        "out/b": delta2.sum(axis=0),
    }


params = {k: np.array(v, dtype=float) for k, v in start.params.items()}
mine = backprop(params, states, targets)
for name, exact in start.gradients.items():
    same = np.allclose(mine[name], exact, rtol=1e-10, atol=1e-12)
    print(f"{name:<9} numpy {np.round(mine[name].ravel(), 6)}  symgrad agrees: {same}")

# %% [markdown]
# ## Train: Adam, every step checked
#
# `critic(...)` gives one step's exact gradient and its check. Adam keeps
# two slots per parameter (`m`, `v`) from step to step, so the training loop
# keeps them with `symgrad.optimizers` (TensorFlow 1's update rules, lesson
# 8) and calls `critic` for the gradient of each step. A step whose check
# disagrees would stop the training:

# %%
from symgrad.optimizers import optimizer

adam = optimizer("adam", lr=0.1)
slots = {name: adam.slots(value) for name, value in params.items()}
losses = []
for step in range(1, 31):
    report = critic({**network, "params": {k: v.tolist() for k, v in params.items()}})
    assert not report.check.disagree, f"step {step}: {report.check.disagree}"
    losses.append(report.loss)
    for name in params:
        params[name], slots[name] = adam.apply(
            params[name], report.gradients[name], slots[name], step, np.sqrt
        )
    if step in (1, 2, 5, 10, 20, 30):
        print(f"step {step:>2}: loss {report.loss:.6f}, {report.check.checked} partials checked")
final = critic({**network, "params": {k: v.tolist() for k, v in params.items()}})
print(f"after 30 steps: loss {final.loss:.6f}")

# %% [markdown]
# ## Read the result
#
# The loss fell by more than a factor of ten. The predictions against the
# targets, and the training curve:

# %%
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from symgrad.lessons import save_figure

print(f"{'state':>6} {'target':>7} {'Critic':>8}")
for s, t, v in zip(states.ravel(), targets.ravel(), np.ravel(final.outputs)):
    print(f"{s:>6} {t:>7.3f} {v:>8.3f}")
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.semilogy(range(1, len(losses) + 1), losses, "o-")
ax.set_xlabel("Adam step")
ax.set_ylabel("mean-square loss")
ax.set_title("Training the Critic on V(s) = 1 − s²")
path = save_figure(fig, "16_training.png", dpi=100)
plt.close(fig)
print("picture written to", path.name)
assert final.loss < start.loss / 10

# %% [markdown]
# The same network, in the file format of `symgrad critic NETWORK.json`,
# explains the chain rule for any one weight (`--explain`):

# %%
first = {k: np.asarray(v).tolist() for k, v in start.params.items()}
explained = critic({**network, "params": first}, explain="out/W[0,0]")
print("\n".join(text for text, _style in explained.explain))

# %% [markdown]
# ## Going further
#
# - Replace the target with a TD target `r + γ·V(s')` computed from the
#   Critic itself: that is actor-critic's Critic update.
# - Try RMSProp (`optimizer("rmsprop", lr=0.01)`, the seed's choice) and
#   plain gradient descent, and compare the curves (lesson 15 says why they
#   differ).
# - Make the network deeper with sigmoid units and watch the first layer's
#   gradients shrink (lesson 14).
# - Try other `init` seeds: some start on a plateau where the Critic first
#   learns the mean value, 0.5, for every state and leaves it only slowly.
#
# ## Exercises

# %% tags=["exercises"]
import sympy as sp

from symgrad.lessons import Exercise

td = sp.Matrix([sp.Rational(1, 2), sp.Rational(-1, 10), sp.Rational(1, 5), sp.Rational(2, 5)])

EXERCISES = [
    Exercise.value_variant(
        "How many parameters does a Critic 2 → {h} (relu) → 1 (linear) have?",
        "2*h + h + h*1 + 1",
        vary={"h": (3, 16)},
        defaults={"h": 4},
        hints=[
            "Each dense layer has a weight matrix (inputs, units) and a bias (units,).",
            "The hidden layer: W is (2, {h}) and b is ({h},).",
            "The output layer: W is ({h}, 1) and b is (1,).",
        ],
        wrong={
            "2*h + h": "weights only: each layer has a bias vector too",
            "2*h + h + h": "the output bias is missing",
        },
    ),
    Exercise.value_variant(
        "For one state with target t = 1 and output 0.6, in a batch of {n} states, "
        "what is ∂L/∂out for that state? (L = tflearn.mean_square, the mean over the batch.)",
        "-2*(1 - 3/5)/n",
        vary={"n": (2, 16)},
        defaults={"n": 4},
        hints=[
            "L = (1/B)·Σ (t − out)².",
            "The derivative of (t − out)² with respect to out is −2(t − out).",
            "Do not forget the 1/B of the mean.",
        ],
        wrong={
            "-2*(1 - 3/5)": "the 1/B of the mean over the batch is missing",
            "2*(1 - 3/5)/n": "the sign: ∂(t − out)²/∂out = −2(t − out) is negative when out < t",
        },
    ),
    Exercise.value(
        "The TD errors t − out of a batch are (0.5, −0.1, 0.2, 0.4). What is ∂L/∂(out/b), "
        "the output bias's gradient?",
        -2 * sum(td) / len(td),
        hints=[
            "The output bias is added to every state's output.",
            "So its gradient sums ∂L/∂out over the batch: Σ −2(t − out)/B.",
            "The TD errors add up to 1.",
        ],
        wrong={
            "-2": "that is −2·Σ(t − out): mean_square divides by the batch size 4",
            "0.5": "the sign: the outputs are too low on average, so the gradient is negative",
        },
    ),
    Exercise.value(
        "Adam (TF1 defaults, lr = 0.05) takes its first step for a weight whose gradient is "
        "g = −3. By how much does the weight change? (ε is tiny: six decimals are enough.)",
        0.05,
        solution="0.05",
        tolerance=5e-7,
        hints=[
            "After bias correction, m̂ = g and v̂ = g² at the first step.",
            "The step is −lr·m̂/(√v̂ + ε).",
            "m̂/√v̂ = g/|g|, and g is negative.",
        ],
        wrong={
            "0.15": "that is lr·|g|: Adam divides by √v̂ = |g| at the first step",
            "-0.05": "the sign: the weight moves against the gradient, and g is negative",
        },
    ),
]
