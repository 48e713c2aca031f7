"""Numeric evidence: an exact derivative checked against extrapolated finite differences.

The check never looks at the derivative's formula: it evaluates the *original
function* in float64 on both sides of the point. Central differences at four
steps ``h, h/2, h/4, h/8`` (``h = ε^(1/5)·max(1, |x|)``, scaled to the point)
are combined by Richardson extrapolation, which cancels the ``h²``, ``h⁴`` and
``h⁶`` error terms one after another (as numdifftools does). How much the last
two extrapolations still differ estimates the remaining truncation error; the
float64 round-off of the smallest step is added to it. So the verdict comes
with an error *bound* instead of a magic tolerance: the exact value agrees when
it lies within the bound of the estimate. On smooth functions at ordinary
points the estimate is good to a relative error of about 1e-12.

>>> from symgrad.parse import variable
>>> w = variable("w")
>>> c = check_partial(w * w + 2, w, {w: 10.0}, exact=20.0)
>>> c.verdict, abs(c.estimate - 20.0) < 1e-10
('agrees', True)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import sympy as sp

from symgrad.numeric import compile_expr
from symgrad.special import diagnose_point  # noqa: F401 - its home is symgrad.special

EPS = 2.0**-52
TINY = 2.0**-1074  # the smallest subnormal float64
LEVELS = 4  # central differences at h, h/2, h/4, h/8
BASE_STEP = EPS ** (1 / 5)  # ≈ 7.4e-4: balances h⁸ truncation against ε/h round-off
MIN_STEP = EPS ** (1 / 3)  # below this the plain central difference is already round-off bound
METHOD = "Richardson-extrapolated central difference"
#: With this many variables or more the perturbed points go through numpy in one call.
VECTORISE_FROM = 3
RELATIVE_FLOOR = 1e-10  # the bound is never tighter than this, relative to the exact value


class Check(NamedTuple):
    """The numeric evidence for one partial derivative at one point."""

    method: str
    step: float | None
    estimate: float | None
    exact: float | None
    error: float | None
    bound: float | None
    verdict: str  # "agrees", "disagrees" or "skipped"
    reason: str | None = None

    @property
    def ok(self) -> bool:
        """True unless the numbers disagree (a skipped check is not a failure)."""
        return self.verdict != "disagrees"

    @property
    def relative_error(self) -> float | None:
        """``|estimate − exact| / max(1, |exact|)``."""
        if self.error is None or self.exact is None:
            return None
        return self.error / max(1.0, abs(self.exact))

    def explain(self) -> str:
        """One line: the verdict, the estimate, the actual error against its bound."""
        if self.verdict == "skipped":
            return f"not checked: {self.reason}"
        agrees = self.verdict == "agrees"
        return (
            f"{'agrees' if agrees else 'DISAGREES'} with the numeric estimate "
            f"{_short(self.estimate)} (error {_sci(self.error)} "
            f"{'≤' if agrees else '>'} bound {_sci(self.bound)})"
        )

    def describe(self) -> str:
        """The verdict in a few sentences a student can follow.

        >>> from symgrad.parse import variable
        >>> x = variable("x")
        >>> print(check_partial(x**3, x, {x: 1.0}, exact=3.0).describe())  # doctest: +ELLIPSIS
        The slope of the function between x − h and x + h, measured at h = 0.00049 and three smaller steps and extrapolated to h → 0, is 3.0...; it is within ... of the true slope. The exact value 3.0 differs from it by ..., inside that bound: the formula agrees with the numbers.
        """
        if self.verdict == "skipped":
            return f"Not checked numerically: {self.reason}."
        if self.verdict == "agrees":
            end = "inside that bound: the formula agrees with the numbers."
        else:
            end = "more than the bound allows: the formula does not match the function."
        return (
            f"The slope of the function between x − h and x + h, measured at h = {self.step:.2g}"
            f" and three smaller steps and extrapolated to h → 0, is {self.estimate!r}; it is "
            f"within {_sci(self.bound)} of the true slope. The exact value {self.exact!r} "
            f"differs from it by {_sci(self.error)}, {end}"
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "method": self.method,
            "step": self.step,
            "estimate": self.estimate,
            "exact": self.exact,
            "error": self.error,
            "relative_error": self.relative_error,
            "bound": self.bound,
            "verdict": self.verdict,
            "reason": self.reason,
            "explanation": self.describe(),
        }


def _short(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.15g}"


def _sci(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1e}"


def _skipped(reason: str, exact: float | None) -> Check:
    return Check(METHOD, None, None, exact, None, None, "skipped", reason)


def _noise_offsets(h: float) -> list[float]:
    """Where rounding noise is probed: 7 points ``h/1024`` apart around the point."""
    return [j * h * NOISE_SPACING for j in NOISE_OFFSETS]


def _offsets(h: float) -> list[float]:
    """``[+h, −h, +h/2, −h/2, ...]``: where the function is evaluated around the point."""
    out = []
    for k in range(LEVELS):
        step = h / 2**k
        out += [step, -step]
    return out


def richardson(
    values: Sequence[float], h: float, noise: float = 0.0, magnitude: float = 0.0
) -> tuple[float, float, float]:
    """Extrapolate central differences to ``h → 0``: ``(estimate, truncation, round-off)``.

    ``values`` are the function at the offsets ``+h, −h, +h/2, −h/2, ...``;
    ``noise`` is the measured rounding noise of one value (see :func:`noise_level`);
    ``magnitude`` the size of the largest quantity summed into a value (a sum of
    terms rounds relative to its terms, not to its total).

    >>> import math
    >>> h = 1e-2
    >>> values = [math.exp(s) for k in range(4) for s in (h / 2**k, -h / 2**k)]
    >>> estimate, truncation, roundoff = richardson(values, h)
    >>> abs(estimate - 1.0) < 1e-13, truncation < 1e-12
    (True, True)
    """
    row = [(values[2 * k] - values[2 * k + 1]) / (2 * h / 2**k) for k in range(LEVELS)]
    table = [row]
    for j in range(1, LEVELS):
        factor = 4.0**j
        prev = table[-1]
        table.append(
            [(factor * prev[k + 1] - prev[k]) / (factor - 1) for k in range(len(prev) - 1)]
        )
    estimate = table[-1][0]
    truncation = max(abs(estimate - table[-2][1]), abs(estimate - table[-2][0]))
    h_min = h / 2 ** (LEVELS - 1)
    # float64 rounds each value relatively (ε) and, below 2⁻¹⁰²², absolutely (2⁻¹⁰⁷⁴);
    # the rounding of intermediate quantities (the 1 in log(1 + x²)) is in ``noise``.
    largest = max(magnitude, max(abs(v) for v in values))
    roundoff = 4 * (EPS * largest + TINY) / h_min
    roundoff = max(roundoff, NOISE_SIGMAS * noise * _AMPLIFICATION / h)
    return estimate, truncation, roundoff


#: Offsets, in units of the noise probe's spacing, where rounding noise is measured.
NOISE_OFFSETS = tuple(range(-3, 4))
NOISE_SPACING = 2.0**-10  # of the base step: small enough that the slope's curvature vanishes
NOISE_SIGMAS = 6.0


def noise_level(values: Sequence[float]) -> float:
    """The rounding noise of single values of ``f``, measured from 7 close, equally spaced values.

    Differences of order k of a smooth function over a tiny spacing are nearly 0,
    so what is left is rounding noise; its variance is ``C(2k, k)·σ²``. This is
    the idea of Moré and Wild's ECnoise, with the largest estimate of orders 3–6.

    >>> noise_level([1.0] * 7)
    0.0
    >>> 1e-17 < noise_level([1.0, 1.0 + 2**-52, 1.0, 1.0, 1.0 + 2**-52, 1.0, 1.0]) < 1e-15
    True
    """
    diffs = list(values)
    sigma = 0.0
    for k in range(1, len(values)):
        diffs = [b - a for a, b in zip(diffs, diffs[1:])]
        if k >= 3:
            mean_square = sum(d * d for d in diffs) / len(diffs)
            sigma = max(sigma, math.sqrt(mean_square / math.comb(2 * k, k)))
    return sigma


def _amplification() -> float:
    """How much the extrapolated estimate magnifies independent noise of size 1 (at h = 1)."""
    total = 0.0
    for i in range(2 * LEVELS):
        unit = [0.0] * (2 * LEVELS)
        unit[i] = 1.0
        row = [(unit[2 * k] - unit[2 * k + 1]) / (2 / 2**k) for k in range(LEVELS)]
        for j in range(1, LEVELS):
            row = [(4.0**j * row[k + 1] - row[k]) / (4.0**j - 1) for k in range(len(row) - 1)]
        total += row[0] ** 2
    return math.sqrt(total)


_AMPLIFICATION = _amplification()


FLAT = (
    "the function has the same float64 value at every step around the point: "
    "its slope there is too small for float64 to see"
)


def _verdict(
    exact: float, h: float, values: Sequence[float], noise: float = 0.0, magnitude: float = 0.0
) -> Check:
    if exact != 0 and len(set(values)) == 1:
        return _skipped(FLAT, exact)  # log(1 + x⁶) at 1e-26: 1 + x⁶ rounds to 1 everywhere
    estimate, truncation, roundoff = richardson(values, h, noise, magnitude)
    bound = 2 * truncation + roundoff + 4 * EPS * abs(exact)
    # float64 formulas can lose a few digits to cancellation that no sample of f reveals
    # (cos(y²) - 1 rounds on a regular staircase); 1e-10 relative is still 100x tighter
    # than the 1e-8 the check promises, and far below any real mistake.
    bound = max(bound, RELATIVE_FLOOR * abs(exact))
    error = abs(estimate - exact)
    verdict = "agrees" if error <= bound else "disagrees"
    return Check(METHOD, h, estimate, exact, error, bound, verdict)


def _finite(values: Sequence[float]) -> bool:
    return all(math.isfinite(v) for v in values)


def _base_step(x: float) -> float:
    """``ε^(1/5)·max(1, |x|)``, rounded down to a power of two.

    A power of two (and its halves) above the spacing of floats near ``x`` makes
    ``x ± h/2^k`` exact, so the steps are the ones the formula divides by; with
    an arbitrary h the rounding of ``x + h`` alone is an error of ``ε·|x|/h``
    (2e-12 for ``x - y`` at x = y = 1.22, more than the bound allows).
    """
    return 2.0 ** math.floor(math.log2(BASE_STEP * max(1.0, abs(x))))


NOT_FINITE = "the function is not finite in float64 on both sides of the point"


def _sharp(c: Check) -> bool:
    """Is the bound already tight (relative 1e-9), so a smaller step cannot help much?"""
    return c.bound is not None and c.bound <= 1e-9 * max(1.0, abs(c.estimate))


def _check_scalar(f, base: list[float], i: int, exact: float) -> Check:
    """Check one partial with the scalar evaluator.

    Starts at the base step; near a domain edge (values not finite) or where
    the bound is loose (the function changes fast within the step), retries
    with steps 16 times smaller down to ``ε^(1/3)`` and keeps the tightest bound.
    """
    x = base[i]
    h = _base_step(x)
    best: Check | None = None
    while True:
        values = []
        for offset in _offsets(h) + _noise_offsets(h):
            args = list(base)
            args[i] = x + offset
            values.append(f(*args))
        values, probe = values[: 2 * LEVELS], values[2 * LEVELS :]
        c = None
        if _finite(values):
            c = _verdict(exact, h, values, noise_level(probe) if _finite(probe) else 0.0)
        stop, best, h = _after_try(c, best, h, x)
        if stop:
            return best if best is not None else _skipped(NOT_FINITE, exact)


def _after_try(
    c: Check | None, best: Check | None, h: float, x: float
) -> tuple[bool, Check | None, float]:
    """The step policy after one try at step ``h`` (``c`` is None where values were not
    finite): ``(stop, best so far, next step)``.

    Stop when the check is settled (flat in float64, so smaller steps cannot see more, or a
    sharp bound) or the step is already the smallest, ``ε^(1/3)``; else try ``h/16``.
    """
    if c is not None:
        if c.bound is None:
            return True, c, h
        if best is None or c.bound < best.bound:
            best = c
        if _sharp(best):
            return True, best, h
    if h <= MIN_STEP * max(1.0, abs(x)):
        return True, best, h
    return False, best, h / 16


def check_partial(
    expr: sp.Expr,
    var: sp.Symbol,
    point: Mapping[sp.Symbol, float],
    exact: float | None,
) -> Check:
    """Compare the exact ``∂expr/∂var`` at ``point`` with an extrapolated central difference."""
    return check_gradient(expr, [var], point, [exact])[0]


def check_gradient(
    expr: sp.Expr,
    variables: Sequence[sp.Symbol],
    point: Mapping[sp.Symbol, float],
    exacts: Sequence[float | None],
    backend: str = "auto",
) -> tuple[Check, ...]:
    """Check every partial of ``expr`` at once; with many variables, in a few numpy calls.

    A term of a sum that does not contain ``x`` cannot change ``∂/∂x``, so
    each partial is checked on the terms that contain its variable only: the
    cost grows with the size of the expression, not with (variables × size),
    and the float64 rounding of the other terms stays out of the bound. Terms
    of the same shape (``sin(x3)*x4`` and ``sin(x8)*x9``) are evaluated together
    at all their perturbed points (8 for the slope, 7 to measure rounding
    noise) in one vectorised call.

    >>> from symgrad.parse import variable
    >>> x, y = variable("x"), variable("y")
    >>> [c.verdict for c in check_gradient(x * y, [x, y], {x: 2.0, y: 3.0}, [3.0, 2.0])]
    ['agrees', 'agrees']
    """
    symbols = list(point)
    known = set(symbols)
    for v in variables:
        if v not in known:
            symbols.append(v)
            known.add(v)
    position = {s: i for i, s in enumerate(symbols)}
    base = [float(point.get(s, 0.0)) for s in symbols]
    todo = [
        (k, position[v])
        for k, (v, e) in enumerate(zip(variables, exacts))
        if e is not None and math.isfinite(e)
    ]
    results: list[Check] = [
        _skipped("the exact derivative is not a finite number here", e) for e in exacts
    ]
    if not todo:
        return tuple(results)
    terms = _terms_by_variable(expr, [symbols[i] for _, i in todo])
    if backend == "auto":
        backend = "numpy" if len(todo) >= VECTORISE_FROM else "math"
    if backend == "numpy":
        results_np = _check_numpy(expr, symbols, base, todo, exacts, terms)
        for k, c in results_np.items():
            results[k] = c
        todo = [(k, i) for k, i in todo if k not in results_np]
    whole = None
    for k, i in todo:
        local = terms.get(symbols[i])
        if local is None:
            whole = whole or compile_expr(expr, symbols)
            results[k] = _check_scalar(whole, base, i, float(exacts[k]))
            continue
        part = sp.Add(*local)
        used = sorted(part.free_symbols, key=lambda s: position.get(s, -1))
        f = compile_expr(part, used)
        sub_base = [base[position[s]] for s in used]
        results[k] = _check_scalar(f, sub_base, used.index(symbols[i]), float(exacts[k]))
    return tuple(results)


#: Split a sum into its terms when it has at least this many: below, one evaluation is cheap.
SPLIT_FROM = 4


def _terms_by_variable(expr: sp.Expr, variables: Sequence[sp.Symbol]) -> dict:
    """``{x: [terms of the sum that contain x]}``; empty unless ``expr`` is a large sum."""
    if not expr.is_Add or len(expr.args) < SPLIT_FROM:
        return {}
    wanted = set(variables)
    out: dict[sp.Symbol, list[sp.Expr]] = {v: [] for v in wanted}
    for term in expr.args:
        for s in term.free_symbols & wanted:
            out[s].append(term)
    return out


def _shape(expr: sp.Basic, slots: dict) -> object:
    """A hashable key for the tree of ``expr`` with its symbols numbered by first appearance."""
    if expr.is_Symbol:
        return ("$", slots.setdefault(expr, len(slots)))
    if not expr.args:
        return expr
    return (expr.func, *(_shape(a, slots) for a in expr.args))


def _check_numpy(expr, symbols, base, todo, exacts, terms) -> dict[int, Check]:
    """Vectorised checks of every partial; returns the checks it could finish.

    The step policy is :func:`_check_scalar`'s (:func:`_after_try`), but every
    partial that needs a smaller step is retried together in one vectorised call
    per step size: retrying them one by one in scalar code cost (variables × size
    of the function) per step.
    """
    import numpy as np

    done: dict[int, Check] = {}
    best: dict[int, Check | None] = {}
    steps = {k: _base_step(base[i]) for k, i in todo}
    pending = list(todo)
    compiled: dict = {}  # one compiled function per shape of term, for every step size
    while pending:
        h = np.array([steps[k] for k, _ in pending])
        values, scale = _numpy_values(expr, symbols, base, pending, terms, h, compiled)
        retry = []
        for row, (k, i) in enumerate(pending):
            vals, probe = values[row, : 2 * LEVELS].tolist(), values[row, 2 * LEVELS :].tolist()
            c = None
            if _finite(vals):
                noise = noise_level(probe) if _finite(probe) else 0.0
                magnitude = float(scale[row, : 2 * LEVELS].max())
                c = _verdict(float(exacts[k]), steps[k], vals, noise, magnitude)
            stop, best[k], steps[k] = _after_try(c, best.get(k), steps[k], base[i])
            if not stop:
                retry.append((k, i))
            elif best[k] is not None:  # (never finite: the scalar evaluator says why)
                done[k] = best[k]
        pending = retry
    return done


def _numpy_values(expr, symbols, base, todo, terms, steps, compiled):
    """The function at every perturbed point of every partial in ``todo``, in a few numpy calls.

    Returns ``(values, scale)``, both ``(len(todo), 15)``: the values at the
    offsets of :func:`_offsets` then :func:`_noise_offsets` (scaled by each
    partial's step), and the sum of the absolute values of the terms summed
    into each value.
    """
    import numpy as np

    m = 2 * LEVELS + len(NOISE_OFFSETS)
    n = len(todo)
    unit = np.array(_offsets(1.0) + _noise_offsets(1.0))
    row_of = np.full(len(symbols) + 1, -1)  # the extra last entry: a symbol with no value
    row_of[[i for _, i in todo]] = np.arange(n)
    offsets = np.zeros((len(symbols) + 1, m))  # the extra last row: no perturbation
    offsets[[i for _, i in todo]] = steps[:, None] * unit[None, :]
    base_arr = np.array(base + [0.0])
    values = np.zeros((n, m))
    scale = np.zeros((n, m))
    position = {s: i for i, s in enumerate(symbols)}
    if terms:
        groups: dict[object, tuple[sp.Expr, list]] = {}
        for term in expr.args:
            slots: dict = {}
            key = _shape(term, slots)
            if not any(row_of[position[s]] >= 0 for s in slots if s in position):
                continue  # a constant, or a term without a checked variable
            group = groups.setdefault(key, (term, list(slots), []))
            group[2].append([position.get(s, len(symbols)) for s in slots])
        for key, (term, slot_symbols, members) in groups.items():
            if key not in compiled:
                compiled[key] = compile_expr(term, slot_symbols, backend="numpy")
            f = compiled[key]
            index = np.array(members)  # (terms, slots) of positions in ``symbols``
            t, j = np.nonzero(row_of[index] >= 0)  # every (term, checked slot) pair
            columns = []
            for slot in range(index.shape[1]):
                pos = index[t, slot]
                moved = np.where((j == slot)[:, None], offsets[pos], 0.0)
                columns.append((base_arr[pos][:, None] + moved).ravel())
            out = np.broadcast_to(np.asarray(f(*columns), dtype=float), (len(t) * m,))
            out = out.reshape(len(t), m)
            rows = row_of[index[t, j]]
            np.add.at(values, rows, out)
            np.add.at(scale, rows, np.abs(out))
    else:
        if None not in compiled:
            compiled[None] = compile_expr(expr, symbols, backend="numpy")
        f = compiled[None]
        columns = [np.full(n * m, b) for b in base]
        for row, (_, i) in enumerate(todo):
            columns[i][row * m : (row + 1) * m] = base[i] + offsets[i]
        values = np.broadcast_to(np.asarray(f(*columns), dtype=float), (n * m,)).reshape(n, m)
        scale = np.abs(values)
    return values, scale
