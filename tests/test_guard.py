import time

import pytest

from symgrad.errors import InputError, LimitError
from symgrad.guard import WorkerCrash, run_guarded


def _slow_bigint():
    return 9**9**9  # cannot be interrupted by a signal


def _raise_input():
    raise InputError("bad thing", hint="do better", column=3)


def _crash():
    raise ZeroDivisionError("boom")


def _hog():
    return bytearray(4 * 1024**3)


def test_returns_the_result():
    assert run_guarded(sum, [1, 2, 3], timeout=5) == 6


def test_time_limit_kills_a_big_integer_power():
    start = time.monotonic()
    with pytest.raises(LimitError, match="gave up after 0.5 s"):
        run_guarded(_slow_bigint, timeout=0.5)
    assert time.monotonic() - start < 3


def test_symgrad_errors_cross_the_pipe_with_hint_and_column():
    with pytest.raises(InputError) as info:
        run_guarded(_raise_input, timeout=5)
    assert str(info.value) == "bad thing at column 3 (do better)"


def test_unexpected_exceptions_are_reported_as_crashes():
    with pytest.raises(WorkerCrash, match="ZeroDivisionError: boom") as info:
        run_guarded(_crash, timeout=5)
    assert "Traceback" in info.value.details


def test_memory_limit():
    with pytest.raises(LimitError, match="memory"):
        run_guarded(_hog, timeout=5, memory_mb=1024)
