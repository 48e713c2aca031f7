"""Choose the submission to grade: ``pytest --submission path/to/student.py``."""

from __future__ import annotations

from pathlib import Path

import pytest

from symgrad.testing import Submission

HERE = Path(__file__).parent


def pytest_addoption(parser):
    parser.addoption(
        "--submission",
        default=str(HERE / "submissions" / "correct.py"),
        help="the student's Python file to grade (default: submissions/correct.py)",
    )


@pytest.fixture(scope="session")
def submission(request):
    """The student's file given with --submission.

    Nothing of the student's runs in this process: symgrad imports the file
    in a separate worker process when a test calls its functions.
    """
    return Submission(Path(request.config.getoption("--submission")))
