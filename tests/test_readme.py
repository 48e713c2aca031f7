"""The README shows real output: every ``$ symgrad ...`` example and ``>>>`` session is re-run."""

from __future__ import annotations

import doctest
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")

_BLOCK = re.compile(r"```(console|python)\n(.*?)```", re.S)


def _blocks(kind: str) -> list[str]:
    return [body for k, body in _BLOCK.findall(README) if k == kind]


def _console_examples() -> list[tuple[str, str]]:
    """``(command, expected output)`` for each ``$ symgrad ...`` in a console block."""
    examples = []
    for body in _blocks("console"):
        parts = re.split(r"^\$ ", body, flags=re.M)
        for part in parts[1:]:
            command, _, output = part.partition("\n")
            if command.startswith("symgrad ") and "<" not in command and "|" not in command:
                examples.append((command, output))
    return examples


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").split("\n"))


def _run(command: str) -> subprocess.CompletedProcess:
    argv = shlex.split(command)
    exe = Path(sys.executable).with_name("symgrad")
    cmd = [str(exe), *argv[1:]] if exe.exists() else [sys.executable, "-m", "symgrad", *argv[1:]]
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
    return subprocess.run(
        cmd,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def runs(request):
    """Every selected example, started up front on all cores: each is its own process, and
    what it prints does not depend on what runs beside it (limits count CPU time)."""
    from concurrent.futures import ThreadPoolExecutor

    name = "test_console_examples_are_real_output"
    commands = [
        item.callspec.params["command"]
        for item in request.session.items
        if getattr(item, "originalname", None) == name
    ]
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        yield {c: pool.submit(_run, c) for c in dict.fromkeys(commands)}


@pytest.mark.parametrize("command,expected", _console_examples(), ids=lambda v: v[:60])
def test_console_examples_are_real_output(command, expected, runs):
    run = runs[command].result() if command in runs else _run(command)
    expected_code = 0
    code = re.search(r"^\(exit code (\d+)\)$", expected, flags=re.M)
    if code:
        expected_code = int(code.group(1))
        expected = expected[: code.start()]
    assert _normalise(run.stdout + run.stderr) == _normalise(expected)
    if code:
        assert run.returncode == expected_code


def test_python_sessions_run():
    text = "\n".join(body for body in _blocks("python") if ">>>" in body)
    parser = doctest.DocTestParser()
    test = parser.get_doctest(text, {}, "README", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.failures == 0, f"{runner.failures} README example(s) failed"
