# %% [markdown]
# # Lesson 13: Softmax with cross-entropy, and why the gradient is p − y
#
# **Goal:** build softmax and the cross-entropy loss for two and three
# classes from `exp` and `log`, derive the gradient with respect to the
# logits, and see why it comes out as the simple `p − y`: the predicted
# probabilities minus the one-hot target.
#
# A classifier's last layer gives one number per class, the *logits*
# `z₁, …, z_K`. Softmax turns them into probabilities, and cross-entropy
# scores the probability given to the true class:
#
# - `pᵢ = exp(zᵢ) / Σⱼ exp(zⱼ)` (positive, summing to 1)
# - `L = −Σᵢ yᵢ·log(pᵢ)`, which for a one-hot `y` (class `c`) is `−log(p_c)`
#
# symgrad's parser works on scalars, so we write the loss for a fixed
# number of classes out in full.

# %% [markdown]
# ## Three classes, true class 1
#
# With `y = (1, 0, 0)`, the loss is `−log(exp(z1)/(exp(z1) + exp(z2) + exp(z3)))`.
# Its gradient at the logits `z = (2, 1, 0)`:

# %%
from symgrad.lessons import shell

LOSS3 = "-log(exp(z1)/(exp(z1) + exp(z2) + exp(z3)))"
shell(f'symgrad "{LOSS3}" --at z1=2,z2=1,z3=0 --no-check')

# %% [markdown]
# The softmax probabilities at the same logits, and `p − y`:

# %%
import math

import symgrad

z = [2.0, 1.0, 0.0]
y = [1.0, 0.0, 0.0]
total = sum(math.exp(v) for v in z)
p = [math.exp(v) / total for v in z]
grads = symgrad.grad(LOSS3, at={"z1": 2, "z2": 1, "z3": 0}).gradients()
for i in range(3):
    print(f"z{i + 1}: p − y = {p[i] - y[i]:+.12f}   symgrad ∂L/∂z{i + 1} = {grads[i]:+.12f}")
print("they agree:", all(math.isclose(p[i] - y[i], grads[i], rel_tol=1e-12) for i in range(3)))

# %% [markdown]
# ## Why `p − y`
#
# Use `log(a/b) = log a − log b`: for true class `c`,
#
# `L = −z_c + log(Σⱼ exp(zⱼ))`.
#
# The first term has slope `−1` for `z_c` and 0 for the others. The second
# is the log of a sum: its slope for `z_k` is `exp(z_k)/Σⱼ exp(zⱼ) = p_k`
# (the chain rule, `(log u)' = u'/u`). Together, `∂L/∂z_k = p_k − y_k`.
# symgrad simplifies its own derivative to the same thing:

# %%
import sympy as sp

from symgrad.parse import variable

z1, z2, z3 = (variable(n) for n in ("z1", "z2", "z3"))
softmax1 = sp.exp(z1) / (sp.exp(z1) + sp.exp(z2) + sp.exp(z3))
derivs = symgrad.grad(LOSS3).derivatives
print("∂L/∂z1 − (p1 − 1) =", sp.simplify(derivs["z1"] - (softmax1 - 1)))
print(
    "∂L/∂z2 − p2 =", sp.simplify(derivs["z2"] - sp.exp(z2) / (sp.exp(z1) + sp.exp(z2) + sp.exp(z3)))
)

# %% [markdown]
# ## Two classes: the sigmoid again
#
# With two classes, `p1 = exp(z1)/(exp(z1) + exp(z2)) = σ(z1 − z2)`: the
# sigmoid of lesson 5 applied to the difference of the logits. So logistic
# regression is softmax with two classes, and its gradient is `p − y` too:

# %%
shell('symgrad check "-log(exp(a)/(exp(a) + exp(b)))" --answer "sigmoid(a - b) - 1" --wrt a')

# %% [markdown]
# ## Why this pairing trains well
#
# The gradient is large exactly when the model is confidently wrong, and
# it never vanishes before the prediction is right: `|p_c − 1|` is close to
# 1 while `p_c` is small. Compare a squared error on the probability,
# `(p − 1)²`: its slope for the logit carries the extra factor
# `p·(1 − p)` (sigmoid's slope), which is tiny when `p` is near 0. The
# confidently wrong model then barely learns:

# %%
print(f"{'logit gap':>9} {'p':>10} {'CE slope':>10} {'MSE slope':>10}")
for gap in [-6, -3, 0, 3]:
    at = {"a": gap, "b": 0}
    ce = symgrad.grad("-log(exp(a)/(exp(a) + exp(b)))", at=at, wrt="a").gradients()[0]
    mse = symgrad.grad("(sigmoid(a - b) - 1)^2", at=at, wrt="a").gradients()[0]
    prob = 1 / (1 + math.exp(-gap))
    print(f"{gap:>9} {prob:>10.5f} {ce:>10.5f} {mse:>10.5f}")

# %% [markdown]
# Frameworks fuse the two for the same reason and for stability:
# `tf.nn.softmax_cross_entropy_with_logits` computes
# `log Σ exp(zⱼ)` as `m + log Σ exp(zⱼ − m)` with `m = max z` (no overflow),
# and its gradient is `p − y` directly.
#
# ## Exercises

# %% tags=["exercises"]
from symgrad.lessons import Exercise

LOSS2 = "-log(exp(z1)/(exp(z1) + exp(z2)))"
gradient3 = symgrad.grad("-log(exp(z3)/(exp(z1) + exp(z2) + exp(z3)))", at="z1=0,z2=0,z3=log(2)")
sum_of_partials = sum(p.exact for p in gradient3.partials)

EXERCISES = [
    Exercise.value(
        "Two classes with logits z = (0, 0): what is the softmax probability p1?",
        sp.Rational(1, 2),
        hints=[
            "p1 = exp(z1)/(exp(z1) + exp(z2)).",
            "exp(0) = 1.",
            "Both classes get the same share of the total.",
        ],
        wrong={
            "0": "exp(0) = 1, not 0",
            "1": "that is exp(0) alone: divide by the sum exp(0) + exp(0)",
        },
    ),
    Exercise.derivative(
        "Two classes, true class 1: L = −log(exp(z1)/(exp(z1) + exp(z2))). "
        "What is ∂L/∂z2 as a formula?",
        LOSS2,
        wrt="z2",
        solution="exp(z2)/(exp(z1) + exp(z2))",
        hints=[
            "Rewrite L = −z1 + log(exp(z1) + exp(z2)).",
            "−z1 does not depend on z2; (log u)' = u'/u.",
            "The answer is p2 − y2, and y2 = 0 for the wrong class.",
        ],
        wrong={
            "-exp(z2)/(exp(z1) + exp(z2))": "the sign: ∂L/∂z2 = p2 − y2 = +p2",
            "exp(z1)/(exp(z1) + exp(z2))": "that is p1; the partial for z2 is p2 − y2",
        },
    ),
    Exercise.value_variant(  # the answer p1 − 1 for the student's own logit z1 = ln k
        "Same loss at z1 = ln {k}, z2 = 0: what is ∂L/∂z1? (An exact number.)",
        "k/(k + 1) - 1",
        vary={"k": (2, 9)},
        defaults={"k": 3},
        hints=[
            "∂L/∂z1 = p1 − y1, with y1 = 1 for the true class.",
            "p1 = exp(z1)/(exp(z1) + exp(z2)) and exp(ln {k}) = {k}.",
            "p1 = {k}/({k} + 1).",
        ],
        wrong={
            "k/(k + 1)": "that is p1: subtract y1 = 1",
            "1 - k/(k + 1)": "the sign: p1 − y1 is negative, since p1 < 1",
        },
    ),
    Exercise.derivative(
        "Three classes, true class 3, logits z = (0, 0, ln 2). What is ∂L/∂z1?",
        "-log(exp(z3)/(exp(z1) + exp(z2) + exp(z3)))",
        wrt="z1",
        at="z1=0,z2=0,z3=log(2)",
        solution="1/4",
        hints=[
            "∂L/∂z1 = p1 − y1, and class 1 is not the true class.",
            "The exponentials are 1, 1 and 2.",
            "p1 = exp(z1) divided by the sum of the three exponentials.",
        ],
        wrong={
            "-3/4": "y1 = 1 was used, but class 1 is not the true class (y1 = 0)",
            "1/2": "that is p3, the true class's probability",
        },
    ),
    Exercise.value(
        "Multi-step: for those three classes, add up all three partials "
        "∂L/∂z1 + ∂L/∂z2 + ∂L/∂z3. What is the sum, and why?",
        sum_of_partials,
        hints=[
            "Each partial is p_k − y_k.",
            "The sum is Σp − Σy.",
            "The probabilities sum to 1, and so does a one-hot target.",
        ],
        wrong={
            "1": "that is Σp alone: the target's entries sum to 1 as well",
            "-1": "that is −Σy alone: the probabilities sum to 1 as well",
        },
    ),
]
