"""Grading with pytest: check a student's gradient code against the exact gradient.

:func:`assert_gradient` calls a student's numeric gradient function at seeded
points and compares what it returns with symgrad's exact gradient; it works
for scalars and for numpy arrays (a vectorised gradient of an MSE loss with
respect to a weight matrix, say). :func:`assert_answer` checks a derivative
written as text. Both raise :class:`GradingFailure` (an ``AssertionError``)
with the point, the expected and received values and a diagnosis; the
reference formula stays hidden unless ``reveal`` is on.

This module is also a pytest plugin, registered through the ``pytest11``
entry point, so it is active wherever symgrad is installed. It adds

- the marker ``@pytest.mark.symgrad(points=5, seed=0, rtol=1e-6, atol=1e-9, scale=2.0)``
  that sets the points and the tolerance of the checks in one test;
- the fixture ``symgrad_settings`` (those settings, for a test that wants them);
- the option ``--symgrad-reveal`` that shows the reference formula in failures;
- short failure reports: the message only, no traceback (a traceback would
  show the teacher's test source, and with it the formula).

It is imported by every pytest run, so it imports nothing heavy at the top.

>>> assert_gradient(lambda w: 2 * w, "w*w+2")
>>> try:
...     assert_gradient(lambda w: w, "w*w+2", points=[3.0])
... except GradingFailure as failure:
...     print(failure)
the gradient is wrong at point 1 of 1 (seed 0)
  point: w = 3.0
  gradient for w: expected 6.0, received 3.0
  diagnosis: every entry is 1/2 times the expected one: a constant factor is off (the 2 from differentiating a square? a sum taken as a mean?)
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

try:  # the plugin part needs pytest; assert_gradient itself does not
    import pytest
except ImportError:  # pragma: no cover
    pytest = None  # type: ignore[assignment]


class GradingFailure(AssertionError):  # noqa: N818 - an assertion failure, as pytest says
    """A student's gradient or answer is wrong; the message says where and why."""


class Settings(NamedTuple):
    """Points and tolerance for the checks of one test (see the ``symgrad`` marker)."""

    points: int | Sequence[Any] = 5  # how many random points, or the points themselves
    seed: int = 0
    rtol: float = 1e-6
    atol: float = 1e-9
    scale: float = 2.0  # random points are drawn from [-scale, scale]
    reveal: bool = False


DEFAULTS = Settings()
_current: Settings = DEFAULTS  # set by the plugin for the test that is running


def current_settings() -> Settings:
    """The settings of the running test (its ``symgrad`` marker and ``--symgrad-reveal``)."""
    return _current


class _Param(NamedTuple):
    """One argument of the student's function: a scalar or an array of symbols."""

    label: str
    shape: tuple[int, ...]  # () for a scalar
    symbols: tuple[Any, ...]  # flat, in C order


def _params(function, wrt) -> list[_Param]:
    import numpy as np
    import sympy as sp

    from symgrad.parse import parse_names, variable

    def scalar(item) -> _Param:
        symbol = variable(item) if isinstance(item, str) else _real(item)
        return _Param(symbol.name, (), (symbol,))

    def array(item) -> _Param:
        values = np.array(item.tolist() if isinstance(item, sp.MatrixBase) else item, dtype=object)
        symbols = tuple(_real(s) for s in values.flat)
        label = _array_label(symbols, values.shape)
        return _Param(label, values.shape, symbols)

    if wrt is None:
        names = sorted(s.name for s in function.free_symbols)
        return [scalar(n) for n in names]
    if isinstance(wrt, str):
        return [scalar(n) for n in parse_names(wrt)]
    if isinstance(wrt, (sp.MatrixBase, np.ndarray)):
        return [array(wrt)]
    if isinstance(wrt, sp.Symbol):
        return [scalar(wrt)]
    labelled = wrt.items() if isinstance(wrt, Mapping) else ((None, item) for item in wrt)
    params = []
    for label, item in labelled:
        param = scalar(item) if isinstance(item, (str, sp.Symbol)) else array(item)
        if label is not None:
            shape = f" (shape {param.shape})" if param.shape else ""
            param = param._replace(label=f"{label}{shape}")
        params.append(param)
    return params


def _real(symbol):
    from symgrad.parse import variable

    return variable(symbol.name)


def _array_label(symbols, shape) -> str:
    """``W1 (shape (3, 4))`` for symbols named ``W1_00`` ... ``W1_32``."""
    import os.path

    names = [s.name for s in symbols]
    stem = os.path.commonprefix(names) if len(names) > 1 else names[0].rpartition("_")[0]
    stem = stem.rstrip("_[")
    return f"{stem} (shape {shape})" if stem else f"an array of shape {shape}"


def _function(function):
    import sympy as sp

    from symgrad.parse import parse, variable

    if isinstance(function, str):
        return parse(function).expr
    if isinstance(function, sp.Basic):
        return function.xreplace({s: variable(s.name) for s in function.free_symbols})
    raise TypeError(f"the function must be text or a SymPy expression, not {type(function)}")


def _points(params: list[_Param], points, settings: Settings, finite: Callable) -> list[list[Any]]:
    """Values for every parameter at every point: explicit, or seeded and random."""
    import numpy as np

    if isinstance(points, int):
        rng = random.Random(settings.seed)
        found: list[list[Any]] = []
        for _ in range(points * 40):
            values = []
            for p in params:
                flat = [rng.uniform(-settings.scale, settings.scale) for _ in p.symbols]
                values.append(flat[0] if p.shape == () else np.array(flat).reshape(p.shape))
            if finite(values):
                found.append(values)
                if len(found) == points:
                    break
        return found
    result = []
    for point in points:
        if isinstance(point, Mapping):
            values = []
            for p in params:
                if p.shape == ():
                    values.append(float(point[p.symbols[0].name]))
                else:
                    flat = [float(point[s.name]) for s in p.symbols]
                    values.append(np.array(flat).reshape(p.shape))
        elif len(params) == 1 and not isinstance(point, (tuple, list)):
            values = [point]
        else:
            values = list(point)
        values = [
            float(v) if p.shape == () else np.asarray(v, dtype=float).reshape(p.shape)
            for p, v in zip(params, values)
        ]
        result.append(values)
    return result


def _flat(values: list[Any]) -> list[float]:
    import numpy as np

    out: list[float] = []
    for v in values:
        out.extend(float(x) for x in np.ravel(v))
    return out


def _show(value) -> str:
    import numpy as np

    if np.ndim(value) == 0:
        return repr(float(f"{float(value):.6g}"))
    return np.array2string(
        np.asarray(value, dtype=float), precision=6, threshold=24, separator=", ", max_line_width=90
    )


def _diagnose(params: list[_Param], expected: list[list[Any]], received: list[list[Any]]) -> str:
    """A pattern that explains every mismatch, or which gradients are wrong."""
    import numpy as np

    pairs = [
        (e, r)
        for ep, rp in zip(expected, received)
        for e, r in zip(_flat(ep), _flat(rp))
        if math.isfinite(e) and math.isfinite(r)
    ]
    tiny = 1e-12
    nonzero = [(e, r) for e, r in pairs if abs(e) > tiny or abs(r) > tiny]
    if nonzero and all(abs(r) <= tiny for _, r in nonzero):
        return "every entry is 0: is the gradient computed at all?"
    if nonzero and all(abs(e) > tiny for e, _ in nonzero):
        ratios = [r / e for e, r in nonzero]
        if all(math.isclose(q, ratios[0], rel_tol=1e-6) for q in ratios):
            if math.isclose(ratios[0], -1.0, rel_tol=1e-6):
                return "every entry has the wrong sign: check the sign of the error term"
            import sympy as sp

            k = sp.nsimplify(ratios[0], rational=True, tolerance=1e-6)
            return (
                f"every entry is {k} times the expected one: a constant factor is off"
                " (the 2 from differentiating a square? a sum taken as a mean?)"
            )
    wrong = []
    for i, p in enumerate(params):
        ok = all(
            np.allclose(np.ravel(e[i]), np.ravel(r[i]), rtol=1e-6, atol=1e-9)
            for e, r in zip(expected, received)
        )
        if ok:
            continue
        square = len(p.shape) == 2 and p.shape[0] == p.shape[1]
        if square and all(np.allclose(e[i].T, r[i]) for e, r in zip(expected, received)):
            wrong.append(f"the gradient for {p.label} is transposed")
        else:
            wrong.append(f"the gradient for {p.label} is wrong")
    if wrong and len(wrong) < len(params):
        return "; ".join(wrong) + "; the others are right"
    return "no simple pattern (a sign, a constant factor, a transpose) explains the difference"


def assert_gradient(
    student_fn: Callable[..., Any],
    function: Any,
    wrt: Any = None,
    points: int | Sequence[Any] | None = None,
    *,
    seed: int | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    scale: float | None = None,
    reveal: bool | None = None,
) -> None:
    """Check ``student_fn``, a numeric gradient, against the exact gradient of ``function``.

    ``function`` is text (parsed with :func:`symgrad.parse`) or a SymPy
    expression. ``wrt`` lists the arguments of ``student_fn``: a name
    (``"w"``), several (``"w,b"``), or a list (or a dict by label) whose
    items are names, symbols or arrays of symbols (a numpy object array or
    SymPy Matrix: the student receives and returns a float array of that
    shape). ``student_fn`` is
    called with one value per argument and returns one gradient per
    argument (the gradient itself when there is one argument).

    ``points`` is a number of seeded random points or a list of points (a
    number, a tuple with one value per argument, or a dict by name);
    unset arguments come from the test's ``symgrad`` marker.

    >>> assert_gradient(lambda w, b: (2 * w, 1.0), "w^2 + b", wrt="w,b", points=3)
    """
    __tracebackhide__ = True
    import numpy as np
    import sympy as sp

    from symgrad.numeric import compile_expr

    base = _current
    settings = Settings(
        points=base.points if points is None else points,
        seed=base.seed if seed is None else seed,
        rtol=base.rtol if rtol is None else rtol,
        atol=base.atol if atol is None else atol,
        scale=base.scale if scale is None else scale,
        reveal=base.reveal if reveal is None else reveal,
    )
    f = _function(function)
    params = _params(f, wrt)
    symbols = [s for p in params for s in p.symbols]
    missing = sorted(s.name for s in f.free_symbols if s not in set(symbols))
    if missing:
        raise ValueError(
            f"the function also depends on {', '.join(missing)}: substitute values for it"
            " (function.subs(...)) or add it to wrt"
        )
    derivatives = [sp.diff(f, s) for s in symbols]
    compiled = [compile_expr(d, symbols) for d in derivatives]
    value_fn = compile_expr(f, symbols)

    def exact(values: list[Any]) -> list[Any]:
        flat = _flat(values)
        grads = [fn(*flat) for fn in compiled]
        out, start = [], 0
        for p in params:
            n = len(p.symbols)
            chunk = grads[start : start + n]
            start += n
            out.append(chunk[0] if p.shape == () else np.array(chunk).reshape(p.shape))
        return out

    def finite(values: list[Any]) -> bool:
        flat = _flat(values)
        return math.isfinite(value_fn(*flat)) and all(
            math.isfinite(v) for v in _flat(exact(values))
        )

    chosen = _points(params, settings.points, settings, finite)
    if not chosen:
        raise ValueError("no point was found where the function and its gradient are defined")
    expected_all, received_all = [], []
    first_bad = None
    for k, values in enumerate(chosen):
        expected = exact(values)
        args = [v.copy() if isinstance(v, np.ndarray) else v for v in values]
        try:
            result = student_fn(*args)
            received = [result] if len(params) == 1 else list(result)
        except Exception as err:  # noqa: BLE001 - the student's bug is the finding
            _fail(_raised(err, k, len(chosen)), settings, params, derivatives, headline=False)
        if len(received) != len(params):
            _fail(
                f"the function returned {len(received)} gradients, expected {len(params)}"
                f" (one per argument: {', '.join(p.label for p in params)})",
                settings,
                params,
                derivatives,
            )
        for p, r in zip(params, received):
            shape = np.shape(r)
            if p.shape == () and np.size(r) == 1:
                continue
            if shape != p.shape:
                hint = " (transposed?)" if shape == p.shape[::-1] else ""
                _fail(
                    f"the gradient for {p.label} has shape {shape}, expected {p.shape}{hint}",
                    settings,
                    params,
                    derivatives,
                )
        try:
            received = [
                float(np.ravel(r)[0]) if p.shape == () else np.asarray(r, dtype=float)
                for p, r in zip(params, received)
            ]
        except (TypeError, ValueError) as err:
            _fail(f"the gradient is not numbers ({err})", settings, params, derivatives)
        expected_all.append(expected)
        received_all.append(received)
        good = all(
            np.allclose(r, e, rtol=settings.rtol, atol=settings.atol, equal_nan=False)
            for e, r in zip(expected, received)
        )
        if not good and first_bad is None:
            first_bad = k
    if first_bad is None:
        return
    k = first_bad
    lines = [f"the gradient is wrong at point {k + 1} of {len(chosen)} (seed {settings.seed})"]
    if all(p.shape == () for p in params):
        lines.append(
            "  point: " + ", ".join(f"{p.label} = {_show(v)}" for p, v in zip(params, chosen[k]))
        )
        for p, e, r in zip(params, expected_all[k], received_all[k]):
            if not np.allclose(r, e, rtol=settings.rtol, atol=settings.atol):
                lines.append(f"  gradient for {p.label}: expected {_show(e)}, received {_show(r)}")
    else:
        lines.append("  point:")
        for p, v in zip(params, chosen[k]):
            lines.append(_block(f"    {p.label.split(' ')[0]} = ", v))
        for p, e, r in zip(params, expected_all[k], received_all[k]):
            if not np.allclose(r, e, rtol=settings.rtol, atol=settings.atol):
                lines.append(f"  gradient for {p.label}:")
                lines.append(_block("    expected ", e))
                lines.append(_block("    received ", r))
    lines.append("  diagnosis: " + _diagnose(params, expected_all, received_all))
    _fail("\n".join(lines), settings, params, derivatives, headline=False)


def _block(prefix: str, value: Any) -> str:
    """``prefix`` then the value; the lines of an array line up under its first line."""
    return prefix + _show(value).replace("\n", "\n" + " " * len(prefix))


def _raised(err: Exception, k: int, total: int) -> str:
    """Where the student's function failed: its own innermost frame, not the teacher's test."""
    import traceback

    frames = traceback.extract_tb(err.__traceback__)[1:]  # drop assert_gradient's own frame
    where = f" ({frames[-1].filename}, line {frames[-1].lineno})" if frames else ""
    return (
        f"the gradient function raised {type(err).__name__} at point {k + 1} of {total}{where}:"
        f" {err}"
    )


def _fail(message, settings, params, derivatives, headline=True) -> None:
    __tracebackhide__ = True
    from symgrad.printing import inline

    if headline:
        message = f"the gradient function does not fit: {message}"
    symbols = [s for p in params for s in p.symbols]
    if settings.reveal:
        shown = list(zip(symbols, derivatives))[:8]
        for s, d in shown:
            message += f"\n  reference: ∂f/∂{s.name} = {inline(d)}"
        if len(symbols) > len(shown):
            message += f"\n  (and {len(symbols) - len(shown)} more partial derivatives)"
    raise GradingFailure(message)


def assert_answer(
    answer: str,
    function: Any,
    wrt: str | Sequence[str] | None = None,
    order: int = 1,
    *,
    reveal: bool | None = None,
    timeout: float | None = None,
) -> None:
    """Check a derivative written as text (untrusted student input) against ``function``.

    The check runs in a guarded worker process with a time limit; an answer
    that cannot be read, or that takes too long, fails like a wrong one.

    >>> assert_answer("2*x*cos(x^2)", "sin(x^2)")
    """
    __tracebackhide__ = True
    from symgrad.answers import check_answer
    from symgrad.errors import SymgradError
    from symgrad.guard import DEFAULT_TIMEOUT, run_guarded

    show = _current.reveal if reveal is None else reveal
    try:
        check = run_guarded(
            check_answer,
            function,
            answer,
            wrt,
            order,
            timeout=timeout or DEFAULT_TIMEOUT,
            seed=_current.seed,
            reveal=show,
        )
    except SymgradError as err:
        raise GradingFailure(f"the answer {answer!r} could not be checked: {err}") from None
    from symgrad.gradebook import record

    record(answer=answer, diagnosis=check.diagnosis.mistake if check.diagnosis else None)
    if not check.correct:
        raise GradingFailure(f"the answer {answer!r} is wrong\n" + check.plain_text().rstrip())


# -- the pytest plugin ------------------------------------------------------------------

if pytest is not None:

    def pytest_addoption(parser) -> None:
        group = parser.getgroup("symgrad", "symgrad gradient grading")
        group.addoption(
            "--symgrad-reveal",
            action="store_true",
            default=False,
            help="show the reference formula when a symgrad gradient check fails",
        )

    def pytest_configure(config) -> None:
        config.addinivalue_line(
            "markers",
            "symgrad(points=5, seed=0, rtol=1e-6, atol=1e-9, scale=2.0, reveal=False): "
            "points and tolerance of symgrad's gradient checks in this test",
        )

    def _item_settings(item) -> Settings:
        settings = DEFAULTS
        try:
            if item.config.getoption("symgrad_reveal", default=False):
                settings = settings._replace(reveal=True)
            marker = item.get_closest_marker("symgrad")
        except Exception:  # noqa: BLE001 - never break someone else's test run
            return settings
        if marker is not None:
            known = {k: v for k, v in marker.kwargs.items() if k in Settings._fields}
            settings = settings._replace(**known)
        return settings

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(item):
        global _current
        _current = _item_settings(item)
        try:
            yield
        finally:
            _current = DEFAULTS

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(item, call):
        outcome = yield
        if call.excinfo is None or not call.excinfo.errisinstance(GradingFailure):
            return
        report = outcome.get_result()
        if report.failed:
            report.longrepr = str(call.excinfo.value)

    @pytest.fixture
    def symgrad_settings(request) -> Settings:
        """The ``symgrad`` marker's points and tolerance for this test (and ``--symgrad-reveal``)."""
        return _item_settings(request.node)
