# %% [markdown]
# # Lesson 10: Computational graphs and the multivariable chain rule
#
# **Goal:** draw a function as a graph of simple operations, run it forward
# to get values and backward to get every partial derivative, and use the
# multivariable chain rule where one value feeds several others (fan-out):
# the gradients from all paths *add up*.
#
# TensorFlow 1 builds exactly such a graph; `tf.gradients` walks it
# backwards. Every node stores one local derivative per input, and the
# backward pass multiplies along each path and sums over the paths.

# %% [markdown]
# ## A graph with fan-out
#
# Take `f(x, y) = (x·y)·(x + y)`. As a graph of one-operation nodes:
#
# ```text
#   x ──▶ a = x·y ────▶ f = a·b
#   y ──▶ a                ▲
#   x ──▶ b = x + y ───────┘
#   y ──▶ b
# ```
#
# One arrow per edge: `x` and `y` each start two edges, one into `a` and one
# into `b`. That is fan-out. The table lists each node,
# its inputs and its local derivatives; the forward pass fills in the values
# at `x = 2, y = 3`. (symgrad will get a `symgrad graph EXPR --at ...`
# command that draws and tabulates this for any expression; until then we
# build the table by hand and let symgrad check the result.)

# %%
x, y = 2.0, 3.0
nodes = [
    # name, formula, value, {input: local derivative}
    ("a", "x·y", x * y, {"x": y, "y": x}),
    ("b", "x + y", x + y, {"x": 1.0, "y": 1.0}),
]
a, b = nodes[0][2], nodes[1][2]
nodes.append(("f", "a·b", a * b, {"a": b, "b": a}))
print(f"{'node':<5} {'formula':<8} {'value':>6}   local derivatives")
for name, formula, value, local in nodes:
    slopes = ", ".join(f"∂{name}/∂{k} = {v:g}" for k, v in local.items())
    print(f"{name:<5} {formula:<8} {value:>6g}   {slopes}")

# %% [markdown]
# ## The backward pass: multiply along paths, add over paths
#
# Start with `∂f/∂f = 1` and go through the nodes in reverse. Each node
# passes its *adjoint* `∂f/∂node` to its inputs, times the local derivative.
# An input that feeds several nodes collects one contribution from each:
#
# `∂f/∂x = ∂f/∂a · ∂a/∂x + ∂f/∂b · ∂b/∂x = b·y + a·1`
#
# That sum is the multivariable chain rule.

# %%
adjoint = {"f": 1.0}
for name, _, _, local in reversed(nodes):
    for inp, slope in local.items():
        contribution = adjoint[name] * slope
        adjoint[inp] = adjoint.get(inp, 0.0) + contribution
        print(f"∂f/∂{inp} += ∂f/∂{name}·∂{name}/∂{inp} = {adjoint[name]:g}·{slope:g}")
print(f"∂f/∂x = {adjoint['x']:g}, ∂f/∂y = {adjoint['y']:g}")

# %% [markdown]
# symgrad differentiates the whole formula at once and agrees; the numeric
# check confirms both:

# %%
from symgrad.lessons import shell

shell('symgrad "(x*y)*(x + y)" --at x=2,y=3')

# %%
import symgrad

exact = symgrad.grad("(x*y)*(x + y)", at={"x": 2, "y": 3}).gradients()
print("by the graph:", [adjoint["x"], adjoint["y"]], " symgrad:", exact)
assert [adjoint["x"], adjoint["y"]] == exact

# %% [markdown]
# ## Forgetting a path
#
# The typical mistake is to follow one path only. Keeping just the path
# through `a` gives `∂f/∂x = b·y = y·(x + y)`, which `symgrad check` rejects
# with a point where it differs:

# %%
shell('symgrad check "(x*y)*(x + y)" --answer "y*(x + y)" --wrt x', expect=1)

# %% [markdown]
# ## Fan-out in a loss: weight decay
#
# A weight used twice gets two gradient contributions. With an L2 penalty
# (weight decay), `L = (w·x − t)² + c·w²` uses `w` in the squared error *and*
# in the penalty, so `∂L/∂w = 2x(w·x − t) + 2c·w`: the data's pull plus the
# penalty's pull towards 0. In TensorFlow the same happens when one variable
# feeds two ops: `tf.gradients` sums the contributions.

# %%
shell('symgrad "(w*x - t)^2 + c*w^2" --at w=1,x=2,t=3,c=0.1 --wrt w')

# %% [markdown]
# The same holds inside networks: an input feeds every unit of the next
# layer, so its gradient is a sum over all of them (lesson 12 writes that
# sum as a matrix product).
#
# ## Exercises

# %% tags=["exercises"]
from symgrad.lessons import Exercise

EXERCISES = [
    Exercise.derivative(
        "In the graph a = x·y, b = x + y, f = a·b: what is the local derivative ∂f/∂a "
        "at x = 1, y = 2? (A number.)",
        "a*b",
        wrt="a",
        at="a=2,b=3",
        solution="3",
        hints=[
            "Treat a and b as the inputs of the node f = a·b.",
            "∂(a·b)/∂a = b.",
            "The forward pass gives b = x + y at the point.",
        ],
        wrong={
            "2": "that is a = x·y, the local derivative ∂f/∂b",
            "6": "that is f itself, a·b, not a derivative",
        },
    ),
    Exercise.variant(
        "For f = (x·y)·(x + y) at x = 1, y = {y}, add the two paths from x: what is ∂f/∂x?",
        "(x*y)*(x + y)",
        vary={"y": (2, 6)},
        solution="8",
        defaults={"y": 2},
        wrt="x",
        at="x=1",
        hints=[
            "x feeds both a = x·y and b = x + y.",
            "∂f/∂x = ∂f/∂a·∂a/∂x + ∂f/∂b·∂b/∂x.",
            "The two contributions are b·y and a·1; compute a and b at the point first.",
        ],
        wrong={
            "6": "only the path through a (b·y): add the path through b",
            "2": "only the path through b (a·1): add the path through a",
        },
    ),
    Exercise.derivative(
        "With weight decay, L = (w·x − t)² + c·w². What is ∂L/∂w as a formula?",
        "(w*x - t)^2 + c*w^2",
        wrt="w",
        solution="2*x*(w*x - t) + 2*c*w",
        hints=[
            "w is used twice: in the squared error and in the penalty.",
            "Differentiate each use with the chain rule, then add.",
            "The penalty's part: ∂(c·w²)/∂w = 2c·w.",
        ],
        wrong={
            "2*x*(w*x - t)": "the path through the penalty c·w² is missing",
            "2*c*w": "the path through the squared error is missing",
            "2*(w*x - t) + 2*c*w": "the inner slope x of the squared error is missing",
        },
    ),
    Exercise.variant(
        "Multi-step: g = exp(p) + p with p = x·y, so p fans out to two nodes. "
        "What is ∂g/∂y at x = {x}, y = 0?",
        "exp(x*y) + x*y",
        vary={"x": (2, 9)},
        solution="6",
        defaults={"x": 3},
        wrt="y",
        at="y=0",
        hints=[
            "First the adjoint of p: p feeds exp(p) and the sum.",
            "∂g/∂p = exp(p) + 1, then multiply by ∂p/∂y = x.",
            "At the point p = 0, so exp(p) = 1.",
        ],
        wrong={
            "3": "only one of p's two paths: p feeds both exp(p) and the sum",
            "2": "that is ∂g/∂p = exp(p) + 1: multiply by ∂p/∂y = x = 3",
        },
    ),
]
