"""symgrad: exact, explained, verified gradients.

>>> import symgrad
>>> symgrad.grad("w*w+2", at={"w": 10}).compute_gradients()
[(20.0, 10.0)]
"""

__version__ = "0.1.0"

from symgrad.derive import GradientResult, GradPair, grad  # noqa: E402
from symgrad.errors import InputError, LimitError, MathError, ParseError, SymgradError  # noqa: E402
from symgrad.parse import parse  # noqa: E402

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
]
