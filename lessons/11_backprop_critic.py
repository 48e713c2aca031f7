# %% [markdown]
# # Lesson 11: Backpropagation is the chain rule
#
# **Goal:** take the Critic network of an actor-critic agent, write its
# mean-squared-error loss, trace the gradient of one weight through the
# network by hand with the chain rule, get every gradient from symgrad, and
# apply one step of RMSProp, exactly as the TensorFlow 1 code does.
#
# The Critic's training code is four lines:
#
# ```python
# self.td = tf.subtract(self.td_target, self.out)
# self.loss = tflearn.mean_square(self.td_target, self.out)
# self.critic_gradients = tf.gradients(self.loss, self.network_params)
# self.optimize = tf.compat.v1.train.RMSPropOptimizer(self.lr_rate).apply_gradients(
#     zip(self.critic_gradients, self.network_params))
# ```
#
# The network maps a state to one number, the value `v` of that state. The
# target `t` (the temporal-difference target) says what `v` should have
# been, and the loss is the mean of `(t − v)²`.

# %% [markdown]
# ## A Critic small enough to trace
#
# Two state inputs `s1, s2`, one hidden relu unit, one linear output:
#
# - `z = w1·s1 + w2·s2 + b1` (the hidden unit's input)
# - `h = relu(z)` (its output)
# - `v = w3·h + b2` (the value)
# - `L = (t − v)²` (the loss, for a batch of one state)
#
# The network parameters are `w1, w2, b1, w3, b2`. Take the state
# `(s1, s2) = (1, 2)`, the target `t = 1`, and the weights
# `w1 = 0.5, w2 = −0.25, b1 = 0.1, w3 = 2, b2 = 0`. The forward pass:

# %%
s1, s2, t = 1.0, 2.0, 1.0
w1, w2, b1, w3, b2 = 0.5, -0.25, 0.1, 2.0, 0.0
z = w1 * s1 + w2 * s2 + b1
h = max(z, 0.0)
v = w3 * h + b2
loss = (t - v) ** 2
print(f"z = {z:g}, h = {h:g}, v = {v:g}, L = {loss:g}")

# %% [markdown]
# ## The gradient of one weight, by hand
#
# How does the loss change with `w1`? `w1` reaches the loss through a chain
# `w1 → z → h → v → L`, so by the chain rule (lesson 5)
#
# `∂L/∂w1 = ∂L/∂v · ∂v/∂h · ∂h/∂z · ∂z/∂w1 = −2(t − v) · w3 · relu'(z) · s1`.
#
# Backpropagation computes these factors from the loss backwards, keeping
# each running product, because every weight's gradient starts with the same
# `∂L/∂v`:

# %%
dloss_dv = -2 * (t - v)
dloss_dh = dloss_dv * w3
dloss_dz = dloss_dh * (1.0 if z > 0 else 0.0)  # relu'(z), 0 at the kink as in TensorFlow
grads_by_hand = {
    "w1": dloss_dz * s1,
    "w2": dloss_dz * s2,
    "b1": dloss_dz,
    "w3": dloss_dv * h,
    "b2": dloss_dv,
}
print(f"∂L/∂v = {dloss_dv:g}, ∂L/∂h = {dloss_dh:g}, ∂L/∂z = {dloss_dz:g}")
print("by hand:", grads_by_hand)

# %% [markdown]
# ## Every gradient from symgrad
#
# symgrad differentiates the whole loss symbolically. The variable list is
# `network_params`; the state and the target are data, given values with
# `--at` but left out of `--wrt`. `gradients` is `tf.gradients(loss,
# network_params)`, and it matches the hand computation:

# %%
from symgrad.lessons import shell

LOSS = "(t - (w3*relu(w1*s1 + w2*s2 + b1) + b2))^2"
POINT = "s1=1,s2=2,t=1,w1=0.5,w2=-0.25,b1=0.1,w3=2,b2=0"
shell(f'symgrad "{LOSS}" --at {POINT} --wrt w1,w2,b1,w3,b2')

# %%
import symgrad

result = symgrad.grad(LOSS, at=POINT, wrt="w1,w2,b1,w3,b2")
import math

for (name, mine), theirs in zip(grads_by_hand.items(), result.gradients()):
    print(
        f"∂L/∂{name}: by hand {mine!r:<22} symgrad {theirs!r:<6} agree: {math.isclose(mine, theirs)}"
    )

# %% [markdown]
# The hand computation's `-0.16000000000000003` is float64 round-off in
# `−1.6 × 0.1`; symgrad computes exactly (`−4/25`) and rounds once, at the end.
#
# `tflearn.mean_square` averages over every element of the batch: for a
# batch of `B` states the loss is the mean of the `B` squared errors, and
# its gradient is the mean of their gradients.
#
# ## Layers: the same chain, written once per layer
#
# A real Critic has layers of many units. `symgrad.network` builds the
# loss's gradient for dense layers the way backpropagation does: forward
# quantities `z` and `a` per layer, then backward ones `∂ℓ/∂z` and `∂ℓ/∂a`
# from the output back, each defined by one local derivative. For a
# two-input network with two hidden relu units:

# %%
from symgrad.network import Network

net = Network.from_layers(2, [(2, "relu"), (1, "linear")])
print("parameters:", net.num_params, net.param_names)
for name, value in net.gradient().assignments:
    print(f"  {name} = {value}")

# %% [markdown]
# Each backward line is one chain-rule factor times the line before it:
# `∂ℓ/∂hidden/a[0]` is the output weight times `∂ℓ/∂out/z[0]`, and
# `∂ℓ/∂hidden/z[0]` multiplies in the relu's slope (`Heaviside(z, 0)`, 0 at
# the kink). The cost is linear in the number of parameters, where
# differentiating the whole loss formula for each weight separately grows
# about as its square.
#
# ## One RMSProp step
#
# `RMSPropOptimizer(lr).apply_gradients(zip(critic_gradients,
# network_params))` updates every parameter with its own mean-square slot
# (lesson 8), starting at 1.0 in TensorFlow 1. `symgrad step` does exactly
# that and shows each update with its numbers; the data stay fixed:

# %%
shell(f'symgrad step "{LOSS}" --at {POINT} --wrt w1,w2,b1,w3,b2 --optimizer rmsprop --lr 0.001')

# %% [markdown]
# The loss went down, from 0.64. Repeating this for batch after batch of
# states is all that the Critic's `self.optimize` operation does.

# %% [markdown]
# ## The Critic, all at once
#
# `symgrad critic NETWORK.json` takes a network in TensorFlow's dense layout
# (each `W` of shape `(inputs, units)`), its parameters and a batch of states
# with their targets, and does all of the above: the MSE loss, the exact
# gradient of every parameter (checked by central differences), one
# optimizer step (RMSProp by default, as in the seed) and, with `--explain`,
# the chain rule for one weight. Here is our small Critic in that form,
# through the same function the command calls:

# %%
from symgrad.network import critic

network = {
    "layers": [{"units": 1, "activation": "relu"}, {"units": 1, "activation": "linear"}],
    "params": {
        "critic/hidden/W": [[0.5], [-0.25]],
        "critic/hidden/b": [0.1],
        "critic/out/W": [[2.0]],
        "critic/out/b": [0.0],
    },
    "states": [[1.0, 2.0]],
    "targets": [[1.0]],
}
print(critic(network, explain="critic/hidden/W[0,0]"))

# %% [markdown]
# `hidden/W[0,0]` is our `w1` and `hidden/W[1,0]` is `w2`: the same
# gradients, the same backward chain, and the same RMSProp step. A checkout
# of symgrad has a bigger Critic to try: `symgrad critic examples/critic.json`.

# %% [markdown]
# ## Exercises

# %% tags=["exercises"]
import sympy as sp

from symgrad.lessons import Exercise
from symgrad.optimizers import optimizer

rms = optimizer("rmsprop", lr=0.01).exact()  # ten times the lesson's rate
g_w1 = sp.Rational(-16, 5)
new_w1, _ = rms.apply(sp.Rational(1, 2), g_w1, rms.slots(sp.Integer(0)), 1, sp.sqrt)
lr, decay = sp.Rational(1, 100), sp.Rational(9, 10)
from_zero = sp.Rational(1, 2) - lr * g_w1 / sp.sqrt((1 - decay) * g_w1**2)  # ms started at 0
uphill = 2 * sp.Rational(1, 2) - new_w1  # the same step in the other direction

OTHER_STATE = POINT.replace("s1=1,s2=2", "s1=2,s2=1")

EXERCISES = [
    Exercise.derivative(
        "For the output layer alone, L = (t − (w3·h + b2))². What is ∂L/∂b2 as a formula?",
        "(t - (w3*h + b2))^2",
        wrt="b2",
        solution="-2*(t - w3*h - b2)",
        hints=[
            "Outer: g²; inner: g = t − (w3·h + b2).",
            "Chain rule: 2g times ∂g/∂b2.",
            "b2 enters g with a minus sign, so ∂g/∂b2 = −1.",
        ],
        wrong={
            "2*(t - w3*h - b2)": "the inner slope ∂(t − v)/∂b2 = −1 is missing: its sign",
            "-2*h*(t - w3*h - b2)": "that is ∂L/∂w3: the question asks for ∂L/∂b2",
        },
    ),
    Exercise.variant(  # the state is the data: every student may get their own
        "Take the state (s1, s2) = ({s1}, {s2}) instead (weights and target as in the lesson). "
        "What is ∂L/∂w3 there?",
        LOSS,
        vary={"s1": (2, 4), "s2": (2, 3)},  # z stays positive: the unit is active
        solution="119/100",
        defaults={"s1": 2, "s2": 1},
        wrt="w3",
        at=POINT.replace("s1=1,s2=2,", ""),
        hints=[
            "Forward pass first: z, h = relu(z), v = w3·h + b2.",
            "∂L/∂w3 = ∂L/∂v · ∂v/∂w3, and ∂v/∂w3 = h.",
            "Here z = 0.5·{s1} − 0.25·{s2} + 0.1, and ∂L/∂v = −2(t − v).",
        ],
        wrong={
            "7/5": "that is ∂L/∂v (= ∂L/∂b2): the factor ∂v/∂w3 = h is missing",
            "14/5": "that multiplies by w3 = 2 instead of h: that is ∂L/∂h",
        },
    ),
    Exercise.derivative(
        "At the same state (s1, s2) = (2, 1), what is ∂L/∂w2?",
        LOSS,
        wrt="w2",
        at=OTHER_STATE,
        solution="14/5",
        hints=[
            "w2 reaches L through the same chain as w1: w2 → z → h → v → L.",
            "∂L/∂w2 = ∂L/∂v · w3 · relu'(z) · ∂z/∂w2.",
            "∂z/∂w2 = s2, which is 1 at this state.",
        ],
        wrong={
            "28/5": "that is ∂L/∂w1: the last factor for w2 is s2 = 1, not s1 = 2",
            "0": "relu'(z) was taken as 0, but z = 0.85 > 0: the unit is active",
        },
    ),
    Exercise.derivative(
        "Change the bias to b1 = −1 (everything else as in the lesson). What is ∂L/∂w1 now?",
        LOSS,
        wrt="w1",
        at=POINT.replace("b1=0.1", "b1=-1"),
        solution="0",
        hints=[
            "Compute z = w1·s1 + w2·s2 + b1 first.",
            "With b1 = −1, z = 0.5 − 0.5 − 1.",
            "What is relu'(z) for a negative z?",
        ],
        wrong={
            "-16/5": "that is the old value, with the unit active; with b1 = −1, z < 0 and "
            "relu'(z) = 0",
            "-12": "the relu was treated as the identity: for z < 0 its slope is 0",
        },
    ),
    Exercise.value(
        "One RMSProp step with lr = 0.01 (ten times the lesson's, TensorFlow 1's other "
        "defaults) moves w1 = 0.5 with g = −3.2. Where does w1 go? (Six decimal places are "
        "enough.)",
        new_w1,
        solution=f"{float(new_w1):.6f}",
        tolerance=5e-7,
        hints=[
            "First update the slot: ms ← ms + (g² − ms)·(1 − decay), with ms starting at 1.0.",
            "ms = 1 + (3.2² − 1)·0.1.",
            "Then w1 ← w1 − lr·g/√ms, and g is negative.",
        ],
        wrong={
            f"{float(from_zero):.6f}": "ms was taken to start at 0: TensorFlow 1 starts it at 1.0",
            f"{float(uphill):.6f}": "the step went the wrong way: w1 ← w1 − lr·g/√ms, and "
            "g = −3.2 is negative",
        },
    ),
]
