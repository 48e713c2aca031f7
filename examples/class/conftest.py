"""Grade one student's file: ``pytest examples/class --submission FILE --symgrad-student ID``."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest


def pytest_addoption(parser):
    parser.addoption("--submission", help="the student's Python file to grade")


@pytest.fixture(scope="session")
def submission(request):
    """The student's answers, loaded from the file given with --submission."""
    given = request.config.getoption("--submission")
    if not given:
        pytest.skip("no --submission given")
    spec = importlib.util.spec_from_file_location("submission", Path(given))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
