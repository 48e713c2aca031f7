"""Grade one student's file: ``pytest examples/class --submission FILE --symgrad-student ID``."""

from __future__ import annotations

from pathlib import Path

import pytest

from symgrad.testing import Submission


def pytest_addoption(parser):
    parser.addoption("--submission", help="the student's Python file to grade")


@pytest.fixture(scope="session")
def submission(request):
    """The student's file; symgrad reads its answers in a separate worker process."""
    given = request.config.getoption("--submission")
    if not given:
        pytest.skip("no --submission given")
    return Submission(Path(given))
