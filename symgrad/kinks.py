"""Kinks: points where a derivative does not exist, and what frameworks return there.

Their home is :mod:`symgrad.special`, with the other reasons a point has no
derivative or no value; this module keeps the names lessons and older code use.

>>> from symgrad.parse import parse, variable
>>> (k,) = find_kinks(parse("relu(x)").expr, {variable("x"): sp.Integer(0)})
>>> k.left, k.right, k.framework
(0.0, 1.0, 0.0)
"""

import sympy as sp  # noqa: F401 - for the example

from symgrad.special import Kink, find_kinks, kink_check, one_sided

__all__ = ["Kink", "find_kinks", "kink_check", "one_sided"]
