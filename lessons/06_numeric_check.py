# %% [markdown]
# # Lesson 6: Checking gradients numerically
#
# **Goal:** estimate a derivative with finite differences, see why the step
# size matters (too large and too small are both wrong), and understand the
# tolerances of a gradient check such as PyTorch's `gradcheck`.
#
# A symbolic derivative can be wrong (a forgotten chain-rule factor, a typo
# in hand-written backpropagation). Evaluating the *function* at two nearby
# points gives an independent estimate of the slope to compare it with.

# %% [markdown]
# ## Forward and central differences
#
# The forward difference `(f(x + h) − f(x))/h` is the average slope of
# lesson 1. The central difference `(f(x + h) − f(x − h))/(2h)` looks both
# ways; its error shrinks like `h²` instead of `h`. For `f = sin` at `x = 1`
# the exact slope is `cos(1)`:

# %%
import math

f, x, exact = math.sin, 1.0, math.cos(1.0)
print(f"{'h':>8} {'forward error':>15} {'central error':>15}")
for h in [1e-1, 1e-2, 1e-3, 1e-4]:
    forward = (f(x + h) - f(x)) / h
    central = (f(x + h) - f(x - h)) / (2 * h)
    print(f"{h:>8.0e} {abs(forward - exact):>15.3e} {abs(central - exact):>15.3e}")

# %% [markdown]
# Each tenfold smaller step makes the forward error 10 times smaller and
# the central error 100 times smaller.
#
# ## Why the step size matters
#
# Make `h` much smaller and the error grows again: `f(x + h)` and `f(x − h)`
# are rounded to about 16 significant digits (machine epsilon
# `ε ≈ 2.2e-16`), and dividing their tiny difference by a tiny `2h` magnifies
# that round-off like `ε/h`. The truncation error falls like `h²` while the
# round-off error grows like `ε/h`; the best step balances them, near
# `ε^(1/3) ≈ 6e-6`. The picture shows the V:

# %%
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from symgrad.lessons import save_figure

steps = np.logspace(-14, -1, 60)
forward_err = np.abs((np.sin(x + steps) - np.sin(x)) / steps - exact)
central_err = np.abs((np.sin(x + steps) - np.sin(x - steps)) / (2 * steps) - exact)
fig, ax = plt.subplots(figsize=(6, 4))
ax.loglog(steps, forward_err, label="forward difference")
ax.loglog(steps, central_err, label="central difference")
ax.axvline(np.finfo(float).eps ** (1 / 3), color="0.6", ls="--", label="ε^(1/3)")
ax.set_xlabel("step h")
ax.set_ylabel("error")
ax.legend()
path = save_figure(fig, "06_error_vs_step.png", dpi=100)
plt.close(fig)
best = steps[np.argmin(central_err)]
print(f"smallest central error {central_err.min():.1e} at h ≈ {best:.0e}")
print("picture written to", path.name)

# %% [markdown]
# ## Richardson extrapolation
#
# The central difference is `D(h) = f' + c·h² + O(h⁴)`. Halving the step
# divides the `h²` error by 4, so `(4·D(h/2) − D(h))/3` cancels it: a much
# better estimate from the same kind of evaluations, without a tiny step.


# %%
def central(h):
    return (f(x + h) - f(x - h)) / (2 * h)


for h in [1e-1, 1e-2]:
    richardson = (4 * central(h / 2) - central(h)) / 3
    print(
        f"h = {h:g}: central error {abs(central(h) - exact):.1e}, "
        f"extrapolated error {abs(richardson - exact):.1e}"
    )

# %% [markdown]
# ## symgrad's check
#
# Every `symgrad EXPR --at ...` checks its exact answer this way, going a few
# steps further: central differences of the original function at four steps
# `h, h/2, h/4, h/8` (with `h = ε^(1/5)·max(1, |x|)`), combined by
# Richardson extrapolation, which cancels the `h²`, `h⁴` and `h⁶` error
# terms in turn. How much the last two extrapolations still differ, plus the
# round-off of the smallest step, gives an error *bound*, so the verdict
# needs no magic tolerance.

# %%
from symgrad.lessons import shell

shell('symgrad "x*sin(x^2)" --at x=1')

# %% [markdown]
# The same evidence is data in Python:

# %%
import symgrad

check = symgrad.grad("x*sin(x^2)", at={"x": 1}).partials[0].check
print("method:  ", check.method)
print("step:    ", check.step)
print("estimate:", check.estimate)
print("exact:   ", check.exact)
print("verdict: ", check.verdict, f"(error {check.error:.1e} ≤ bound {check.bound:.1e})")
print(check.explain())

# %% [markdown]
# One point is weak evidence (see the end of this lesson). `--check N` checks
# the exact gradient at `N` random points where the function is defined, and
# reports the worst agreement it saw:

# %%
shell('symgrad "x*sin(x^2)" --check 20 --seed 1')

# %% [markdown]
# ## What `gradcheck`'s tolerances mean
#
# `torch.autograd.gradcheck` uses a central difference with `eps = 1e-6`
# and accepts the analytic gradient `a` when the numeric one `n` satisfies
# `|n − a| ≤ atol + rtol·|a|`, with `atol = 1e-5` and `rtol = 1e-3` by
# default: an absolute slack for gradients near 0, plus a relative one for
# large gradients. Here is that test, catching a hand-written gradient of
# `x·sin(x²)` that forgot the chain rule's factor `2x`:


# %%
def gradcheck(f, analytic, x, eps=1e-6, atol=1e-5, rtol=1e-3):
    numeric = (f(x + eps) - f(x - eps)) / (2 * eps)
    return abs(numeric - analytic(x)) <= atol + rtol * abs(analytic(x)), numeric


def f(t):
    return t * math.sin(t * t)


def right(t):
    return math.sin(t * t) + 2 * t * t * math.cos(t * t)


def wrong(t):
    return math.sin(t * t) + t * math.cos(t * t)


for name, g in [("right", right), ("wrong", wrong)]:
    ok, numeric = gradcheck(f, g, 1.0)
    print(f"{name}: analytic {g(1.0):.6f}, numeric {numeric:.6f}, passes: {ok}")

# %% [markdown]
# A passing check is evidence, not proof: it tests one point, and a gradient
# that is wrong only somewhere else passes (which is why `--check N` tries
# many). symgrad's answer is exact; the
# check is there to catch bugs and to show where numbers come from.
#
# ## Exercises

# %% tags=["exercises"]
import sympy as sp

from symgrad.lessons import Exercise

# The expected answers are computed exactly from the definitions.
h = sp.Rational(1, 10)
u, step = sp.symbols("u step", real=True)
truncation = sp.expand(((u + step) ** 3 - (u - step) ** 3) / (2 * step) - 3 * u**2)
EXERCISES = [
    Exercise.value(
        "The forward difference of f(x) = x² at x = 3 with h = 0.1 is (f(3.1) − f(3))/0.1. "
        "What number is it, exactly?",
        ((3 + h) ** 2 - 3**2) / h,
        solution="6.1",
        hints=["3.1² = 9.61; the difference is 0.61."],
    ),
    Exercise.value(
        "The central difference of f(x) = x³ at x = 1 with h = 0.1 is (f(1.1) − f(0.9))/0.2. "
        "What number is it, exactly?",
        ((1 + h) ** 3 - (1 - h) ** 3) / (2 * h),
        solution="3.01",
        hints=["1.1³ = 1.331 and 0.9³ = 0.729."],
    ),
    Exercise.value(
        "For f(x) = x³ the central difference is exactly 3x² + h². "
        "What is its truncation error at h = 0.01?",
        truncation.subs(step, sp.Rational(1, 100)),
        solution="0.0001",
        hints=["The error is the h² term."],
    ),
    Exercise.value(
        "Richardson: the central differences of some function are D(0.1) = 2.01 and "
        "D(0.05) = 2.0025. What is the extrapolated estimate (4·D(h/2) − D(h))/3?",
        (4 * sp.Rational("2.0025") - sp.Rational("2.01")) / 3,
        solution="2",
        hints=["4·2.0025 = 8.01; subtract 2.01 and divide by 3."],
    ),
    Exercise.value(
        "gradcheck with atol = 1e-5 and rtol = 1e-3 compares with an analytic gradient of 2. "
        "What is the largest |numeric − analytic| it accepts?",
        sp.Rational("1e-5") + sp.Rational("1e-3") * 2,
        solution="0.00201",
        hints=["atol + rtol·|a| = 0.00001 + 0.001·2."],
    ),
]
