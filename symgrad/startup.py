"""Start-up speed for the CLI: defer SymPy's tensor module until something needs it.

SymPy's ``Add.flatten`` runs ``from sympy.tensor.tensor import TensExpr,
TensAdd`` on every call, only for an ``isinstance`` test. The first call
therefore imports the tensor module and, through it, ``sympy.combinatorics``,
which builds its polyhedra at import: about 90 ms, a quarter of the whole
answer, for tensors symgrad never makes.

:func:`defer_tensor_module` puts a stand-in module in ``sys.modules`` whose
``TensExpr`` and ``TensAdd`` are placeholder classes. That is exact, not an
approximation: no tensor object can exist before the real module is loaded,
so every ``isinstance`` test against the placeholders is rightly False. Any
other attribute of the stand-in loads the real module, puts it in
``sys.modules`` and answers from it, so code that does use tensors still
works; from then on ``Add`` sees the real classes. Only the CLI installs the
stand-in; importing symgrad as a library changes nothing in SymPy.

>>> import sys
>>> defer_tensor_module()
>>> from sympy.tensor.tensor import TensorIndexType  # loads the real module on demand
>>> type(sys.modules["sympy.tensor.tensor"]).__name__
'module'
"""

from __future__ import annotations

import importlib
import sys
import types

_TENSOR = "sympy.tensor.tensor"
_PLACEHOLDERS = ("TensExpr", "TensAdd")


class _DeferredTensorModule(types.ModuleType):
    def __getattr__(self, name: str):
        if name.startswith("__"):  # the import system probes __path__ and friends
            raise AttributeError(name)
        if sys.modules.get(_TENSOR) is self:
            del sys.modules[_TENSOR]
        real = importlib.import_module(_TENSOR)
        return getattr(real, name)


def defer_tensor_module() -> None:
    """Install the stand-in unless SymPy's tensor module is already loaded."""
    if _TENSOR in sys.modules:
        return
    stand_in = _DeferredTensorModule(_TENSOR, __doc__)
    for name in _PLACEHOLDERS:
        setattr(stand_in, name, type(name, (), {"__module__": __name__}))
    sys.modules[_TENSOR] = stand_in
