"""symgrad: exact, explained, verified gradients.

>>> import symgrad
>>> symgrad.grad("w*w+2", at={"w": 10}).compute_gradients()
[(20.0, 10.0)]
>>> symgrad.parse("2x^2").expr
2*x**2

Every public name is loaded on first use (PEP 562), so ``import symgrad``
imports neither SymPy nor numpy: ``symgrad --version`` and ``--help`` answer
at the speed of a bare ``python``, and the pytest plugin costs nothing until
it is used. ``symgrad.parse`` is the function even though a submodule has the
same name: ``from symgrad.parse import parse`` imports it from the module, and
``symgrad.parse(...)`` calls it.
"""

import sys
import types

__version__ = "0.1.0"

# Public names, loaded lazily: name -> "module:attribute".
_LAZY: dict[str, str] = {
    "grad": "symgrad.derive:grad",
    "GradPair": "symgrad.result:GradPair",
    "GradientResult": "symgrad.result:GradientResult",
    "parse": "symgrad.parse:parse",
    "SymgradError": "symgrad.errors:SymgradError",
    "InputError": "symgrad.errors:InputError",
    "ParseError": "symgrad.errors:ParseError",
    "LimitError": "symgrad.errors:LimitError",
    "MathError": "symgrad.errors:MathError",
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
    "optimize": "symgrad.trajectory:optimize",
    "optimizer": "symgrad.optimizers:optimizer",
    "critic": "symgrad.network:critic",
    "session": "symgrad.session:session",
    "Session": "symgrad.session:Session",
    "graph": "symgrad.backprop:graph",
}

#: Public functions that share their name with a submodule.
_SHADOWED = ("parse", "session")


def _load(name: str):
    import importlib

    module, _, attr = _LAZY[name].partition(":")
    return getattr(importlib.import_module(module), attr)


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'symgrad' has no attribute {name!r}")
    value = _load(name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


class _Package(types.ModuleType):
    """The package's module type: a name in ``_SHADOWED`` always means the function.

    Importing the submodule ``symgrad.parse`` makes the import system set the
    package attribute ``parse`` to the module; this type keeps the function
    there instead (the module stays in ``sys.modules`` for ``from ... import``).
    """

    def __setattr__(self, name: str, value) -> None:
        if name in _SHADOWED and isinstance(value, types.ModuleType):
            value = _load(name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

__all__ = ["__version__", *_LAZY]
