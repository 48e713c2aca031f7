"""Dense networks: the symbolic model, loading a network file, the Critic, generated code.

* :mod:`symgrad.network.model` - layers, losses, the exact gradient as a program;
* :mod:`symgrad.network.load` - reading and validating the JSON file, the limits;
* :mod:`symgrad.network.gradcheck` - central differences, the independent route;
* :mod:`symgrad.network.critic` - the Critic run and ``--explain``;
* :mod:`symgrad.network.codegen` - fast numpy evaluators for the gradient program.
"""

from __future__ import annotations

from symgrad.network.critic import CriticResult, critic
from symgrad.network.gradcheck import GradientCheck, check_gradient
from symgrad.network.load import (
    MAX_FILE_BYTES,
    MAX_LAYERS,
    MAX_PARAMS,
    MAX_STATES,
    MAX_UNITS,
    load_network,
    read_network,
)
from symgrad.network.model import (
    LOSSES,
    Gradient,
    Layer,
    Network,
    forward,
    mean_square,
    numeric_loss,
)

__all__ = [
    "CriticResult",
    "critic",
    "GradientCheck",
    "check_gradient",
    "MAX_FILE_BYTES",
    "MAX_LAYERS",
    "MAX_PARAMS",
    "MAX_STATES",
    "MAX_UNITS",
    "load_network",
    "read_network",
    "LOSSES",
    "Gradient",
    "Layer",
    "Network",
    "forward",
    "mean_square",
    "numeric_loss",
]
