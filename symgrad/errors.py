"""The one exception family users see, and the exit codes it maps to.

Every error a user can cause is a :class:`SymgradError`: it carries a one-line
message, an optional column (1-based) in the text that was typed, and an
optional hint that says how to fix it. The CLI prints ``str(err)`` and exits
with ``err.exit_code``.

>>> str(ParseError("unbalanced parenthesis", column=5, hint="add ')'"))
"unbalanced parenthesis at column 5 (add ')')"
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_MATH = 1  # the derivative does not exist at the point, or the check failed
EXIT_INPUT = 2  # invalid input or usage
EXIT_LIMIT = 3  # a size or time limit was hit


class SymgradError(Exception):
    """Base class: a problem the user can understand and fix."""

    exit_code = EXIT_INPUT

    def __init__(self, message: str, *, hint: str | None = None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.column = column

    def __str__(self) -> str:
        text = self.message
        if self.column is not None:
            text += f" at column {self.column}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def __reduce__(self):
        # Keep hint and column when the error crosses the worker-process pipe.
        return (type(self), (self.message,), dict(self.__dict__))

    def to_dict(self) -> dict[str, object]:
        """The error as JSON-ready data (for ``--format json``)."""
        return {
            "error": type(self).__name__,
            "message": self.message,
            "column": self.column,
            "hint": self.hint,
            "exit_code": self.exit_code,
        }


class InputError(SymgradError):
    """Invalid input or usage (exit code 2)."""

    exit_code = EXIT_INPUT


class ParseError(InputError):
    """The expression text could not be parsed (exit code 2)."""


class LimitError(SymgradError):
    """A size or time limit was hit (exit code 3)."""

    exit_code = EXIT_LIMIT


class MathError(SymgradError):
    """The mathematics has no answer here, e.g. no derivative at the point (exit code 1)."""

    exit_code = EXIT_MATH
