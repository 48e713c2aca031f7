"""Shared test helpers."""

from __future__ import annotations

import io

import pytest
from rich.console import Console


@pytest.fixture
def render():
    """Render a rich renderable as plain text at a fixed width."""

    def _render(obj, width: int = 100) -> str:
        buf = io.StringIO()
        Console(file=buf, width=width, color_system=None, highlight=False).print(obj)
        return buf.getvalue()

    return _render


@pytest.fixture(autouse=True)
def _wide_plain_text(monkeypatch):
    """Plain text wraps at ``COLUMNS`` (80 when unset); tests that read whole lines get room.

    The layout at narrow widths is tested explicitly (tests/test_render.py passes widths).
    """
    monkeypatch.setenv("COLUMNS", "200")
