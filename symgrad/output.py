"""Where results meet the terminal: rich, plain, JSON or LaTeX.

Results render themselves (``__rich_console__``, ``to_dict``, ``to_latex``,
and optionally ``plain_text``); this module only chooses the format and the
console. Plain text (used when stdout is not a terminal, when ``NO_COLOR`` is
set, or with ``--format plain``) is the result's ``plain_text()`` if it has
one, else what rich prints with no colour and no terminal.

>>> import io
>>> out = Output("plain", io.StringIO())
>>> out.format
'plain'
"""

from __future__ import annotations

import os
import sys
from typing import IO, Any

FORMATS = ("auto", "rich", "plain", "json", "latex", "csv")
PLAIN_WIDTH = 100


def choose_format(requested: str, stream: IO[str]) -> str:
    """Resolve ``auto`` to ``rich`` on a colour terminal and ``plain`` otherwise."""
    if requested != "auto":
        return requested
    if os.environ.get("NO_COLOR"):
        return "plain"
    isatty = getattr(stream, "isatty", None)
    return "rich" if isatty is not None and isatty() else "plain"


def make_console(fmt: str, file: IO[str] | None = None):
    """A rich Console for ``fmt`` ("rich" or "plain")."""
    from rich.console import Console

    if fmt == "rich":
        # Asked for by name (or chosen on a terminal): colour even through a pipe.
        return Console(file=file, highlight=False, force_terminal=True)
    return Console(
        file=file,
        color_system=None,
        force_terminal=False,
        no_color=True,
        highlight=False,
        emoji=False,
        width=PLAIN_WIDTH,
        soft_wrap=True,
    )


def to_json(data: Any) -> str:
    """JSON text for ``data``; non-finite floats become ``null`` (JSON has no inf/nan)."""
    import json

    return json.dumps(_finite(data), indent=2, ensure_ascii=False)


def _finite(data: Any) -> Any:
    if isinstance(data, float):
        return data if data == data and data not in (float("inf"), float("-inf")) else None
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_finite(v) for v in data]
    return data


class Output:
    """Writes results to a stream in one format."""

    def __init__(self, fmt: str = "auto", file: IO[str] | None = None):
        self.file = file if file is not None else sys.stdout
        self.format = choose_format(fmt, self.file)
        self._console = None

    @property
    def console(self):
        if self._console is None:
            self._console = make_console(self.format, self.file)
        return self._console

    def emit(self, obj: Any) -> None:
        """Write one result (or any rich renderable / string) in this output's format."""
        if self.format == "json":
            data = obj.to_dict() if hasattr(obj, "to_dict") else obj
            self.file.write(to_json(data) + "\n")
        elif self.format == "csv":
            if not hasattr(obj, "to_csv"):
                from symgrad.errors import InputError

                raise InputError(
                    "this result has no CSV form", hint="use --format rich, plain or json"
                )
            self.file.write(obj.to_csv())
        elif self.format == "latex":
            if not hasattr(obj, "to_latex"):
                from symgrad.errors import InputError

                raise InputError(
                    "this result has no LaTeX form", hint="use --format rich, plain or json"
                )
            self.file.write(obj.to_latex() + "\n")
        elif self.format == "plain" and hasattr(obj, "plain_text"):
            self.file.write(obj.plain_text())  # no rich import on the plain fast path
        else:
            self.console.print(obj)
