"""Every function symgrad knows, one record each, read by every stage.

A :class:`Function` record says how students may write the function (names and
aliases, how many arguments), what SymPy object it builds, its derivative and
the rule the steps name, how to evaluate it in floats (``math``) and on arrays
(``numpy``), how generated numpy code prints it, where it is not smooth and
what TensorFlow/PyTorch return there, its real domain, its LaTeX name,
whether a network may use it as an activation and how each framework writes it
(``frameworks``, for the programs of :mod:`symgrad.export`). The parser, the
rules, numeric evaluation, code generation, kinks, domain messages, the
network's activations and the framework programs all read :data:`REGISTRY`;
adding a function is one record here
(and, for a function SymPy lacks, one small class) plus its tests.

Machine learning needs functions SymPy lacks; each is a small class whose
derivative comes from its record:

>>> import sympy as sp
>>> x = sp.Symbol("x", real=True)
>>> sp.diff(sigmoid(x), x)
(1 - sigmoid(x))*sigmoid(x)
>>> sp.diff(relu(x), x).subs(x, 0)
0
>>> sigmoid(0), cbrt(-8), leaky_relu(-2)
(1/2, -2, -1/50)
>>> record_of(sp.sin(x)).rule
'Trig rule'
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import sympy as sp

__all__ = [
    "ACTIVATIONS",
    "CONSTANTS",
    "FUNCTIONS",
    "REGISTRY",
    "Function",
    "cbrt",
    "elu",
    "gelu",
    "leaky_relu",
    "record_of",
    "relu",
    "sigmoid",
    "silu",
    "softplus",
    "softsign",
]

LEAKY_SLOPE = sp.Rational(1, 100)  # tf.nn.leaky_relu's default alpha is 0.2; PyTorch's 0.01

#: The frameworks a record may spell itself for (symgrad.export.FRAMEWORKS), and how each
#: writes the numpy function ``N`` when the record gives no spelling of its own.
SPELLED = {
    "tf1": "tf.math.{}({{0}})",
    "tf2": "tf.math.{}({{0}})",
    "torch": "torch.{}({{0}})",
    "jax": "jnp.{}({{0}})",
    "numpy": "np.{}({{0}})",
}


class Function(NamedTuple):
    """One function: everything every stage of symgrad needs to know about it."""

    names: tuple[str, ...]  # what the parser accepts; names[0] is how symgrad writes it
    build: Callable[..., sp.Expr]  # parser arguments -> SymPy expression
    arities: tuple[int, ...]
    summary: str
    head: type | None = None  # the SymPy class build() makes (None: a spelling or a rewrite)
    rule: str = ""  # the rule the steps name
    derivative: Callable[..., sp.Expr] | None = None  # f'(u) by the first argument, u real
    statement: str = ""  # the rule in general, shown with the step, e.g. "σ' = σ⋅(1 - σ)"
    note: str = ""  # a teacher's remark; {u} is the argument
    math: Callable[..., float] | None = None  # float evaluator
    numpy: str | Callable[..., Any] | None = None  # numpy function name, or f(np, *args)
    code: str = ""  # generated numpy code, {0} the argument (default numpy.<name>({0}))
    switch: Callable[..., sp.Expr] | None = None  # not smooth where switch(args) = 0
    framework: str = ""  # what TensorFlow and PyTorch return at that point
    domain: Callable[..., sp.Basic] | None = None  # where the value is not complex
    outside: str = ""  # why a point outside the domain has no real value
    latex: str = ""  # LaTeX name (default: SymPy's)
    activation: bool = False  # a network layer may use it
    listed: bool = True  # named in the parser's list of known functions
    #: The typical wrong derivatives of f(g) students write: (mistake key, wrong(g, g')); the
    #: mistake catalogue (symgrad.mistakes) names each key's rule and hint.
    mistakes: tuple[tuple[str, Callable[[sp.Expr, sp.Expr], sp.Expr]], ...] = ()
    #: How each framework writes it, by framework ("tf1", "tf2", "torch", "jax", "numpy"; "tf"
    #: for both TensorFlows, "*" for every framework not named). A form is a template of the
    #: framework's own operations, {0} and {1} the arguments ("{1:const}" where the framework
    #: takes only a number there), or a composition f(u, ...) -> SymPy of registered functions,
    #: which the program writes with the framework's names; a tuple of forms is tried in order.
    #: A framework the record does not name writes ``numpy``'s name its own way (:data:`SPELLED`:
    #: np.N, jnp.N, torch.N, tf.math.N); None refuses it.
    frameworks: dict[str, Any] | None = None

    @property
    def name(self) -> str:
        return self.names[0]

    def code_for(self, *args: str) -> str | None:
        """Generated numpy code for this function applied to already printed arguments."""
        if self.code:
            return self.code.format(*args)
        if isinstance(self.numpy, str):
            return f"numpy.{self.numpy}({', '.join(args)})"
        return None

    def spelling(self, framework: str) -> Any:
        """How ``framework`` writes this function: a form (see ``frameworks``), or None.

        >>> FUNCTIONS["sin"].spelling("torch"), FUNCTIONS["asin"].spelling("tf1")
        ('torch.sin({0})', 'tf.math.asin({0})')
        """
        table = self.frameworks or {}
        for key in (framework, "tf" if framework.startswith("tf") else "", "*"):
            if key in table:
                return table[key]
        if isinstance(self.numpy, str) and framework in SPELLED:
            return SPELLED[framework].format(self.numpy)
        return None


# -- the functions SymPy lacks ----------------------------------------------------------


class _Registered(sp.Function):
    """A function whose derivative, realness and LaTeX name come from its record."""

    def fdiff(self, argindex=1):
        if argindex != 1:
            raise sp.ArgumentIndexError(self, argindex)
        return record_of(self).derivative(*self.args)

    def _eval_is_extended_real(self):
        return self.args[0].is_extended_real

    def _latex(self, printer, exp=None):
        args = ", ".join(printer._print(a) for a in self.args)
        tex = r"%s\left(%s\right)" % (record_of(self).latex, args)
        return tex if exp is None else r"%s^{%s}" % (tex, exp)


class sigmoid(_Registered):  # noqa: N801 - named as students type it
    """The logistic sigmoid σ(x) = 1/(1 + e^(-x))."""

    nargs = 1

    @classmethod
    def eval(cls, x):
        return 1 / (1 + sp.exp(-x)) if x.is_number else None

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return 1 / (1 + sp.exp(-x))

    def _eval_is_positive(self):
        return True if self.args[0].is_extended_real else None


class relu(_Registered):  # noqa: N801
    """The rectifier relu(x) = max(x, 0); its derivative at 0 is taken as 0."""

    nargs = 1

    @classmethod
    def eval(cls, x):
        if x.is_extended_nonnegative:
            return x
        if x.is_extended_negative:
            return sp.S.Zero
        return None

    def _eval_rewrite_as_Max(self, x, **kwargs):
        return sp.Max(x, 0)

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return sp.Max(x, 0)

    def _eval_is_extended_nonnegative(self):
        return True if self.args[0].is_extended_real else None


class softplus(_Registered):  # noqa: N801
    """The smooth rectifier softplus(x) = log(1 + e^x)."""

    nargs = 1

    @classmethod
    def eval(cls, x):
        return sp.log(1 + sp.exp(x)) if x.is_number else None

    def _eval_rewrite_as_log(self, x, **kwargs):
        return sp.log(1 + sp.exp(x))

    _eval_rewrite_as_exp = _eval_rewrite_as_log

    def _eval_is_positive(self):
        return True if self.args[0].is_extended_real else None


class leaky_relu(_Registered):  # noqa: N801
    """leaky_relu(x, a) = x for x > 0 and a⋅x otherwise (a = 0.01 unless given)."""

    nargs = 2

    def __new__(cls, x, a=LEAKY_SLOPE, **kwargs):
        return super().__new__(cls, x, a, **kwargs)

    @classmethod
    def eval(cls, x, a):
        if x.is_extended_nonnegative:
            return x
        if x.is_extended_negative:
            return a * x
        return None

    def fdiff(self, argindex=1):
        x, a = self.args
        if argindex == 2:  # the slope a only acts where x < 0
            return x - relu(x)
        return super().fdiff(argindex)

    def _eval_rewrite_as_exp(self, x, a, **kwargs):
        return sp.Max(x, 0) + a * sp.Min(x, 0)


class elu(_Registered):  # noqa: N801
    """elu(x) = x for x > 0 and e^x - 1 otherwise (tf.nn.elu, alpha 1)."""

    nargs = 1

    @classmethod
    def eval(cls, x):
        if x.is_extended_nonnegative:
            return x
        if x.is_extended_negative:
            return sp.exp(x) - 1
        return None

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return sp.Max(x, 0) + sp.exp(sp.Min(x, 0)) - 1


class gelu(_Registered):  # noqa: N801
    """The exact GELU x⋅Φ(x) = x/2⋅(1 + erf(x/√2)) (tf.nn.gelu(approximate=False))."""

    nargs = 1

    @classmethod
    def eval(cls, x):
        return x * (1 + sp.erf(x / sp.sqrt(2))) / 2 if x.is_number else None

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return x * (1 + sp.erf(x / sp.sqrt(2))) / 2


class silu(_Registered):  # noqa: N801
    """silu(x) = x⋅σ(x), also called swish."""

    nargs = 1

    @classmethod
    def eval(cls, x):
        return x / (1 + sp.exp(-x)) if x.is_number else None

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return x / (1 + sp.exp(-x))


class softsign(_Registered):  # noqa: N801
    """softsign(x) = x/(1 + |x|)."""

    nargs = 1

    @classmethod
    def eval(cls, x):
        return x / (1 + sp.Abs(x)) if x.is_number else None

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return x / (1 + sp.Abs(x))


class cbrt(_Registered):  # noqa: N801
    """The real cube root ∛x: cbrt(-8) = -2 (x^(1/3) is complex for x < 0, as in SymPy)."""

    nargs = 1

    @classmethod
    def eval(cls, x):
        if x.is_number and x.is_extended_real:
            return sp.real_root(x, 3)
        return None

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return sp.sign(x) * sp.Abs(x) ** sp.Rational(1, 3)


# -- float evaluators for the functions math lacks ----------------------------------------


def _m_sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _m_softplus(x: float) -> float:
    return math.log1p(math.exp(-abs(x))) + max(x, 0.0)


def _m_sign(x: float) -> float:
    return math.copysign(1.0, x) if x != 0 else 0.0


def _m_cbrt(x: float) -> float:
    return math.copysign(abs(x) ** (1.0 / 3.0), x)


def _n_sigmoid(np, x):
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def _n_erf(np, x):
    return np.vectorize(math.erf, otypes=[float])(x)


_SQRT2, _SQRT2PI = math.sqrt(2.0), math.sqrt(2.0 * math.pi)
_ERF = "numpy.vectorize(math.erf, otypes=[float])({0})"  # numpy has no erf


def _log(x, base=None):
    """``log(x)`` is natural; ``log(x, b)`` is the logarithm to base ``b``."""
    return sp.log(x) if base is None else sp.log(x, base)


def _heaviside(x, at_zero=sp.S.Zero):
    if not (at_zero.is_number and at_zero.is_extended_real):
        raise ValueError("Heaviside's value at 0 must be a number, e.g. Heaviside(x, 1/2)")
    return sp.Heaviside(x, at_zero)


def _leaky_relu(x, a=LEAKY_SLOPE):
    return leaky_relu(x, a)


def _over(f):
    """Every framework writes 1/f(u) (sec as 1/cos, ...)."""
    return {"*": lambda u: 1 / f(u)}


def _real_cbrt(u):
    return sp.sign(u) * sp.Abs(u) ** sp.Rational(1, 3)


def _exact_gelu(u):
    return u * (1 + sp.erf(u / sp.sqrt(2))) / 2


def _step(u, h):
    """Heaviside from sign: 0, h, 1 (its slope is sign's, 0, as in every framework)."""
    return (1 + sp.sign(u)) / 2 + (h - sp.S.Half) * (1 - sp.sign(u) ** 2)


def _where(lib):
    """leaky_relu as ``where(x > 0, x, a⋅x)``: slope a at 0, and a slope of its own."""
    return lib + ".where({0} > 0, {0}, {1} * {0})"


def _between(u):
    return sp.Abs(u) <= 1


def _sig(u):
    return sigmoid(u)


_H = sp.Heaviside
_TRIG, _ATRIG, _HYP, _AHYP = (
    "Trig rule",
    "Inverse trig rule",
    "Hyperbolic rule",
    "Inverse hyperbolic rule",
)
_F = Function

# One record per function, grouped as a textbook groups them.
REGISTRY: tuple[Function, ...] = (
    # -- trigonometric
    _F(("sin",), sp.sin, (1,), "sine", sp.sin, _TRIG, sp.cos, math=math.sin, numpy="sin", mistakes=(("trig_sign", lambda g, dg: -sp.cos(g) * dg),)),
    _F(("cos",), sp.cos, (1,), "cosine", sp.cos, _TRIG, lambda u: -sp.sin(u), math=math.cos, numpy="cos", mistakes=(("trig_sign", lambda g, dg: sp.sin(g) * dg),)),
    _F(("tan",), sp.tan, (1,), "tangent", sp.tan, _TRIG, lambda u: sp.tan(u) ** 2 + 1, math=math.tan, numpy="tan", mistakes=(("trig_confused", lambda g, dg: sp.sec(g) * sp.tan(g) * dg),)),
    _F(("sec",), sp.sec, (1,), "secant", sp.sec, _TRIG, lambda u: sp.tan(u) * sp.sec(u), math=lambda x: 1 / math.cos(x), numpy=lambda np, x: 1 / np.cos(x), code="(1/numpy.cos({0}))", frameworks=_over(sp.cos)),
    _F(("csc",), sp.csc, (1,), "cosecant", sp.csc, _TRIG, lambda u: -sp.cot(u) * sp.csc(u), math=lambda x: 1 / math.sin(x), numpy=lambda np, x: 1 / np.sin(x), code="(1/numpy.sin({0}))", frameworks=_over(sp.sin)),
    _F(("cot",), sp.cot, (1,), "cotangent", sp.cot, _TRIG, lambda u: -(sp.cot(u) ** 2) - 1, math=lambda x: 1 / math.tan(x), numpy=lambda np, x: 1 / np.tan(x), code="(1/numpy.tan({0}))", frameworks=_over(sp.tan)),
    # -- inverse trigonometric
    _F(("asin", "arcsin"), sp.asin, (1,), "inverse sine", sp.asin, _ATRIG, lambda u: 1 / sp.sqrt(1 - u**2), math=math.asin, numpy="arcsin", domain=_between, outside="its argument must be between -1 and 1", mistakes=(("inverse_trig_sign", lambda g, dg: dg / sp.sqrt(1 + g**2)),), frameworks={"tf": "tf.math.asin({0})"}),
    _F(("acos", "arccos"), sp.acos, (1,), "inverse cosine", sp.acos, _ATRIG, lambda u: -1 / sp.sqrt(1 - u**2), math=math.acos, numpy="arccos", domain=_between, outside="its argument must be between -1 and 1", mistakes=(("inverse_trig_sign", lambda g, dg: dg / sp.sqrt(1 - g**2)),), frameworks={"tf": "tf.math.acos({0})"}),
    _F(("atan", "arctan"), sp.atan, (1,), "inverse tangent", sp.atan, _ATRIG, lambda u: 1 / (u**2 + 1), math=math.atan, numpy="arctan", mistakes=(("inverse_trig_sign", lambda g, dg: dg / (1 - g**2)),), frameworks={"tf": "tf.math.atan({0})"}),
    # -- hyperbolic
    _F(("sinh",), sp.sinh, (1,), "hyperbolic sine", sp.sinh, _HYP, sp.cosh, math=math.sinh, numpy="sinh"),
    _F(("cosh",), sp.cosh, (1,), "hyperbolic cosine", sp.cosh, _HYP, sp.sinh, math=math.cosh, numpy="cosh", mistakes=(("hyperbolic_sign", lambda g, dg: -sp.sinh(g) * dg),)),
    _F(("tanh",), sp.tanh, (1,), "hyperbolic tangent", sp.tanh, _HYP, lambda u: 1 - sp.tanh(u) ** 2, math=math.tanh, numpy="tanh", activation=True, mistakes=(("tanh_one_minus", lambda g, dg: (1 - sp.tanh(g)) * dg), ("hyperbolic_sign", lambda g, dg: (1 + sp.tanh(g) ** 2) * dg))),
    _F(("sech",), sp.sech, (1,), "hyperbolic secant", sp.sech, _HYP, lambda u: -sp.tanh(u) * sp.sech(u), math=lambda x: 1 / math.cosh(x), numpy=lambda np, x: 1 / np.cosh(x), code="(1/numpy.cosh({0}))", frameworks=_over(sp.cosh)),
    _F(("csch",), sp.csch, (1,), "hyperbolic cosecant", sp.csch, _HYP, lambda u: -sp.coth(u) * sp.csch(u), math=lambda x: 1 / math.sinh(x), numpy=lambda np, x: 1 / np.sinh(x), code="(1/numpy.sinh({0}))", frameworks=_over(sp.sinh)),
    _F(("coth",), sp.coth, (1,), "hyperbolic cotangent", sp.coth, _HYP, lambda u: -1 / sp.sinh(u) ** 2, math=lambda x: 1 / math.tanh(x), numpy=lambda np, x: 1 / np.tanh(x), code="(1/numpy.tanh({0}))", frameworks=_over(sp.tanh)),
    # -- inverse hyperbolic
    _F(("asinh", "arsinh", "arcsinh"), sp.asinh, (1,), "inverse hyperbolic sine", sp.asinh, _AHYP, lambda u: 1 / sp.sqrt(u**2 + 1), math=math.asinh, numpy="arcsinh", frameworks={"tf": "tf.math.asinh({0})"}),
    _F(("acosh", "arcosh", "arccosh"), sp.acosh, (1,), "inverse hyperbolic cosine", sp.acosh, _AHYP, lambda u: 1 / (sp.sqrt(u - 1) * sp.sqrt(u + 1)), math=math.acosh, numpy="arccosh", domain=lambda u: u >= 1, outside="its argument must be at least 1", frameworks={"tf": "tf.math.acosh({0})"}),
    _F(("atanh", "artanh", "arctanh"), sp.atanh, (1,), "inverse hyperbolic tangent", sp.atanh, _AHYP, lambda u: 1 / (1 - u**2), math=math.atanh, numpy="arctanh", domain=_between, outside="its argument must be between -1 and 1", frameworks={"tf": "tf.math.atanh({0})"}),
    # -- exponentials, logarithms and roots
    _F(("exp",), sp.exp, (1,), "exponential e^x", sp.exp, "Exponential rule", sp.exp, math=math.exp, numpy="exp", mistakes=(("power_rule_on_exponential", lambda g, dg: g * sp.exp(g - 1)),)),
    _F(("log",), _log, (1, 2), "natural logarithm; log(x, b) to base b", sp.log, "Log rule", lambda u: 1 / u, math=math.log, numpy="log", domain=lambda u: u >= 0, outside="log needs a positive argument", mistakes=(("log_inverted", lambda g, dg: g * dg), ("log_of_log", lambda g, dg: dg / sp.log(g)))),
    _F(("ln",), sp.log, (1,), "natural logarithm"),
    _F(("log10",), lambda x: sp.log(x, 10), (1,), "logarithm to base 10", numpy="log10", frameworks={"tf": lambda u: sp.log(u) / sp.log(10)}),
    _F(("log2",), lambda x: sp.log(x, 2), (1,), "logarithm to base 2", numpy="log2", frameworks={"tf": lambda u: sp.log(u) / sp.log(2)}),
    _F(("sqrt",), sp.sqrt, (1,), "square root √x", numpy="sqrt"),
    _F(("cbrt",), cbrt, (1,), "real cube root ∛x: cbrt(-8) = -2", cbrt, "Cube root rule", lambda u: 1 / (3 * cbrt(u) ** 2), "(∛u)' = 1/(3⋅∛u²)", math=_m_cbrt, numpy="cbrt", frameworks={"torch": _real_cbrt, "tf": _real_cbrt}),
    _F(("erf",), sp.erf, (1,), "error function", sp.erf, "Error function rule", lambda u: 2 * sp.exp(-(u**2)) / sp.sqrt(sp.pi), "erf'(u) = 2⋅exp(-u²)/√π", math=math.erf, numpy=_n_erf, code=_ERF, frameworks={"numpy": "np.vectorize(math.erf, otypes=[float])({0})", "jax": "jax.lax.erf({0})", "torch": "torch.special.erf({0})", "tf": "tf.math.erf({0})"}),
    # -- switches: not smooth where the argument is 0
    _F(("abs", "Abs"), sp.Abs, (1,), "absolute value |x|", sp.Abs, "Absolute value rule", sp.sign, note="|{u}| is not differentiable where {u} = 0 (sign(0) = 0 is a subgradient)", math=abs, numpy="abs", switch=lambda u: u, framework="the subgradient sign(0) = 0", mistakes=(("kink_ignored", lambda g, dg: dg),)),
    _F(("sign",), sp.sign, (1,), "sign: -1, 0 or 1", sp.sign, "Sign rule", lambda u: 2 * sp.DiracDelta(u), note="sign({u}) jumps where {u} = 0: its slope is 0 elsewhere and does not exist there", math=_m_sign, numpy="sign", switch=lambda u: u, framework="0, the slope of sign elsewhere"),
    _F(("Heaviside",), _heaviside, (1, 2), "unit step: 0 for x < 0, 1 for x > 0, 0 at 0 as relu' in TensorFlow (Heaviside(x, h) for h at 0)", sp.Heaviside, "Step rule", lambda u, h=0: sp.DiracDelta(u), note="Heaviside({u}) jumps where {u} = 0: its slope is 0 elsewhere and does not exist there", math=lambda x, h=0.5: 1.0 if x > 0 else (0.0 if x < 0 else h), numpy=lambda np, x, h=0.5: np.heaviside(x, h), code="numpy.heaviside({0}, {1})", switch=lambda u, h=0: u, framework="0, the slope of the step elsewhere", frameworks={"numpy": "np.heaviside({0}, {1})", "jax": "jnp.heaviside({0}, {1})", "*": _step}),
    _F(("DiracDelta",), sp.DiracDelta, (1, 2), "the derivative of a jump: 0 away from it", sp.DiracDelta, "Delta rule", lambda u, k=0: sp.DiracDelta(u, k + 1), math=lambda x, k=0: 0.0, numpy=lambda np, x, k=0: np.zeros_like(x), code="numpy.zeros_like({0})", switch=lambda u, k=0: u, framework="0, the slope of a step away from its jump", listed=False, frameworks={"numpy": "np.zeros_like({0})", "*": "0.0 * {0}"}),
    # -- activations
    _F(("sigmoid",), sigmoid, (1,), "logistic sigmoid 1/(1+e^-x)", sigmoid, "Sigmoid rule", lambda u: sigmoid(u) * (1 - sigmoid(u)), "σ' = σ⋅(1 - σ)", math=_m_sigmoid, numpy=_n_sigmoid, code="(0.5 + 0.5*numpy.tanh(0.5*{0}))", latex=r"\sigma", activation=True, mistakes=(("sigmoid_squared", lambda g, dg: sigmoid(g) ** 2 * dg), ("sigmoid_one_minus", lambda g, dg: (1 - sigmoid(g)) * dg)), frameworks={"numpy": "np.exp(-np.logaddexp(0.0, -{0}))", "jax": "jax.nn.sigmoid({0})", "torch": "torch.sigmoid({0})", "tf": "tf.math.sigmoid({0})"}),
    _F(("relu",), relu, (1,), "rectifier max(x, 0)", relu, "ReLU rule", lambda u: _H(u, 0), note="relu has a kink where {u} = 0: the derivative is 0 on the left and 1 on the right; Heaviside(…) takes 0 there, as TensorFlow and PyTorch do", math=lambda x: max(x, 0.0), numpy=lambda np, x: np.maximum(x, 0.0), code="numpy.maximum({0}, 0.0)", switch=lambda u: u, framework="relu'(0) = 0", latex=r"\operatorname{relu}", activation=True, mistakes=(("kink_ignored", lambda g, dg: dg),), frameworks={"numpy": "np.maximum({0}, 0.0)", "jax": "jax.nn.relu({0})", "torch": "torch.relu({0})", "tf": "tf.nn.relu({0})"}),
    _F(("leaky_relu",), _leaky_relu, (1, 2), "leaky rectifier: x for x > 0, a⋅x otherwise (a = 0.01)", leaky_relu, "Leaky ReLU rule", lambda u, a=LEAKY_SLOPE: a + (1 - a) * _H(u, 0), note="leaky_relu has a kink where {u} = 0: the slope is a on the left and 1 on the right; TensorFlow and PyTorch take a there", math=lambda x, a=0.01: x if x > 0 else a * x, numpy=lambda np, x, a=0.01: np.where(x > 0, x, a * x), code="numpy.where({0} > 0, {0}, {1}*{0})", switch=lambda u, a=0: u, framework="the left slope a", latex=r"\operatorname{leaky\_relu}", activation=True, frameworks={"numpy": _where("np"), "jax": "jax.nn.leaky_relu({0}, {1})", "torch": ("torch.nn.functional.leaky_relu({0}, {1:const})", _where("torch")), "tf": ("tf.nn.leaky_relu({0}, alpha={1:const})", _where("tf"))}),
    _F(("elu",), elu, (1,), "exponential linear unit: x for x > 0, e^x - 1 otherwise", elu, "ELU rule", lambda u: elu(u) - relu(u) + 1, "elu' = elu - relu + 1", math=lambda x: x if x > 0 else math.expm1(x), numpy=lambda np, x: np.where(x > 0, x, np.expm1(np.minimum(x, 0.0))), code="numpy.where({0} > 0, {0}, numpy.expm1(numpy.minimum({0}, 0.0)))", switch=lambda u: u, framework="elu'(0) = 1", latex=r"\operatorname{elu}", activation=True, frameworks={"numpy": "np.where({0} > 0, {0}, np.expm1(np.minimum({0}, 0.0)))", "jax": "jax.nn.elu({0})", "torch": "torch.nn.functional.elu({0})", "tf": "tf.nn.elu({0})"}),
    _F(("gelu",), gelu, (1,), "Gaussian error linear unit x⋅Φ(x), exact erf form", gelu, "GELU rule", lambda u: (1 + sp.erf(u / sp.sqrt(2))) / 2 + u * sp.exp(-(u**2) / 2) / sp.sqrt(2 * sp.pi), "(u⋅Φ(u))' = Φ(u) + u⋅φ(u)", math=lambda x: 0.5 * x * (1.0 + math.erf(x / _SQRT2)), numpy=lambda np, x: 0.5 * x * (1.0 + _n_erf(np, x / _SQRT2)), code="(0.5*{0}*(1.0 + " + _ERF.format("{0}/math.sqrt(2.0)") + "))", latex=r"\operatorname{gelu}", activation=True, frameworks={"numpy": _exact_gelu, "jax": "jax.nn.gelu({0}, approximate=False)", "torch": "torch.nn.functional.gelu({0})", "tf1": _exact_gelu, "tf2": "tf.nn.gelu({0}, approximate=False)"}),
    _F(("silu", "swish"), silu, (1,), "sigmoid linear unit x⋅σ(x), also called swish", silu, "SiLU rule", lambda u: _sig(u) * (1 + u * (1 - _sig(u))), "(u⋅σ(u))' = σ⋅(1 + u⋅(1 - σ))", math=lambda x: x * _m_sigmoid(x), numpy=lambda np, x: x * _n_sigmoid(np, x), code="({0}*(0.5 + 0.5*numpy.tanh(0.5*{0})))", latex=r"\operatorname{silu}", activation=True, frameworks={"numpy": lambda u: u * sigmoid(u), "jax": "jax.nn.silu({0})", "torch": "torch.nn.functional.silu({0})", "tf1": lambda u: u * sigmoid(u), "tf2": "tf.nn.silu({0})"}),
    _F(("softplus",), softplus, (1,), "log(1 + e^x)", softplus, "Softplus rule", sigmoid, note="softplus(u) = log(1 + eᵘ), and its slope is the sigmoid", math=_m_softplus, numpy=lambda np, x: np.logaddexp(0.0, x), code="numpy.logaddexp(0.0, {0})", latex=r"\operatorname{softplus}", activation=True, mistakes=(("softplus_wrong", lambda g, dg: dg / (1 + sp.exp(g))), ("softplus_wrong", lambda g, dg: sp.exp(g) * dg), ("softplus_wrong", lambda g, dg: sigmoid(g) * (1 - sigmoid(g)) * dg)), frameworks={"numpy": "np.logaddexp(0.0, {0})", "jax": "jax.nn.softplus({0})", "torch": "torch.nn.functional.softplus({0})", "tf": "tf.math.softplus({0})"}),
    _F(("softsign",), softsign, (1,), "x/(1 + |x|)", softsign, "Softsign rule", lambda u: 1 / (1 + sp.Abs(u)) ** 2, "softsign'(u) = 1/(1 + |u|)²", math=lambda x: x / (1.0 + abs(x)), numpy=lambda np, x: x / (1.0 + np.abs(x)), code="({0}/(1.0 + numpy.abs({0})))", switch=lambda u: u, framework="softsign'(0) = 1", latex=r"\operatorname{softsign}", activation=True, frameworks={"numpy": "{0} / (1.0 + np.abs({0}))", "jax": "jax.nn.soft_sign({0})", "torch": "torch.nn.functional.softsign({0})", "tf": "tf.nn.softsign({0})"}),
)  # fmt: skip

FUNCTIONS: dict[str, Function] = {name: f for f in REGISTRY for name in f.names}
"""Every name the parser accepts, with its record."""

_BY_HEAD: dict[type, Function] = {f.head: f for f in REGISTRY if f.head is not None}


def record_of(expr: sp.Basic | type) -> Function | None:
    """The record of an expression's head (``sin`` for ``sin(x)``), or None.

    >>> record_of(relu).framework
    "relu'(0) = 0"
    """
    head = expr if isinstance(expr, type) else expr.func
    return _BY_HEAD.get(head)


ACTIVATIONS: dict[str, Callable[[sp.Expr], sp.Expr]] = {
    "linear": lambda z: z,
    **{name: f.build for f in REGISTRY if f.activation for name in f.names},
}
"""The activations a network layer may name, each a function of the layer's pre-activation.

>>> sorted(ACTIVATIONS)[:4], ACTIVATIONS["relu"](sp.Integer(-3))
(['elu', 'gelu', 'leaky_relu', 'linear'], 0)
"""

CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi, "e": sp.E}
