"""The one rule for replacing a file symgrad wrote: its mark, found in a bounded read."""

from __future__ import annotations

import os

import pytest

from symgrad import files
from symgrad.files import MARK_WINDOW, written_by_symgrad

MARK = "written by symgrad lesson export"


def test_a_file_with_the_mark_at_its_start_or_end_is_symgrads(tmp_path):
    head = tmp_path / "sheet.tex"
    head.write_text(f"% {MARK}\n\\documentclass{{article}}\n" + "x" * 3 * MARK_WINDOW)
    tail = tmp_path / "lesson.ipynb"  # a notebook keeps its metadata at the end
    tail.write_text(
        '{"cells": ["' + "y" * 3 * MARK_WINDOW + f'"], "metadata": {{"note": "{MARK}"}}}}'
    )
    small = tmp_path / "page.html"
    small.write_text(f'<meta name="generator" content="{MARK}">')
    assert all(written_by_symgrad(p, MARK) for p in (head, tail, small))
    assert not written_by_symgrad(small, "written by symgrad report")  # each writer its own mark


def test_a_mark_across_the_end_of_the_first_window_still_counts(tmp_path):
    path = tmp_path / "a.html"
    path.write_bytes(b"z" * (MARK_WINDOW - 5) + MARK.encode() + b"z" * 100)
    assert written_by_symgrad(path, MARK)


def test_only_a_bounded_prefix_and_suffix_are_read(tmp_path, monkeypatch):
    path = tmp_path / "big.pdf"
    path.write_bytes(b"a" * MARK_WINDOW + MARK.encode() + b"b" * 2 * MARK_WINDOW)
    reads: list[int] = []
    real = os.pread

    def counted(fd: int, n: int, offset: int) -> bytes:
        reads.append(n)
        return real(fd, n, offset)

    monkeypatch.setattr(files.os, "pread", counted)
    assert not written_by_symgrad(path, MARK)  # the mark in the middle does not count
    assert len(reads) == 2 and sum(reads) <= 2 * MARK_WINDOW


def test_a_file_without_the_mark_is_not_symgrads(tmp_path):
    notes = tmp_path / "notes.html"
    notes.write_text("my own notes, which mention symgrad")
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    assert not written_by_symgrad(notes, MARK) and not written_by_symgrad(empty, MARK)
    assert not written_by_symgrad(tmp_path / "missing.html", MARK)


def test_links_folders_and_pipes_are_never_symgrads(tmp_path):
    own = tmp_path / "own.html"
    own.write_text(MARK)
    link = tmp_path / "link.html"
    link.symlink_to(own)
    pipe = tmp_path / "pipe.html"
    os.mkfifo(pipe)  # opening it for reading would wait for a writer
    folder = tmp_path / f"{MARK}.html"
    folder.mkdir()
    assert written_by_symgrad(own, MARK)
    assert not any(written_by_symgrad(p, MARK) for p in (link, pipe, folder))


def test_an_unreadable_file_is_not_symgrads(tmp_path):
    path = tmp_path / "locked.html"
    path.write_text(MARK)
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):  # pragma: no cover - run as root
            pytest.skip("this user reads every file")
        assert not written_by_symgrad(path, MARK)
    finally:
        path.chmod(0o644)


def test_an_empty_mark_is_a_mistake_of_the_caller(tmp_path):
    with pytest.raises(ValueError, match="must not be empty"):
        written_by_symgrad(tmp_path / "a.html", "")
