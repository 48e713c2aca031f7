"""symgrad shell and the warm Session: the command line's answers and limits, warm."""

import subprocess
import sys

import pytest

from symgrad.session import Session, session

LINES = """\
w*w+2 --at w=10 --format plain
# a comment, then an empty line

x^x^x^x^x^x^x^x --at x=2 --timeout 0.2
"unclosed
shell
--debug x
symgrad x^3 --at x=2 --format plain
exit
w --at w=1
"""


def test_the_shell_answers_line_after_line_and_survives_hostile_input():
    proc = subprocess.run(
        [sys.executable, "-m", "symgrad", "shell"],
        input=LINES,
        capture_output=True,
        text=True,
        timeout=120,
    )
    out, err = proc.stdout, proc.stderr
    assert "compute_gradients: [(20.0, 10.0)]" in out
    assert "compute_gradients: [(12.0, 2.0)]" in out  # a pasted "symgrad ..." line works too
    assert "gave up after 0.2 s of CPU time" in err  # the limit ended that line only
    assert "No closing quotation" in err
    assert "already in a symgrad shell" in err
    assert "--debug runs without the worker's limits" in err
    assert "(1.0, 1.0)" not in out  # nothing after exit
    assert "Traceback" not in out + err
    assert proc.returncode == 0  # the status of the last line answered


def test_end_of_input_leaves_with_the_last_status():
    proc = subprocess.run(
        [sys.executable, "-m", "symgrad", "shell"],
        input="x*y --at x=1\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "no value for y" in proc.stderr
    assert proc.returncode == 2


@pytest.fixture(scope="module")
def warm():
    return session()


def test_the_session_api_runs_functions_in_a_worker(warm):
    r = warm.grad("w*w+2", at={"w": 10})
    assert r.compute_gradients() == [(20.0, 10.0)]
    assert warm.steps("x^2").rules()[0] == "Power rule"
    assert "grad" in dir(warm)
    with pytest.raises(AttributeError):
        warm.not_a_function  # noqa: B018


def test_the_session_api_keeps_the_limits(warm):
    from symgrad.errors import LimitError

    tight = Session(timeout=0.2)
    with pytest.raises(LimitError, match="CPU time"):
        tight.grad("x^x^x^x^x^x^x^x", at={"x": 2})
    assert warm.grad("x^2", at={"x": 3}).gradients() == [6.0]  # still answering


def test_the_session_runs_command_lines(warm, capsys):
    assert warm.run("w*w+2 --at w=10 --format plain") == 0
    assert warm.run(["x^2", "--at", "x=3", "--format", "plain"]) == 0
    assert warm.run("'x") == 2
    out, err = capsys.readouterr()
    assert "compute_gradients: [(20.0, 10.0)]" in out and "[(6.0, 3.0)]" in out
    assert "close the quote" in err
