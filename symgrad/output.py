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

Where the stream cannot encode Unicode (``PYTHONIOENCODING=ascii``, a
latin-1 terminal), the same text is written in ASCII: ``x^2``, ``df/dx``,
``->``, and JSON escapes its strings. A failure to write (a full disk, a
closed stream) is a :class:`WriteError`, one line on stderr (exit 2).

>>> ascii_text("∂f/∂x = 2⋅x³ − 1/√v → ✓")
'df/dx = 2*x^3 - 1/sqrt(v) -> OK'
"""

from __future__ import annotations

import os
import re
import sys
import unicodedata
from typing import IO, Any

from symgrad.errors import EXIT_INPUT, SymgradError

FORMATS = ("auto", "rich", "plain", "json", "latex")
PLAIN_WIDTH = 100


class WriteError(SymgradError):
    """The output could not be written: a full disk, a closed or broken stream (exit 2)."""

    exit_code = EXIT_INPUT


_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺⁽⁾", "0123456789-+()")
_SUPERSCRIPT_RUN = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺⁽⁾]+")
_ASCII = {
    "−": "-", "→": "->", "←": "<-", "⇒": "=>", "∂": "d", "⋅": "*", "·": "*", "×": "x",
    "✓": "OK", "✗": "X", "√": "sqrt", "∛": "cbrt", "≤": "<=", "≥": ">=", "≠": "!=",
    "≈": "~=", "±": "+-", "∞": "inf", "∇": "grad ", "ℯ": "e", "…": "...", "—": "-",
    "–": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "′": "'", "″": "''", "ℓ": "l",
    "∑": "sum", "∏": "prod", "∫": "integral", "│": "|", "─": "-", "━": "-", "┃": "|",
    "•": "*", "█": "#", "θ": "theta",
}  # fmt: skip
_ROOT_OF_NAME = re.compile(r"√([A-Za-z0-9_.]+)")
_PROBE = "²→−∂⋅✓"  # what symgrad prints most: if the stream cannot encode these, go ASCII


def ascii_text(text: str) -> str:
    """``text`` in ASCII: superscripts as ``^n``, arrows and symbols spelled out, Greek
    letters by name, anything else by its closest ASCII letter or ``?``."""
    text = _SUPERSCRIPT_RUN.sub(lambda m: "^" + m.group().translate(_SUPERSCRIPTS), text)
    text = _ROOT_OF_NAME.sub(r"sqrt(\1)", text)
    out = []
    for ch in text:
        if ch < "\x80":
            out.append(ch)
        elif ch in _ASCII:
            out.append(_ASCII[ch])
        else:
            name = unicodedata.name(ch, "")
            if name.startswith(("GREEK SMALL LETTER ", "GREEK CAPITAL LETTER ")):
                word = name.rsplit(" ", 1)[1].lower()
                out.append(word.capitalize() if "CAPITAL" in name else word)
                continue
            plain = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
            out.append(plain or "?")
    return "".join(out)


def needs_ascii(stream: IO[str] | None) -> bool:
    """Whether ``stream`` cannot encode the symbols symgrad prints (so ASCII is written)."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        _PROBE.encode(encoding)
    except (UnicodeError, LookupError):
        return True
    return False


class SafeStream:
    """A text stream that writes ASCII where the real one cannot encode Unicode, and turns
    a failed write into a :class:`WriteError`."""

    def __init__(self, stream: IO[str] | None, name: str = "standard output"):
        self.stream = stream
        self.name = name
        self.ascii = needs_ascii(stream)

    @property
    def encoding(self) -> str:
        return "ascii" if self.ascii else (getattr(self.stream, "encoding", None) or "utf-8")

    def _fail(self, err: BaseException | None) -> WriteError:
        reason = "it is closed" if err is None else getattr(err, "strerror", None) or str(err)
        return WriteError(f"cannot write to {self.name}: {reason}")

    def write(self, text: str) -> int:
        if self.stream is None:
            raise self._fail(None)
        try:
            return self.stream.write(ascii_text(text) if self.ascii else text)
        except (OSError, ValueError) as err:  # ValueError: I/O operation on closed file
            raise self._fail(err) from None

    def flush(self) -> None:
        if self.stream is None:
            raise self._fail(None)
        try:
            self.stream.flush()
        except (OSError, ValueError) as err:
            raise self._fail(err) from None

    def isatty(self) -> bool:
        try:
            return bool(self.stream is not None and self.stream.isatty())
        except (OSError, ValueError):
            return False

    def fileno(self) -> int:
        if self.stream is None:
            raise OSError("closed")
        return self.stream.fileno()


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


def to_json(data: Any, ascii: bool = False) -> str:
    """JSON text for ``data``; non-finite floats become ``null`` (JSON has no inf/nan).

    ``ascii`` escapes every non-ASCII character (``\\u00b2``), for streams that
    cannot encode them; the JSON means the same.
    """
    import json

    return json.dumps(_finite(data), indent=2, ensure_ascii=ascii)


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
        self.file = SafeStream(file if file is not None else sys.stdout)
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
            self.file.write(to_json(data, ascii=self.file.ascii) + "\n")
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

    def flush(self) -> None:
        """Flush the stream: a :class:`WriteError` if what was written did not arrive."""
        self.file.flush()
