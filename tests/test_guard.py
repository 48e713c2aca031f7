import gc
import os
import subprocess
import sys
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


def test_the_worker_inherits_a_frozen_heap_and_the_caller_does_not():
    # The worker's collections must not walk (and so copy) every page it inherited; the
    # caller, a long-lived notebook or test process, keeps collecting as before.
    if os.environ.get("SYMGRAD_NO_FORK") == "1":
        pytest.skip("no worker process")
    garbage = [[]]
    garbage[0].append(garbage)  # a cycle alive at the fork
    assert run_guarded(gc.get_freeze_count, timeout=5) > 0
    assert gc.get_freeze_count() == 0


def test_the_command_line_skips_the_final_walk_over_sympy():
    program = (
        "import gc, sys; from symgrad import cli; sys.argv = ['symgrad', 'x^2', '--at', 'x=1']\n"
        "try:\n    cli.run()\nexcept SystemExit as e:\n"
        "    print(e.code, gc.get_freeze_count() > 10000)"
    )
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert out.stdout.splitlines()[-1] == "0 True", out.stderr


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


def _sleep_then_answer():
    time.sleep(1.0)  # waiting costs no CPU time: a busy machine looks like this to the worker
    return 42


def test_the_limit_counts_cpu_time_not_waiting():
    assert run_guarded(_sleep_then_answer, timeout=0.3) == 42


def _report_stages():
    from symgrad.guard import report

    for i in range(50):
        report("stage", i / 50)
    return "done"


def test_progress_reports_do_not_disturb_the_result():
    assert run_guarded(_report_stages, timeout=5) == "done"


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "1e308", "-5", "0", "", "x", "86401"])
def test_timeout_values_outside_positive_finite_seconds_are_refused(text):
    from symgrad.guard import seconds

    with pytest.raises(InputError, match="--timeout wants seconds"):
        seconds(text)


def test_sigterm_stops_the_worker_and_leaves_no_process(tmp_path):
    import os
    import signal
    import subprocess
    import sys

    code = (
        "import os, sys\n"
        "from symgrad.guard import run_guarded\n"
        "def spin():\n"
        "    open(sys.argv[1], 'w').write(str(os.getpid()))\n"
        "    while True: pass\n"
        "run_guarded(spin, timeout=60)\n"
    )
    marker = tmp_path / "worker.pid"
    proc = subprocess.Popen([sys.executable, "-c", code, str(marker)], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not marker.exists() or not marker.read_text():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    worker = int(marker.read_text())
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 143
    assert err.decode().strip() == "symgrad: terminated"
    for _ in range(100):
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the worker outlived its parent")
