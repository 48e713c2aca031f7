"""Choose the submission to grade: ``pytest --submission path/to/student.py``."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

HERE = Path(__file__).parent


def pytest_addoption(parser):
    parser.addoption(
        "--submission",
        default=str(HERE / "submissions" / "correct.py"),
        help="the student's Python file to grade (default: submissions/correct.py)",
    )


@pytest.fixture(scope="session")
def submission(request):
    """The student's module, loaded from the file given with --submission."""
    path = Path(request.config.getoption("--submission"))
    spec = importlib.util.spec_from_file_location("submission", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
