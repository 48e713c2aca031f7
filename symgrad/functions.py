"""The functions and constants symgrad understands, with their derivative rules.

Besides SymPy's elementary functions, machine learning needs three more, which
SymPy lacks. Each keeps its derivative rule next to its definition:

* ``sigmoid(x) = 1/(1 + e^(-x))`` with ``sigmoid' = sigmoid*(1 - sigmoid)``;
* ``relu(x) = max(x, 0)`` with ``relu' = Heaviside(x, 0)``, i.e. 0 at the kink,
  as TensorFlow and PyTorch return;
* ``softplus(x) = log(1 + e^x)`` with ``softplus' = sigmoid``.

>>> import sympy as sp
>>> x = sp.Symbol("x", real=True)
>>> sp.diff(sigmoid(x), x)
(1 - sigmoid(x))*sigmoid(x)
>>> sp.diff(relu(x), x).subs(x, 0)
0
>>> sigmoid(0)
1/2
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import sympy as sp


class sigmoid(sp.Function):  # noqa: N801 - named as students type it
    """The logistic sigmoid σ(x) = 1/(1 + e^(-x))."""

    nargs = 1

    @classmethod
    def eval(cls, x):
        if x.is_number:
            return 1 / (1 + sp.exp(-x))
        return None

    def fdiff(self, argindex=1):
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return 1 / (1 + sp.exp(-x))

    def _eval_is_extended_real(self):
        return self.args[0].is_extended_real

    def _eval_is_positive(self):
        if self.args[0].is_extended_real:
            return True
        return None

    def _latex(self, printer, exp=None):
        tex = r"\sigma\left(%s\right)" % printer._print(self.args[0])
        return tex if exp is None else r"%s^{%s}" % (tex, exp)


class relu(sp.Function):  # noqa: N801
    """The rectifier relu(x) = max(x, 0); its derivative at 0 is taken as 0."""

    nargs = 1

    @classmethod
    def eval(cls, x):
        if x.is_extended_nonnegative:
            return x
        if x.is_extended_negative:
            return sp.S.Zero
        return None

    def fdiff(self, argindex=1):
        return sp.Heaviside(self.args[0], 0)

    def _eval_rewrite_as_Max(self, x, **kwargs):
        return sp.Max(x, 0)

    def _eval_is_extended_real(self):
        return self.args[0].is_extended_real

    def _eval_is_extended_nonnegative(self):
        if self.args[0].is_extended_real:
            return True
        return None

    def _latex(self, printer, exp=None):
        tex = r"\operatorname{relu}\left(%s\right)" % printer._print(self.args[0])
        return tex if exp is None else r"%s^{%s}" % (tex, exp)


class softplus(sp.Function):  # noqa: N801
    """The smooth rectifier softplus(x) = log(1 + e^x)."""

    nargs = 1

    @classmethod
    def eval(cls, x):
        if x.is_number:
            return sp.log(1 + sp.exp(x))
        return None

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])

    def _eval_rewrite_as_log(self, x, **kwargs):
        return sp.log(1 + sp.exp(x))

    def _eval_is_extended_real(self):
        return self.args[0].is_extended_real

    def _eval_is_positive(self):
        if self.args[0].is_extended_real:
            return True
        return None

    def _latex(self, printer, exp=None):
        tex = r"\operatorname{softplus}\left(%s\right)" % printer._print(self.args[0])
        return tex if exp is None else r"%s^{%s}" % (tex, exp)


def _log(x, base=None):
    """``log(x)`` is natural; ``log(x, b)`` is the logarithm to base ``b``."""
    return sp.log(x) if base is None else sp.log(x, base)


class FunctionSpec(NamedTuple):
    """A function name students may type: how to build it and how many arguments it takes."""

    build: Callable[..., sp.Expr]
    arities: tuple[int, ...]
    summary: str


FUNCTIONS: dict[str, FunctionSpec] = {
    "sin": FunctionSpec(sp.sin, (1,), "sine"),
    "cos": FunctionSpec(sp.cos, (1,), "cosine"),
    "tan": FunctionSpec(sp.tan, (1,), "tangent"),
    "sec": FunctionSpec(sp.sec, (1,), "secant"),
    "csc": FunctionSpec(sp.csc, (1,), "cosecant"),
    "cot": FunctionSpec(sp.cot, (1,), "cotangent"),
    "asin": FunctionSpec(sp.asin, (1,), "inverse sine"),
    "acos": FunctionSpec(sp.acos, (1,), "inverse cosine"),
    "atan": FunctionSpec(sp.atan, (1,), "inverse tangent"),
    "sinh": FunctionSpec(sp.sinh, (1,), "hyperbolic sine"),
    "cosh": FunctionSpec(sp.cosh, (1,), "hyperbolic cosine"),
    "tanh": FunctionSpec(sp.tanh, (1,), "hyperbolic tangent"),
    "asinh": FunctionSpec(sp.asinh, (1,), "inverse hyperbolic sine"),
    "acosh": FunctionSpec(sp.acosh, (1,), "inverse hyperbolic cosine"),
    "atanh": FunctionSpec(sp.atanh, (1,), "inverse hyperbolic tangent"),
    "exp": FunctionSpec(sp.exp, (1,), "exponential e^x"),
    "log": FunctionSpec(_log, (1, 2), "natural logarithm; log(x, b) to base b"),
    "ln": FunctionSpec(sp.log, (1,), "natural logarithm"),
    "sqrt": FunctionSpec(sp.sqrt, (1,), "square root"),
    "abs": FunctionSpec(sp.Abs, (1,), "absolute value |x|"),
    "sigmoid": FunctionSpec(sigmoid, (1,), "logistic sigmoid 1/(1+e^-x)"),
    "relu": FunctionSpec(relu, (1,), "rectifier max(x, 0)"),
    "softplus": FunctionSpec(softplus, (1,), "log(1 + e^x)"),
}

CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi, "e": sp.E}


def _linear(x: sp.Expr) -> sp.Expr:
    return x


# The activations a network layer may name: each maps the layer's z to its output a.
ACTIVATIONS: dict[str, Callable[[sp.Expr], sp.Expr]] = {
    "relu": relu,
    "tanh": sp.tanh,
    "sigmoid": sigmoid,
    "linear": _linear,
}
