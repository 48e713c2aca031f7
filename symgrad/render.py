"""Results that lay themselves out as styled lines render the same way everywhere.

A result with a ``lines()`` method (``(text, rich style)`` pairs) gets its
plain text, ``str`` and rich rendering from :class:`StyledLines`; rich is
imported only when rich output is asked for.

>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class Hello(StyledLines):
...     def lines(self):
...         return [("hello", "bold"), ("world", "")]
>>> print(Hello(), end="")
hello
world
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console, ConsoleOptions, RenderResult


class StyledLines:
    """Mixin: ``lines()`` gives ``(text, style)`` pairs; plain text, ``str`` and rich follow."""

    __slots__ = ()

    def lines(self) -> list[tuple[str, str]]:  # pragma: no cover - every result defines it
        raise NotImplementedError

    def plain_text(self) -> str:
        """The result as plain text (what ``--format plain`` prints)."""
        return "\n".join(text for text, _ in self.lines()) + "\n"

    def __str__(self) -> str:
        return self.plain_text()

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.text import Text

        for text, style in self.lines():
            yield Text(text, style=style)
