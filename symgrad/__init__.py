"""symgrad: exact, explained, verified gradients.

>>> import symgrad
>>> symgrad.grad("w*w+2", at={"w": 10}).compute_gradients()
[(20.0, 10.0)]

Heavier parts of the API (derivations, optimizers, networks, answer checking)
are imported on first use, so ``import symgrad`` stays as cheap as the
command line needs it to be.
"""

__version__ = "0.1.0"

from symgrad.derive import GradientResult, GradPair, grad  # noqa: E402
from symgrad.errors import InputError, LimitError, MathError, ParseError, SymgradError  # noqa: E402
from symgrad.parse import parse  # noqa: E402

# Public names loaded lazily: name -> "module:attribute".
_LAZY: dict[str, str] = {
    "steps": "symgrad.derivation:steps",
    "Derivation": "symgrad.derivation:Derivation",
    "check_answer": "symgrad.answers:check_answer",
    "AnswerCheck": "symgrad.answers:AnswerCheck",
    "nth_derivative": "symgrad.higher:nth_derivative",
    "hessian": "symgrad.higher:hessian",
    "jacobian": "symgrad.higher:jacobian",
    "directional": "symgrad.higher:directional",
    "spot_check": "symgrad.spotcheck:spot_check",
    "plot": "symgrad.pictures:plot",
    "optimize": "symgrad.optimizers:optimize",
    "optimizer": "symgrad.optimizers:optimizer",
    "critic": "symgrad.network:critic",
    "graph": "symgrad.backprop:graph",
}


def __getattr__(name: str):
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'symgrad' has no attribute {name!r}")
    import importlib

    module, _, attr = target.partition(":")
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "__version__",
    "grad",
    "GradPair",
    "GradientResult",
    "parse",
    "SymgradError",
    "InputError",
    "ParseError",
    "LimitError",
    "MathError",
    *_LAZY,
]
